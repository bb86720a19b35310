package dev.hallpass.spi;

import java.time.Instant;
import java.util.Objects;

/**
 * One stored signing key: an RS256 key pair, or an HS256 secret key.
 *
 * <p>An HS256 key has no public key: its {@link #publicKeyX509()} is the marker {@code
 * "hmac:HS256"} (never valid base64, so it cannot be mistaken for an RSA key) and its {@link
 * #privateKeyPkcs8()} holds the 32-byte secret in base64, or encrypted like an RSA private key.
 * Stores keep both fields as opaque text and need not know the difference.
 *
 * <p>Keys form generations 0, 1, 2, ...: generation n+1 is stored (and so published) while n still
 * signs, and takes over at n's {@link #signsUntil()}. A store keeps at most one key per generation,
 * which makes creating the next key race-safe across processes. {@link #toString()} never shows the
 * private key.
 */
public final class SigningKeyRecord {

  private final String kid;
  private final long generation;
  private final String privateKeyPkcs8;
  private final String publicKeyX509;
  private final Instant createdAt;
  private final Instant signsFrom;
  private final Instant signsUntil;

  /**
   * Creates the record; the keys are base64 (standard) DER encodings, except that with key
   * encryption on the private key is opaque encrypted text.
   */
  public SigningKeyRecord(
      String kid,
      long generation,
      String privateKeyPkcs8,
      String publicKeyX509,
      Instant createdAt,
      Instant signsFrom,
      Instant signsUntil) {
    this.kid = Objects.requireNonNull(kid, "kid");
    this.generation = generation;
    this.privateKeyPkcs8 = Objects.requireNonNull(privateKeyPkcs8, "privateKeyPkcs8");
    this.publicKeyX509 = Objects.requireNonNull(publicKeyX509, "publicKeyX509");
    this.createdAt = Objects.requireNonNull(createdAt, "createdAt");
    this.signsFrom = Objects.requireNonNull(signsFrom, "signsFrom");
    this.signsUntil = Objects.requireNonNull(signsUntil, "signsUntil");
  }

  /** The key id, {@code d-} followed by random characters. */
  public String kid() {
    return kid;
  }

  /** The key's generation (unique in a store). */
  public long generation() {
    return generation;
  }

  /**
   * The private key, PKCS#8 DER in base64 (for an HS256 key: the secret key's bytes in base64), or
   * that key encrypted under the application's key-encryption key (opaque text). Secret.
   */
  public String privateKeyPkcs8() {
    return privateKeyPkcs8;
  }

  /**
   * The public key, X.509 SubjectPublicKeyInfo DER in base64; for an HS256 key the marker {@code
   * "hmac:HS256"}.
   */
  public String publicKeyX509() {
    return publicKeyX509;
  }

  /** When the key was made. */
  public Instant createdAt() {
    return createdAt;
  }

  /** When it starts signing. */
  public Instant signsFrom() {
    return signsFrom;
  }

  /** When it stops signing (it keeps verifying until its last token expires). */
  public Instant signsUntil() {
    return signsUntil;
  }

  @Override
  public String toString() {
    return "SigningKeyRecord{kid="
        + kid
        + ", generation="
        + generation
        + ", signsFrom="
        + signsFrom
        + ", signsUntil="
        + signsUntil
        + ", privateKey=<redacted>}";
  }
}
