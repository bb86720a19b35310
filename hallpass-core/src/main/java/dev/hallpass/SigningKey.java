package dev.hallpass;

import dev.hallpass.spi.SigningKeyRecord;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.crypto.spec.SecretKeySpec;

/**
 * A loaded signing key with its precomputed JWT header: an RSA key pair (RS256) or an HMAC secret
 * (HS256). The algorithm comes from the stored record, never from a token.
 *
 * <p>An HMAC key is stored in the record's private-key field (base64, or wrapped under the KEK like
 * an RSA private key) with {@link #HMAC_PUBLIC_KEY_MARKER} in its public-key field: a value that is
 * never base64, so rows stored before HS256 existed stay RSA keys, and, being part of the wrapped
 * value's associated data, a marker changed in the database makes the key fail to unwrap.
 */
final class SigningKey {
  /** The public-key field of an HS256 key (there is no public key; ':' is not base64). */
  static final String HMAC_PUBLIC_KEY_MARKER = "hmac:HS256";

  /** Length of an HS256 key in bytes (256 bits). */
  static final int HMAC_KEY_BYTES = 32;

  final String kid;
  final long generation;
  final AccessTokenSigning algorithm;

  /** RS256 only (null for HS256). */
  final PrivateKey privateKey;

  /** RS256 only (null for HS256). */
  final RSAPublicKey publicKey;

  /** HS256 only (null for RS256). */
  final SecretKeySpec hmacKey;

  final Instant signsFrom;
  final Instant signsUntil;

  /** base64url of the JWT header, so signing does not rebuild it. */
  final String encodedHeader;

  /** Set when the key disappears from the store: cached tokens it signed are no longer trusted. */
  volatile boolean retired;

  SigningKey(SigningKeyRecord r) {
    this(r, KeyWrapping.disabled());
  }

  /**
   * Loads a stored key, unwrapping its private key.
   *
   * @throws HallpassException GENERAL_ERROR when the key cannot be unwrapped or parsed
   */
  SigningKey(SigningKeyRecord r, KeyWrapping wrapping) {
    this.algorithm = algorithmOf(r);
    byte[] secret =
        wrapping.unwrap(
            r.privateKeyPkcs8(),
            KeyWrapping.Purpose.SIGNING_PRIVATE_KEY,
            KeyWrapping.signingKeyContext(r.kid(), r.generation(), r.publicKeyX509()),
            r.kid());
    try {
      if (algorithm == AccessTokenSigning.HS256) {
        if (secret.length != HMAC_KEY_BYTES) {
          throw HallpassException.generalError(
              "stored signing key " + r.kid() + " is unreadable", null);
        }
        this.hmacKey = new SecretKeySpec(secret, "HmacSHA256"); // copies the bytes
        this.privateKey = null;
        this.publicKey = null;
      } else {
        KeyFactory f = KeyFactory.getInstance("RSA");
        this.privateKey = f.generatePrivate(new PKCS8EncodedKeySpec(secret));
        this.publicKey =
            (RSAPublicKey)
                f.generatePublic(
                    new X509EncodedKeySpec(Base64.getDecoder().decode(r.publicKeyX509())));
        this.hmacKey = null;
      }
    } catch (GeneralSecurityException | IllegalArgumentException | ClassCastException e) {
      throw HallpassException.generalError("stored signing key " + r.kid() + " is unreadable", e);
    } finally {
      Arrays.fill(secret, (byte) 0);
    }
    this.kid = r.kid();
    this.generation = r.generation();
    this.signsFrom = r.signsFrom();
    this.signsUntil = r.signsUntil();
    Map<String, Object> header = new LinkedHashMap<>();
    header.put("kid", kid);
    header.put("typ", "JWT");
    header.put("version", "5");
    header.put("alg", algorithm.name());
    this.encodedHeader = Crypto.B64URL.encodeToString(Crypto.utf8(Json.writeInternal(header)));
  }

  /** The algorithm of a stored key: HS256 when its public-key field is the HMAC marker. */
  static AccessTokenSigning algorithmOf(SigningKeyRecord r) {
    return HMAC_PUBLIC_KEY_MARKER.equals(r.publicKeyX509())
        ? AccessTokenSigning.HS256
        : AccessTokenSigning.RS256;
  }

  boolean signsAt(Instant now) {
    return !now.isBefore(signsFrom) && now.isBefore(signsUntil);
  }

  /** Whether the key belongs in the JWKS: RSA keys only; an HMAC key is a secret. */
  boolean publishable() {
    return algorithm == AccessTokenSigning.RS256;
  }

  /** The public JWK of an RSA key. */
  Map<String, Object> jwk() {
    if (!publishable()) {
      throw new IllegalStateException("an HMAC key is never published");
    }
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("kty", "RSA");
    m.put("kid", kid);
    m.put("n", unsigned(publicKey.getModulus()));
    m.put("e", unsigned(publicKey.getPublicExponent()));
    m.put("alg", "RS256");
    m.put("use", "sig");
    return m;
  }

  private static String unsigned(BigInteger v) {
    byte[] b = v.toByteArray();
    if (b.length > 1 && b[0] == 0) {
      b = Arrays.copyOfRange(b, 1, b.length);
    }
    return Crypto.B64URL.encodeToString(b);
  }

  @Override
  public String toString() {
    return "SigningKey{" + kid + ", " + algorithm + "}";
  }
}
