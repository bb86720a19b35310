package dev.hallpass.servlet;

import dev.hallpass.Hallpass;
import dev.hallpass.HallpassException;
import dev.hallpass.Session;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Clock;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Hallpass sessions over HTTP requests and responses, speaking the protocol of the SuperTokens
 * frontend SDKs ({@code supertokens-website} 20.x, {@code supertokens-web-js}).
 *
 * <p>Built once per application from a {@link Hallpass} engine and shared by all threads:
 *
 * <pre>{@code
 * HallpassWeb web = HallpassWeb.builder(hallpass).build();
 * // register web.filter() for "/*"; then in a servlet:
 * Session session = web.getSession(req, res, true);
 * }</pre>
 *
 * <p>The {@link Session}s it returns are bound to the response: {@link Session#revokeSession()}
 * also clears the client's tokens, and {@link Session#updateJWTPayload(Map)} also sends the new
 * access token. Call those before the response body is written.
 *
 * <p>Failures are {@link HallpassException}s. Let them propagate to the {@link HallpassFilter},
 * which answers them (or call {@link #sendErrorResponse}): UNAUTHORISED, TRY_REFRESH_TOKEN and
 * TOKEN_THEFT_DETECTED with the session-expired status (401 by default) and a JSON
 * {@code message}; GENERAL_ERROR with 500 and no details.
 */
public interface HallpassWeb {

  /** Request headers the SDKs send that a CORS policy must allow. */
  List<String> CORS_ALLOWED_HEADERS =
      List.of("anti-csrf", "rid", "fdi-version", "st-auth-mode", "authorization", "content-type");

  /** Response headers that carry session state; Hallpass lists the ones it sends as exposed. */
  List<String> CORS_EXPOSED_HEADERS =
      List.of("front-token", "anti-csrf", "st-access-token", "st-refresh-token");

  /** A builder with secure defaults for the given engine. */
  static Builder builder(Hallpass hallpass) {
    return new Builder(hallpass);
  }

  /**
   * The request's session; same as {@code getSession(req, res, enableCsrfProtection, true)}.
   *
   * @throws HallpassException UNAUTHORISED without a valid session, TRY_REFRESH_TOKEN when the
   *     access token expired or the anti-CSRF check failed
   */
  Session getSession(HttpServletRequest req, HttpServletResponse res, boolean enableCsrfProtection);

  /**
   * The request's session, verified without a database call (unless the engine blacklists).
   *
   * @param enableCsrfProtection whether to apply the configured {@link AntiCsrfMode} (to
   *     cookie-mode requests whose method is not GET, HEAD, OPTIONS or TRACE)
   * @param sessionRequired when false, a request carrying no session token at all gives null;
   *     a token that is present but expired or invalid still throws, so that the client refreshes
   *     or signs out
   * @throws HallpassException UNAUTHORISED without a valid session, TRY_REFRESH_TOKEN when the
   *     access token expired or the anti-CSRF check failed
   */
  Session getSession(HttpServletRequest req, HttpServletResponse res, boolean enableCsrfProtection,
      boolean sessionRequired);

  /**
   * Signs a user in: creates a session and sends its tokens, in header mode when the request asks
   * for it ({@code st-auth-mode: header}) and the configured {@link TokenTransfer} allows it,
   * otherwise in cookie mode.
   *
   * @throws IllegalArgumentException for an invalid user id or a reserved claim name
   */
  Session createNewSession(HttpServletRequest req, HttpServletResponse res, String userId,
      Map<String, Object> jwtPayload, Map<String, Object> sessionData);

  /**
   * Exchanges the request's refresh token for new tokens and sends them. The {@link HallpassFilter}
   * calls this for {@code POST {apiBasePath}/session/refresh}.
   *
   * @throws HallpassException UNAUTHORISED for a missing or invalid refresh token,
   *     TOKEN_THEFT_DETECTED (the session is already revoked) for a replayed one
   */
  Session refreshSession(HttpServletRequest req, HttpServletResponse res);

  /**
   * Answers a Hallpass error: the one place where errors become responses. Credential errors get
   * {@link #sessionExpiredStatusCode()} and {@code {"message":"unauthorised"}},
   * {@code {"message":"try refresh token"}} or {@code {"message":"token theft detected"}} (theft
   * and unauthorised also clear the client's tokens); GENERAL_ERROR gets 500 and
   * {@code {"message":"internal error"}}.
   *
   * @throws IllegalStateException if the response is already committed
   */
  void sendErrorResponse(HallpassException error, HttpServletRequest req, HttpServletResponse res)
      throws IOException;

  /** A filter serving the refresh and sign-out endpoints and answering Hallpass errors. */
  default HallpassFilter filter() {
    return new HallpassFilter(this);
  }

  /** The engine this layer uses. */
  Hallpass engine();

  /** Where the refresh and sign-out endpoints live, relative to the context path ("" for root). */
  String apiBasePath();

  /** The status of credential errors. */
  int sessionExpiredStatusCode();

  /** The anti-CSRF mode in force (configured or derived from the SameSite setting). */
  AntiCsrfMode antiCsrfMode();

  /**
   * Builds a {@link HallpassWeb}. Defaults: {@code apiBasePath "/auth"}, SameSite lax, host-only
   * Secure HttpOnly cookies, session-expired status 401, {@link TokenTransfer#ANY}, and the
   * anti-CSRF mode derived from SameSite ({@link AntiCsrfMode#NONE} for lax and strict,
   * {@link AntiCsrfMode#VIA_CUSTOM_HEADER} for none).
   */
  final class Builder {
    private static final Pattern PATH = Pattern.compile("(/[A-Za-z0-9._~-]+)*");
    private static final Pattern DOMAIN = Pattern.compile("\\.?[a-z0-9]([a-z0-9-]*[a-z0-9])?"
        + "(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*");

    private final Hallpass hallpass;
    private String apiBasePath = "/auth";
    private SameSite sameSite = SameSite.LAX;
    private String cookieDomain;
    private boolean insecureCookies;
    private int sessionExpiredStatusCode = 401;
    private AntiCsrfMode antiCsrf;
    private TokenTransfer tokenTransfer = TokenTransfer.ANY;
    private Clock clock = Clock.systemUTC();

    private Builder(Hallpass hallpass) {
      this.hallpass = Objects.requireNonNull(hallpass, "hallpass");
    }

    /**
     * Where {@code /session/refresh} and {@code /signout} are served, relative to the context
     * path; must match the frontend SDK's {@code apiBasePath}. Default {@code "/auth"}.
     */
    public Builder apiBasePath(String path) {
      this.apiBasePath = Objects.requireNonNull(path, "apiBasePath");
      return this;
    }

    /** The session cookies' SameSite attribute. Default {@link SameSite#LAX}. */
    public Builder cookieSameSite(SameSite sameSite) {
      this.sameSite = Objects.requireNonNull(sameSite, "cookieSameSite");
      return this;
    }

    /**
     * The session cookies' Domain attribute, e.g. {@code ".example.com"} to share them with
     * sub-domains. Default none: the cookies go back only to the host that set them.
     */
    public Builder cookieDomain(String domain) {
      this.cookieDomain = Objects.requireNonNull(domain, "cookieDomain");
      return this;
    }

    /**
     * Leaves the Secure attribute off the session cookies, so that they also travel over plain
     * HTTP. Only for local development on {@code http://localhost}: over HTTP anyone on the
     * network path can read the tokens. Not allowed with {@link SameSite#NONE}.
     */
    public Builder allowInsecureCookies() {
      this.insecureCookies = true;
      return this;
    }

    /**
     * The status for UNAUTHORISED, TRY_REFRESH_TOKEN and TOKEN_THEFT_DETECTED; the frontend SDK
     * must be given the same {@code sessionExpiredStatusCode}. A 4xx other than 403 (which the
     * SDKs use for failed claim checks). Default 401.
     */
    public Builder sessionExpiredStatusCode(int status) {
      this.sessionExpiredStatusCode = status;
      return this;
    }

    /**
     * The anti-CSRF mode. Default: {@link AntiCsrfMode#NONE} with SameSite lax or strict,
     * {@link AntiCsrfMode#VIA_CUSTOM_HEADER} with SameSite none. {@link AntiCsrfMode#VIA_TOKEN}
     * needs an engine built with {@code antiCsrf(true)}; in the other modes the engine's own
     * check is not used (it may be built either way).
     */
    public Builder antiCsrf(AntiCsrfMode mode) {
      this.antiCsrf = Objects.requireNonNull(mode, "antiCsrf");
      return this;
    }

    /** Where tokens may travel. Default {@link TokenTransfer#ANY}. */
    public Builder tokenTransfer(TokenTransfer transfer) {
      this.tokenTransfer = Objects.requireNonNull(transfer, "tokenTransfer");
      return this;
    }

    /** The clock for cookie expiry dates. Default {@link Clock#systemUTC()}. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Creates the web layer.
     *
     * @throws IllegalStateException when a setting is invalid or settings conflict; the message
     *     names the option
     */
    public HallpassWeb build() {
      String base = apiBasePath.endsWith("/")
          ? apiBasePath.substring(0, apiBasePath.length() - 1) : apiBasePath;
      if (!PATH.matcher(base).matches()) {
        throw new IllegalStateException("apiBasePath must be a path such as \"/auth\" (letters, "
            + "digits, '.', '_', '~', '-' between single slashes), got \"" + apiBasePath + "\"");
      }
      String domain = null;
      if (cookieDomain != null) {
        domain = cookieDomain.toLowerCase(Locale.ROOT);
        if (!DOMAIN.matcher(domain).matches()) {
          throw new IllegalStateException(
              "cookieDomain must be a host name such as \".example.com\", got \"" + cookieDomain
                  + "\"");
        }
      }
      if (sessionExpiredStatusCode < 400 || sessionExpiredStatusCode > 499
          || sessionExpiredStatusCode == 403) {
        throw new IllegalStateException("sessionExpiredStatusCode must be a 4xx status other "
            + "than 403 (the SDKs' invalid-claim status), got " + sessionExpiredStatusCode);
      }
      boolean cookiesUsed = tokenTransfer != TokenTransfer.HEADER;
      if (sameSite == SameSite.NONE && insecureCookies && cookiesUsed) {
        throw new IllegalStateException("cookieSameSite(NONE) requires Secure cookies: remove "
            + "allowInsecureCookies() (browsers drop SameSite=None cookies without Secure)");
      }
      AntiCsrfMode mode = antiCsrf != null ? antiCsrf
          : sameSite == SameSite.NONE ? AntiCsrfMode.VIA_CUSTOM_HEADER : AntiCsrfMode.NONE;
      if (mode == AntiCsrfMode.NONE && sameSite == SameSite.NONE && cookiesUsed) {
        throw new IllegalStateException("antiCsrf(NONE) with cookieSameSite(NONE) leaves cookie "
            + "sessions open to cross-site request forgery: use VIA_CUSTOM_HEADER or VIA_TOKEN");
      }
      if (mode == AntiCsrfMode.VIA_TOKEN && !hallpass.isAntiCsrfEnabled()) {
        throw new IllegalStateException("antiCsrf(VIA_TOKEN) needs an engine that issues "
            + "anti-CSRF tokens: build it with Hallpass.builder().antiCsrf(true)");
      }
      return new WebEngine(hallpass, base, new Transport(base, sameSite, domain, !insecureCookies,
          clock), sessionExpiredStatusCode, mode, tokenTransfer);
    }
  }
}
