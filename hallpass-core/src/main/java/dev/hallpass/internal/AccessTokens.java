package dev.hallpass.internal;

import dev.hallpass.HallpassException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.Signature;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Signs and verifies RS256 access tokens (SuperTokens access-token version 5 claims).
 *
 * <p>Verification pins the algorithm to RS256 and the key to the ring: {@code alg: none}, HS256
 * with the public key as secret, unknown {@code kid}s, bad signatures and malformed parts are all
 * UNAUTHORISED; only a genuine token past its {@code exp} is TRY_REFRESH_TOKEN.
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
  static final Set<String> RESERVED = Set.of(SUB, EXP, IAT, SESSION_HANDLE, REFRESH_TOKEN_HASH,
      PARENT_REFRESH_TOKEN_HASH, ANTI_CSRF, TENANT, RECIPE_USER);
  /** Longer tokens are refused before any parsing. */
  static final int MAX_TOKEN_LENGTH = 16 * 1024;

  private static final ThreadLocal<Signature> SIGNATURES = ThreadLocal.withInitial(() -> {
    try {
      return Signature.getInstance("SHA256withRSA");
    } catch (GeneralSecurityException e) {
      throw HallpassException.generalError("SHA256withRSA is not available", e);
    }
  });

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
    final String antiCsrfToken;
    final long expEpochSecond;
    final Map<String, Object> allClaims;
    /** The application's claims; derived from allClaims on first use (a benign race). */
    private volatile Map<String, Object> userPayload;

    Verified(String token, SigningKey key, String userId, String tenantId, String handle,
        String refreshTokenHash, String antiCsrfToken, long expEpochSecond,
        Map<String, Object> userPayload, Map<String, Object> allClaims) {
      this.token = token;
      this.key = key;
      this.userId = userId;
      this.tenantId = tenantId;
      this.handle = handle;
      this.refreshTokenHash = refreshTokenHash;
      this.antiCsrfToken = antiCsrfToken;
      this.expEpochSecond = expEpochSecond;
      this.userPayload = userPayload;
      this.allClaims = allClaims;
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

  /** The key that signs now (may create the next key in the store: call outside transactions). */
  SigningKey currentKey() {
    return keys.signingKey();
  }

  /** Signs a token with the current key. */
  Verified sign(String userId, String tenantId, String handle, String refreshTokenHash,
      String antiCsrfToken, long iat, long exp, Map<String, Object> userPayload) {
    return sign(keys.signingKey(), userId, tenantId, handle, refreshTokenHash, antiCsrfToken, iat,
        exp, userPayload);
  }

  /** Signs a token with the given key; no I/O. */
  Verified sign(SigningKey key, String userId, String tenantId, String handle,
      String refreshTokenHash, String antiCsrfToken, long iat, long exp,
      Map<String, Object> userPayload) {
    Map<String, Object> claims = new LinkedHashMap<>();
    claims.put(SUB, userId);
    claims.put(EXP, exp);
    claims.put(IAT, iat);
    claims.put(SESSION_HANDLE, handle);
    claims.put(REFRESH_TOKEN_HASH, refreshTokenHash);
    if (antiCsrfToken != null) {
      claims.put(ANTI_CSRF, antiCsrfToken);
    }
    claims.put(TENANT, tenantId);
    claims.put(RECIPE_USER, userId);
    claims.putAll(userPayload);
    return new Verified(signClaims(key, claims), key, userId, tenantId, handle, refreshTokenHash,
        antiCsrfToken, exp, Collections.unmodifiableMap(new LinkedHashMap<>(userPayload)),
        Collections.unmodifiableMap(claims));
  }

  /** Signs arbitrary claims with the current key (a JWT for other services, not a session). */
  String signJwt(Map<String, Object> claims) {
    return signClaims(keys.signingKey(), claims);
  }

  private static String signClaims(SigningKey key, Map<String, Object> claims) {
    String signingInput = key.encodedHeader + "."
        + Crypto.B64URL.encodeToString(Crypto.utf8(Json.writeInternal(claims)));
    try {
      Signature s = SIGNATURES.get();
      s.initSign(key.privateKey);
      s.update(signingInput.getBytes(StandardCharsets.US_ASCII));
      return signingInput + "." + Crypto.B64URL.encodeToString(s.sign());
    } catch (GeneralSecurityException e) {
      throw HallpassException.generalError("could not sign a JWT", e);
    }
  }

  /**
   * Checks the signature and claims' shape; does not check expiry (the caller does, so that cached
   * tokens expire too).
   */
  Verified verify(String token) {
    if (token.length() > MAX_TOKEN_LENGTH) {
      throw HallpassException.unauthorised("access token too long");
    }
    int dot1 = token.indexOf('.');
    int dot2 = dot1 < 0 ? -1 : token.indexOf('.', dot1 + 1);
    if (dot1 <= 0 || dot2 <= dot1 + 1 || dot2 == token.length() - 1
        || token.indexOf('.', dot2 + 1) >= 0) {
      throw HallpassException.unauthorised("access token is not a signed JWT");
    }
    SigningKey key = keyFor(token.substring(0, dot1));
    byte[] signature;
    byte[] payload;
    try {
      signature = Crypto.B64URL_DECODER.decode(token.substring(dot2 + 1));
      payload = Crypto.B64URL_DECODER.decode(token.substring(dot1 + 1, dot2));
    } catch (IllegalArgumentException e) {
      throw HallpassException.unauthorised("access token is not valid base64url");
    }
    if (signature.length != 256) {
      throw HallpassException.unauthorised("access token signature is invalid");
    }
    boolean valid;
    try {
      Signature s = SIGNATURES.get();
      s.initVerify(key.publicKey);
      // ASCII only: both parts decoded as base64url above
      s.update(token.substring(0, dot2).getBytes(StandardCharsets.US_ASCII));
      valid = s.verify(signature);
    } catch (GeneralSecurityException e) {
      valid = false;
    }
    if (!valid) {
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
    Object csrf = all.get(ANTI_CSRF);
    Object tenant = all.get(TENANT);
    if (!(sub instanceof String) || !(handle instanceof String) || !(rth instanceof String)
        || !(tenant instanceof String) || !(exp instanceof Number)
        || (csrf != null && !(csrf instanceof String))) {
      throw HallpassException.unauthorised("access token lacks Hallpass claims");
    }
    return new Verified(token, key, (String) sub, (String) tenant, (String) handle, (String) rth,
        (String) csrf, ((Number) exp).longValue(), null, Collections.unmodifiableMap(all));
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
    if (!"RS256".equals(header.get("alg"))) {
      throw HallpassException.unauthorised("access token algorithm is not RS256");
    }
    Object kid = header.get("kid");
    SigningKey key = kid instanceof String ? keys.verificationKey((String) kid) : null;
    if (key == null) {
      throw HallpassException.unauthorised("access token signed by an unknown key");
    }
    return key;
  }
}
