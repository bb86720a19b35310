package dev.hallpass;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.Signature;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import javax.crypto.Mac;

/**
 * Signs and verifies RS256 or HS256 access tokens (SuperTokens access-token version 5 claims).
 *
 * <p>Verification pins the algorithm to the key: the header's {@code kid} selects a key of the
 * ring, and its {@code alg} must be exactly that key's algorithm ({@code RS256} for an RSA key,
 * {@code HS256} for an HMAC key). So {@code alg: none}, HS256 with an RSA key's id (the public key
 * as secret), RS256 with an HMAC key's id, case variants, unknown {@code kid}s, bad signatures and
 * malformed parts are all UNAUTHORISED; only a genuine token past its {@code exp} is
 * TRY_REFRESH_TOKEN. HMAC tags are compared in constant time.
 */
final class AccessTokens {
  static final String SUB = "sub";
  static final String EXP = "exp";
  static final String IAT = "iat";
  static final String SESSION_HANDLE = "sessionHandle";
  static final String REFRESH_TOKEN_HASH = "refreshTokenHash1";
  static final String PARENT_REFRESH_TOKEN_HASH = "parentRefreshTokenHash1";
  static final String ANTI_CSRF = "antiCsrfToken";
  static final String TENANT = "tId";
  static final String RECIPE_USER = "rsub";

  /** Claims Hallpass sets itself; an application payload may not use them. */
  static final Set<String> RESERVED =
      Set.of(
          SUB,
          EXP,
          IAT,
          SESSION_HANDLE,
          REFRESH_TOKEN_HASH,
          PARENT_REFRESH_TOKEN_HASH,
          ANTI_CSRF,
          TENANT,
          RECIPE_USER);

  /** Longer tokens are refused before any parsing. */
  static final int MAX_VERIFIED_LENGTH = 8 * 1024;

  /**
   * The longest access token Hallpass issues: with its cookie name it fits the 4,096 bytes that
   * browsers keep of one cookie. Checked at creation and payload updates.
   */
  static final int MAX_ISSUED_LENGTH = 4_000;

  private static final ThreadLocal<Signature> SIGNATURES =
      Crypto.perThread("SHA256withRSA", Signature::getInstance);

  /** Signature lengths in bytes: RSA-2048 and HMAC-SHA256. */
  private static final int RSA_SIGNATURE_BYTES = 256;

  private static final int HMAC_SIGNATURE_BYTES = 32;

  /** Headers seen before, so the common case skips decoding and parsing them. Bounded. */
  private static final int MAX_CACHED_HEADERS = 32;

  private final java.util.concurrent.ConcurrentHashMap<String, SigningKey> headerKeys =
      new java.util.concurrent.ConcurrentHashMap<>();
  private final KeyRing keys;

  AccessTokens(KeyRing keys) {
    this.keys = keys;
  }

  /** A verified token's claims. */
  static final class Verified {
    final String token;
    final SigningKey key;
    final String userId;
    final String tenantId;
    final String handle;
    final String refreshTokenHash;

    /** The refresh token this one's was issued for, until the client is seen using it; or null. */
    final String parentRefreshTokenHash;

    final String antiCsrfToken;
    final long expEpochSecond;
    final Map<String, Object> allClaims;

    /** The application's claims; derived from allClaims on first use (a benign race). */
    private volatile Map<String, Object> userPayload;

    Verified(
        String token,
        SigningKey key,
        String userId,
        String tenantId,
        String handle,
        String refreshTokenHash,
        String parentRefreshTokenHash,
        String antiCsrfToken,
        long expEpochSecond,
        Map<String, Object> userPayload,
        Map<String, Object> allClaims) {
      this.token = token;
      this.key = key;
      this.userId = userId;
      this.tenantId = tenantId;
      this.handle = handle;
      this.refreshTokenHash = refreshTokenHash;
      this.parentRefreshTokenHash = parentRefreshTokenHash;
      this.antiCsrfToken = antiCsrfToken;
      this.expEpochSecond = expEpochSecond;
      this.userPayload = userPayload;
      this.allClaims = allClaims;
    }

    /** This token's claims, to sign a replacement with {@code iat} and the given changes. */
    Claims claims(long iat, String parentHash, Map<String, Object> payload) {
      return new Claims(
          userId,
          tenantId,
          handle,
          refreshTokenHash,
          parentHash,
          antiCsrfToken,
          iat,
          expEpochSecond,
          payload);
    }

    Map<String, Object> userPayload() {
      Map<String, Object> p = userPayload;
      if (p == null) {
        LinkedHashMap<String, Object> m = new LinkedHashMap<>(allClaims);
        m.keySet().removeAll(RESERVED);
        p = Collections.unmodifiableMap(m);
        userPayload = p;
      }
      return p;
    }
  }

  /** The claims of one session token; the parent hash and anti-CSRF token may be null. */
  record Claims(
      String userId,
      String tenantId,
      String handle,
      String refreshTokenHash,
      String parentRefreshTokenHash,
      String antiCsrfToken,
      long iat,
      long exp,
      Map<String, Object> userPayload) {

    Map<String, Object> toMap() {
      Map<String, Object> claims = new LinkedHashMap<>();
      claims.put(SUB, userId);
      claims.put(EXP, exp);
      claims.put(IAT, iat);
      claims.put(SESSION_HANDLE, handle);
      claims.put(REFRESH_TOKEN_HASH, refreshTokenHash);
      if (parentRefreshTokenHash != null) {
        claims.put(PARENT_REFRESH_TOKEN_HASH, parentRefreshTokenHash);
      }
      if (antiCsrfToken != null) {
        claims.put(ANTI_CSRF, antiCsrfToken);
      }
      claims.put(TENANT, tenantId);
      claims.put(RECIPE_USER, userId);
      claims.putAll(userPayload);
      return claims;
    }
  }

  /** Signs a session token with the current key (may create the next key: call outside locks). */
  Verified sign(Claims c) {
    SigningKey key = keys.signingKey();
    Map<String, Object> claims = c.toMap();
    return new Verified(
        signClaims(key, claims),
        key,
        c.userId,
        c.tenantId,
        c.handle,
        c.refreshTokenHash,
        c.parentRefreshTokenHash,
        c.antiCsrfToken,
        c.exp,
        Collections.unmodifiableMap(new LinkedHashMap<>(c.userPayload)),
        Collections.unmodifiableMap(claims));
  }

  /**
   * The length a token with these claims will have once RS256-signed, without signing it. The
   * longer RSA signature counts in both modes, so the size limit does not depend on the mode: a
   * payload accepted in HS256 mode still fits after a switch back to RS256.
   */
  int signedLength(Claims c) {
    int claims = Crypto.utf8(Json.writeInternal(c.toMap())).length;
    SigningKey key = keys.signingKey();
    return key.encodedHeader.length() + 1 + (claims * 4 + 2) / 3 + 1 + RSA_SIGNATURE_B64_LENGTH;
  }

  private static final int RSA_SIGNATURE_B64_LENGTH = (RSA_SIGNATURE_BYTES * 4 + 2) / 3;

  /**
   * Signs arbitrary claims with the current RSA key (a JWT for other services, verified with the
   * JWKS; not a session). The caller refuses this in HS256 mode.
   */
  String signJwt(Map<String, Object> claims) {
    SigningKey key = keys.signingKey();
    if (key.algorithm != AccessTokenSigning.RS256) {
      throw new IllegalStateException("JWTs for other services need an RS256 key");
    }
    return signClaims(key, claims);
  }

  private static String signClaims(SigningKey key, Map<String, Object> claims) {
    String signingInput =
        key.encodedHeader
            + "."
            + Crypto.B64URL.encodeToString(Crypto.utf8(Json.writeInternal(claims)));
    byte[] input = signingInput.getBytes(StandardCharsets.US_ASCII);
    try {
      byte[] signature;
      if (key.algorithm == AccessTokenSigning.HS256) {
        Mac mac = Crypto.HMAC_SHA256.get();
        mac.init(key.hmacKey);
        signature = mac.doFinal(input);
      } else {
        Signature s = SIGNATURES.get();
        s.initSign(key.privateKey);
        s.update(input);
        signature = s.sign();
      }
      return signingInput + "." + Crypto.B64URL.encodeToString(signature);
    } catch (GeneralSecurityException e) {
      throw HallpassException.generalError("could not sign a JWT", e);
    }
  }

  /** Whether {@code signature} is {@code key}'s over {@code signed} (the header and payload). */
  private static boolean signatureValid(SigningKey key, byte[] signed, byte[] signature) {
    try {
      if (key.algorithm == AccessTokenSigning.HS256) {
        if (signature.length != HMAC_SIGNATURE_BYTES) {
          return false;
        }
        Mac mac = Crypto.HMAC_SHA256.get();
        mac.init(key.hmacKey);
        return MessageDigest.isEqual(mac.doFinal(signed), signature); // constant time
      }
      if (signature.length != RSA_SIGNATURE_BYTES) {
        return false;
      }
      Signature s = SIGNATURES.get();
      s.initVerify(key.publicKey);
      s.update(signed);
      return s.verify(signature);
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  /**
   * Checks the signature and claims' shape; does not check expiry (the caller does, so that cached
   * tokens expire too).
   */
  Verified verify(String token) {
    if (token.length() > MAX_VERIFIED_LENGTH) {
      throw HallpassException.unauthorised("access token too long");
    }
    int dot1 = token.indexOf('.');
    int dot2 = dot1 < 0 ? -1 : token.indexOf('.', dot1 + 1);
    if (dot1 <= 0
        || dot2 <= dot1 + 1
        || dot2 == token.length() - 1
        || token.indexOf('.', dot2 + 1) >= 0) {
      throw HallpassException.unauthorised("access token is not a signed JWT");
    }
    SigningKey key = keyFor(token.substring(0, dot1));
    byte[] signature;
    byte[] payload;
    String encodedSignature = token.substring(dot2 + 1);
    try {
      signature = Crypto.B64URL_DECODER.decode(encodedSignature);
      payload = Crypto.B64URL_DECODER.decode(token.substring(dot1 + 1, dot2));
    } catch (IllegalArgumentException e) {
      throw HallpassException.unauthorised("access token is not valid base64url");
    }
    // One spelling per token: padding or set unused low bits would decode to the same signature,
    // and anything keyed on the token's text (the verified-token cache, logs of hashes, an app's
    // replay list) would see two tokens. The header and payload are covered by the signature.
    if (!Crypto.B64URL.encodeToString(signature).equals(encodedSignature)) {
      throw HallpassException.unauthorised("access token is not in its canonical encoding");
    }
    byte[] signed = signingInputBytes(token, dot2);
    if (!signatureValid(key, signed, signature)) {
      throw HallpassException.unauthorised("access token signature is invalid");
    }
    LinkedHashMap<String, Object> all = Json.readUntrusted(payload);
    if (all == null) {
      throw HallpassException.unauthorised("access token payload is not a JSON object");
    }
    Object sub = all.get(SUB);
    Object exp = all.get(EXP);
    Object handle = all.get(SESSION_HANDLE);
    Object rth = all.get(REFRESH_TOKEN_HASH);
    Object parent = all.get(PARENT_REFRESH_TOKEN_HASH);
    Object csrf = all.get(ANTI_CSRF);
    Object tenant = all.get(TENANT);
    if (!(sub instanceof String)
        || !(handle instanceof String)
        || !(rth instanceof String)
        || !(tenant instanceof String)
        || !(exp instanceof Number)
        || !validExp((Number) exp)
        || (csrf != null && !(csrf instanceof String))
        || (parent != null && !(parent instanceof String))) {
      throw HallpassException.unauthorised("access token lacks Hallpass claims");
    }
    return new Verified(
        token,
        key,
        (String) sub,
        (String) tenant,
        (String) handle,
        (String) rth,
        (String) parent,
        (String) csrf,
        ((Number) exp).longValue(),
        null,
        Collections.unmodifiableMap(all));
  }

  /**
   * The token's first {@code end} characters as bytes, in one copy (a substring and a charset
   * encoder would copy and check them twice per verification). Only for ASCII text: both parts of a
   * token are decoded as base64url before this, and the header's text equals one that was.
   */
  @SuppressWarnings("deprecation") // the char-to-byte copy is exact for ASCII
  private static byte[] signingInputBytes(String token, int end) {
    byte[] bytes = new byte[end];
    token.getBytes(0, end, bytes, 0);
    return bytes;
  }

  /** The latest {@code exp} accepted: its milliseconds still fit a long (and an Instant). */
  private static final long MAX_EXP = Long.MAX_VALUE / 1000;

  /**
   * Whether {@code exp} is a time callers can compute with: an {@code exp} whose milliseconds
   * overflow would turn an expired token into a valid one, or make its expiry unrepresentable.
   */
  private static boolean validExp(Number exp) {
    long e = exp.longValue();
    return e >= 0 && e <= MAX_EXP && exp.doubleValue() <= MAX_EXP;
  }

  private SigningKey keyFor(String encodedHeader) {
    SigningKey known = headerKeys.get(encodedHeader);
    if (known != null && !known.retired) {
      return known;
    }
    SigningKey key = parseHeader(encodedHeader);
    if (headerKeys.size() >= MAX_CACHED_HEADERS) {
      headerKeys.clear();
    }
    headerKeys.put(encodedHeader, key);
    return key;
  }

  private SigningKey parseHeader(String encodedHeader) {
    byte[] raw;
    try {
      raw = Crypto.B64URL_DECODER.decode(encodedHeader);
    } catch (IllegalArgumentException e) {
      throw HallpassException.unauthorised("access token header is not valid base64url");
    }
    Map<String, Object> header = Json.readUntrusted(raw);
    if (header == null) {
      throw HallpassException.unauthorised("access token header is not a JSON object");
    }
    Object alg = header.get("alg");
    if (!"RS256".equals(alg) && !"HS256".equals(alg)) {
      throw HallpassException.unauthorised("access token algorithm is not RS256 or HS256");
    }
    Object kid = header.get("kid");
    SigningKey key = kid instanceof String ? keys.verificationKey((String) kid) : null;
    if (key == null) {
      throw HallpassException.unauthorised("access token signed by an unknown key");
    }
    // The key decides the algorithm, never the token: an RSA key's public half as an HMAC secret,
    // or an HMAC key named by an RS256 header, must not verify anything.
    if (!key.algorithm.name().equals(alg)) {
      throw HallpassException.unauthorised("access token algorithm does not match its key");
    }
    return key;
  }
}
