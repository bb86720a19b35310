package dev.hallpass.servlet;

/**
 * How cookie-mode requests prove they come from the application's own pages. Header mode (the
 * {@code Authorization: Bearer} transport) needs no anti-CSRF check: a browser never attaches that
 * header to a forged cross-site request.
 *
 * <p>Checks apply to requests whose method is not GET, HEAD, OPTIONS or TRACE, and only when the
 * caller asks for them ({@code enableCsrfProtection}); the refresh and sign-out endpoints always
 * ask.
 */
public enum AntiCsrfMode {
  /**
   * The {@code anti-csrf} request header must equal the token that Hallpass sent in the {@code
   * anti-csrf} response header at sign-in and refresh (and carries in the access token). Needs an
   * engine built with {@code Hallpass.builder().antiCsrf(true)}, and is the default (and the only
   * mode allowed) with such an engine.
   */
  VIA_TOKEN,
  /**
   * The request must carry an {@code rid} header: a cross-site form or image cannot set custom
   * headers, and a cross-site script cannot send them without passing CORS. The SuperTokens
   * frontend SDKs always send it. The default with {@link SameSite#NONE} (when the engine issues no
   * anti-CSRF tokens).
   */
  VIA_CUSTOM_HEADER,
  /**
   * No check: the SameSite attribute of the cookies (lax or strict) keeps cross-site requests from
   * carrying them. The default with {@link SameSite#LAX} and {@link SameSite#STRICT} (when the
   * engine issues no anti-CSRF tokens).
   */
  NONE
}
