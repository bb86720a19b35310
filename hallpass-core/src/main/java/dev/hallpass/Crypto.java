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

  /** The thread's HMAC-SHA256 instance: callers init() it before each use. */
  static final ThreadLocal<Mac> HMAC_SHA256 = perThread("HmacSHA256", Mac::getInstance);

  private static final ThreadLocal<MessageDigest> SHA256 =
      perThread("SHA-256", MessageDigest::getInstance);

  /** Looks a JCA algorithm up. */
  @FunctionalInterface
  interface JcaLookup<T> {
    T get(String algorithm) throws GeneralSecurityException;
  }

  /** One instance of a JCA algorithm per thread: a lookup walks the provider list every time. */
  static <T> ThreadLocal<T> perThread(String algorithm, JcaLookup<T> lookup) {
    return ThreadLocal.withInitial(
        () -> {
          try {
            return lookup.get(algorithm);
          } catch (GeneralSecurityException e) {
            throw HallpassException.generalError(algorithm + " is not available", e);
          }
        });
  }

  private Crypto() {}

  static String sha256Hex(String s) {
    byte[] d = SHA256.get().digest(s.getBytes(StandardCharsets.UTF_8)); // digest() resets it
    char[] out = new char[d.length * 2];
    for (int i = 0; i < d.length; i++) {
      out[2 * i] = HEX[(d[i] >> 4) & 0xf];
      out[2 * i + 1] = HEX[d[i] & 0xf];
    }
    return new String(out);
  }

  static byte[] hmacSha256(byte[] key, byte[]... parts) {
    try {
      Mac mac = HMAC_SHA256.get();
      mac.init(new SecretKeySpec(key, "HmacSHA256")); // init() discards any earlier state
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
