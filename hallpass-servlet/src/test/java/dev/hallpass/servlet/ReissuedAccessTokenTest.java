package dev.hallpass.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The first request after a refresh: the engine confirms the new refresh token and re-issues the
 * access token without {@code parentRefreshTokenHash1}; the web layer must hand that token to the
 * client (wire protocol, section 1), the way the client's token came, and leave the refresh token
 * alone.
 */
class ReissuedAccessTokenTest {
  private static final String PARENT = "parentRefreshTokenHash1";
  private TestApp app;

  @BeforeEach
  void start() throws Exception {
    app = TestApp.start();
  }

  @AfterEach
  void stop() throws Exception {
    app.close();
  }

  /** Signs in (cookie mode), lets the access token expire and refreshes; returns the refresh. */
  private TestApp.Reply signInAndRefreshWithCookies(TestApp.Client c) throws Exception {
    c.send("POST", "/signin?user=alice");
    app.clock.advance(TestApp.ACCESS_VALIDITY.plusSeconds(1));
    TestApp.Reply refreshed = c.send("POST", "/auth/session/refresh", "rid", "session");
    assertThat(refreshed.status()).isEqualTo(200);
    assertThat(TestApp.jwtPayload(c.cookie("sAccessToken")))
        .as("a refresh's access token")
        .containsKey(PARENT);
    return refreshed;
  }

  @Test
  void cookieMode_firstRequestAfterRefresh_setsAnAccessTokenCookieWithoutTheParentClaim()
      throws Exception {
    TestApp.Client c = app.client();
    signInAndRefreshWithCookies(c);
    String refreshedAccess = c.cookie("sAccessToken");
    String refreshToken = c.cookie("sRefreshToken");

    TestApp.Reply first = c.send("GET", "/api/session");

    assertThat(first.status()).isEqualTo(200);
    assertThat(first.body()).contains("\"userId\":\"alice\"");
    String reissued = first.cookieValue("sAccessToken");
    assertThat(reissued).isNotEqualTo(refreshedAccess);
    assertThat(first.setCookie("sAccessToken")).contains("; Path=/;").contains("; HttpOnly");
    Map<String, Object> claims = TestApp.jwtPayload(reissued);
    assertThat(claims)
        .doesNotContainKey(PARENT)
        .containsEntry(
            "refreshTokenHash1", TestApp.jwtPayload(refreshedAccess).get("refreshTokenHash1"))
        .containsEntry("role", "reader");
    assertThat(first.setCookies("sRefreshToken")).as("the refresh token is left alone").isEmpty();
    assertThat(c.cookie("sRefreshToken")).isEqualTo(refreshToken);
    assertThat(first.header("st-access-token")).isNull();
    @SuppressWarnings("unchecked")
    Map<String, Object> up = (Map<String, Object>) first.frontToken().get("up");
    assertThat(up).doesNotContainKey(PARENT).containsEntry("sub", "alice");
    assertThat(first.exposed()).contains("front-token");
    assertThat(first.header("Cache-Control")).isEqualTo("no-store");
  }

  @Test
  void cookieMode_secondRequestAfterRefresh_getsNoNewToken() throws Exception {
    TestApp.Client c = app.client();
    signInAndRefreshWithCookies(c);
    c.send("GET", "/api/session");
    String reissued = c.cookie("sAccessToken");

    TestApp.Reply second = c.send("POST", "/api/session");

    assertThat(second.status()).isEqualTo(200);
    assertThat(second.raw.headers().allValues("Set-Cookie")).isEmpty();
    assertThat(second.header("front-token")).isNull();
    assertThat(c.cookie("sAccessToken")).isEqualTo(reissued);
  }

  @Test
  void headerMode_firstRequestAfterRefresh_sendsAnAccessTokenHeaderWithoutTheParentClaim()
      throws Exception {
    TestApp.Client c = app.client();
    TestApp.Reply signIn = c.send("POST", "/signin?user=alice", "st-auth-mode", "header");
    app.clock.advance(TestApp.ACCESS_VALIDITY.plusSeconds(1));
    TestApp.Reply refreshed =
        c.send(
            "POST",
            "/auth/session/refresh",
            "st-auth-mode",
            "header",
            "Authorization",
            "Bearer " + signIn.header("st-refresh-token"));
    String refreshedAccess = refreshed.header("st-access-token");
    assertThat(TestApp.jwtPayload(refreshedAccess)).containsKey(PARENT);

    TestApp.Reply first =
        c.send(
            "GET",
            "/api/session",
            "st-auth-mode",
            "header",
            "Authorization",
            "Bearer " + refreshedAccess);

    assertThat(first.status()).isEqualTo(200);
    String reissued = first.header("st-access-token");
    assertThat(reissued).isNotNull().isNotEqualTo(refreshedAccess);
    assertThat(TestApp.jwtPayload(reissued))
        .doesNotContainKey(PARENT)
        .containsEntry(
            "refreshTokenHash1", TestApp.jwtPayload(refreshedAccess).get("refreshTokenHash1"));
    assertThat(first.header("st-refresh-token")).as("the refresh token is left alone").isNull();
    assertThat(first.raw.headers().allValues("Set-Cookie")).isEmpty();
    @SuppressWarnings("unchecked")
    Map<String, Object> up = (Map<String, Object>) first.frontToken().get("up");
    assertThat(up).doesNotContainKey(PARENT);
    assertThat(first.exposed()).contains("st-access-token", "front-token");

    TestApp.Reply second =
        c.send(
            "GET", "/api/session", "st-auth-mode", "header", "Authorization", "Bearer " + reissued);
    assertThat(second.status()).isEqualTo(200);
    assertThat(second.header("st-access-token")).isNull();
    assertThat(second.header("front-token")).isNull();

    // The untouched refresh token still refreshes.
    app.clock.advance(TestApp.ACCESS_VALIDITY.plusSeconds(1));
    TestApp.Reply again =
        c.send(
            "POST",
            "/auth/session/refresh",
            "st-auth-mode",
            "header",
            "Authorization",
            "Bearer " + refreshed.header("st-refresh-token"));
    assertThat(again.status()).isEqualTo(200);
  }

  @Test
  void reissueThenNewPayloadInOneRequest_sendsOneAccessTokenCookie() throws Exception {
    TestApp.Client c = app.client();
    signInAndRefreshWithCookies(c);

    TestApp.Reply r = c.send("POST", "/api/payload?role=editor");

    assertThat(r.status()).isEqualTo(200);
    String token = r.cookieValue("sAccessToken"); // exactly one Set-Cookie for it
    assertThat(TestApp.jwtPayload(token)).containsEntry("role", "editor").doesNotContainKey(PARENT);
    assertThat(c.send("GET", "/api/session").raw.headers().allValues("Set-Cookie")).isEmpty();
  }

  @Test
  void signOutAsFirstRequestAfterRefresh_onlyClearsTheCookies() throws Exception {
    TestApp.Client c = app.client();
    signInAndRefreshWithCookies(c);

    TestApp.Reply out = c.send("POST", "/auth/signout", "rid", "session");

    assertThat(out.status()).isEqualTo(200);
    assertThat(out.setCookie("sAccessToken")).startsWith("sAccessToken=;").contains("Max-Age=0");
    assertThat(out.setCookie("sRefreshToken")).contains("Max-Age=0");
    assertThat(out.header("front-token")).isEqualTo("remove");
    assertThat(c.jar).isEmpty();
  }

  @Test
  void refreshCycles_keepWorking_andEachFirstRequestConfirmsTheNewTokens() throws Exception {
    TestApp.Client c = app.client();
    c.send("POST", "/signin?user=alice");
    for (int cycle = 0; cycle < 3; cycle++) {
      app.clock.advance(TestApp.ACCESS_VALIDITY.plusSeconds(1));
      assertThat(c.send("GET", "/api/session").status())
          .as("cycle %d: expired", cycle)
          .isEqualTo(401);
      assertThat(c.send("POST", "/auth/session/refresh", "rid", "session").status())
          .as("cycle %d: refresh", cycle)
          .isEqualTo(200);
      TestApp.Reply first = c.send("GET", "/api/session");
      assertThat(first.status()).as("cycle %d: retry", cycle).isEqualTo(200);
      assertThat(TestApp.jwtPayload(first.cookieValue("sAccessToken"))).doesNotContainKey(PARENT);
    }
  }
}
