package dev.hallpass;

import java.time.Instant;
import java.util.Map;

/**
 * One verified (or newly created or refreshed) login session.
 *
 * <p>{@link #getUserId()}, {@link #getHandle()} and {@link #getJWTPayload()} read the verified
 * access token and never touch the database. {@link #getSessionData()} and {@link
 * #updateSessionData(Map)} make exactly one database call each. Instances are safe to share between
 * threads; {@link #updateJWTPayload(Map)} replaces the access token they hold.
 */
public interface Session {

  /** The user this session belongs to. No database call. */
  String getUserId();

  /**
   * The tenant the session belongs to ({@code "public"} unless set otherwise). No database call.
   */
  String getTenantId();

  /** The session's handle: a stable, non-secret identifier used to manage it. */
  String getHandle();

  /**
   * The application's claims in the access token, without Hallpass's reserved claims. No database
   * call. The map is unmodifiable.
   */
  Map<String, Object> getJWTPayload();

  /**
   * The whole payload of the current access token: Hallpass's claims ({@code sub}, {@code exp},
   * {@code iat}, {@code sessionHandle}, ...) and the application's. No database call. The map is
   * unmodifiable. The SuperTokens frontend SDKs expect this as the {@code front-token}'s {@code
   * up}.
   */
  Map<String, Object> getAccessTokenPayload();

  /**
   * The current access token. After {@link Hallpass#getSession} it differs from the token that was
   * verified when the engine re-issued it (the first request after a refresh, or a payload changed
   * by handle and seen with {@code checkDatabase}): give it back to the client then.
   */
  String getAccessToken();

  /** When the current access token expires. */
  Instant getAccessTokenExpiry();

  /**
   * The tokens this session holds now: after creation or refresh they include the refresh token
   * (and the anti-CSRF token when that protection is on), after verification only the access token.
   */
  SessionTokens getTokens();

  /**
   * The session's server-side data, read from the store with one database call. The returned map is
   * a fresh copy the caller may change.
   *
   * @throws HallpassException UNAUTHORISED if the session no longer exists
   */
  Map<String, Object> getSessionData();

  /**
   * Replaces the session's server-side data with one database call.
   *
   * @throws HallpassException UNAUTHORISED if the session no longer exists
   */
  void updateSessionData(Map<String, Object> newSessionData);

  /**
   * Replaces the application's claims: stores them for future refreshes and issues a new access
   * token (same expiry) that {@link #getAccessToken()} returns from now on.
   *
   * @throws HallpassException UNAUTHORISED if the session no longer exists
   * @throws IllegalArgumentException if the payload uses a reserved claim name
   */
  void updateJWTPayload(Map<String, Object> newJwtPayload);

  /**
   * Deletes the session from the store. Its refresh token stops working at once; its access token
   * too when access-token blacklisting is on, otherwise at its expiry. Revoking twice is harmless.
   */
  void revokeSession();
}
