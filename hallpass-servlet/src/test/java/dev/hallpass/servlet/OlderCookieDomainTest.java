package dev.hallpass.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hallpass.Hallpass;
import dev.hallpass.HallpassException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Duplicate session cookies: an earlier deployment (or a sibling application) set them for the
 * parent domain {@code .example.com}, this one sets host-only cookies; the browser sends both.
 */
class OlderCookieDomainTest {
  private static final String OLDER = ".example.com";

  /** A client holding a current host-only session and stray cookies of the parent domain. */
  private static TestApp.Client clientWithStrayCookies(TestApp app) throws Exception {
    // The stray cookies are real tokens of an earlier session, as an old deployment left them.
    TestApp.Client earlier = app.client();
    earlier.send("POST", "/signin?user=alice");
    TestApp.Client c = app.client();
    c.send("POST", "/signin?user=alice");
    c.plant("sAccessToken", earlier.cookie("sAccessToken"), OLDER, "/");
    c.plant("sRefreshToken", earlier.cookie("sRefreshToken"), OLDER, "/auth/session/refresh");
    return c;
  }

  @Test
  void refresh_withDuplicateCookies_clearsTheOlderDomainsOnly_andTheNextRefreshSucceeds()
      throws Exception {
    try (TestApp app = TestApp.start(e -> e, w -> w.olderCookieDomain(OLDER))) {
      TestApp.Client c = clientWithStrayCookies(app);
      app.clock.advance(TestApp.ACCESS_VALIDITY.plusSeconds(1));
      assertThat(c.send("GET", "/api/session").body())
          .isEqualTo("{\"message\":\"try refresh token\"}");

      TestApp.Reply cleared = c.send("POST", "/auth/session/refresh");

      assertThat(cleared.status()).isEqualTo(200);
      assertThat(cleared.body())
          .isEqualTo(
              "{\"message\":\"duplicate session cookies of the older cookie domain cleared: "
                  + "refresh again\"}");
      assertThat(cleared.setCookie("sAccessToken"))
          .isEqualTo(
              "sAccessToken=; Path=/; Domain=.example.com; Expires=Thu, 01 Jan 1970 00:00:00 GMT; "
                  + "Max-Age=0; HttpOnly; Secure; SameSite=Lax");
      assertThat(cleared.setCookie("sRefreshToken"))
          .isEqualTo(
              "sRefreshToken=; Path=/auth/session/refresh; Domain=.example.com; "
                  + "Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; HttpOnly; Secure; SameSite=Lax");
      // No front-token: the SDK keeps its session and retries (it would sign out on "remove").
      assertThat(cleared.header("front-token")).isNull();
      assertThat(c.jar).containsOnlyKeys("sAccessToken;;/", "sRefreshToken;;/auth/session/refresh");
      assertThat(app.engine.getAllSessionHandlesForUser("alice")).as("nothing revoked").hasSize(2);

      TestApp.Reply refreshed = c.send("POST", "/auth/session/refresh");
      assertThat(refreshed.status()).isEqualTo(200);
      assertThat(refreshed.body()).isEqualTo("{\"status\":\"OK\"}");
      assertThat(refreshed.frontToken()).containsEntry("uid", "alice");
      assertThat(c.send("GET", "/api/session").status()).isEqualTo(200);
    }
  }

  @Test
  void refresh_withOnlyADuplicateAccessCookie_alsoClearsTheOlderDomain() throws Exception {
    try (TestApp app = TestApp.start(e -> e, w -> w.olderCookieDomain(OLDER))) {
      TestApp.Client earlier = app.client();
      earlier.send("POST", "/signin?user=alice");
      TestApp.Client c = app.client();
      c.send("POST", "/signin?user=alice");
      c.plant("sAccessToken", earlier.cookie("sAccessToken"), OLDER, "/");

      TestApp.Reply cleared = c.send("POST", "/auth/session/refresh");

      assertThat(cleared.status()).isEqualTo(200);
      assertThat(cleared.setCookie("sAccessToken")).contains("; Domain=.example.com;");
      assertThat(c.send("POST", "/auth/session/refresh").body()).isEqualTo("{\"status\":\"OK\"}");
      assertThat(c.send("GET", "/api/session").status()).isEqualTo(200);
    }
  }

  @Test
  void refresh_withoutOlderCookieDomain_neverPicksOneOfTheDuplicates_itSignsOutTyped()
      throws Exception {
    try (TestApp app = TestApp.start()) {
      TestApp.Client c = clientWithStrayCookies(app);
      int storeCalls = app.store.calls();

      TestApp.Reply r = c.send("POST", "/auth/session/refresh");

      assertThat(r.status()).isEqualTo(401);
      assertThat(r.body()).isEqualTo("{\"message\":\"unauthorised\"}");
      assertThat(r.header("front-token")).isEqualTo("remove");
      assertThat(r.setCookie("sRefreshToken")).contains("Max-Age=0").doesNotContain("Domain");
      assertThat(app.store.calls()).as("neither refresh token was tried").isEqualTo(storeCalls);
      assertThat(app.engine.getAllSessionHandlesForUser("alice")).hasSize(2);
    }
  }

  @Test
  void refresh_inHeaderMode_ignoresDuplicateCookies() throws Exception {
    try (TestApp app = TestApp.start(e -> e, w -> w.olderCookieDomain(OLDER))) {
      TestApp.Client c = clientWithStrayCookies(app);
      String refresh =
          app.client()
              .send("POST", "/signin?user=bob", "st-auth-mode", "header")
              .header("st-refresh-token");

      TestApp.Reply r =
          c.send(
              "POST",
              "/auth/session/refresh",
              "st-auth-mode",
              "header",
              "Authorization",
              "Bearer " + refresh);

      assertThat(r.status()).isEqualTo(200);
      assertThat(r.body()).isEqualTo("{\"status\":\"OK\"}");
      assertThat(r.header("st-access-token")).isNotBlank();
    }
  }

  @Test
  void refreshSessionCalledByTheApplication_withDuplicates_isAnsweredByTheFilterAlike()
      throws Exception {
    try (TestApp app = TestApp.start(e -> e, w -> w.olderCookieDomain(OLDER))) {
      TestApp.Client c = clientWithStrayCookies(app);

      TestApp.Reply r = c.send("POST", "/api/refresh-directly");

      assertThat(r.status()).isEqualTo(200);
      assertThat(r.body()).contains("duplicate session cookies of the older cookie domain cleared");
      assertThat(r.setCookie("sRefreshToken")).contains("; Domain=.example.com;");
      // (The refresh cookie's path is the refresh endpoint's, so that is where it goes next.)
      assertThat(c.send("POST", "/auth/session/refresh").body()).isEqualTo("{\"status\":\"OK\"}");
    }
  }

  @Test
  void refresh_throughAHallpassWebDecorator_stillClearsTheOlderDomain() throws Exception {
    // Applications wrap HallpassWeb (the demo records why sessions end); the answer must survive.
    try (TestApp app = TestApp.startDecorated(w -> w.olderCookieDomain(OLDER), Delegating::new)) {
      assertThat(app.web).isInstanceOf(Delegating.class);
      TestApp.Client c = clientWithStrayCookies(app);

      TestApp.Reply cleared = c.send("POST", "/auth/session/refresh");

      assertThat(cleared.status()).isEqualTo(200);
      assertThat(cleared.setCookie("sAccessToken")).contains("; Domain=.example.com;");
      assertThat(c.send("POST", "/auth/session/refresh").body()).isEqualTo("{\"status\":\"OK\"}");
    }
  }

  /** A decorator as applications write them: delegates everything, catches Hallpass errors. */
  private static final class Delegating implements HallpassWeb {
    private final HallpassWeb web;

    Delegating(HallpassWeb web) {
      this.web = web;
    }

    @Override
    public dev.hallpass.Session getSession(
        HttpServletRequest req, HttpServletResponse res, boolean enableCsrfProtection) {
      return web.getSession(req, res, enableCsrfProtection);
    }

    @Override
    public dev.hallpass.Session getSession(
        HttpServletRequest req,
        HttpServletResponse res,
        boolean enableCsrfProtection,
        boolean sessionRequired) {
      return web.getSession(req, res, enableCsrfProtection, sessionRequired);
    }

    @Override
    public dev.hallpass.Session getSession(
        HttpServletRequest req,
        HttpServletResponse res,
        boolean enableCsrfProtection,
        boolean sessionRequired,
        List<ClaimValidator> claimValidators) {
      return web.getSession(req, res, enableCsrfProtection, sessionRequired, claimValidators);
    }

    @Override
    public void assertClaims(dev.hallpass.Session session, List<ClaimValidator> claimValidators) {
      web.assertClaims(session, claimValidators);
    }

    @Override
    public void fetchAndSetClaim(dev.hallpass.Session session, SessionClaim claim) {
      web.fetchAndSetClaim(session, claim);
    }

    @Override
    public List<ClaimValidator> globalClaimValidators() {
      return web.globalClaimValidators();
    }

    @Override
    public dev.hallpass.Session createNewSession(
        HttpServletRequest req,
        HttpServletResponse res,
        String userId,
        Map<String, Object> jwtPayload,
        Map<String, Object> sessionData) {
      return web.createNewSession(req, res, userId, jwtPayload, sessionData);
    }

    @Override
    public dev.hallpass.Session refreshSession(HttpServletRequest req, HttpServletResponse res) {
      try {
        return web.refreshSession(req, res);
      } catch (HallpassException e) {
        throw e;
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
