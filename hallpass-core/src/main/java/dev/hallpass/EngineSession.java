package dev.hallpass;

import java.time.Instant;
import java.util.Map;

/** A {@link Session} backed by a verified (or freshly signed) access token. */
final class EngineSession implements Session {
  private final Engine engine;
  private final String refreshToken;
  private final Instant refreshExpiry;
  private final String antiCsrfToken;
  private volatile AccessTokens.Verified access;

  EngineSession(
      Engine engine,
      AccessTokens.Verified access,
      String refreshToken,
      Instant refreshExpiry,
      String antiCsrfToken) {
    this.engine = engine;
    this.access = access;
    this.refreshToken = refreshToken;
    this.refreshExpiry = refreshExpiry;
    this.antiCsrfToken = antiCsrfToken;
  }

  @Override
  public String getUserId() {
    return access.userId;
  }

  @Override
  public String getTenantId() {
    return access.tenantId;
  }

  @Override
  public String getHandle() {
    return access.handle;
  }

  @Override
  public Map<String, Object> getJWTPayload() {
    return access.userPayload();
  }

  @Override
  public Map<String, Object> getAccessTokenPayload() {
    return access.allClaims;
  }

  @Override
  public String getAccessToken() {
    return access.token;
  }

  @Override
  public Instant getAccessTokenExpiry() {
    return Instant.ofEpochSecond(access.expEpochSecond);
  }

  @Override
  public SessionTokens getTokens() {
    AccessTokens.Verified a = access;
    return new SessionTokens(
        a.token,
        Instant.ofEpochSecond(a.expEpochSecond),
        refreshToken,
        refreshExpiry,
        antiCsrfToken);
  }

  @Override
  public Map<String, Object> getSessionData() {
    return engine.getSessionData(access.handle);
  }

  @Override
  public void updateSessionData(Map<String, Object> newSessionData) {
    engine.updateSessionData(access.handle, newSessionData);
  }

  @Override
  public synchronized void updateJWTPayload(Map<String, Object> newJwtPayload) {
    String json = engine.payloadJson(newJwtPayload);
    Map<String, Object> payload = Json.readStored(json);
    AccessTokens.Verified a = access;
    engine.checkTokenSize(a.claims(a.expEpochSecond, a.parentRefreshTokenHash, payload));
    engine.storePayload(a.handle, json);
    reissue(payload);
  }

  /** Replaces the access token with one carrying {@code payload}, already stored. */
  synchronized void reissue(Map<String, Object> payload) {
    AccessTokens.Verified a = access;
    // Same expiry and refresh-token binding: a payload change must not extend the token's life.
    access =
        engine.tokens.sign(
            a.claims(engine.now().getEpochSecond(), a.parentRefreshTokenHash, payload));
    engine.forget(a.token);
  }

  @Override
  public void revokeSession() {
    AccessTokens.Verified a = access;
    engine.revoke(a.handle, a.userId, SessionEvent.RevokeReason.SIGN_OUT);
    engine.forget(a.token);
  }

  @Override
  public String toString() {
    return "Session{handle=" + access.handle + "}";
  }
}
