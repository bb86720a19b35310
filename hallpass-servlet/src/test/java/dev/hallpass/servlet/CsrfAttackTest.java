package dev.hallpass.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * Cross-site request forgery, one attack per test. A forged request is what a page on {@code
 * evil.example} makes the victim's browser send: the victim's cookies (when SameSite lets them go),
 * an {@code Origin} of the attacker, a form content type, and no custom header (a cross-site form
 * cannot set one, a cross-site script cannot without passing CORS).
 */
class CsrfAttackTest {
  private static final String TRY_REFRESH = "{\"message\":\"try refresh token\"}";
  private static final String UNAUTHORISED = "{\"message\":\"unauthorised\"}";
  private static final String[] FORGED = {
    "Origin", "https://evil.example", "Content-Type", "application/x-www-form-urlencoded"
  };

  private static String[] forged(String... more) {
    String[] all = new String[FORGED.length + more.length];
    System.arraycopy(FORGED, 0, all, 0, FORGED.length);
    System.arraycopy(more, 0, all, FORGED.length, more.length);
    return all;
  }

  /** The role in the victim's stored session and in the access token their browser holds. */
  private static String role(TestApp app, TestApp.Client victim) throws Exception {
    String handle = app.engine.getAllSessionHandlesForUser("alice").get(0);
    Object stored = app.engine.getJWTPayload(handle).get("role");
    Object held = TestApp.jwtPayload(victim.cookie("sAccessToken")).get("role");
    assertThat(held).as("the browser's token agrees with the store").isEqualTo(stored);
    return stored.toString();
  }

  @Test
  void viaToken_forgedPostWithoutAntiCsrfHeader_isRefusedAndChangesNothing() throws Exception {
    try (TestApp app = TestApp.start(e -> e.antiCsrf(true), w -> w)) {
      TestApp.Client victim = app.client();
      victim.send("POST", "/signin?user=alice");

      TestApp.Reply r = victim.send("POST", "/api/payload?role=admin", forged());

      assertThat(r.status()).isEqualTo(401);
      assertThat(r.body()).isEqualTo(TRY_REFRESH);
      assertThat(r.raw.headers().allValues("Set-Cookie")).isEmpty();
      assertThat(role(app, victim)).isEqualTo("reader");
    }
  }

  @Test
  void viaToken_forgedPostWithTheAttackersOwnAntiCsrfToken_isRefused() throws Exception {
    try (TestApp app = TestApp.start(e -> e.antiCsrf(true), w -> w)) {
      TestApp.Client victim = app.client();
      String victimToken = victim.send("POST", "/signin?user=alice").header("anti-csrf");
      // The attacker has an account too, and so a valid anti-CSRF token of their own session.
      String attackersToken = app.client().send("POST", "/signin?user=mallory").header("anti-csrf");
      assertThat(attackersToken).isNotEqualTo(victimToken);

      TestApp.Reply r =
          victim.send("POST", "/api/payload?role=admin", forged("anti-csrf", attackersToken));

      assertThat(r.status()).isEqualTo(401);
      assertThat(r.body()).isEqualTo(TRY_REFRESH);
      assertThat(role(app, victim)).isEqualTo("reader");
      assertThat(victim.send("POST", "/api/payload?role=editor", "anti-csrf", victimToken).status())
          .as("the victim's own page still works")
          .isEqualTo(200);
    }
  }

  @Test
  void viaToken_forgedSignOut_isRefusedAndTheSessionSurvives() throws Exception {
    try (TestApp app = TestApp.start(e -> e.antiCsrf(true), w -> w)) {
      TestApp.Client victim = app.client();
      String token = victim.send("POST", "/signin?user=alice").header("anti-csrf");

      TestApp.Reply r = victim.send("POST", "/auth/signout", forged());

      assertThat(r.status()).isEqualTo(401);
      assertThat(r.body()).isEqualTo(TRY_REFRESH);
      assertThat(r.raw.headers().allValues("Set-Cookie")).isEmpty();
      assertThat(app.engine.getAllSessionHandlesForUser("alice")).hasSize(1);
      assertThat(victim.send("POST", "/api/session", "anti-csrf", token).status()).isEqualTo(200);
    }
  }

  @Test
  void viaToken_forgedRefresh_isRefusedWithoutRotatingOrRevoking() throws Exception {
    try (TestApp app = TestApp.start(e -> e.antiCsrf(true), w -> w)) {
      TestApp.Client victim = app.client();
      String token = victim.send("POST", "/signin?user=alice").header("anti-csrf");
      String refreshToken = victim.cookie("sRefreshToken");

      TestApp.Reply r = victim.send("POST", "/auth/session/refresh", forged());

      assertThat(r.status()).isEqualTo(401);
      assertThat(r.body()).isEqualTo(UNAUTHORISED);
      assertThat(app.engine.getAllSessionHandlesForUser("alice")).hasSize(1);
      // The forged refresh cleared the victim's cookies in their browser (the SDK would sign out),
      // but the session itself was not rotated: its refresh token still works from the real page.
      TestApp.Reply real =
          app.client()
              .send(
                  "POST",
                  "/auth/session/refresh",
                  "Cookie",
                  "sRefreshToken=" + refreshToken,
                  "anti-csrf",
                  token);
      assertThat(real.status()).isEqualTo(200);
    }
  }

  @Test
  void viaCustomHeader_forgedFormPostWithoutRid_isRefusedAndChangesNothing() throws Exception {
    try (TestApp app = TestApp.start(e -> e, w -> w.cookieSameSite(SameSite.NONE))) {
      assertThat(app.web.antiCsrfMode()).isEqualTo(AntiCsrfMode.VIA_CUSTOM_HEADER);
      TestApp.Client victim = app.client();
      victim.send("POST", "/signin?user=alice");

      TestApp.Reply r = victim.send("POST", "/api/payload?role=admin", forged());

      assertThat(r.status()).isEqualTo(401);
      assertThat(r.body()).isEqualTo(TRY_REFRESH);
      assertThat(role(app, victim)).isEqualTo("reader");
      assertThat(victim.send("POST", "/api/payload?role=editor", "rid", "session").status())
          .isEqualTo(200);
    }
  }

  @Test
  void viaCustomHeader_forgedSignOutWithoutRid_isRefusedAndTheSessionSurvives() throws Exception {
    try (TestApp app = TestApp.start(e -> e, w -> w.cookieSameSite(SameSite.NONE))) {
      TestApp.Client victim = app.client();
      victim.send("POST", "/signin?user=alice");

      TestApp.Reply r = victim.send("POST", "/auth/signout", forged());

      assertThat(r.status()).isEqualTo(401);
      assertThat(r.body()).isEqualTo(TRY_REFRESH);
      assertThat(app.engine.getAllSessionHandlesForUser("alice")).hasSize(1);
      assertThat(victim.send("GET", "/api/session").status()).isEqualTo(200);
    }
  }

  @Test
  void viaCustomHeader_forgedRefreshWithoutRid_isRefusedWithoutTouchingTheStore() throws Exception {
    try (TestApp app = TestApp.start(e -> e, w -> w.cookieSameSite(SameSite.NONE))) {
      TestApp.Client victim = app.client();
      victim.send("POST", "/signin?user=alice");
      int calls = app.store.calls();

      TestApp.Reply r = victim.send("POST", "/auth/session/refresh", forged());

      assertThat(r.status()).isEqualTo(401);
      assertThat(r.body()).isEqualTo(UNAUTHORISED);
      assertThat(app.store.calls()).as("refused before the token is used").isEqualTo(calls);
    }
  }

  @Test
  void none_promisesOnlySameSite_soItsCookiesAreLaxOrStrict_andACookielessPostIsRefused()
      throws Exception {
    // NONE checks nothing on the server: its promise is that a browser does not attach Lax or
    // Strict cookies to a cross-site POST. What the server can guarantee is tested here: the
    // cookies carry that attribute (build() refuses NONE with SameSite=None), and the request the
    // browser then sends, without cookies, changes nothing.
    for (SameSite sameSite : new SameSite[] {SameSite.LAX, SameSite.STRICT}) {
      try (TestApp app = TestApp.start(e -> e, w -> w.cookieSameSite(sameSite))) {
        assertThat(app.web.antiCsrfMode()).isEqualTo(AntiCsrfMode.NONE);
        TestApp.Client victim = app.client();
        TestApp.Reply signIn = victim.send("POST", "/signin?user=alice");
        assertThat(signIn.setCookie("sAccessToken")).endsWith("; SameSite=" + sameSite.attribute());
        assertThat(signIn.setCookie("sRefreshToken"))
            .endsWith("; SameSite=" + sameSite.attribute());

        TestApp.Reply r = app.client().send("POST", "/api/payload?role=admin", forged());

        assertThat(r.status()).isEqualTo(401);
        assertThat(r.body()).isEqualTo(UNAUTHORISED);
        assertThat(role(app, victim)).isEqualTo("reader");
      }
    }
  }

  @Test
  void headerMode_needsNoAntiCsrfToken_becauseAForgedRequestCannotCarryTheBearer()
      throws Exception {
    try (TestApp app = TestApp.start(e -> e.antiCsrf(true), w -> w)) {
      TestApp.Reply signIn =
          app.client().send("POST", "/signin?user=alice", "st-auth-mode", "header");
      String access = signIn.header("st-access-token");
      assertThat(signIn.header("anti-csrf")).as("no anti-CSRF token in header mode").isNull();

      // A forged request has no Authorization header: it carries no session at all.
      TestApp.Reply forged = app.client().send("POST", "/api/payload?role=admin", forged());
      assertThat(forged.status()).isEqualTo(401);
      assertThat(forged.body()).isEqualTo(UNAUTHORISED);
      // The app's own request with the Bearer token needs no anti-CSRF header.
      assertThat(
              app.client()
                  .send("POST", "/api/session", "Authorization", "Bearer " + access)
                  .status())
          .isEqualTo(200);
    }
  }
}
