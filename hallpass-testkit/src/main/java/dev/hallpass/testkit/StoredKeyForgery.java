package dev.hallpass.testkit;

import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * What an attacker who reads the database would try with the stored keys: every plausible reading
 * of a stored value as key bytes, a refresh token tagged under such bytes, an access token signed
 * with a stored private key. Built from the documented token formats, not from engine internals.
 */
final class StoredKeyForgery {
  private static final Base64.Encoder B64URL = Base64.getUrlEncoder().withoutPadding();
  private static final SecureRandom RANDOM = new SecureRandom();

  private StoredKeyForgery() {}

  /**
   * Byte strings a stored value might be the key as: its text, its base64 (either alphabet), and
   * for a value with {@code ':'} separators the decoded last part and its middle (the part that
   * would be the ciphertext of an AES-GCM envelope).
   */
  static List<byte[]> candidateKeys(String stored) {
    List<byte[]> out = new ArrayList<>();
    out.add(stored.getBytes(StandardCharsets.UTF_8));
    tryDecode(out, Base64.getDecoder(), stored);
    tryDecode(out, Base64.getUrlDecoder(), stored);
    int colon = stored.lastIndexOf(':');
    if (colon >= 0) {
      String tail = stored.substring(colon + 1);
      tryDecode(out, Base64.getUrlDecoder(), tail);
      tryDecode(out, Base64.getDecoder(), tail);
      try {
        byte[] sealed = Base64.getUrlDecoder().decode(tail);
        if (sealed.length > 28) {
          out.add(Arrays.copyOfRange(sealed, 12, sealed.length - 16));
        }
      } catch (IllegalArgumentException e) {
        // not base64url
      }
    }
    out.removeIf(b -> b.length == 0);
    return out;
  }

  private static void tryDecode(List<byte[]> out, Base64.Decoder d, String s) {
    try {
      out.add(d.decode(s));
    } catch (IllegalArgumentException e) {
      // not in this alphabet
    }
  }

  /**
   * A refresh token for the genuine token's session with a new secret, tagged under {@code key}:
   * base64url(version 1 | handle (16) | secret (32) | HMAC-SHA256(key, label | version | handle |
   * secret) cut to 16 bytes). The engine takes it for a token it issued exactly when {@code key} is
   * the session's refresh key.
   */
  static String forgeRefreshToken(String genuine, byte[] key) throws Exception {
    byte[] raw = Base64.getUrlDecoder().decode(genuine);
    byte[] handle = Arrays.copyOfRange(raw, 1, 17);
    byte[] secret = new byte[32];
    RANDOM.nextBytes(secret);
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(key, "HmacSHA256"));
    mac.update("hallpass/refresh/tag".getBytes(StandardCharsets.UTF_8));
    mac.update(new byte[] {1});
    mac.update(handle);
    mac.update(secret);
    byte[] tag = Arrays.copyOf(mac.doFinal(), 16);
    byte[] forged = new byte[raw.length];
    forged[0] = 1;
    System.arraycopy(handle, 0, forged, 1, 16);
    System.arraycopy(secret, 0, forged, 17, 32);
    System.arraycopy(tag, 0, forged, 49, 16);
    return B64URL.encodeToString(forged);
  }

  /** The bytes as an RSA private key (PKCS#8), if they are one. */
  static Optional<PrivateKey> parsePrivateKey(byte[] candidate) {
    try {
      return Optional.of(
          KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(candidate)));
    } catch (Exception e) {
      return Optional.empty();
    }
  }

  /** The genuine access token with every claim equal to {@code from} made {@code to}, re-signed. */
  static String forgeAccessToken(String genuine, PrivateKey key, String from, String to)
      throws Exception {
    String[] parts = genuine.split("\\.");
    String payload =
        new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8)
            .replace('"' + from + '"', '"' + to + '"');
    String signingInput =
        parts[0] + "." + B64URL.encodeToString(payload.getBytes(StandardCharsets.UTF_8));
    Signature s = Signature.getInstance("SHA256withRSA");
    s.initSign(key);
    s.update(signingInput.getBytes(StandardCharsets.US_ASCII));
    return signingInput + "." + B64URL.encodeToString(s.sign());
  }
}
