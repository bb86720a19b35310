package dev.hallpass.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import dev.hallpass.spi.SessionStore;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * {@code hallpass.store.redis.uri} with hallpass-redis on the class path: the Redis store is chosen
 * over the application's DataSource (Spring Boot's embedded H2 database here), and sessions work
 * over real HTTP against a real Redis ({@code HALLPASS_TEST_REDIS_URL}, default {@code
 * redis://127.0.0.1:6379}), under a key prefix of this test's own. An unreachable Redis skips the
 * class with a printed reason, and fails it when {@code CI=true}.
 */
@SpringBootTest(
    webEnvironment = WebEnvironment.RANDOM_PORT,
    classes = RedisStoreHttpTest.App.class,
    properties = "hallpass.anti-csrf=via-custom-header")
class RedisStoreHttpTest {

  private static final String PREFIX = "hallpass-spring-test:" + UUID.randomUUID() + ":";

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

  static String redisUrl() {
    String v = System.getenv("HALLPASS_TEST_REDIS_URL");
    return v == null || v.isBlank() ? "redis://127.0.0.1:6379" : v;
  }

  @DynamicPropertySource
  static void redis(DynamicPropertyRegistry r) {
    r.add("hallpass.store.redis.uri", RedisStoreHttpTest::redisUrl);
    r.add("hallpass.store.redis.key-prefix", () -> PREFIX);
  }

  @BeforeAll
  static void requireRedis() {
    String problem;
    try {
      problem = "PONG".equals(withRedis(c -> c.sync().ping())) ? null : "PING not answered";
    } catch (RuntimeException e) {
      problem = e.getMessage();
    }
    if (problem == null) {
      return;
    }
    String reason =
        "Redis is not reachable ("
            + problem
            + "); set HALLPASS_TEST_REDIS_URL or run scripts/services.sh redis";
    if ("true".equalsIgnoreCase(System.getenv("CI"))) {
      fail("CI=true, so not skipping: " + reason);
    }
    System.err.println("SKIPPED Redis Spring tests: " + reason);
    Assumptions.abort(reason);
  }

  @AfterAll
  static void deleteKeys() {
    try {
      withRedis(
          c -> {
            List<String> keys = c.sync().keys(PREFIX + "*");
            if (!keys.isEmpty()) {
              c.sync().del(keys.toArray(new String[0]));
            }
            return null;
          });
    } catch (RuntimeException e) {
      // Redis unreachable: nothing was written.
    }
  }

  private static <T> T withRedis(
      java.util.function.Function<StatefulRedisConnection<String, String>, T> f) {
    RedisClient client = RedisClient.create(redisUrl());
    client.setOptions(
        io.lettuce.core.ClientOptions.builder()
            .timeoutOptions(io.lettuce.core.TimeoutOptions.enabled(Duration.ofSeconds(5)))
            .build());
    try (StatefulRedisConnection<String, String> c = client.connect()) {
      return f.apply(c);
    } finally {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
  }

  @LocalServerPort int port;
  @Autowired SessionStore store;

  @Test
  void redisUri_choosesTheRedisStore_overTheApplicationsDataSource() {
    assertThat(store.getClass().getName()).startsWith("dev.hallpass.redis.");
  }

  @Test
  void sessions_signInRefreshAndSignOut_overHttp_withKeysUnderThePrefix() {
    Browser b = new Browser(port);
    assertThat(b.post("/api/login?user=alice", null, "rid", "session").statusCode()).isEqualTo(200);
    assertThat(b.get("/api/me").body()).contains("\"userId\":\"alice\"");
    List<String> keys = withRedis(c -> c.sync().keys(PREFIX + "*"));
    assertThat(keys).isNotEmpty();

    String oldRefresh = b.cookies.get("sRefreshToken");
    HttpResponse<String> refresh = b.post("/auth/session/refresh", null, "rid", "session");
    assertThat(refresh.statusCode()).isEqualTo(200);
    assertThat(b.cookies.get("sRefreshToken")).isNotEqualTo(oldRefresh);
    assertThat(b.get("/api/me").statusCode()).isEqualTo(200);

    assertThat(b.post("/auth/signout", null, "rid", "session").statusCode()).isEqualTo(200);
    assertThat(b.get("/api/me").statusCode()).isEqualTo(401);
    assertThat(store.findLiveHandlesOfUser("alice", java.time.Instant.now())).isEmpty();
  }
}
