package dev.hallpass.server;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;

/**
 * The configured API keys. A presented key is hashed and compared with every configured key's hash
 * using {@link MessageDigest#isEqual}, without stopping at a match: the time taken does not depend
 * on which key, or how much of one, was guessed.
 */
final class ApiKeys {
  private final List<byte[]> digests = new ArrayList<>();

  ApiKeys(List<String> keys) {
    for (String k : keys) {
      digests.add(sha256(k));
    }
  }

  /** True when keys are configured, so every protected request must present one. */
  boolean required() {
    return !digests.isEmpty();
  }

  /** Whether a request with this {@code api-key} header (null when absent) may proceed. */
  boolean accepts(String presented) {
    if (digests.isEmpty()) {
      return true;
    }
    if (presented == null) {
      return false;
    }
    byte[] d = sha256(presented);
    boolean match = false;
    for (byte[] k : digests) {
      match |= MessageDigest.isEqual(k, d);
    }
    return match;
  }

  private static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }
}
