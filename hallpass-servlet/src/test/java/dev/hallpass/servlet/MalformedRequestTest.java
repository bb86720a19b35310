package dev.hallpass.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Base64;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class MalformedRequestTest {
  private static final String UNAUTHORISED = "{\"message\":\"unauthorised\"}";
  private TestApp app;

  @BeforeEach
  void start() throws Exception {
    // Headers up to 64 KiB reach Hallpass, so that its own limits are what is tested.
    app = TestApp.start(w -> w.allowInsecureCookies(), 64 * 1024, "/");
  }

  @AfterEach
  void stop() throws Exception {
    app.close();
  }

  @Test
  void garbageAccessTokenCookie_isUnauthorisedAndCleared() throws Exception {
    TestApp.Reply r = app.client().send("GET", "/api/session", "Cookie", "sAccessToken=garbage");

    assertThat(r.status()).isEqualTo(401);
    assertThat(r.body()).isEqualTo(UNAUTHORISED);
    assertThat(r.setCookie("sAccessToken")).contains("Max-Age=0");
    assertThat(r.header("front-token")).isEqualTo("remove");
  }

  @Test
  void forgedUnsignedJwt_isUnauthorised() throws Exception {
    Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
    String forged =
        b64.encodeToString("{\"alg\":\"none\"}".getBytes())
            + "."
            + b64.encodeToString("{\"sub\":\"admin\"}".getBytes())
            + ".";

    TestApp.Reply r = app.client().send("GET", "/api/session", "Authorization", "Bearer " + forged);

    assertThat(r.status()).isEqualTo(401);
    assertThat(r.body()).isEqualTo(UNAUTHORISED);
  }

  @Test
  void twoAccessTokenCookies_askForRefreshWithoutClearing() throws Exception {
    TestApp.Client c = app.client();
    c.send("POST", "/signin?user=alice");
    String token = c.cookie("sAccessToken");

    TestApp.Reply r =
        app.client()
            .send(
                "GET",
                "/api/session",
                "Cookie",
                "sAccessToken=" + token + "; sAccessToken=" + token);

    assertThat(r.status()).isEqualTo(401);
    assertThat(r.body()).isEqualTo("{\"message\":\"try refresh token\"}");
    assertThat(r.raw.headers().allValues("Set-Cookie")).isEmpty();
  }

  @Test
  void duplicateCookieAcrossTwoCookieHeaders_isStillDetected() throws Exception {
    TestApp.Client c = app.client();
    c.send("POST", "/signin?user=alice");
    String token = c.cookie("sAccessToken");

    TestApp.Reply r =
        app.client()
            .send(
                "GET",
                "/api/session",
                "Cookie",
                "sAccessToken=" + token,
                "Cookie",
                "other=1; sAccessToken=" + token);

    assertThat(r.status()).isEqualTo(401);
    assertThat(r.body()).isEqualTo("{\"message\":\"try refresh token\"}");
  }

  @Test
  void twoRefreshTokenCookies_areUnauthorisedAndCleared() throws Exception {
    TestApp.Client c = app.client();
    c.send("POST", "/signin?user=alice");
    String token = c.cookie("sRefreshToken");

    TestApp.Reply r =
        app.client()
            .send(
                "POST",
                "/auth/session/refresh",
                "Cookie",
                "sRefreshToken=" + token + "; sRefreshToken=x");

    assertThat(r.status()).isEqualTo(401);
    assertThat(r.body()).isEqualTo(UNAUTHORISED);
    assertThat(r.setCookie("sRefreshToken")).contains("Max-Age=0");
    assertThat(app.engine.getAllSessionHandlesForUser("alice")).as("nothing revoked").hasSize(1);
  }

  @Test
  void syntacticallyBrokenCookieHeaders_neverGiveA500() throws Exception {
    String[] headers = {
      ";;; =x; sAccessToken",
      "sAccessToken=\"unterminated",
      "=",
      "sAccessToken=;",
      "sAccessToken==a=b",
      "a=1;;sAccessToken=\"\""
    };
    for (String h : headers) {
      TestApp.Reply r = app.client().send("GET", "/api/session", "Cookie", h);
      assertThat(r.status()).as(h).isEqualTo(401);
      assertThat(r.body()).as(h).isEqualTo(UNAUTHORISED);
    }
  }

  @Test
  void oversizedBearerHeader_isUnauthorised() throws Exception {
    TestApp.Reply r =
        app.client().send("GET", "/api/session", "Authorization", "Bearer " + "a".repeat(20_000));

    assertThat(r.status()).isEqualTo(401);
    assertThat(r.body()).isEqualTo(UNAUTHORISED);
  }

  @Test
  void oversizedCookies_areUnauthorised() throws Exception {
    TestApp.Reply access =
        app.client().send("GET", "/api/session", "Cookie", "sAccessToken=" + "a".repeat(20_000));
    TestApp.Reply refresh =
        app.client()
            .send("POST", "/auth/session/refresh", "Cookie", "sRefreshToken=" + "a".repeat(20_000));

    assertThat(access.status()).isEqualTo(401);
    assertThat(access.body()).isEqualTo(UNAUTHORISED);
    assertThat(refresh.status()).isEqualTo(401);
    assertThat(refresh.body()).isEqualTo(UNAUTHORISED);
  }

  @Test
  void headersBeyondTheContainerLimit_areRefusedByJettyNotWithA500() throws Exception {
    try (TestApp strict = TestApp.start(w -> w, 8 * 1024, "/")) {
      TestApp.Reply r =
          strict
              .client()
              .send("GET", "/api/session", "Authorization", "Bearer " + "a".repeat(20_000));

      assertThat(r.status()).isEqualTo(431);
    }
  }

  @Test
  void twoBearerHeaders_areUnauthorised() throws Exception {
    TestApp.Client c = app.client();
    String access =
        c.send("POST", "/signin?user=alice", "st-auth-mode", "header").header("st-access-token");

    TestApp.Reply r =
        app.client()
            .send(
                "GET",
                "/api/session",
                "Authorization",
                "Bearer " + access,
                "Authorization",
                "Bearer " + access);

    assertThat(r.status()).isEqualTo(401);
    assertThat(r.body()).isEqualTo(UNAUTHORISED);
  }

  @Test
  void nonBearerAuthorization_isNotASessionToken() throws Exception {
    TestApp.Client c = app.client();
    c.send("POST", "/signin?user=alice");

    TestApp.Reply r = c.send("GET", "/api/session", "Authorization", "Basic YWxpY2U6c2VjcmV0");

    assertThat(r.status()).isEqualTo(200);
  }

  @Test
  void unknownAuthMode_fallsBackToBearerThenCookie() throws Exception {
    TestApp.Client c = app.client();
    c.send("POST", "/signin?user=alice");

    assertThat(c.send("GET", "/api/session", "st-auth-mode", "carrier-pigeon").status())
        .isEqualTo(200);
  }
}
