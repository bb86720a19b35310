package dev.hallpass.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class HeaderModeTest {
  private TestApp app;

  @BeforeEach
  void start() throws Exception {
    // Anti-CSRF tokens on (so the web layer defaults to VIA_TOKEN): header mode needs none.
    app = TestApp.start(e -> e.antiCsrf(true), w -> w);
    assertThat(app.web.antiCsrfMode()).isEqualTo(AntiCsrfMode.VIA_TOKEN);
  }

  @AfterEach
  void stop() throws Exception {
    app.close();
  }

  private TestApp.Reply signIn(TestApp.Client c) throws Exception {
    return c.send("POST", "/signin?user=alice", "st-auth-mode", "header");
  }

  @Test
  void signIn_withAuthModeHeader_sendsTokensInExposedHeadersAndNoCookies() throws Exception {
    TestApp.Reply r = signIn(app.client());

    assertThat(r.status()).isEqualTo(200);
    assertThat(r.header("st-access-token")).matches("[\\w-]+\\.[\\w-]+\\.[\\w-]+");
    assertThat(r.header("st-refresh-token")).matches("[\\w-]+");
    assertThat(r.raw.headers().allValues("Set-Cookie")).isEmpty();
    assertThat(r.header("anti-csrf")).as("header mode needs no anti-CSRF token").isNull();
    assertThat(r.frontToken()).containsEntry("uid", "alice");
    assertThat(r.exposed()).contains("st-access-token", "st-refresh-token", "front-token");
  }

  @Test
  void bearerAccessToken_verifiesWithoutAntiCsrfToken_evenForPost() throws Exception {
    TestApp.Client c = app.client();
    String access = signIn(c).header("st-access-token");

    TestApp.Reply r =
        c.send(
            "POST", "/api/session", "Authorization", "Bearer " + access, "st-auth-mode", "header");

    assertThat(r.status()).isEqualTo(200);
    assertThat(r.body()).contains("\"userId\":\"alice\"");
  }

  @Test
  void refresh_withBearerRefreshToken_returnsNewHeaderTokens() throws Exception {
    TestApp.Client c = app.client();
    TestApp.Reply signIn = signIn(c);
    app.clock.advance(TestApp.ACCESS_VALIDITY.plusSeconds(1));

    TestApp.Reply expired =
        c.send(
            "GET", "/api/session", "Authorization", "Bearer " + signIn.header("st-access-token"));
    assertThat(expired.status()).isEqualTo(401);
    assertThat(expired.body()).isEqualTo("{\"message\":\"try refresh token\"}");

    TestApp.Reply refreshed =
        c.send(
            "POST",
            "/auth/session/refresh",
            "Authorization",
            "Bearer " + signIn.header("st-refresh-token"),
            "st-auth-mode",
            "header");
    assertThat(refreshed.status()).isEqualTo(200);
    assertThat(refreshed.header("st-refresh-token"))
        .isNotEqualTo(signIn.header("st-refresh-token"));
    assertThat(refreshed.raw.headers().allValues("Set-Cookie")).isEmpty();
    assertThat(
            c.send(
                    "GET",
                    "/api/session",
                    "Authorization",
                    "Bearer " + refreshed.header("st-access-token"))
                .status())
        .isEqualTo(200);
  }

  @Test
  void updateJWTPayload_sendsTheNewAccessTokenHeader() throws Exception {
    TestApp.Client c = app.client();
    String access = signIn(c).header("st-access-token");

    TestApp.Reply r =
        c.send("POST", "/api/payload?role=editor", "Authorization", "Bearer " + access);

    assertThat(r.header("st-access-token")).isNotEqualTo(access);
    assertThat(r.header("st-refresh-token")).isNull();
    assertThat(r.raw.headers().allValues("Set-Cookie")).isEmpty();
  }

  @Test
  void signOut_clearsHeaderTokensOnly() throws Exception {
    TestApp.Client c = app.client();
    String access = signIn(c).header("st-access-token");

    TestApp.Reply out = c.send("POST", "/auth/signout", "Authorization", "Bearer " + access);

    assertThat(out.status()).isEqualTo(200);
    assertThat(out.header("st-access-token")).isEmpty();
    assertThat(out.header("st-refresh-token")).isEmpty();
    assertThat(out.header("front-token")).isEqualTo("remove");
    assertThat(out.raw.headers().allValues("Set-Cookie")).isEmpty();
    assertThat(app.engine.getAllSessionHandlesForUser("alice")).isEmpty();
  }

  @Test
  void cookieModeClient_ignoresABearerToken() throws Exception {
    TestApp.Client c = app.client();
    String access = signIn(c).header("st-access-token");

    TestApp.Reply r =
        c.send(
            "GET", "/api/session", "Authorization", "Bearer " + access, "st-auth-mode", "cookie");

    assertThat(r.status()).isEqualTo(401);
    assertThat(r.body()).isEqualTo("{\"message\":\"unauthorised\"}");
  }

  @Test
  void headerModeClient_ignoresTheCookie() throws Exception {
    TestApp.Client c = app.client();
    c.send("POST", "/signin?user=alice");
    assertThat(c.cookie("sAccessToken")).isNotNull();

    TestApp.Reply r = c.send("GET", "/api/session", "st-auth-mode", "header");

    assertThat(r.status()).isEqualTo(401);
  }

  @Test
  void headerOnlyConfiguration_neverReadsCookies_andAlwaysCreatesHeaderSessions() throws Exception {
    try (TestApp headers = TestApp.start(e -> e, w -> w.tokenTransfer(TokenTransfer.HEADER))) {
      TestApp.Client c = headers.client();
      TestApp.Reply r = c.send("POST", "/signin?user=alice", "st-auth-mode", "cookie");
      assertThat(r.raw.headers().allValues("Set-Cookie")).isEmpty();

      TestApp.Reply withCookie =
          c.send("GET", "/api/session", "Cookie", "sAccessToken=" + r.header("st-access-token"));
      assertThat(withCookie.status()).isEqualTo(401);
    }
  }

  @Test
  void signInInHeaderMode_clearsCookiesTheClientStillHolds() throws Exception {
    TestApp.Client c = app.client();
    c.send("POST", "/signin?user=alice");

    TestApp.Reply r = signIn(c);

    assertThat(r.setCookie("sAccessToken")).contains("Max-Age=0");
    assertThat(r.header("front-token")).isNotEqualTo("remove");
    assertThat(r.header("st-access-token")).isNotEmpty();
  }
}
