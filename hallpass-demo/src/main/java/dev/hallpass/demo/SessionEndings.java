package dev.hallpass.demo;

import dev.hallpass.Hallpass;
import dev.hallpass.HallpassException;
import dev.hallpass.Session;
import dev.hallpass.servlet.AntiCsrfMode;
import dev.hallpass.servlet.ClaimValidator;
import dev.hallpass.servlet.HallpassWeb;
import dev.hallpass.servlet.InvalidClaimException;
import dev.hallpass.servlet.SessionClaim;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Why a session ended, so that the page can tell its user. On the wire a refused refresh is only
 * {@code {"message":"unauthorised"}} (or {@code "token theft detected"} to the client that
 * presented the replayed token): the protocol does not say whether the session expired or was
 * revoked, and by then the store has deleted it. So the demo remembers, in memory, what it saw:
 * each session's expiry when it was created or refreshed, the sessions a user ended from another
 * browser ("sign out everywhere"), and the theft verdicts the engine gave. The page asks {@code GET
 * /api/session-ending?handle=...} after its session is refused.
 *
 * <p>At most {@value #MAX_ENTRIES} sessions are remembered (the least recently refreshed are
 * forgotten first), and nothing survives a restart: the answer is then {@link Reason#UNKNOWN}.
 */
final class SessionEndings {
  /** How many sessions are remembered at most, per kind of record. */
  static final int MAX_ENTRIES = 10_000;

  /** Why a session ended, as far as the demo knows. */
  enum Reason {
    /** The engine found its refresh token replayed and revoked it. */
    TOKEN_THEFT,
    /** Its user ended it from another session ("sign out everywhere"). */
    SIGNED_OUT_ELSEWHERE,
    /** It was not refreshed before its expiry. */
    EXPIRED,
    /** The demo does not know (it restarted, or never saw the session). */
    UNKNOWN;

    /** The name the page sees, e.g. {@code "signed-out-elsewhere"}. */
    String wireName() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
  }

  private final Clock clock;
  private final Map<String, Instant> expiries = lru();
  private final Map<String, Reason> endings = lru();

  /**
   * @param clock the engine's clock, to tell whether a remembered expiry has passed
   */
  SessionEndings(Clock clock) {
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  private static <V> Map<String, V> lru() {
    return new LinkedHashMap<>(64, 0.75f, true) {
      private static final long serialVersionUID = 1L;

      @Override
      protected boolean removeEldestEntry(Map.Entry<String, V> eldest) {
        return size() > MAX_ENTRIES;
      }
    };
  }

  /** A session was created or refreshed: it lives until {@code expiresAt} unless refreshed. */
  synchronized void issued(String handle, Instant expiresAt) {
    expiries.put(handle, expiresAt);
  }

  /** A session was ended for {@code reason}. */
  synchronized void ended(String handle, Reason reason) {
    expiries.remove(handle);
    endings.put(handle, reason);
  }

  /** Why the session {@code handle} ended, as far as the demo knows. */
  synchronized Reason why(String handle) {
    Reason reason = endings.get(handle);
    if (reason != null) {
      return reason;
    }
    Instant expiry = expiries.get(handle);
    return expiry != null && !expiry.isAfter(clock.instant()) ? Reason.EXPIRED : Reason.UNKNOWN;
  }

  /**
   * The web layer, watched: sessions it creates or refreshes are remembered with their expiry, and
   * theft verdicts (on refresh, or on a request with the access token of a replaced refresh token)
   * are remembered for the session they revoked. Everything else is {@code web}'s.
   */
  HallpassWeb watch(HallpassWeb web) {
    return new Watched(Objects.requireNonNull(web, "web"));
  }

  private final class Watched implements HallpassWeb {
    private final HallpassWeb web;

    Watched(HallpassWeb web) {
      this.web = web;
    }

    private Session issued(Session s) {
      Instant expiry = s.getTokens().getRefreshTokenExpiry();
      if (expiry != null) {
        SessionEndings.this.issued(s.getHandle(), expiry);
      }
      return s;
    }

    private HallpassException seen(HallpassException e) {
      if (e.getType() == HallpassException.Type.TOKEN_THEFT_DETECTED) {
        ended(e.getSessionHandle(), Reason.TOKEN_THEFT);
      }
      return e;
    }

    @Override
    public Session getSession(
        HttpServletRequest req, HttpServletResponse res, boolean enableCsrfProtection) {
      try {
        return web.getSession(req, res, enableCsrfProtection);
      } catch (HallpassException e) {
        throw seen(e);
      }
    }

    @Override
    public Session getSession(
        HttpServletRequest req,
        HttpServletResponse res,
        boolean enableCsrfProtection,
        boolean sessionRequired) {
      try {
        return web.getSession(req, res, enableCsrfProtection, sessionRequired);
      } catch (HallpassException e) {
        throw seen(e);
      }
    }

    @Override
    public Session getSession(
        HttpServletRequest req,
        HttpServletResponse res,
        boolean enableCsrfProtection,
        boolean sessionRequired,
        List<ClaimValidator> claimValidators) {
      try {
        return web.getSession(req, res, enableCsrfProtection, sessionRequired, claimValidators);
      } catch (HallpassException e) {
        throw seen(e);
      }
    }

    @Override
    public void assertClaims(Session session, List<ClaimValidator> claimValidators) {
      web.assertClaims(session, claimValidators);
    }

    @Override
    public void fetchAndSetClaim(Session session, SessionClaim claim) {
      web.fetchAndSetClaim(session, claim);
    }

    @Override
    public List<ClaimValidator> globalClaimValidators() {
      return web.globalClaimValidators();
    }

    @Override
    public void sendInvalidClaimResponse(
        InvalidClaimException error, HttpServletRequest req, HttpServletResponse res)
        throws IOException {
      web.sendInvalidClaimResponse(error, req, res);
    }

    @Override
    public Session createNewSession(
        HttpServletRequest req,
        HttpServletResponse res,
        String userId,
        Map<String, Object> jwtPayload,
        Map<String, Object> sessionData) {
      return issued(web.createNewSession(req, res, userId, jwtPayload, sessionData));
    }

    @Override
    public Session refreshSession(HttpServletRequest req, HttpServletResponse res) {
      try {
        return issued(web.refreshSession(req, res));
      } catch (HallpassException e) {
        throw seen(e);
      }
    }

    @Override
    public void sendErrorResponse(
        HallpassException error, HttpServletRequest req, HttpServletResponse res)
        throws IOException {
      web.sendErrorResponse(error, req, res);
    }

    @Override
    public Hallpass engine() {
      return web.engine();
    }

    @Override
    public String apiBasePath() {
      return web.apiBasePath();
    }

    @Override
    public int sessionExpiredStatusCode() {
      return web.sessionExpiredStatusCode();
    }

    @Override
    public AntiCsrfMode antiCsrfMode() {
      return web.antiCsrfMode();
    }
  }
}
