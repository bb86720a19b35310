package dev.hallpass.servlet;

import dev.hallpass.Hallpass;
import dev.hallpass.HallpassException;
import dev.hallpass.Session;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Clock;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/** The {@link HallpassWeb} implementation. Internal: use {@link HallpassWeb#builder}. */
final class WebEngine implements HallpassWeb {
  private static final System.Logger LOG = System.getLogger(HallpassWeb.class.getName());
  private static final Set<String> SAFE_METHODS = Set.of("GET", "HEAD", "OPTIONS", "TRACE");

  private final Hallpass engine;
  private final String apiBasePath;
  final Transport transport;
  private final int sessionExpiredStatus;
  private final AntiCsrfMode antiCsrf;
  private final TokenTransfer allowed;
  private final Clock clock;
  private final AtomicLong nextDuplicateWarning = new AtomicLong(Long.MIN_VALUE);
  private final Claims claims;
  private final ClientAddresses clients;

  WebEngine(
      Hallpass engine,
      String apiBasePath,
      Transport transport,
      int sessionExpiredStatus,
      AntiCsrfMode antiCsrf,
      TokenTransfer allowed,
      Clock clock,
      Claims claims,
      ClientAddresses clients) {
    this.clients = clients;
    this.engine = engine;
    this.apiBasePath = apiBasePath;
    this.transport = transport;
    this.sessionExpiredStatus = sessionExpiredStatus;
    this.antiCsrf = antiCsrf;
    this.allowed = allowed;
    this.clock = clock;
    this.claims = claims;
  }

  @Override
  public Session getSession(
      HttpServletRequest req, HttpServletResponse res, boolean enableCsrfProtection) {
    return getSession(req, res, enableCsrfProtection, true);
  }

  @Override
  public Session getSession(
      HttpServletRequest req,
      HttpServletResponse res,
      boolean enableCsrfProtection,
      boolean sessionRequired) {
    return getSession(req, res, enableCsrfProtection, sessionRequired, claims.global);
  }

  @Override
  public Session getSession(
      HttpServletRequest req,
      HttpServletResponse res,
      boolean enableCsrfProtection,
      boolean sessionRequired,
      List<ClaimValidator> claimValidators) {
    List<ClaimValidator> validators = List.copyOf(claimValidators);
    ResponseBoundSession s = verify(req, res, enableCsrfProtection, sessionRequired);
    if (s != null) {
      claims.check(s, validators);
    }
    return s;
  }

  @Override
  public void assertClaims(Session session, List<ClaimValidator> claimValidators) {
    claims.check(bound(session), List.copyOf(claimValidators));
  }

  @Override
  public void fetchAndSetClaim(Session session, SessionClaim claim) {
    claims.fetchAndSet(bound(session), claim);
  }

  @Override
  public List<ClaimValidator> globalClaimValidators() {
    return claims.global;
  }

  private static ResponseBoundSession bound(Session session) {
    if (session instanceof ResponseBoundSession r) {
      return r;
    }
    throw new IllegalArgumentException(
        "session must be one HallpassWeb returned for this request (getSession, createNewSession "
            + "or refreshSession)");
  }

  /** The request's session without claim checks; null when none is required and none came. */
  ResponseBoundSession verify(
      HttpServletRequest req,
      HttpServletResponse res,
      boolean enableCsrfProtection,
      boolean sessionRequired) {
    Objects.requireNonNull(req, "req");
    Objects.requireNonNull(res, "res");
    Found found =
        find(
            req,
            transport.accessCookie,
            // A stale cookie of another path or domain: a refresh rewrites ours.
            () -> HallpassException.tryRefreshToken("more than one access-token cookie"));
    if (found == null) {
      if (!sessionRequired) {
        return null;
      }
      throw HallpassException.unauthorised("no session tokens in the request");
    }
    // Header mode carries no ambient credentials, so it needs no anti-CSRF check.
    boolean check =
        enableCsrfProtection
            && found.mode() == TokenTransfer.COOKIE
            && !SAFE_METHODS.contains(req.getMethod());
    if (check && lacksCustomHeader(req)) {
      throw HallpassException.tryRefreshToken("anti-CSRF check failed: no rid header");
    }
    Session s =
        engine.getSession(
            found.token(),
            req.getHeader(Transport.ANTI_CSRF),
            check && antiCsrf == AntiCsrfMode.VIA_TOKEN);
    if (!s.getAccessToken().equals(found.token())) {
      sendReissuedAccessToken(req, res, s, found.mode());
    }
    return new ResponseBoundSession(s, transport, req, res, found.mode());
  }

  /**
   * Sends an access token the engine re-issued while verifying (the first request after a refresh
   * confirms the new refresh token and drops the parent claim), the way it came: the {@code
   * sAccessToken} cookie or the {@code st-access-token} header, with a new {@code front-token}. The
   * refresh token is left alone. If the application has already committed the response, the client
   * keeps its token, which stays valid: the engine simply re-issues again on its next request.
   */
  private void sendReissuedAccessToken(
      HttpServletRequest req, HttpServletResponse res, Session s, TokenTransfer mode) {
    if (res.isCommitted()) {
      LOG.log(
          System.Logger.Level.DEBUG,
          "re-issued access token of session {0} not sent on {1} "
              + "{2}: the response is already committed",
          s.getHandle(),
          req.getMethod(),
          req.getRequestURI());
      return;
    }
    transport.sendAccessToken(res, s, mode);
  }

  @Override
  public Session createNewSession(
      HttpServletRequest req,
      HttpServletResponse res,
      String userId,
      Map<String, Object> jwtPayload,
      Map<String, Object> sessionData) {
    Objects.requireNonNull(req, "req");
    Objects.requireNonNull(res, "res");
    TokenTransfer mode =
        allowed != TokenTransfer.ANY
            ? allowed
            : Transport.requestedMode(req) == TokenTransfer.HEADER
                ? TokenTransfer.HEADER
                : TokenTransfer.COOKIE;
    Session s = engine.createNewSession(userId, jwtPayload, sessionData, clients.of(req));
    clearOtherMode(req, res, mode);
    transport.sendSession(req, res, s, mode, antiCsrf == AntiCsrfMode.VIA_TOKEN);
    return new ResponseBoundSession(s, transport, req, res, mode);
  }

  @Override
  public Session refreshSession(HttpServletRequest req, HttpServletResponse res) {
    Objects.requireNonNull(req, "req");
    Objects.requireNonNull(res, "res");
    if (readsCookies(req) && transport.carriesDuplicateCookies(req)) {
      if (transport.olderDomain() != null) {
        // Only the cookies of the older domain go; ours stay, and so does the SDK's session.
        transport.clearOlderDomainCookies(req, res);
        LOG.log(
            System.Logger.Level.DEBUG,
            "refresh with duplicate session cookies: cleared those of the older cookie domain {0}",
            transport.olderDomain());
        throw new DuplicateCookiesCleared();
      }
      warnDuplicates();
      throw HallpassException.unauthorised(
          "more than one session cookie of a name on refresh; see HallpassWeb.Builder"
              + ".olderCookieDomain");
    }
    Found found =
        find(
            req,
            transport.refreshCookie,
            () -> HallpassException.unauthorised("more than one refresh-token cookie"));
    if (found == null) {
      throw HallpassException.unauthorised("no refresh token in the request");
    }
    boolean cookie = found.mode() == TokenTransfer.COOKIE;
    if (cookie && lacksCustomHeader(req)) {
      throw HallpassException.unauthorised("anti-CSRF check failed on refresh: no rid header");
    }
    Session s =
        engine.refreshSession(
            found.token(),
            req.getHeader(Transport.ANTI_CSRF),
            cookie && antiCsrf == AntiCsrfMode.VIA_TOKEN,
            clients.of(req));
    clearOtherMode(req, res, found.mode());
    transport.sendSession(req, res, s, found.mode(), antiCsrf == AntiCsrfMode.VIA_TOKEN);
    return new ResponseBoundSession(s, transport, req, res, found.mode());
  }

  /**
   * Warns, at most once a minute, that refreshes fail on duplicate cookies: the operator can fix it
   * with olderCookieDomain, and the users cannot. Rate-limited because anyone able to set cookies
   * on a parent domain can cause it at will.
   */
  private void warnDuplicates() {
    long now = clock.millis();
    long next = nextDuplicateWarning.get();
    if (now >= next && nextDuplicateWarning.compareAndSet(next, now + 60_000)) {
      LOG.log(
          System.Logger.Level.WARNING,
          "a refresh request carried more than one sAccessToken or sRefreshToken cookie, so it was "
              + "answered unauthorised (the user is signed out): cookies of another domain or path "
              + "shadow ours. If the cookie domain was changed, set HallpassWeb.Builder"
              + ".olderCookieDomain to the old one to clear them (logged at most once a minute)");
    }
  }

  @Override
  public void sendErrorResponse(
      HallpassException error, HttpServletRequest req, HttpServletResponse res) throws IOException {
    if (res.isCommitted()) {
      throw new IllegalStateException(
          "cannot answer a Hallpass error: the response is already " + "committed", error);
    }
    res.resetBuffer();
    String message;
    switch (error.getType()) {
      case TRY_REFRESH_TOKEN:
        message = "try refresh token";
        break;
      case UNAUTHORISED:
        message = "unauthorised";
        // Nothing to clear when the request carried no token; keeping quiet then also lets the
        // SDK try a refresh rather than forget a session it may still have.
        if (transport.carriesSessionToken(req)) {
          transport.clear(req, res, Transport.BOTH);
        }
        break;
      case TOKEN_THEFT_DETECTED:
        message = "token theft detected";
        // The engine has already revoked the session.
        transport.clear(req, res, Transport.BOTH);
        LOG.log(
            System.Logger.Level.WARNING,
            "refresh token reuse: revoked session {0} of user {1}",
            error.getSessionHandle(),
            error.getUserId());
        break;
      default:
        LOG.log(
            System.Logger.Level.ERROR,
            "Hallpass failed while serving " + req.getMethod() + " " + req.getRequestURI(),
            error);
        write(res, 500, Transport.json("message", "internal error"));
        return;
    }
    LOG.log(
        System.Logger.Level.DEBUG,
        "session error on {0} {1}: {2}",
        req.getMethod(),
        req.getRequestURI(),
        error.getMessage());
    write(res, sessionExpiredStatus, Transport.json("message", message));
  }

  static void write(HttpServletResponse res, int status, String json) throws IOException {
    res.setStatus(status);
    res.setContentType("application/json");
    res.setCharacterEncoding("UTF-8");
    res.setHeader("Cache-Control", "no-store");
    res.getWriter().write(json);
  }

  @Override
  public Hallpass engine() {
    return engine;
  }

  @Override
  public String apiBasePath() {
    return apiBasePath;
  }

  @Override
  public int sessionExpiredStatusCode() {
    return sessionExpiredStatus;
  }

  @Override
  public AntiCsrfMode antiCsrfMode() {
    return antiCsrf;
  }

  /** A token and the transport it came by. */
  private record Found(String token, TokenTransfer mode) {}

  /** Whether a token would be read from the cookies (the rule of {@link #find}). */
  private boolean readsCookies(HttpServletRequest req) {
    TokenTransfer mode = allowed != TokenTransfer.ANY ? allowed : Transport.requestedMode(req);
    return mode == TokenTransfer.COOKIE || (mode == null && !Transport.carriesBearer(req));
  }

  /** Whether {@link AntiCsrfMode#VIA_CUSTOM_HEADER} is on and the request lacks the header. */
  private boolean lacksCustomHeader(HttpServletRequest req) {
    return antiCsrf == AntiCsrfMode.VIA_CUSTOM_HEADER && req.getHeader(Transport.RID) == null;
  }

  /**
   * Reads the token only from where the configuration and the client's {@code st-auth-mode} allow;
   * null when there is none there.
   */
  private Found find(
      HttpServletRequest req, String cookieName, Supplier<HallpassException> duplicateCookie) {
    TokenTransfer mode = allowed != TokenTransfer.ANY ? allowed : Transport.requestedMode(req);
    if (mode != TokenTransfer.COOKIE) {
      String bearer = Transport.bearer(req);
      if (bearer != null || mode == TokenTransfer.HEADER) {
        return bearer == null ? null : new Found(bearer, TokenTransfer.HEADER);
      }
    }
    String cookie = Transport.cookie(req, cookieName, duplicateCookie);
    return cookie == null ? null : new Found(cookie, TokenTransfer.COOKIE);
  }

  /** A session given in one mode replaces whatever the client held in the other. */
  private void clearOtherMode(HttpServletRequest req, HttpServletResponse res, TokenTransfer mode) {
    if (allowed != TokenTransfer.ANY) {
      return;
    }
    boolean otherPresent =
        mode == TokenTransfer.COOKIE ? Transport.carriesBearer(req) : transport.carriesCookie(req);
    if (otherPresent) {
      transport.clear(
          req,
          res,
          EnumSet.of(mode == TokenTransfer.COOKIE ? TokenTransfer.HEADER : TokenTransfer.COOKIE));
    }
  }
}
