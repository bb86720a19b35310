package dev.hallpass.servlet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hallpass.HallpassException;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class CookieModeTest {
  private TestApp app;

  @BeforeEach
  void start() throws Exception {
    app = TestApp.start(e -> e, w -> w);
  }

  @AfterEach
  void stop() throws Exception {
    app.close();
  }

  @Test
  void signIn_setsHttpOnlySecureLaxCookiesWithExactPathsAndExpiries() throws Exception {
    TestApp.Reply r = app.client().send("POST", "/signin?user=alice", "st-auth-mode", "cookie");

    assertThat(r.status()).isEqualTo(200);
    String access = r.setCookie("sAccessToken");
    assertThat(access)
        .matches(
            "sAccessToken=[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+; "
                + "Path=/; Expires=Wed, 03 Mar 2032 05:06:07 GMT; Max-Age=31536000; HttpOnly; Secure; "
                + "SameSite=Lax");
    // The session lives 100 days (the engine's default refresh-token validity).
    assertThat(r.setCookie("sRefreshToken"))
        .matches(
            "sRefreshToken=[A-Za-z0-9_-]+; "
                + "Path=/auth/session/refresh; Expires=Thu, 12 Jun 2031 05:06:07 GMT; Max-Age=8640000; "
                + "HttpOnly; Secure; SameSite=Lax");
    assertThat(r.header("st-access-token")).isNull();
    assertThat(r.header("anti-csrf")).as("anti-CSRF mode NONE sends no token").isNull();
    assertThat(r.header("Cache-Control")).isEqualTo("no-store");
    assertThat(r.exposed()).contains("front-token");
  }

  @Test
  void frontToken_carriesUserIdExpiryMillisAndTheWholeAccessTokenPayload() throws Exception {
    TestApp.Reply r = app.client().send("POST", "/signin?user=%C3%A9lodie");

    Map<String, Object> ft = r.frontToken();
    assertThat(ft)
        .containsEntry("uid", "élodie")
        .containsEntry("ate", app.clock.millis() + TestApp.ACCESS_VALIDITY.toMillis());
    @SuppressWarnings("unchecked")
    Map<String, Object> up = (Map<String, Object>) ft.get("up");
    // The SDK reads iat to estimate clock skew: "up" is the full JWT payload, reserved claims too.
    assertThat(up)
        .containsEntry("sub", "élodie")
        .containsEntry("role", "reader")
        .containsEntry("iat", (int) (app.clock.millis() / 1000))
        .containsKeys("exp", "sessionHandle", "refreshTokenHash1", "tId", "rsub");
  }

  @Test
  void getSession_readsTheAccessTokenCookie() throws Exception {
    TestApp.Client c = app.client();
    c.send("POST", "/signin?user=alice");

    TestApp.Reply r = c.send("GET", "/api/session");

    assertThat(r.status()).isEqualTo(200);
    assertThat(r.body()).contains("\"userId\":\"alice\"").contains("\"role\":\"reader\"");
    assertThat(r.header("Set-Cookie")).as("verifying sends no tokens").isNull();
  }

  @Test
  void expiredAccessToken_answersTryRefresh_andRefreshRotatesBothCookies() throws Exception {
    TestApp.Client c = app.client();
    c.send("POST", "/signin?user=alice");
    String oldAccess = c.cookie("sAccessToken");
    String oldRefresh = c.cookie("sRefreshToken");
    app.clock.advance(TestApp.ACCESS_VALIDITY.plusSeconds(1));

    TestApp.Reply expired = c.send("GET", "/api/session");
    assertThat(expired.status()).isEqualTo(401);
    assertThat(expired.body()).isEqualTo("{\"message\":\"try refresh token\"}");
    assertThat(expired.raw.headers().allValues("Set-Cookie")).as("nothing cleared").isEmpty();
    assertThat(expired.header("front-token")).isNull();

    TestApp.Reply refreshed = c.send("POST", "/auth/session/refresh", "rid", "session");
    assertThat(refreshed.status()).isEqualTo(200);
    assertThat(refreshed.body()).isEqualTo("{\"status\":\"OK\"}");
    assertThat(c.cookie("sAccessToken")).isNotEqualTo(oldAccess);
    assertThat(c.cookie("sRefreshToken")).isNotEqualTo(oldRefresh);
    assertThat(refreshed.frontToken()).containsEntry("uid", "alice");

    assertThat(c.send("GET", "/api/session").status()).isEqualTo(200);
  }

  @Test
  void signOut_revokesTheSessionAndClearsCookiesWithTheSamePaths() throws Exception {
    TestApp.Client c = app.client();
    c.send("POST", "/signin?user=alice");
    String handle = app.engine.getAllSessionHandlesForUser("alice").get(0);
    String refreshToken = c.cookie("sRefreshToken");

    TestApp.Reply out = c.send("POST", "/auth/signout", "rid", "session");

    assertThat(out.status()).isEqualTo(200);
    assertThat(out.body()).isEqualTo("{\"status\":\"OK\"}");
    assertThat(out.setCookie("sAccessToken"))
        .isEqualTo(
            "sAccessToken=; Path=/; "
                + "Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; HttpOnly; Secure; SameSite=Lax");
    assertThat(out.setCookie("sRefreshToken"))
        .isEqualTo(
            "sRefreshToken=; "
                + "Path=/auth/session/refresh; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; "
                + "HttpOnly; Secure; SameSite=Lax");
    assertThat(out.header("front-token")).isEqualTo("remove");
    assertThat(out.exposed()).contains("front-token");
    assertThatThrownBy(() -> app.engine.getSessionInformation(handle))
        .isInstanceOf(HallpassException.class);

    TestApp.Reply refresh =
        c.send("POST", "/auth/session/refresh", "Cookie", "sRefreshToken=" + refreshToken);
    assertThat(refresh.status()).isEqualTo(401);
    assertThat(refresh.body()).isEqualTo("{\"message\":\"unauthorised\"}");
  }

  @Test
  void sessionEndpoints_refuseOtherMethods() throws Exception {
    TestApp.Reply r = app.client().send("GET", "/auth/session/refresh");

    assertThat(r.status()).isEqualTo(405);
    assertThat(r.header("Allow")).isEqualTo("POST");
  }

  @Test
  void updateJWTPayload_sendsTheNewAccessTokenCookieAndFrontToken() throws Exception {
    TestApp.Client c = app.client();
    c.send("POST", "/signin?user=alice");

    TestApp.Reply r = c.send("POST", "/api/payload?role=editor");

    assertThat(r.status()).isEqualTo(200);
    assertThat(r.setCookie("sAccessToken")).startsWith("sAccessToken=" + c.cookie("sAccessToken"));
    assertThat(r.setCookies("sRefreshToken")).isEmpty();
    @SuppressWarnings("unchecked")
    Map<String, Object> up = (Map<String, Object>) r.frontToken().get("up");
    assertThat(up).containsEntry("role", "editor");
    assertThat(c.send("GET", "/api/session").body()).contains("\"role\":\"editor\"");
  }

  @Test
  void revokeSession_fromApplicationCode_clearsTheCookies() throws Exception {
    TestApp.Client c = app.client();
    c.send("POST", "/signin?user=alice");

    TestApp.Reply r = c.send("POST", "/api/revoke");

    assertThat(r.status()).isEqualTo(200);
    assertThat(r.setCookie("sAccessToken")).contains("Max-Age=0");
    assertThat(r.header("front-token")).isEqualTo("remove");
    assertThat(c.jar).isEmpty();
  }

  @Test
  void optionalSession_isNullWithoutTokens_butAnExpiredTokenStillAsksForRefresh() throws Exception {
    TestApp.Client c = app.client();
    assertThat(c.send("GET", "/api/optional").body()).isEqualTo("{\"userId\":null}");

    c.send("POST", "/signin?user=alice");
    assertThat(c.send("GET", "/api/optional").body()).isEqualTo("{\"userId\":\"alice\"}");

    app.clock.advance(TestApp.ACCESS_VALIDITY.plus(Duration.ofSeconds(1)));
    TestApp.Reply expired = c.send("GET", "/api/optional");
    assertThat(expired.status()).isEqualTo(401);
    assertThat(expired.body()).isEqualTo("{\"message\":\"try refresh token\"}");
  }

  @Test
  void noToken_answersUnauthorisedWithoutClearingAnything() throws Exception {
    TestApp.Reply r = app.client().send("GET", "/api/session");

    assertThat(r.status()).isEqualTo(401);
    assertThat(r.body()).isEqualTo("{\"message\":\"unauthorised\"}");
    assertThat(r.header("front-token")).isNull();
    assertThat(r.raw.headers().allValues("Set-Cookie")).isEmpty();
  }

  @Test
  void contextPath_scopesTheRefreshCookieAndEndpoints() throws Exception {
    try (TestApp nested =
        TestApp.start(
            w -> w.allowInsecureCookies().cookieDomain("Example.COM"), 8 * 1024, "/shop")) {
      TestApp.Reply r = nested.client().send("POST", "/signin?user=bob");

      assertThat(r.setCookie("sRefreshToken"))
          .contains("; Path=/shop/auth/session/refresh; Domain=example.com;")
          .doesNotContain("Secure");
      assertThat(r.setCookie("sAccessToken")).contains("; Path=/; Domain=example.com;");
    }
  }
}
