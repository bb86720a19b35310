package dev.hallpass.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hallpass.testkit.MutableClock;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;

/**
 * The auto-configured web layer over real HTTP, without Spring Security: the refresh and sign-out
 * endpoints, {@code Session} controller arguments and {@link HallpassSession} options, and the
 * error answers, with a 440 session-expired status and the custom-header anti-CSRF check. The
 * application's DataSource is Spring Boot's embedded H2 database (no datasource properties).
 */
@SpringBootTest(
    webEnvironment = WebEnvironment.RANDOM_PORT,
    classes = SessionEndpointsHttpTest.App.class,
    properties = {
      "hallpass.session-expired-status=440",
      "hallpass.anti-csrf=via-custom-header",
      "hallpass.access-token-validity=5m",
      "hallpass.refresh-token-validity=1h"
    })
class SessionEndpointsHttpTest {

  @SpringBootConfiguration
  @EnableAutoConfiguration(
      excludeName = {
        "org.springframework.boot.security.autoconfigure.SecurityAutoConfiguration",
        "org.springframework.boot.security.autoconfigure.UserDetailsServiceAutoConfiguration",
        "org.springframework.boot.security.autoconfigure.web.servlet.ServletWebSecurityAutoConfiguration",
        "org.springframework.boot.security.autoconfigure.web.servlet.SecurityFilterAutoConfiguration",
        "org.springframework.boot.security.autoconfigure.actuate.web.servlet.ManagementWebSecurityAutoConfiguration"
      })
  @Import({TestApp.Clocks.class, TestApp.Api.class})
  static class App {}

  @LocalServerPort int port;
  @Autowired MutableClock clock;

  private Browser signedIn(String user) {
    Browser b = new Browser(port);
    HttpResponse<String> login = b.post("/api/login?user=" + user, null);
    assertThat(login.statusCode()).isEqualTo(200);
    assertThat(b.cookies).containsKeys("sAccessToken", "sRefreshToken");
    assertThat(login.headers().firstValue("front-token")).isPresent();
    return b;
  }

  @Test
  void sessionArgument_resolvesTheSignedInUser() {
    Browser b = signedIn("alice");

    HttpResponse<String> me = b.get("/api/me");

    assertThat(me.statusCode()).isEqualTo(200);
    assertThat(me.body()).contains("\"userId\":\"alice\"").contains("\"note\":\"hello\"");
  }

  @Test
  void sessionArgument_withoutTokens_answersTheSessionExpiredStatus_inTheSdkShape() {
    HttpResponse<String> me = new Browser(port).get("/api/me");

    assertThat(me.statusCode()).isEqualTo(440);
    assertThat(me.body()).isEqualTo("{\"message\":\"unauthorised\"}");
  }

  @Test
  void optionalSession_isNullWithoutTokens_andPresentWithThem() {
    assertThat(new Browser(port).get("/api/optional").body()).isEqualTo("{\"signedIn\":false}");
    assertThat(signedIn("bob").get("/api/optional").body()).isEqualTo("{\"signedIn\":true}");
  }

  @Test
  void stateChangingCall_withoutTheRidHeader_failsTheAntiCsrfCheck_unlessTheEndpointOptsOut() {
    Browser b = signedIn("carol");

    HttpResponse<String> forged = b.post("/api/data", "{\"note\":\"forged\"}");
    assertThat(forged.statusCode()).isEqualTo(440);
    assertThat(forged.body()).isEqualTo("{\"message\":\"try refresh token\"}");

    assertThat(b.post("/api/data", "{\"note\":\"mine\"}", "rid", "session").statusCode())
        .isEqualTo(200);
    assertThat(b.get("/api/me").body()).contains("\"note\":\"mine\"");

    assertThat(b.post("/api/unchecked", null).statusCode()).isEqualTo(200);
  }

  @Test
  void refresh_afterTheAccessTokenExpired_givesNewTokensThatWork() {
    Browser b = signedIn("dave");
    String oldRefresh = b.cookies.get("sRefreshToken");
    clock.advance(Duration.ofMinutes(6));

    HttpResponse<String> expired = b.get("/api/me");
    assertThat(expired.statusCode()).isEqualTo(440);
    assertThat(expired.body()).isEqualTo("{\"message\":\"try refresh token\"}");

    HttpResponse<String> refresh = b.post("/auth/session/refresh", null, "rid", "session");
    assertThat(refresh.statusCode()).isEqualTo(200);
    assertThat(refresh.body()).isEqualTo("{\"status\":\"OK\"}");
    assertThat(b.cookies.get("sRefreshToken")).isNotEqualTo(oldRefresh);

    HttpResponse<String> again = b.get("/api/me");
    assertThat(again.statusCode()).isEqualTo(200);
    assertThat(again.headers().allValues("set-cookie"))
        .as("the first use of the new tokens re-issues the access token")
        .anyMatch(c -> c.startsWith("sAccessToken="));
  }

  @Test
  void signOut_clearsTheTokens_andEndsTheSession() {
    Browser b = signedIn("erin");
    String refreshToken = b.cookies.get("sRefreshToken");

    HttpResponse<String> out = b.post("/auth/signout", null, "rid", "session");

    assertThat(out.statusCode()).isEqualTo(200);
    assertThat(b.cookies).doesNotContainKeys("sAccessToken", "sRefreshToken");
    assertThat(b.get("/api/me").statusCode()).isEqualTo(440);
    b.cookies.put("sRefreshToken", refreshToken);
    HttpResponse<String> replay = b.post("/auth/session/refresh", null, "rid", "session");
    assertThat(replay.statusCode()).isEqualTo(440);
    assertThat(replay.body()).isEqualTo("{\"message\":\"unauthorised\"}");
  }

  @Test
  void endpoints_answerOnlyPost() {
    assertThat(new Browser(port).get("/auth/session/refresh").statusCode()).isEqualTo(405);
  }

  @Test
  void generalError_answers500_withoutDetails() {
    HttpResponse<String> broken = new Browser(port).get("/api/broken");

    assertThat(broken.statusCode()).isEqualTo(500);
    assertThat(broken.body()).isEqualTo("{\"message\":\"internal error\"}");
  }
}
