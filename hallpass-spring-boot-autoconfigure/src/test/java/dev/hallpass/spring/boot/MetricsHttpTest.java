package dev.hallpass.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hallpass.micrometer.HallpassMetrics;
import dev.hallpass.testkit.MutableClock;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;

/**
 * Hallpass's meters on the application's {@link SimpleMeterRegistry} after a scripted sequence over
 * real HTTP: sign-in, an expired access token, a refresh, a forged token, a replayed refresh token
 * (theft) and a sign-out, each counted once, and the store calls timed.
 */
@SpringBootTest(
    webEnvironment = WebEnvironment.RANDOM_PORT,
    classes = MetricsHttpTest.App.class,
    properties = {
      "hallpass.access-token-validity=5m",
      "hallpass.refresh-token-validity=1h",
      // No grace period: the replayed refresh token below is theft, not a racing retry.
      "hallpass.refresh-grace-period=0"
    })
class MetricsHttpTest {

  @SpringBootConfiguration
  @EnableAutoConfiguration(
      excludeName = {
        "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration",
        "org.springframework.boot.security.autoconfigure.SecurityAutoConfiguration",
        "org.springframework.boot.security.autoconfigure.UserDetailsServiceAutoConfiguration",
        "org.springframework.boot.security.autoconfigure.web.servlet.ServletWebSecurityAutoConfiguration",
        "org.springframework.boot.security.autoconfigure.web.servlet.SecurityFilterAutoConfiguration",
        "org.springframework.boot.security.autoconfigure.actuate.web.servlet.ManagementWebSecurityAutoConfiguration"
      })
  @Import({TestApp.Clocks.class, TestApp.Api.class})
  static class App {
    @Bean
    SimpleMeterRegistry registry() {
      return new SimpleMeterRegistry();
    }
  }

  @LocalServerPort int port;
  @Autowired MutableClock clock;
  @Autowired MeterRegistry registry;

  private double counter(String name, String... tags) {
    return registry.get(name).tags(tags).counter().count();
  }

  private long storeCalls(String operation) {
    return registry
        .get(HallpassMetrics.STORE_CALLS)
        .tag("operation", operation)
        .tag("outcome", "success")
        .timer()
        .count();
  }

  @Test
  void scriptedSessionLifecycle_countsEachEvent_andTimesTheStore() {
    assertThat(registry).isInstanceOf(SimpleMeterRegistry.class);
    Browser b = new Browser(port);
    assertThat(b.post("/api/login?user=erin", null).statusCode()).isEqualTo(200);
    assertThat(b.get("/api/me").statusCode()).isEqualTo(200);

    clock.advance(Duration.ofMinutes(6));
    assertThat(b.get("/api/me").body()).isEqualTo("{\"message\":\"try refresh token\"}");
    assertThat(b.post("/auth/session/refresh", null).statusCode()).isEqualTo(200);
    assertThat(b.get("/api/me").statusCode()).isEqualTo(200);

    Browser forger = new Browser(port);
    forger.cookies.put("sAccessToken", "not.a.token");
    assertThat(forger.get("/api/me").statusCode()).isEqualTo(401);

    assertThat(b.post("/auth/signout", null).statusCode()).isEqualTo(200);

    Browser thief = new Browser(port);
    assertThat(thief.post("/api/login?user=frank", null).statusCode()).isEqualTo(200);
    String stolen = thief.cookies.get("sRefreshToken");
    assertThat(thief.post("/auth/session/refresh", null).statusCode()).isEqualTo(200);
    // The client uses its new tokens (confirming them); then the old refresh token comes back.
    assertThat(thief.get("/api/me").statusCode()).isEqualTo(200);
    thief.cookies.put("sRefreshToken", stolen);
    assertThat(thief.post("/auth/session/refresh", null).statusCode()).isEqualTo(401);

    assertThat(counter(HallpassMetrics.CREATED)).isEqualTo(2);
    assertThat(counter(HallpassMetrics.REFRESHED)).isEqualTo(2);
    assertThat(counter(HallpassMetrics.REVOKED, "reason", "sign_out")).isEqualTo(1);
    assertThat(counter(HallpassMetrics.REVOKED, "reason", "theft_detected")).isEqualTo(1);
    assertThat(counter(HallpassMetrics.REVOKED, "reason", "expired")).isZero();
    assertThat(counter(HallpassMetrics.THEFTS)).isEqualTo(1);
    assertThat(counter(HallpassMetrics.VERIFICATION_FAILURES, "reason", "expired")).isEqualTo(1);
    assertThat(counter(HallpassMetrics.VERIFICATION_FAILURES, "reason", "invalid")).isEqualTo(1);
    assertThat(storeCalls("insertSession")).isEqualTo(2);
    assertThat(storeCalls("lockAndDecide")).isGreaterThanOrEqualTo(3);
    assertThat(storeCalls("confirmRefreshToken")).isEqualTo(2);
    assertThat(
            registry
                .get(HallpassMetrics.STORE_CALLS)
                .tag("operation", "insertSession")
                .timer()
                .totalTime(java.util.concurrent.TimeUnit.NANOSECONDS))
        .isPositive();
  }
}
