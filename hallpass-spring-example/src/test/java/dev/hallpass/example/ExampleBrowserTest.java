package dev.hallpass.example;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hallpass.spring.boot.HallpassBuilderCustomizer;
import dev.hallpass.spring.boot.HallpassWebBuilderCustomizer;
import dev.hallpass.testkit.MutableClock;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The example application in real headless Chromium with the real supertokens-website SDK: sign in
 * through the page's form, call the protected endpoint, be refused the admin endpoint, let the
 * access token expire (the server's clock is moved, nothing sleeps) and watch the SDK refresh once
 * and retry, change session data, sign out and be refused; then sign in as the admin. Needs
 * /usr/bin/chromium (skipped without it, failed without it when CI=true) and the playwright-core
 * that the Maven build installs.
 */
@SpringBootTest(
    classes = {ExampleApplication.class, ExampleBrowserTest.MovableClock.class},
    webEnvironment = WebEnvironment.RANDOM_PORT,
    properties = "hallpass.access-token-validity=5m")
class ExampleBrowserTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Path CHROMIUM =
      Path.of(System.getenv().getOrDefault("CHROMIUM_PATH", "/usr/bin/chromium"));

  /** The engine's and the web layer's clock, moved by the browser script. */
  @TestConfiguration(proxyBeanMethods = false)
  static class MovableClock {
    @Bean
    MutableClock clock() {
      return new MutableClock(Instant.now().truncatedTo(ChronoUnit.SECONDS));
    }

    @Bean
    HallpassBuilderCustomizer engineClock(MutableClock clock) {
      return b -> b.clock(clock);
    }

    @Bean
    HallpassWebBuilderCustomizer webClock(MutableClock clock) {
      return b -> b.clock(clock);
    }
  }

  @DynamicPropertySource
  static void store(DynamicPropertyRegistry registry) throws Exception {
    Path dir = Files.createTempDirectory("hallpass-example-test");
    registry.add("hallpass.store.embedded-directory", dir::toString);
  }

  @LocalServerPort int port;
  @Autowired MutableClock clock;

  @BeforeAll
  static void needsChromium() {
    if (!Files.isExecutable(CHROMIUM)) {
      String reason =
          CHROMIUM
              + " is missing: install Debian's chromium package "
              + "(scripts/services.sh chromium) to run the browser test";
      if ("true".equals(System.getenv("CI"))) {
        throw new AssertionError(reason);
      }
      System.out.println("SKIPPED ExampleBrowserTest: " + reason);
      Assumptions.abort(reason);
    }
    assertThat(Path.of("node_modules", "playwright-core"))
        .as("playwright-core is installed by the Maven build's npm ci")
        .isDirectory();
  }

  @Test
  void signIn_protectedCall_refreshAfterExpiry_signOut_withTheRealSdk() throws Exception {
    JsonNode r = run();

    assertThat(r.get("status").asText()).isEqualTo("Signed in as alice (roles: USER)");
    assertThat(r.get("cookies").toString())
        .contains("{\"name\":\"sAccessToken\",\"httpOnly\":true,\"path\":\"/\"}")
        .contains(
            "{\"name\":\"sRefreshToken\",\"httpOnly\":true,\"path\":\"/auth/session/refresh\"}");
    assertThat(r.get("me").asText())
        .startsWith("GET /api/me → 200")
        .contains("\"userId\":\"alice\"")
        .contains("\"visits\":0");
    assertThat(r.get("admin").asText()).startsWith("GET /api/admin/stats → 403");

    assertThat(strings(r.get("callsOnExpiry")))
        .as("one refresh, then the retry succeeds")
        .containsExactly("GET /api/me 401", "POST /auth/session/refresh 200", "GET /api/me 200");
    assertThat(r.get("meAfterExpiry").asText()).startsWith("GET /api/me → 200");
    assertThat(r.get("count").asText()).startsWith("PUT /api/session-data → 200");
    assertThat(r.get("meAfterCount").asText()).contains("\"visits\":1");

    assertThat(strings(r.get("callsOnSignOut"))).containsExactly("POST /auth/signout 200");
    assertThat(strings(r.get("cookiesAfterSignOut")))
        .doesNotContain("sAccessToken", "sRefreshToken");
    assertThat(r.get("meAfterSignOut").asText()).startsWith("GET /api/me → 401");
    assertThat(strings(r.get("callsAfterSignOut")))
        .as("nothing to refresh with after signing out")
        .containsExactly("GET /api/me 401");

    assertThat(r.get("adminAsAdmin").asText())
        .startsWith("GET /api/admin/stats → 200")
        .contains("\"requestedBy\":\"admin\"");
  }

  private static List<String> strings(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }

  private JsonNode run() throws Exception {
    Duration validity = Duration.ofMinutes(5);
    Process node =
        new ProcessBuilder(
                "node",
                "src/test/js/example-e2e.mjs",
                "http://localhost:" + port + "/",
                Long.toString(validity.getSeconds()))
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    // A hung browser must not hang the build.
    CompletableFuture<Void> watchdog =
        CompletableFuture.runAsync(
            node::destroyForcibly, CompletableFuture.delayedExecutor(120, TimeUnit.SECONDS));
    try (BufferedReader out =
            new BufferedReader(
                new InputStreamReader(node.getInputStream(), StandardCharsets.UTF_8));
        Writer in = new OutputStreamWriter(node.getOutputStream(), StandardCharsets.UTF_8)) {
      String result = null;
      for (String line; (line = out.readLine()) != null; ) {
        if (line.startsWith("ADVANCE ")) {
          clock.advance(Duration.ofSeconds(Long.parseLong(line.substring(8).trim())));
          in.write("OK\n");
          in.flush();
        } else if (line.startsWith("RESULT ")) {
          result = line.substring(7);
        } else {
          System.out.println("[browser] " + line);
        }
      }
      assertThat(node.waitFor(30, TimeUnit.SECONDS)).as("browser script ended").isTrue();
      assertThat(node.exitValue()).as("browser script exit code").isZero();
      assertThat(result).as("browser script result").isNotNull();
      return JSON.readTree(result);
    } finally {
      watchdog.cancel(false);
      node.destroyForcibly();
    }
  }
}
