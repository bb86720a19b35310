package dev.hallpass.servlet;

import dev.hallpass.Hallpass;
import dev.hallpass.HallpassException;
import dev.hallpass.Session;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
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
 * TOKEN_THEFT_DETECTED with the session-expired status (401 by default) and a JSON {@code message};
 * GENERAL_ERROR with 500 and no details.
 *
 * <p>Claims: values such as "email verified" or roles kept in the access-token payload ({@link
 * BooleanClaim}, {@link SetClaim}) and required with {@link ClaimValidator}s, globally ({@link
 * Builder#requireClaims}) or per call ({@link #getSession(HttpServletRequest, HttpServletResponse,
 * boolean, boolean, List)}). A failure is an {@link InvalidClaimException}, which the filter
 * answers with 403 {@code {"message":"invalid claim","claimValidationErrors":[...]}} as the SDKs
 * expect.
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
   * <p>On the first request after a refresh the engine confirms the new refresh token (one store
   * write) and re-issues the access token without its {@code parentRefreshTokenHash1} claim; this
   * method then sends the new access token the way the request's came (the {@code sAccessToken}
   * cookie or the {@code st-access-token} header) with a new {@code front-token}, leaving the
   * refresh token alone. Call it before writing the response body.
   *
   * @param enableCsrfProtection whether to apply the configured {@link AntiCsrfMode} (to
   *     cookie-mode requests whose method is not GET, HEAD, OPTIONS or TRACE)
   * @param sessionRequired when false, a request carrying no session token at all gives null; a
   *     token that is present but expired or invalid still throws, so that the client refreshes or
   *     signs out
   * @throws HallpassException UNAUTHORISED without a valid session, TRY_REFRESH_TOKEN when the
   *     access token expired or the anti-CSRF check failed
   */
  Session getSession(
      HttpServletRequest req,
      HttpServletResponse res,
      boolean enableCsrfProtection,
      boolean sessionRequired);

  /**
   * The request's session, checked against the given claim validators instead of the global ones
   * (pass {@code List.of()} to skip claims, e.g. on the endpoint that verifies an email address;
   * add to {@link #globalClaimValidators()} to extend them). Otherwise as {@link
   * #getSession(HttpServletRequest, HttpServletResponse, boolean, boolean)}.
   *
   * <p>A validator whose claim is missing from the payload, older than its max age, or failing has
   * the claim re-fetched (at most once per claim and request); fetched values are merged into the
   * session's payload and the new access token is sent, also when a claim still fails. So a client
   * recovers on its next request once the value changes server-side.
   *
   * @throws InvalidClaimException when a validator fails after re-fetching
   * @throws HallpassException as the four-argument form
   */
  Session getSession(
      HttpServletRequest req,
      HttpServletResponse res,
      boolean enableCsrfProtection,
      boolean sessionRequired,
      List<ClaimValidator> claimValidators);

  /**
   * Checks a session this layer returned (for instance one verified earlier in the request without
   * claims) against claim validators, as {@link #getSession(HttpServletRequest,
   * HttpServletResponse, boolean, boolean, List)} does. Call it before writing the response body.
   *
   * @throws InvalidClaimException when a validator fails after re-fetching
   * @throws IllegalArgumentException for a session not returned by this layer
   */
  void assertClaims(Session session, List<ClaimValidator> claimValidators);

  /**
   * Fetches a claim's value now and stores it in the session's payload, sending the new access
   * token: for an endpoint where the value just changed (say, after email verification) or one the
   * frontend calls to refresh a claim. A null value from the fetcher leaves the payload as it is.
   *
   * @throws IllegalArgumentException for a session not returned by this layer
   */
  void fetchAndSetClaim(Session session, SessionClaim claim);

  /** The claim validators every {@code getSession} without its own list applies. */
  List<ClaimValidator> globalClaimValidators();

  /**
   * Answers failed claims: 403 {@code {"message":"invalid claim","claimValidationErrors":[{"id":
   * ..., "reason": {...}}]}}, the format of supertokens-node that the frontend SDKs read.
   *
   * @throws IllegalStateException if the response is already committed
   */
  default void sendInvalidClaimResponse(
      InvalidClaimException error, HttpServletRequest req, HttpServletResponse res)
      throws IOException {
    if (res.isCommitted()) {
      throw new IllegalStateException(
          "cannot answer an invalid claim: the response is already committed", error);
    }
    res.resetBuffer();
    WebEngine.write(res, InvalidClaimException.STATUS, Claims.responseBody(error));
  }

  /**
   * Signs a user in: creates a session and sends its tokens, in header mode when the request asks
   * for it ({@code st-auth-mode: header}) and the configured {@link TokenTransfer} allows it,
   * otherwise in cookie mode.
   *
   * @throws IllegalArgumentException for an invalid user id, a reserved claim name, a {@code
   *     jwtPayload} over 2,048 characters as JSON or one that makes an access token over 4,000
   *     characters (the message names {@code jwtPayload} and the limit)
   */
  Session createNewSession(
      HttpServletRequest req,
      HttpServletResponse res,
      String userId,
      Map<String, Object> jwtPayload,
      Map<String, Object> sessionData);

  /**
   * Exchanges the request's refresh token for new tokens and sends them. The {@link HallpassFilter}
   * serves {@code POST {apiBasePath}/session/refresh} with it.
   *
   * <p>A cookie-mode request carrying more than one {@code sAccessToken} or {@code sRefreshToken}
   * cookie is never refreshed. Without {@link Builder#olderCookieDomain} it is UNAUTHORISED. With
   * it, the cookies of that domain are cleared and the method ends with an internal exception that
   * the {@link HallpassFilter} answers with 200 (keeping the SDK's session, see {@link
   * Builder#olderCookieDomain}): let it propagate to the filter, as any HallpassException.
   *
   * @throws HallpassException UNAUTHORISED for a missing, invalid or duplicated refresh token,
   *     TOKEN_THEFT_DETECTED (the session is already revoked) for a replayed one
   */
  Session refreshSession(HttpServletRequest req, HttpServletResponse res);

  /**
   * Answers a Hallpass error: the one place where errors become responses. Credential errors get
   * {@link #sessionExpiredStatusCode()} and {@code {"message":"unauthorised"}}, {@code
   * {"message":"try refresh token"}} or {@code {"message":"token theft detected"}} (theft and
   * unauthorised also clear the client's tokens); GENERAL_ERROR gets 500 and {@code
   * {"message":"internal error"}}.
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

  /**
   * The anti-CSRF mode in force (configured, or derived from the engine's {@code antiCsrf} and the
   * SameSite setting).
   */
  AntiCsrfMode antiCsrfMode();

  /**
   * Builds a {@link HallpassWeb}. Defaults: {@code apiBasePath "/auth"}, SameSite lax, host-only
   * Secure HttpOnly cookies named {@code sAccessToken} and {@code sRefreshToken} (HttpOnly whatever
   * the options), no older cookie domain, session-expired status 401, {@link TokenTransfer#ANY},
   * and the anti-CSRF mode that fits the engine and the cookies: {@link AntiCsrfMode#VIA_TOKEN}
   * when the engine issues anti-CSRF tokens ({@code Hallpass.builder().antiCsrf(true)}), otherwise
   * {@link AntiCsrfMode#VIA_CUSTOM_HEADER} with SameSite none and {@link AntiCsrfMode#NONE} with
   * SameSite lax or strict.
   *
   * <p>Each setter rejects an invalid value at once ({@link IllegalArgumentException} naming the
   * option; {@link NullPointerException} for null); {@link #build()} rejects settings that conflict
   * ({@link IllegalStateException} naming the options).
   */
  final class Builder {
    private static final Pattern PATH = Pattern.compile("(/[A-Za-z0-9._~-]+)*");
    private static final Pattern DOMAIN =
        Pattern.compile(
            "\\.?[a-z0-9]([a-z0-9-]*[a-z0-9])?" + "(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*");

    private final Hallpass hallpass;
    private String apiBasePath = "/auth";
    private SameSite sameSite = SameSite.LAX;
    private String cookieDomain;
    private String olderCookieDomain;
    private boolean insecureCookies;
    private boolean hostPrefixedCookieNames;
    private int sessionExpiredStatusCode = 401;
    private AntiCsrfMode antiCsrf;
    private TokenTransfer tokenTransfer = TokenTransfer.ANY;
    private Clock clock = Clock.systemUTC();
    private final List<ClaimValidator> claimValidators = new ArrayList<>();
    private java.util.Set<String> trustedProxies = java.util.Set.of();

    private Builder(Hallpass hallpass) {
      this.hallpass = Objects.requireNonNull(hallpass, "hallpass");
    }

    /**
     * Where {@code /session/refresh} and {@code /signout} are served, relative to the context path;
     * must match the frontend SDK's {@code apiBasePath}. A trailing slash is dropped; {@code "/"}
     * means the context root. Default {@code "/auth"}.
     *
     * @throws IllegalArgumentException unless it is a path such as {@code "/auth"} (letters,
     *     digits, '.', '_', '~', '-' between single slashes)
     */
    public Builder apiBasePath(String path) {
      Objects.requireNonNull(path, "apiBasePath");
      String base = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
      if (!PATH.matcher(base).matches()) {
        throw new IllegalArgumentException(
            "apiBasePath must be a path such as \"/auth\" "
                + "(letters, digits, '.', '_', '~', '-' between single slashes), got \""
                + path
                + "\"");
      }
      this.apiBasePath = base;
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
     *
     * @throws IllegalArgumentException unless it is a host name (case is ignored)
     */
    public Builder cookieDomain(String domain) {
      this.cookieDomain = hostName(domain, "cookieDomain");
      return this;
    }

    /**
     * The cookie domain an earlier configuration used, e.g. {@code ".example.com"} before the
     * cookies became host-only for {@code api.example.com}. Browsers keep the old cookies until
     * they expire and send them next to the new ones, so a refresh request carries two {@code
     * sRefreshToken} (or {@code sAccessToken}) cookies and cannot tell which one is current; the
     * same happens when another application sets such cookies on a parent domain.
     *
     * <p>With this option, the {@link HallpassFilter} answers a cookie-mode refresh that carries
     * duplicate session cookies with 200 {@code {"message":"duplicate session cookies of the older
     * cookie domain cleared: refresh again"}} and {@code Set-Cookie} headers that expire both
     * session cookies on this domain (same names and paths as the current ones). It refreshes
     * nothing, leaves the current cookies alone and sends no front-token (as supertokens-node
     * does): the SDK keeps the session, fails the one call that triggered the refresh ({@code
     * supertokens-website} 20.1.6 expects a front-token with a 200 refresh), and the next call
     * refreshes with the current cookies alone. A session-expired status here would make the SDKs
     * forget the session. Cookies set for another domain or path, or for this very host, are not
     * cleared this way, and every refresh then gets the same answer until they expire: name the
     * domain the stray cookies really have.
     *
     * <p>Without this option, such a refresh is answered UNAUTHORISED (the current cookies are
     * cleared, the stored session is kept) and a warning, at most once a minute, names this option:
     * Hallpass never guesses which of two cookies is current, as refreshing with a stale one would
     * look like token theft and end the session. Default none.
     *
     * @throws IllegalArgumentException unless it is a host name (case is ignored)
     */
    public Builder olderCookieDomain(String domain) {
      this.olderCookieDomain = hostName(domain, "olderCookieDomain");
      return this;
    }

    private static String hostName(String domain, String option) {
      Objects.requireNonNull(domain, option);
      String lower = domain.toLowerCase(Locale.ROOT);
      if (!DOMAIN.matcher(lower).matches()) {
        throw new IllegalArgumentException(
            option + " must be a host name such as \".example.com\", got \"" + domain + "\"");
      }
      return lower;
    }

    /**
     * Names the session cookies {@code __Host-sAccessToken} and {@code __Host-sRefreshToken}.
     * Browsers accept such cookies only from the host itself, with Secure, {@code Path=/} and no
     * Domain: no other sub-domain of the site (a sibling application, or a script injected there)
     * can set, overwrite or shadow them, which closes cookie-tossing attacks and the duplicate
     * cookies described at {@link #olderCookieDomain}.
     *
     * <p>The price: a {@code __Host-} cookie must have {@code Path=/}, so the refresh token then
     * goes with every request to this host instead of only to the refresh endpoint (Hallpass reads
     * it only there). Cookies already issued under the plain names are no longer read: switching
     * signs everybody out once. {@link #build()} refuses it together with {@link
     * #allowInsecureCookies()} or {@link #cookieDomain(String)} or {@link
     * #olderCookieDomain(String)}. Default off.
     */
    public Builder useHostPrefixedCookieNames() {
      this.hostPrefixedCookieNames = true;
      return this;
    }

    /**
     * Leaves the Secure attribute off the session cookies, so that they also travel over plain
     * HTTP. Only for local development on {@code http://localhost}: over HTTP anyone on the network
     * path can read the tokens. Not allowed with {@link SameSite#NONE}.
     */
    public Builder allowInsecureCookies() {
      this.insecureCookies = true;
      return this;
    }

    /**
     * The status for UNAUTHORISED, TRY_REFRESH_TOKEN and TOKEN_THEFT_DETECTED; the frontend SDK
     * must be given the same {@code sessionExpiredStatusCode}. Default 401.
     *
     * @throws IllegalArgumentException unless it is a 4xx other than 403 (which the SDKs use for
     *     failed claim checks)
     */
    public Builder sessionExpiredStatusCode(int status) {
      if (status < 400 || status > 499 || status == 403) {
        throw new IllegalArgumentException(
            "sessionExpiredStatusCode must be a 4xx status other "
                + "than 403 (the SDKs' invalid-claim status), got "
                + status);
      }
      this.sessionExpiredStatusCode = status;
      return this;
    }

    /**
     * The anti-CSRF mode. Default: {@link AntiCsrfMode#VIA_TOKEN} when the engine issues anti-CSRF
     * tokens, otherwise {@link AntiCsrfMode#VIA_CUSTOM_HEADER} with SameSite none and {@link
     * AntiCsrfMode#NONE} with SameSite lax or strict. {@link AntiCsrfMode#VIA_TOKEN} needs an
     * engine built with {@code Hallpass.builder().antiCsrf(true)}, and such an engine needs {@link
     * AntiCsrfMode#VIA_TOKEN} (its tokens would be minted and never checked otherwise): {@link
     * #build()} refuses either mismatch.
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

    /**
     * Claim validators every {@code getSession} applies unless given its own list. Adds to those
     * given before. Default none.
     */
    public Builder requireClaims(ClaimValidator... validators) {
      Objects.requireNonNull(validators, "requireClaims");
      for (ClaimValidator v : validators) {
        claimValidators.add(Objects.requireNonNull(v, "requireClaims"));
      }
      return this;
    }

    /**
     * The clock for cookie expiry dates and claim times ({@code "t"}, max age). Default {@link
     * Clock#systemUTC()}.
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * The addresses of your reverse proxies (load balancer, ingress), whose {@code X-Forwarded-For}
     * header is believed when a request's connection comes from one of them. The client's IP
     * address (recorded with sessions when the engine has {@code recordClientMetadata(true)}, and
     * given to listeners) is then the nearest address in that header that is not one of these
     * proxies; everything left of it was written by the client and is ignored. Default: none, so
     * the header is ignored and the address is the connection's (behind a proxy that is the
     * proxy's). Exact IP address literals only (no names, no ranges).
     *
     * @throws IllegalArgumentException naming {@code trustedProxies} for anything that is not an IP
     *     address literal
     */
    public Builder trustedProxies(String... addresses) {
      Objects.requireNonNull(addresses, "trustedProxies");
      java.util.Set<String> set = new java.util.HashSet<>();
      for (String a : addresses) {
        String n = ClientAddresses.normalize(Objects.requireNonNull(a, "trustedProxies"));
        if (n == null) {
          throw new IllegalArgumentException(
              "trustedProxies: " + a + " is not an IP address literal");
        }
        set.add(n);
      }
      this.trustedProxies = java.util.Set.copyOf(set);
      return this;
    }

    /**
     * Creates the web layer.
     *
     * @throws IllegalStateException when settings conflict (SameSite none without Secure cookies or
     *     without an anti-CSRF check, an anti-CSRF mode that does not match the engine's {@code
     *     antiCsrf}, {@code __Host-} cookie names with insecure cookies or a cookie domain, an
     *     older cookie domain equal to the cookie domain or without cookies); the message names the
     *     options
     */
    public HallpassWeb build() {
      boolean cookiesUsed = tokenTransfer != TokenTransfer.HEADER;
      if (hostPrefixedCookieNames) {
        if (insecureCookies) {
          throw new IllegalStateException(
              "useHostPrefixedCookieNames() requires Secure cookies: remove allowInsecureCookies() "
                  + "(browsers drop __Host- cookies without Secure)");
        }
        if (cookieDomain != null) {
          throw new IllegalStateException(
              "useHostPrefixedCookieNames() requires host-only cookies: remove cookieDomain(\""
                  + cookieDomain
                  + "\") (browsers drop __Host- cookies with a Domain)");
        }
        if (olderCookieDomain != null) {
          throw new IllegalStateException(
              "useHostPrefixedCookieNames() and olderCookieDomain(\""
                  + olderCookieDomain
                  + "\") do not go together: __Host- cookies cannot come from another domain, and "
                  + "the older domain's cookies had other names");
        }
      }
      if (olderCookieDomain != null) {
        if (cookieDomain != null && stripDot(olderCookieDomain).equals(stripDot(cookieDomain))) {
          throw new IllegalStateException(
              "olderCookieDomain(\""
                  + olderCookieDomain
                  + "\") is the same domain as cookieDomain(\""
                  + cookieDomain
                  + "\"): clearing it would clear the current cookies");
        }
        if (!cookiesUsed) {
          throw new IllegalStateException(
              "olderCookieDomain(\""
                  + olderCookieDomain
                  + "\") has no effect with tokenTransfer(HEADER): no cookies are used");
        }
      }
      if (sameSite == SameSite.NONE && insecureCookies && cookiesUsed) {
        throw new IllegalStateException(
            "cookieSameSite(NONE) requires Secure cookies: remove "
                + "allowInsecureCookies() (browsers drop SameSite=None cookies without Secure)");
      }
      boolean engineTokens = hallpass.isAntiCsrfEnabled();
      AntiCsrfMode mode =
          antiCsrf != null
              ? antiCsrf
              : engineTokens
                  ? AntiCsrfMode.VIA_TOKEN
                  : sameSite == SameSite.NONE ? AntiCsrfMode.VIA_CUSTOM_HEADER : AntiCsrfMode.NONE;
      if (mode == AntiCsrfMode.VIA_TOKEN && !engineTokens) {
        throw new IllegalStateException(
            "antiCsrf(VIA_TOKEN) needs an engine that issues "
                + "anti-CSRF tokens: build it with Hallpass.builder().antiCsrf(true), or choose "
                + "another HallpassWeb antiCsrf mode");
      }
      if (mode != AntiCsrfMode.VIA_TOKEN && engineTokens) {
        throw new IllegalStateException(
            "antiCsrf("
                + mode
                + ") does not use the anti-CSRF "
                + "tokens the engine issues (Hallpass.builder().antiCsrf(true)): they would be minted "
                + "and never checked. Use HallpassWeb antiCsrf(VIA_TOKEN) (the default with such an "
                + "engine) or build the engine without anti-CSRF tokens (the default)");
      }
      if (mode == AntiCsrfMode.NONE && sameSite == SameSite.NONE && cookiesUsed) {
        throw new IllegalStateException(
            "antiCsrf(NONE) with cookieSameSite(NONE) leaves cookie "
                + "sessions open to cross-site request forgery: use VIA_CUSTOM_HEADER or VIA_TOKEN");
      }
      return new WebEngine(
          hallpass,
          apiBasePath,
          new Transport(
              apiBasePath,
              sameSite,
              cookieDomain,
              olderCookieDomain,
              !insecureCookies,
              hostPrefixedCookieNames,
              clock),
          sessionExpiredStatusCode,
          mode,
          tokenTransfer,
          clock,
          new Claims(clock, claimValidators),
          new ClientAddresses(trustedProxies));
    }

    /** RFC 6265 ignores a leading dot: ".example.com" and "example.com" are the same Domain. */
    private static String stripDot(String domain) {
      return domain.startsWith(".") ? domain.substring(1) : domain;
    }
  }
}
