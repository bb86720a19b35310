package dev.hallpass;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;
import java.util.Objects;

/**
 * A 256-bit key-encryption key (KEK): with {@link Hallpass.Builder#keyEncryption} every signing
 * private key and every per-session refresh key is encrypted with it (AES-256-GCM) before it
 * reaches the {@link dev.hallpass.spi.SessionStore}, so that reading the database is not enough to
 * sign access tokens or forge refresh tokens.
 *
 * <p>Its text form is the base64 of 32 random bytes, e.g. from {@code openssl rand -base64 32}.
 * Each factory rejects bad input with an {@link IllegalArgumentException} whose message names the
 * source (the file, the environment variable) but never the key. {@link #toString()} shows only
 * {@link #id()}, an identifier derived from the key that every stored value names; it reveals
 * nothing about the key. Two instances are equal when they hold the same key (compared in constant
 * time). Immutable and thread-safe.
 */
public final class KeyEncryptionKey {
  /** Key files are a line of base64; anything much longer is not a key file. */
  private static final int MAX_TEXT_LENGTH = 1_024;

  private static final int KEY_LENGTH = 32;
  private static final byte[] ID_LABEL = Crypto.utf8("hallpass/kek/id");

  private final byte[] key;
  private final String id;

  private KeyEncryptionKey(byte[] key) {
    this.key = key;
    // An HMAC of a fixed label under the key: identifies it without revealing it.
    this.id = Crypto.B64URL.encodeToString(Arrays.copyOf(Crypto.hmacSha256(key, ID_LABEL), 6));
  }

  /**
   * The key from its base64 text (standard or URL-safe alphabet, padding and surrounding white
   * space allowed).
   *
   * @throws IllegalArgumentException if the text is empty, not base64, or not 32 bytes
   */
  public static KeyEncryptionKey fromBase64(String base64) {
    return parse(base64, "the given text");
  }

  /**
   * The key from a file holding its base64 text (one line; a trailing newline is fine).
   *
   * @throws IllegalArgumentException if the file cannot be read or does not hold a key; the message
   *     names the file
   */
  public static KeyEncryptionKey fromFile(Path file) {
    Objects.requireNonNull(file, "file");
    String source = "file " + file;
    byte[] raw;
    try (InputStream in = Files.newInputStream(file)) {
      raw = in.readNBytes(MAX_TEXT_LENGTH + 1);
    } catch (IOException e) {
      // The exception names the file and the reason, never its content.
      throw new IllegalArgumentException(
          "key-encryption key " + source + " cannot be read (" + e.getClass().getSimpleName() + ")",
          e);
    }
    try {
      if (raw.length > MAX_TEXT_LENGTH) {
        throw new IllegalArgumentException(
            "key-encryption key "
                + source
                + " is longer than "
                + MAX_TEXT_LENGTH
                + " bytes: it must hold the base64 of 32 bytes");
      }
      return parse(new String(raw, StandardCharsets.US_ASCII), source);
    } finally {
      Arrays.fill(raw, (byte) 0);
    }
  }

  /**
   * The key from an environment variable holding its base64 text.
   *
   * @throws IllegalArgumentException if the variable is not set or does not hold a key; the message
   *     names the variable
   */
  public static KeyEncryptionKey fromEnvironment(String name) {
    return fromEnvironment(name, System.getenv());
  }

  /** {@link #fromEnvironment(String)} on the given environment (for tests). */
  static KeyEncryptionKey fromEnvironment(String name, Map<String, String> environment) {
    Objects.requireNonNull(name, "name");
    if (name.isEmpty()) {
      throw new IllegalArgumentException("environment variable name must not be empty");
    }
    String value = environment.get(name);
    if (value == null) {
      throw new IllegalArgumentException(
          "key-encryption key: environment variable " + name + " is not set");
    }
    return parse(value, "environment variable " + name);
  }

  private static KeyEncryptionKey parse(String text, String source) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException("key-encryption key from " + source + " is empty");
    }
    if (text.length() > MAX_TEXT_LENGTH) {
      throw new IllegalArgumentException(
          "key-encryption key from " + source + " is too long: it must be the base64 of 32 bytes");
    }
    String t = text.strip();
    byte[] key;
    try {
      key =
          t.indexOf('-') >= 0 || t.indexOf('_') >= 0
              ? Base64.getUrlDecoder().decode(t)
              : Base64.getDecoder().decode(t);
    } catch (IllegalArgumentException e) {
      // Not chained: the decoder's message may quote a character of the key.
      throw new IllegalArgumentException(
          "key-encryption key from " + source + " is not base64 (e.g. openssl rand -base64 32)");
    }
    if (key.length != KEY_LENGTH) {
      int length = key.length;
      Arrays.fill(key, (byte) 0);
      throw new IllegalArgumentException(
          "key-encryption key from "
              + source
              + " must be 32 bytes (base64 of 32 random bytes), not "
              + length);
    }
    return new KeyEncryptionKey(key);
  }

  /**
   * A short identifier of this key (8 characters), stored beside every value wrapped under it so
   * that the right key is chosen to unwrap it. Derived one-way from the key; not secret.
   */
  public String id() {
    return id;
  }

  /** The key bytes, for the package's AES-GCM wrapping only. */
  byte[] bytes() {
    return key;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof KeyEncryptionKey other && MessageDigest.isEqual(key, other.key);
  }

  @Override
  public int hashCode() {
    return id.hashCode();
  }

  @Override
  public String toString() {
    return "KeyEncryptionKey{id=" + id + ", key=<redacted>}";
  }
}
