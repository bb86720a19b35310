package dev.hallpass.demo;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hallpass.Hallpass;
import dev.hallpass.servlet.AntiCsrfMode;
import dev.hallpass.spi.SessionStore;
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

/**
 * The demo page in real headless Chromium with the real supertokens-website SDK: sign in, let the
 * access token expire (the server's clock is moved, nothing sleeps), watch exactly one refresh and
 * a successful retry, sign out and see the API refuse. Needs /usr/bin/chromium (skipped without
 * it, failed without it when CI=true) and the playwright-core that the Maven build installs.
 */
class DemoBrowserTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration VALIDITY = Duration.ofMinutes(5);
  private static final Path CHROMIUM = Path.of(
      System.getenv().getOrDefault("CHROMIUM_PATH", "/usr/bin/chromium"));

  @BeforeAll
  static void needsChromium() {
    if (!Files.isExecutable(CHROMIUM)) {
      String reason = CHROMIUM + " is missing: install Debian's chromium package "
          + "(apt-get install -y chromium chromium-driver) to run the browser test";
      if ("true".equals(System.getenv("CI"))) {
        throw new AssertionError(reason);
      }
      System.out.println("SKIPPED DemoBrowserTest: " + reason);
      Assumptions.abort(reason);
    }
    assertThat(Path.of("node_modules", "playwright-core")).as(
        "playwright-core is installed by the Maven build's npm ci").isDirectory();
  }

  @Test
  void cookieAndHeaderModes_refreshOnceOnExpiry_andRefuseAfterSignOut() throws Exception {
    JsonNode results = run(AntiCsrfMode.NONE, "cookie", "header");

    JsonNode cookie = results.get("cookie");
    assertSignedInRefreshedAndSignedOut(cookie, "alice-cookie");
    assertThat(cookie.get("cookies").toString())
        .contains("{\"name\":\"sAccessToken\",\"httpOnly\":true,\"path\":\"/\"}")
        .contains("{\"name\":\"sRefreshToken\",\"httpOnly\":true,\"path\":\"/auth/session/refresh\"}");
    assertThat(cookie.get("cookiesAfterSignOut").toString())
        .doesNotContain("sAccessToken").doesNotContain("sRefreshToken");

    JsonNode header = results.get("header");
    assertSignedInRefreshedAndSignedOut(header, "alice-header");
    assertThat(header.get("cookies").toString()).as("header mode keeps the tokens out of "
        + "HttpOnly cookies").doesNotContain("sAccessToken").contains("st-access-token");
  }

  @Test
  void antiCsrfViaToken_worksWithTheRealSdk() throws Exception {
    JsonNode cookie = run(AntiCsrfMode.VIA_TOKEN, "cookie").get("cookie");

    assertSignedInRefreshedAndSignedOut(cookie, "alice-cookie");
    assertThat(cookie.get("payload").has("antiCsrfToken")).isTrue();
  }

  @Test
  void signOutEverywhere_endsTheOtherBrowsersSessionAtItsNextRefresh() throws Exception {
    JsonNode r = run(AntiCsrfMode.NONE, "everywhere").get("everywhere");

    assertThat(r.get("sessionRows").asInt()).isEqualTo(2);
    assertThat(strings(r.get("phoneCalls"))).containsExactly(
        "GET /api/me 401", "POST /auth/session/refresh 401");
  }

  private static void assertSignedInRefreshedAndSignedOut(JsonNode r, String user) {
    assertThat(r.get("userId").asText()).isEqualTo(user);
    assertThat(r.get("payload").get("sub").asText()).isEqualTo(user);
    assertThat(r.get("payload").get("role").asText()).isEqualTo("visitor");
    assertThat(r.get("sessionRows").asInt()).isEqualTo(1);
    assertThat(r.get("sessionData").get("note").asText()).isEqualTo("edited in " + r.get("mode")
        .asText());
    assertThat(strings(r.get("callsOnExpiry"))).as("one refresh, then the retry succeeds")
        .containsExactly("GET /api/me 401", "POST /auth/session/refresh 200", "GET /api/me 200");
    assertThat(r.get("apiResult").get("userId").asText()).isEqualTo(user);
    assertThat(strings(r.get("callsOnSignOut"))).containsExactly("POST /auth/signout 200");
    assertThat(r.get("apiStatusAfterSignOut").asInt()).isEqualTo(401);
    assertThat(strings(r.get("callsAfterSignOut"))).as("no refresh after signing out")
        .containsExactly("GET /api/me 401");
  }

  private static List<String> strings(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }

  /** Starts the demo on a random port with a movable clock and runs the browser script on it. */
  private static JsonNode run(AntiCsrfMode antiCsrf, String... scenarios) throws Exception {
    MutableClock clock = new MutableClock(Instant.now().truncatedTo(ChronoUnit.SECONDS));
    try (Hallpass engine = Hallpass.builder().store(SessionStore.inMemory()).clock(clock)
        .accessTokenValidity(VALIDITY).antiCsrf(antiCsrf == AntiCsrfMode.VIA_TOKEN)
        .disableBackgroundCleanup().build();
        DemoServer server = new DemoServer(engine, 0, antiCsrf)) {
      List<String> command = new ArrayList<>(List.of("node", "src/test/js/demo-e2e.mjs",
          "http://127.0.0.1:" + server.uri().getPort() + "/",
          Long.toString(VALIDITY.getSeconds())));
      command.addAll(List.of(scenarios));
      Process node = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT)
          .start();
      // A hung browser must not hang the build.
      CompletableFuture<Void> watchdog = CompletableFuture.runAsync(node::destroyForcibly,
          CompletableFuture.delayedExecutor(120, TimeUnit.SECONDS));
      try (BufferedReader out = new BufferedReader(
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
}
