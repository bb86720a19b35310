package dev.hallpass;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Envelope encryption of the keys Hallpass stores: signing private keys and per-session refresh
 * keys, under the application's {@link KeyEncryptionKey}s.
 *
 * <p>A wrapped value is {@code hpkek1:<kek id>:<base64url(nonce | ciphertext | tag)>}: AES-256-GCM
 * with a random 96-bit nonce, and as associated data the purpose and the row it belongs to (the
 * session handle; the signing key's kid, generation and public key), so a value copied to another
 * row does not decrypt. A plaintext value (base64, as stored when encryption is off) never contains
 * {@code ':'}, so the two are told apart without guessing.
 *
 * <p>Off: values are stored as plaintext, and a wrapped value found in the store is an error naming
 * the option, never used as a key. On: values are wrapped under the primary KEK; wrapped values of
 * an older KEK and plaintext values from before (migration) are accepted, and {@link #isCurrent}
 * tells the caller to re-wrap them under the primary. Thread-safe.
 *
 * <p>Random 96-bit nonces stay safe for about 2^32 values under one KEK (one per session and per
 * signing key, plus re-wraps): far beyond a deployment's sessions between KEK rotations.
 */
final class KeyWrapping {
  static final String PREFIX = "hpkek1:";
  private static final int NONCE_LENGTH = 12;
  private static final int TAG_BITS = 128;
  private static final byte[] AAD_LABEL = Crypto.utf8("hallpass/kek/v1");

  /** What a wrapped value is, bound into its associated data. */
  enum Purpose {
    SESSION_REFRESH_KEY("session-refresh-key", "refresh key of session "),
    SIGNING_PRIVATE_KEY("signing-private-key", "private key of signing key ");

    private final byte[] label;
    private final String describe;

    Purpose(String label, String describe) {
      this.label = Crypto.utf8(label);
      this.describe = describe;
    }

    /** The plaintext stored form: base64url for refresh keys, standard base64 for PKCS#8. */
    String encodePlain(byte[] key) {
      return this == SESSION_REFRESH_KEY
          ? Crypto.B64URL.encodeToString(key)
          : Base64.getEncoder().encodeToString(key);
    }

    byte[] decodePlain(String text) {
      return this == SESSION_REFRESH_KEY
          ? Crypto.B64URL_DECODER.decode(text)
          : Base64.getDecoder().decode(text);
    }
  }

  private static final KeyWrapping DISABLED = new KeyWrapping(null, Map.of(), null);

  private final KeyEncryptionKey primary; // null: encryption off
  private final Map<String, KeyEncryptionKey> byId;
  private final SecureRandom random;

  private KeyWrapping(
      KeyEncryptionKey primary, Map<String, KeyEncryptionKey> byId, SecureRandom random) {
    this.primary = primary;
    this.byId = byId;
    this.random = random;
  }

  /** Encryption off: plaintext values only. */
  static KeyWrapping disabled() {
    return DISABLED;
  }

  /** Encryption on: wraps under {@code primary}; unwraps under it and {@code older}. */
  static KeyWrapping of(
      KeyEncryptionKey primary, List<KeyEncryptionKey> older, SecureRandom random) {
    Map<String, KeyEncryptionKey> byId = new LinkedHashMap<>();
    byId.put(primary.id(), primary);
    for (KeyEncryptionKey k : older) {
      if (byId.putIfAbsent(k.id(), k) != null) {
        throw new IllegalArgumentException("keyEncryption: key " + k.id() + " is given twice");
      }
    }
    return new KeyWrapping(primary, Map.copyOf(byId), random);
  }

  boolean enabled() {
    return primary != null;
  }

  /** The primary KEK's id, or null when encryption is off. */
  String primaryId() {
    return primary == null ? null : primary.id();
  }

  /** The stored form of {@code key}: wrapped under the primary KEK, or plaintext when off. */
  String wrap(byte[] key, Purpose purpose, String context) {
    if (primary == null) {
      return purpose.encodePlain(key);
    }
    byte[] nonce = new byte[NONCE_LENGTH];
    random.nextBytes(nonce);
    byte[] out;
    try {
      Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
      c.init(
          Cipher.ENCRYPT_MODE,
          new SecretKeySpec(primary.bytes(), "AES"),
          new GCMParameterSpec(TAG_BITS, nonce));
      c.updateAAD(aad(purpose, context));
      out = Arrays.copyOf(nonce, NONCE_LENGTH + c.getOutputSize(key.length));
      c.doFinal(key, 0, key.length, out, NONCE_LENGTH);
    } catch (GeneralSecurityException e) {
      throw HallpassException.generalError("AES-256-GCM is not available", e);
    }
    return PREFIX + primary.id() + ":" + Crypto.B64URL.encodeToString(out);
  }

  /**
   * The key a stored value stands for.
   *
   * @param label the row, for messages only (a session handle or a kid; never a secret)
   * @throws HallpassException GENERAL_ERROR when the value is wrapped but encryption is off, names
   *     an unknown KEK, is malformed, or does not decrypt (altered, or moved from another row)
   */
  byte[] unwrap(String stored, Purpose purpose, String context, String label) {
    if (stored.indexOf(':') < 0) {
      try {
        return purpose.decodePlain(stored); // plaintext: encryption off, or from before it
      } catch (IllegalArgumentException e) {
        throw HallpassException.generalError(
            "stored " + purpose.describe + label + " is unreadable", null);
      }
    }
    String kekId = kekId(stored);
    if (kekId == null) {
      throw HallpassException.generalError(
          "stored "
              + purpose.describe
              + label
              + " is encrypted in a format this version does not know",
          null);
    }
    if (primary == null) {
      throw HallpassException.generalError(
          "stored "
              + purpose.describe
              + label
              + " is encrypted under key-encryption key '"
              + kekId
              + "' but key encryption is off: configure Hallpass.builder().keyEncryption(...)"
              + " with that key",
          null);
    }
    KeyEncryptionKey kek = byId.get(kekId);
    if (kek == null) {
      throw HallpassException.generalError(
          "stored "
              + purpose.describe
              + label
              + " is encrypted under key-encryption key '"
              + kekId
              + "', which is not configured (configured: "
              + byId.keySet()
              + "): pass it to Hallpass.builder().keyEncryption(primary, older...)",
          null);
    }
    byte[] sealed;
    try {
      sealed = Crypto.B64URL_DECODER.decode(stored.substring(PREFIX.length() + kekId.length() + 1));
    } catch (IllegalArgumentException e) {
      sealed = null;
    }
    if (sealed == null || sealed.length < NONCE_LENGTH + TAG_BITS / 8) {
      throw HallpassException.generalError(
          "stored " + purpose.describe + label + " is not a well-formed encrypted value", null);
    }
    try {
      Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
      c.init(
          Cipher.DECRYPT_MODE,
          new SecretKeySpec(kek.bytes(), "AES"),
          new GCMParameterSpec(TAG_BITS, sealed, 0, NONCE_LENGTH));
      c.updateAAD(aad(purpose, context));
      return c.doFinal(sealed, NONCE_LENGTH, sealed.length - NONCE_LENGTH);
    } catch (AEADBadTagException e) {
      throw HallpassException.generalError(
          "stored "
              + purpose.describe
              + label
              + " does not decrypt under key-encryption key '"
              + kekId
              + "': it was altered, or copied from another row",
          null);
    } catch (GeneralSecurityException e) {
      throw HallpassException.generalError("AES-256-GCM is not available", e);
    }
  }

  /**
   * Whether a stored value is in the form this configuration writes: wrapped under the primary KEK
   * (on), or plaintext (off). Reads only the prefix: no decryption.
   */
  boolean isCurrent(String stored) {
    if (primary == null) {
      return stored.indexOf(':') < 0;
    }
    return primary.id().equals(kekId(stored));
  }

  /** A stored value unwrapped and wrapped again under the primary KEK (fresh nonce). */
  String rewrap(String stored, Purpose purpose, String context, String label) {
    byte[] key = unwrap(stored, purpose, context, label);
    try {
      return wrap(key, purpose, context);
    } finally {
      Arrays.fill(key, (byte) 0);
    }
  }

  /** The KEK id a wrapped value names, or null when it is not in the {@code hpkek1} form. */
  static String kekId(String stored) {
    if (!stored.startsWith(PREFIX)) {
      return null;
    }
    int end = stored.indexOf(':', PREFIX.length());
    return end <= PREFIX.length() ? null : stored.substring(PREFIX.length(), end);
  }

  /**
   * The associated data: a label, the purpose and the context parts, each length-prefixed so that
   * no two different contexts encode alike.
   */
  private static byte[] aad(Purpose purpose, String context) {
    List<byte[]> parts = new ArrayList<>(3);
    parts.add(AAD_LABEL);
    parts.add(purpose.label);
    parts.add(context.getBytes(StandardCharsets.UTF_8));
    int n = 0;
    for (byte[] p : parts) {
      n += 4 + p.length;
    }
    ByteBuffer b = ByteBuffer.allocate(n);
    for (byte[] p : parts) {
      b.putInt(p.length).put(p);
    }
    return b.array();
  }

  /** The context of a signing key's private key: its kid, generation and public key. */
  static String signingKeyContext(String kid, long generation, String publicKeyX509) {
    return kid + "\n" + generation + "\n" + Crypto.sha256Hex(publicKeyX509);
  }

  @Override
  public String toString() {
    return primary == null ? "KeyWrapping{off}" : "KeyWrapping{kek ids=" + byId.keySet() + "}";
  }
}
