package dev.hallpass.servlet;

/**
 * Where session tokens travel. A token is read only from the places the configured value allows.
 */
public enum TokenTransfer {
  /** HttpOnly cookies ({@code sAccessToken}, {@code sRefreshToken}): the default for browsers. */
  COOKIE,
  /**
   * Headers: the client sends {@code Authorization: Bearer <token>}; the server answers with {@code
   * st-access-token} and {@code st-refresh-token}. For mobile apps, other services, and pages that
   * call APIs on other sites.
   */
  HEADER,
  /**
   * Either, as each client asks: a session is created in header mode when the request says {@code
   * st-auth-mode: header}, otherwise in cookie mode. Reading follows the request's {@code
   * st-auth-mode} header strictly ({@code cookie}: only the cookie, {@code header}: only the {@code
   * Authorization} header); without one, a Bearer token is used if present, else the cookie. The
   * default.
   */
  ANY
}
