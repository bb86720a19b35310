package dev.hallpass;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.UUID;

/**
 * The opaque refresh-token format and its derivations.
 *
 * <p>A token is base64url(version | handle (16 bytes) | secret (32) | tag (16)). The tag is an HMAC
 * under the session's refresh key, so a forged token naming a real handle is told apart from a
 * genuine old one (only the latter is theft). A child token's secret is an HMAC of its parent's:
 * every refresh racing with the same parent receives the same child, one lineage, while the store
 * keeps only hashes. A parent may have several children, numbered from 0: child n > 0 replaces an
 * unused child whose answer was lost. The anti-CSRF token is derived from the secret the same way.
 *
 * <p>Only the canonical encoding is accepted: a spelling that decodes to the same bytes (padding,
 * other unused low bits in the last character) is not a token, so it can never be mistaken for an
 * old one.
 */
final class RefreshTokens {
  private static final byte VERSION = 1;
  private static final int SECRET_LEN = 32;
  private static final int TAG_LEN = 16;
  private static final int RAW_LEN = 1 + 16 + SECRET_LEN + TAG_LEN;
  static final int MAX_TEXT_LEN = 200;
  private static final byte[] TAG_LABEL = Crypto.utf8("hallpass/refresh/tag");
  private static final byte[] CHILD_LABEL = Crypto.utf8("hallpass/refresh/child");
  private static final byte[] CSRF_LABEL = Crypto.utf8("hallpass/anti-csrf");

  private RefreshTokens() {}

  /** A decoded token whose tag has not been checked yet. */
  static final class Parsed {
    final String text;
    final String handle;
    final byte[] handleBytes;
    final byte[] secret;
    final byte[] tag;

    private Parsed(String text, byte[] handleBytes, byte[] secret, byte[] tag) {
      this.text = text;
      this.handleBytes = handleBytes;
      this.handle = handle(handleBytes);
      this.secret = secret;
      this.tag = tag;
    }

    @Override
    public String toString() {
      return "RefreshToken{<redacted>}";
    }
  }

  /** Decodes a presented token, or null when it is not in the format. */
  static Parsed parse(String text) {
    if (text == null || text.isEmpty() || text.length() > MAX_TEXT_LEN) {
      return null;
    }
    byte[] raw;
    try {
      raw = Crypto.B64URL_DECODER.decode(text);
    } catch (IllegalArgumentException e) {
      return null;
    }
    if (raw.length != RAW_LEN
        || raw[0] != VERSION
        || !Crypto.B64URL.encodeToString(raw).equals(text)) {
      return null;
    }
    return new Parsed(
        text,
        Arrays.copyOfRange(raw, 1, 17),
        Arrays.copyOfRange(raw, 17, 49),
        Arrays.copyOfRange(raw, 49, RAW_LEN));
  }

  /** The session handle (UUID text) that 16 handle bytes stand for. */
  static String handle(byte[] handleBytes) {
    ByteBuffer b = ByteBuffer.wrap(handleBytes);
    return new UUID(b.getLong(), b.getLong()).toString();
  }

  /** Encodes a token for this handle and secret, tagged under the session's key. */
  static String encode(byte[] key, byte[] handleBytes, byte[] secret) {
    byte[] raw = new byte[RAW_LEN];
    raw[0] = VERSION;
    System.arraycopy(handleBytes, 0, raw, 1, 16);
    System.arraycopy(secret, 0, raw, 17, SECRET_LEN);
    System.arraycopy(tag(key, handleBytes, secret), 0, raw, 49, TAG_LEN);
    return Crypto.B64URL.encodeToString(raw);
  }

  static boolean tagValid(byte[] key, Parsed p) {
    return MessageDigest.isEqual(tag(key, p.handleBytes, p.secret), p.tag);
  }

  private static byte[] tag(byte[] key, byte[] handleBytes, byte[] secret) {
    return Arrays.copyOf(
        Crypto.hmacSha256(key, TAG_LABEL, new byte[] {VERSION}, handleBytes, secret), TAG_LEN);
  }

  /** The secret of the parent's child number {@code index}; child 0 is the first. */
  static byte[] childSecret(byte[] key, byte[] parentSecret, int index) {
    if (index == 0) {
      return Crypto.hmacSha256(key, CHILD_LABEL, parentSecret);
    }
    byte[] n = ByteBuffer.allocate(4).putInt(index).array();
    return Crypto.hmacSha256(key, CHILD_LABEL, parentSecret, n);
  }

  static String antiCsrfToken(byte[] key, byte[] secret) {
    return Crypto.B64URL.encodeToString(Crypto.hmacSha256(key, CSRF_LABEL, secret));
  }

  static byte[] newSecret(java.security.SecureRandom random) {
    byte[] s = new byte[SECRET_LEN];
    random.nextBytes(s);
    return s;
  }
}
