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
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/** A loaded signing key pair with its precomputed JWT header. */
final class SigningKey {
  final String kid;
  final long generation;
  final PrivateKey privateKey;
  final RSAPublicKey publicKey;
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
    byte[] pkcs8 =
        wrapping.unwrap(
            r.privateKeyPkcs8(),
            KeyWrapping.Purpose.SIGNING_PRIVATE_KEY,
            KeyWrapping.signingKeyContext(r.kid(), r.generation(), r.publicKeyX509()),
            r.kid());
    try {
      KeyFactory f = KeyFactory.getInstance("RSA");
      this.privateKey = f.generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
      this.publicKey =
          (RSAPublicKey)
              f.generatePublic(
                  new X509EncodedKeySpec(Base64.getDecoder().decode(r.publicKeyX509())));
    } catch (GeneralSecurityException | IllegalArgumentException | ClassCastException e) {
      throw HallpassException.generalError("stored signing key " + r.kid() + " is unreadable", e);
    } finally {
      java.util.Arrays.fill(pkcs8, (byte) 0);
    }
    this.kid = r.kid();
    this.generation = r.generation();
    this.signsFrom = r.signsFrom();
    this.signsUntil = r.signsUntil();
    Map<String, Object> header = new LinkedHashMap<>();
    header.put("kid", kid);
    header.put("typ", "JWT");
    header.put("version", "5");
    header.put("alg", "RS256");
    this.encodedHeader = Crypto.B64URL.encodeToString(Crypto.utf8(Json.writeInternal(header)));
  }

  boolean signsAt(Instant now) {
    return !now.isBefore(signsFrom) && now.isBefore(signsUntil);
  }

  Map<String, Object> jwk() {
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
      b = java.util.Arrays.copyOfRange(b, 1, b.length);
    }
    return Crypto.B64URL.encodeToString(b);
  }

  @Override
  public String toString() {
    return "SigningKey{" + kid + "}";
  }
}
