package dev.hallpass;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** Small crypto helpers on the JDK's providers. */
final class Crypto {
  private static final char[] HEX = "0123456789abcdef".toCharArray();
  static final Base64.Encoder B64URL = Base64.getUrlEncoder().withoutPadding();
  static final Base64.Decoder B64URL_DECODER = Base64.getUrlDecoder();

  private Crypto() {}

  static String sha256Hex(String s) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
      char[] out = new char[d.length * 2];
      for (int i = 0; i < d.length; i++) {
        out[2 * i] = HEX[(d[i] >> 4) & 0xf];
        out[2 * i + 1] = HEX[d[i] & 0xf];
      }
      return new String(out);
    } catch (GeneralSecurityException e) {
      throw HallpassException.generalError("SHA-256 is not available", e);
    }
  }

  static byte[] hmacSha256(byte[] key, byte[]... parts) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      for (byte[] p : parts) {
        mac.update(p);
      }
      return mac.doFinal();
    } catch (GeneralSecurityException e) {
      throw HallpassException.generalError("HmacSHA256 is not available", e);
    }
  }

  /** Constant-time comparison of two secrets; null never equals anything. */
  static boolean secretEquals(String a, String b) {
    if (a == null || b == null || a.length() != b.length()) {
      return false; // lengths of tokens and hashes are public
    }
    int diff = 0;
    for (int i = 0; i < a.length(); i++) {
      diff |= a.charAt(i) ^ b.charAt(i);
    }
    return diff == 0;
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
