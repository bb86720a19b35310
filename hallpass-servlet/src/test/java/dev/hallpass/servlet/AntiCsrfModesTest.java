package dev.hallpass.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class AntiCsrfModesTest {

  @Test
  void viaToken_isTheDefaultWithEngineTokens_andRequiresTheAntiCsrfHeaderOnPostNotOnGet()
      throws Exception {
    try (TestApp app = TestApp.start(e -> e.antiCsrf(true), w -> w)) {
      assertThat(app.web.antiCsrfMode()).isEqualTo(AntiCsrfMode.VIA_TOKEN);
      TestApp.Client c = app.client();
      TestApp.Reply signIn = c.send("POST", "/signin?user=alice");
      String csrf = signIn.header("anti-csrf");
      assertThat(csrf).isNotBlank();
      assertThat(signIn.exposed()).contains("anti-csrf", "front-token");

      assertThat(c.send("GET", "/api/session").status()).isEqualTo(200);
      TestApp.Reply without = c.send("POST", "/api/session");
      assertThat(without.status()).isEqualTo(401);
      assertThat(without.body()).isEqualTo("{\"message\":\"try refresh token\"}");
      assertThat(c.send("POST", "/api/session", "anti-csrf", "forged").status()).isEqualTo(401);
      assertThat(c.send("POST", "/api/session", "anti-csrf", csrf).status()).isEqualTo(200);
    }
  }

  @Test
  void viaToken_refreshNeedsTheCurrentAntiCsrfToken_andRotatesIt() throws Exception {
    try (TestApp app =
        TestApp.start(e -> e.antiCsrf(true), w -> w.antiCsrf(AntiCsrfMode.VIA_TOKEN))) {
      TestApp.Client c = app.client();
      String csrf = c.send("POST", "/signin?user=alice").header("anti-csrf");

      TestApp.Reply refused = c.send("POST", "/auth/session/refresh");
      assertThat(refused.status()).isEqualTo(401);
      assertThat(refused.body()).isEqualTo("{\"message\":\"unauthorised\"}");
      assertThat(refused.header("front-token")).isEqualTo("remove");

      TestApp.Client c2 = app.client();
      csrf = c2.send("POST", "/signin?user=bob").header("anti-csrf");
      TestApp.Reply ok = c2.send("POST", "/auth/session/refresh", "anti-csrf", csrf);
      assertThat(ok.status()).isEqualTo(200);
      String next = ok.header("anti-csrf");
      assertThat(next).isNotBlank().isNotEqualTo(csrf);
      // The first request after the refresh gets a re-issued access token with the same
      // anti-CSRF token; the second one still passes with it.
      TestApp.Reply first = c2.send("POST", "/api/session", "anti-csrf", next);
      assertThat(first.status()).isEqualTo(200);
      assertThat(TestApp.jwtPayload(first.cookieValue("sAccessToken")))
          .doesNotContainKey("parentRefreshTokenHash1");
      assertThat(first.header("anti-csrf")).as("unchanged, so not sent again").isNull();
      assertThat(c2.send("POST", "/api/session", "anti-csrf", next).status()).isEqualTo(200);
    }
  }

  @Test
  void viaCustomHeader_requiresRidOnPostAndRefresh() throws Exception {
    try (TestApp app = TestApp.start(e -> e, w -> w.cookieSameSite(SameSite.NONE))) {
      assertThat(app.web.antiCsrfMode()).isEqualTo(AntiCsrfMode.VIA_CUSTOM_HEADER);
      TestApp.Client c = app.client();
      TestApp.Reply signIn = c.send("POST", "/signin?user=alice");
      assertThat(signIn.setCookie("sAccessToken")).endsWith("; HttpOnly; Secure; SameSite=None");
      assertThat(signIn.header("anti-csrf")).isNull();

      assertThat(c.send("GET", "/api/session").status()).isEqualTo(200);
      TestApp.Reply without = c.send("POST", "/api/session");
      assertThat(without.status()).isEqualTo(401);
      assertThat(without.body()).isEqualTo("{\"message\":\"try refresh token\"}");
      assertThat(c.send("POST", "/api/session", "rid", "anti-csrf").status()).isEqualTo(200);

      assertThat(c.send("POST", "/auth/session/refresh", "rid", "session").status()).isEqualTo(200);
      TestApp.Reply refreshWithout = c.send("POST", "/auth/session/refresh");
      assertThat(refreshWithout.status()).isEqualTo(401);
      assertThat(refreshWithout.body()).isEqualTo("{\"message\":\"unauthorised\"}");
    }
  }

  @Test
  void none_isTheLaxDefault_andChecksNothing() throws Exception {
    try (TestApp app = TestApp.start()) {
      assertThat(app.web.antiCsrfMode()).isEqualTo(AntiCsrfMode.NONE);
      TestApp.Client c = app.client();
      c.send("POST", "/signin?user=alice");

      assertThat(c.send("POST", "/api/session").status()).isEqualTo(200);
      assertThat(c.send("POST", "/auth/session/refresh").status()).isEqualTo(200);
    }
  }

  @Test
  void enableCsrfProtectionFalse_skipsTheCheck() throws Exception {
    try (TestApp app = TestApp.start(e -> e.antiCsrf(true), w -> w)) {
      TestApp.Client c = app.client();
      c.send("POST", "/signin?user=alice");
      assertThat(c.send("POST", "/api/session").status()).isEqualTo(401);
      // /api/unchecked calls getSession(req, res, false).
      assertThat(c.send("POST", "/api/unchecked").status()).isEqualTo(200);
    }
  }
}
