package dev.hallpass;

import java.time.Instant;
import java.util.Objects;

/**
 * The tokens a client holds for one session, with their expiry times.
 *
 * <p>The refresh token and its expiry are present only on a session that was just created or
 * refreshed; the anti-CSRF token only when anti-CSRF protection is on. {@link #toString()} never
 * shows a token.
 */
public final class SessionTokens {

  private final String accessToken;
  private final Instant accessTokenExpiry;
  private final String refreshToken;
  private final Instant refreshTokenExpiry;
  private final String antiCsrfToken;

  /** Creates the value; {@code refreshToken}, its expiry and {@code antiCsrfToken} may be null. */
  public SessionTokens(
      String accessToken,
      Instant accessTokenExpiry,
      String refreshToken,
      Instant refreshTokenExpiry,
      String antiCsrfToken) {
    this.accessToken = Objects.requireNonNull(accessToken, "accessToken");
    this.accessTokenExpiry = Objects.requireNonNull(accessTokenExpiry, "accessTokenExpiry");
    if ((refreshToken == null) != (refreshTokenExpiry == null)) {
      throw new IllegalArgumentException("refreshToken and refreshTokenExpiry go together");
    }
    this.refreshToken = refreshToken;
    this.refreshTokenExpiry = refreshTokenExpiry;
    this.antiCsrfToken = antiCsrfToken;
  }

  /** The signed access token (a JWT), sent with every request. */
  public String getAccessToken() {
    return accessToken;
  }

  /** When the access token stops being accepted. */
  public Instant getAccessTokenExpiry() {
    return accessTokenExpiry;
  }

  /** The opaque refresh token, or null when this session was only verified, not (re)issued. */
  public String getRefreshToken() {
    return refreshToken;
  }

  /** When the refresh token (and so the session) expires, or null with no refresh token. */
  public Instant getRefreshTokenExpiry() {
    return refreshTokenExpiry;
  }

  /** The anti-CSRF token the client echoes, or null when anti-CSRF protection is off. */
  public String getAntiCsrfToken() {
    return antiCsrfToken;
  }

  @Override
  public String toString() {
    return "SessionTokens{accessToken=<redacted>, accessTokenExpiry="
        + accessTokenExpiry
        + (refreshToken == null
            ? ""
            : ", refreshToken=<redacted>, refreshTokenExpiry=" + refreshTokenExpiry)
        + (antiCsrfToken == null ? "" : ", antiCsrfToken=<redacted>")
        + "}";
  }
}
