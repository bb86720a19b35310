package dev.hallpass.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ErrorResponsesTest {

  @Test
  void sessionExpiredStatusCode_isConfigurable() throws Exception {
    try (TestApp app =
        TestApp.start(e -> e, w -> w.allowInsecureCookies().sessionExpiredStatusCode(440))) {
      TestApp.Client c = app.client();
      assertThat(c.send("GET", "/api/session").status()).isEqualTo(440);

      c.send("POST", "/signin?user=alice");
      app.clock.advance(TestApp.ACCESS_VALIDITY.plusSeconds(1));
      TestApp.Reply expired = c.send("GET", "/api/session");
      assertThat(expired.status()).isEqualTo(440);
      assertThat(expired.body()).isEqualTo("{\"message\":\"try refresh token\"}");
      assertThat(expired.header("Content-Type")).startsWith("application/json");
    }
  }

  @Test
  void replayedRefreshToken_answersTokenTheft_revokesTheSession_andClearsTokens() throws Exception {
    try (TestApp app = TestApp.start(e -> e, w -> w.sessionExpiredStatusCode(440))) {
      TestApp.Client c = app.client();
      c.send("POST", "/signin?user=alice");
      String stolen = c.cookie("sRefreshToken");
      assertThat(c.send("POST", "/auth/session/refresh").status()).isEqualTo(200);
      // The client uses its new tokens, which confirms them: from now on the old refresh token
      // is theft (before that, a lost refresh answer would be retried with it).
      assertThat(c.send("GET", "/api/session").status()).isEqualTo(200);
      app.clock.advance(Duration.ofMinutes(1)); // past the refresh grace period

      TestApp.Reply theft =
          app.client().send("POST", "/auth/session/refresh", "Cookie", "sRefreshToken=" + stolen);

      assertThat(theft.status()).isEqualTo(440);
      assertThat(theft.body()).isEqualTo("{\"message\":\"token theft detected\"}");
      assertThat(theft.setCookie("sAccessToken")).contains("Max-Age=0");
      assertThat(theft.setCookie("sRefreshToken")).contains("Max-Age=0");
      assertThat(theft.header("front-token")).isEqualTo("remove");
      assertThat(app.engine.getAllSessionHandlesForUser("alice")).isEmpty();
      // The legitimate client's current refresh token is dead too.
      TestApp.Reply victim = c.send("POST", "/auth/session/refresh");
      assertThat(victim.status()).isEqualTo(440);
      assertThat(victim.body()).isEqualTo("{\"message\":\"unauthorised\"}");
    }
  }

  @Test
  void generalError_isA500WithoutInternals() throws Exception {
    try (TestApp app = TestApp.start()) {
      TestApp.Reply r = app.client().send("GET", "/api/store-down");

      assertThat(r.status()).isEqualTo(500);
      assertThat(r.body()).isEqualTo("{\"message\":\"internal error\"}");
      assertThat(r.header("front-token")).isNull();
    }
  }

  @Test
  void hallpassErrorWrappedByApplicationCode_isStillMapped() throws Exception {
    try (TestApp app = TestApp.start()) {
      TestApp.Client c = app.client();
      c.send("POST", "/signin?user=alice");

      TestApp.Reply r = c.send("GET", "/api/wrapped");

      assertThat(r.status()).isEqualTo(401);
      assertThat(r.body()).isEqualTo("{\"message\":\"unauthorised\"}");
      assertThat(r.header("front-token"))
          .as("UNAUTHORISED clears the tokens it came with")
          .isEqualTo("remove");
    }
  }

  @Test
  void otherExceptions_areLeftToTheContainer() throws Exception {
    try (TestApp app = TestApp.start()) {
      TestApp.Reply r = app.client().send("GET", "/api/plain-failure");

      assertThat(r.status()).isEqualTo(500);
      assertThat(r.body()).doesNotContain("\"message\"");
    }
  }

  @Test
  void refreshWithoutAnyToken_isUnauthorisedWithoutClearing() throws Exception {
    try (TestApp app = TestApp.start()) {
      TestApp.Reply r = app.client().send("POST", "/auth/session/refresh");

      assertThat(r.status()).isEqualTo(401);
      assertThat(r.body()).isEqualTo("{\"message\":\"unauthorised\"}");
      // The SDK reads a refresh answered without a front-token as "signed out".
      assertThat(r.header("front-token")).isNull();
    }
  }
}
