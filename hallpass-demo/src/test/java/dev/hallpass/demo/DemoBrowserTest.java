package dev.hallpass.demo;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hallpass.AccessTokenSigning;
import dev.hallpass.Hallpass;
import dev.hallpass.SessionStores;
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
import java.util.function.BiConsumer;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The demo page in real headless Chromium with the real supertokens-website SDK: sign in, let the
 * access token expire (the server's clock is moved, nothing sleeps), watch exactly one refresh and
 * a successful retry whose answer re-issues the access token without its parent claim, and the
 * page's log showing the 401, the refresh and the retry; go through two more refresh cycles, sign
 * out and see the API refuse. Sessions that end by expiry, by a theft verdict or by "sign out
 * everywhere" in another browser are explained on the page. Needs /usr/bin/chromium (skipped
 * without it, failed without it when CI=true) and the playwright-core that the Maven build
 * installs.
 */
class DemoBrowserTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration VALIDITY = Duration.ofMinutes(5);

  /** The session's lifetime without a refresh (the refresh token's validity). */
  private static final Duration SESSION_VALIDITY = Duration.ofHours(1);

  /**
   * What the page's log shows for one click on "GET /api/me" once the access token has expired: the
   * 401 and the refresh the SDK hides from the page, then the retry, whose answer re-issues the
   * access token (the first use of the new tokens).
   */
  private static final List<String> LOG_OF_A_REFRESH =
      List.of(
          "GET /api/me → 401 \"try refresh token\"",
          "POST /auth/session/refresh → 200 (new tokens)",
          "SDK event: ACCESS_TOKEN_PAYLOAD_UPDATED",
          "SDK event: REFRESH_SESSION",
          "GET /api/me → 200 (new access token)",
          "SDK event: ACCESS_TOKEN_PAYLOAD_UPDATED");

  private static final Path CHROMIUM =
      Path.of(System.getenv().getOrDefault("CHROMIUM_PATH", "/usr/bin/chromium"));

  @BeforeAll
  static void needsChromium() {
    if (!Files.isExecutable(CHROMIUM)) {
      String reason =
          CHROMIUM
              + " is missing: install Debian's chromium package "
              + "(apt-get install -y chromium chromium-driver) to run the browser test";
      if ("true".equals(System.getenv("CI"))) {
        throw new AssertionError(reason);
      }
      System.out.println("SKIPPED DemoBrowserTest: " + reason);
      Assumptions.abort(reason);
    }
    assertThat(Path.of("node_modules", "playwright-core"))
        .as("playwright-core is installed by the Maven build's npm ci")
        .isDirectory();
  }

  @Test
  void cookieAndHeaderModes_refreshOnceOnExpiry_andRefuseAfterSignOut() throws Exception {
    JsonNode results = run(AntiCsrfMode.NONE, "cookie", "header");

    JsonNode cookie = results.get("cookie");
    assertSignedInRefreshedAndSignedOut(cookie, "alice-cookie");
    assertThat(cookie.get("cookies").toString())
        .contains("{\"name\":\"sAccessToken\",\"httpOnly\":true,\"path\":\"/\"}")
        .contains(
            "{\"name\":\"sRefreshToken\",\"httpOnly\":true,\"path\":\"/auth/session/refresh\"}");
    assertThat(cookie.get("cookiesAfterSignOut").toString())
        .doesNotContain("sAccessToken")
        .doesNotContain("sRefreshToken");

    JsonNode header = results.get("header");
    assertSignedInRefreshedAndSignedOut(header, "alice-header");
    assertThat(header.get("cookies").toString())
        .as("header mode keeps the tokens out of " + "HttpOnly cookies")
        .doesNotContain("sAccessToken")
        .contains("st-access-token");
  }

  @Test
  void hs256_cookieAndHeaderModes_refreshOnceOnExpiry_andRefuseAfterSignOut() throws Exception {
    List<String> jwksKeys = new ArrayList<>();
    List<String> algorithms = new ArrayList<>();
    JsonNode results =
        run(
            AntiCsrfMode.NONE,
            AccessTokenSigning.HS256,
            (engine, store) -> {
              jwksKeys.addAll(engine.getJwks().getKeyIds());
              store.loadSigningKeys().forEach(k -> algorithms.add(k.publicKeyX509()));
            },
            "cookie",
            "header");

    assertSignedInRefreshedAndSignedOut(results.get("cookie"), "alice-cookie");
    assertSignedInRefreshedAndSignedOut(results.get("header"), "alice-header");
    assertThat(jwksKeys).as("no HMAC key is published").isEmpty();
    assertThat(algorithms).isNotEmpty().containsOnly("hmac:HS256");
  }

  @Test
  void antiCsrfViaToken_worksWithTheRealSdk() throws Exception {
    JsonNode cookie = run(AntiCsrfMode.VIA_TOKEN, "cookie").get("cookie");

    assertSignedInRefreshedAndSignedOut(cookie, "alice-cookie");
    assertThat(cookie.get("payload").has("antiCsrfToken")).isTrue();
  }

  @Test
  void signOutEverywhere_endsTheOtherBrowsersSessionAtItsNextRefresh_whosePageSaysSo()
      throws Exception {
    JsonNode r = run(AntiCsrfMode.NONE, "everywhere").get("everywhere");

    assertThat(r.get("sessionRows").asInt()).isEqualTo(2);
    assertThat(strings(r.get("phoneCalls")))
        .containsExactly(
            "GET /api/me 401", "POST /auth/session/refresh 401", "GET /api/session-ending 200");
    assertThat(r.get("phoneEnded").asText()).startsWith("You were signed out elsewhere");
    assertThat(r.get("phoneSignInShown").asBoolean()).isTrue();
    assertThat(strings(r.get("phoneLog")))
        .containsSubsequence(
            "GET /api/me → 401 \"try refresh token\"",
            "POST /auth/session/refresh → 401 \"unauthorised\" (tokens cleared)",
            "SDK event: UNAUTHORISED",
            "Session ended: signed-out-elsewhere");
    assertThat(r.get("laptopEndedShown").asBoolean())
        .as("signing out here needs no explanation")
        .isFalse();
    assertNoTokenInTheLog(r);
  }

  @Test
  void myDevices_listsEachBrowser_andSignOutThisDevice_endsThatOneOnly() throws Exception {
    JsonNode r = run(AntiCsrfMode.NONE, "devices").get("devices");

    assertThat(strings(r.get("rowsBefore")))
        .containsExactlyInAnyOrder(
            "127.0.0.1 | HallpassDemoTest/laptop | this browser",
            "127.0.0.1 | HallpassDemoTest/phone | sign out this device");
    assertThat(strings(r.get("rowsAfter")))
        .containsExactly("127.0.0.1 | HallpassDemoTest/laptop | this browser");
    assertThat(r.get("phoneEnded").asText()).startsWith("You were signed out elsewhere");
    assertThat(r.get("laptopStillSignedIn").asBoolean()).isTrue();
    assertNoTokenInTheLog(r);
  }

  @Test
  void sessionUnusedPastItsLifetime_endsWithYourSessionExpired() throws Exception {
    JsonNode r = run(AntiCsrfMode.NONE, "expiry").get("expiry");

    assertThat(strings(r.get("calls")))
        .containsExactly(
            "GET /api/me 401", "POST /auth/session/refresh 401", "GET /api/session-ending 200");
    assertThat(r.get("ended").asText()).startsWith("Your session expired");
    assertThat(r.get("signInShown").asBoolean()).isTrue();
    assertThat(strings(r.get("log")))
        .containsExactly(
            "GET /api/me → 401 \"try refresh token\"",
            "POST /auth/session/refresh → 401 \"unauthorised\" (tokens cleared)",
            "SDK event: UNAUTHORISED",
            "GET /api/session-ending → 200",
            "Session ended: expired");
    assertNoTokenInTheLog(r);
  }

  @Test
  void replayedRefreshToken_endsTheSessionWithATheftMessage_inTheCopyAndInTheOriginal()
      throws Exception {
    JsonNode r = run(AntiCsrfMode.NONE, "theft").get("theft");

    assertThat(strings(r.get("originalRefreshCalls")))
        .as("the original used its new tokens")
        .containsExactly("GET /api/me 401", "POST /auth/session/refresh 200", "GET /api/me 200");
    assertThat(strings(r.get("copyRefreshCalls")))
        .containsExactly("POST /auth/session/refresh 401");
    assertThat(strings(r.get("copyLog")))
        .contains(
            "POST /auth/session/refresh → 401 \"token theft detected\" (tokens cleared)",
            "Session ended: token-theft");
    assertThat(r.get("copyEnded").asText())
        .startsWith("Signed out for your safety: token theft " + "detected.");
    assertThat(r.get("copySignInShown").asBoolean()).isTrue();
    assertThat(strings(r.get("copyCookiesAfter"))).doesNotContain("sAccessToken", "sRefreshToken");

    assertThat(strings(r.get("originalCalls")))
        .containsExactly(
            "GET /api/me 401", "POST /auth/session/refresh 401", "GET /api/session-ending 200");
    assertThat(r.get("originalEnded").asText()).isEqualTo(r.get("copyEnded").asText());
    assertThat(strings(r.get("originalLog")))
        .containsSubsequence(
            "POST /auth/session/refresh → 401 \"unauthorised\" (tokens cleared)",
            "Session ended: token-theft");
    assertNoTokenInTheLog(r);
  }

  @Test
  void signOutInOneTab_isExplainedInTheOtherTabAtItsNextCall() throws Exception {
    JsonNode r = run(AntiCsrfMode.NONE, "tabs").get("tabs");

    assertThat(r.get("firstEndedShown").asBoolean()).isFalse();
    assertThat(strings(r.get("secondCalls")))
        .as("no token left to refresh with")
        .containsExactly("GET /api/me 401");
    assertThat(r.get("secondEnded").asText())
        .isEqualTo("You were signed out in another tab of this browser.");
    assertThat(strings(r.get("secondLog")))
        .containsExactly(
            "GET /api/me → 401 \"unauthorised\"",
            "SDK event: UNAUTHORISED",
            "Session ended: signed-out-in-another-tab");
    assertNoTokenInTheLog(r);
  }

  @Test
  void claimGatedPage_refusedWithInvalidClaim_recoversAfterEmailVerified() throws Exception {
    JsonNode results = run(AntiCsrfMode.NONE, "claims", "claims-header");
    for (String scenario : List.of("claims", "claims-header")) {
      JsonNode r = results.get(scenario);
      assertThat(strings(r.get("refusedCalls")))
          .as(scenario)
          .containsExactly("GET /api/members 403");
      assertThat(strings(r.get("refusedLog")))
          .as(
              "%s: the SDK surfaces the 403 as API_INVALID_CLAIM with the server's reasons",
              scenario)
          .containsExactly(
              "GET /api/members → 403 \"invalid claim\" (new access token)",
              "SDK event: ACCESS_TOKEN_PAYLOAD_UPDATED",
              "SDK event: API_INVALID_CLAIM",
              "claim failed: st-ev (wrong value)",
              "failed: invalid claim");
      assertThat(r.get("claimInTokenBefore").asBoolean()).as(scenario).isFalse();
      assertThat(strings(r.get("sdkErrorsBefore")))
          .as("%s: the SDK reads the claim format", scenario)
          .containsExactly("st-ev: wrong value");
      assertThat(r.get("membersResultBefore").asText()).isEmpty();

      assertThat(strings(r.get("recoveredCalls")))
          .as(scenario)
          .containsExactly("POST /api/verify-email 200", "GET /api/members 200");
      assertThat(strings(r.get("recoveredCallsWithTokens")))
          .as("%s: the re-fetched claim comes in a new access token", scenario)
          .containsExactly("GET /api/members 200");
      assertThat(r.get("claimProblemShown").asBoolean()).as(scenario).isFalse();
      assertThat(r.get("claimInTokenAfter").asBoolean()).as(scenario).isTrue();
      assertThat(strings(r.get("sdkErrorsAfter"))).as(scenario).isEmpty();

      assertThat(strings(r.get("afterRefreshCalls")))
          .as("%s: the claim survives the refresh", scenario)
          .containsExactly(
              "GET /api/members 401", "POST /auth/session/refresh 200", "GET /api/members 200");
      assertThat(r.get("claimAfterRefresh").asBoolean()).as(scenario).isTrue();
      assertNoTokenInTheLog(r);
    }
  }

  /** The page's log never held a token value the browser had (and some were checked). */
  private static void assertNoTokenInTheLog(JsonNode r) {
    assertThat(r.get("tokensChecked").asInt()).as("token values looked for").isPositive();
    assertThat(r.get("logShowsAToken").asBoolean()).as("the page's log shows a token").isFalse();
  }

  private static void assertSignedInRefreshedAndSignedOut(JsonNode r, String user) {
    assertThat(r.get("userId").asText()).isEqualTo(user);
    assertThat(r.get("payload").get("sub").asText()).isEqualTo(user);
    assertThat(r.get("payload").get("role").asText()).isEqualTo("visitor");
    assertThat(r.get("sessionRows").asInt()).isEqualTo(1);
    assertThat(r.get("sessionData").get("note").asText())
        .isEqualTo("edited in " + r.get("mode").asText());
    assertThat(r.get("oversizedClaimsStatus").asText())
        .contains("jwtPayload")
        .contains("the limit is 2048");
    assertThat(r.get("claimsStatus").asText()).startsWith("saved");
    assertThat(strings(r.get("callsOnExpiry")))
        .as("one refresh, then the retry succeeds")
        .containsExactly("GET /api/me 401", "POST /auth/session/refresh 200", "GET /api/me 200");
    assertThat(strings(r.get("logOnExpiry")))
        .as("the page's log shows the SDK's hidden steps")
        .isEqualTo(LOG_OF_A_REFRESH);
    assertNoTokenInTheLog(r);
    assertThat(strings(r.get("callsWithTokensOnExpiry")))
        .as("the refresh sends new tokens; the retry, their first use, a re-issued access token")
        .containsExactly("POST /auth/session/refresh 200", "GET /api/me 200");
    assertThat(strings(r.get("claimNamesAfterRefresh")))
        .as("the browser's access token")
        .contains("refreshTokenHash1", "sessionHandle", "theme")
        .doesNotContain("parentRefreshTokenHash1");
    assertThat(r.get("themeAfterRefresh").asText()).isEqualTo("dark");
    assertThat(r.get("apiResult").get("userId").asText()).isEqualTo(user);
    assertThat(strings(r.get("callsAfterRefresh"))).containsExactly("GET /api/me 200");
    assertThat(strings(r.get("callsWithTokensAfterRefresh")))
        .as("no new token once confirmed")
        .isEmpty();
    assertThat(r.get("moreCycles")).hasSize(2);
    int cycle = 0;
    for (JsonNode c : r.get("moreCycles")) {
      cycle++;
      assertThat(strings(c.get("calls")))
          .as("cycle %d", cycle)
          .containsExactly("GET /api/me 401", "POST /auth/session/refresh 200", "GET /api/me 200");
      assertThat(strings(c.get("log"))).as("cycle %d", cycle).isEqualTo(LOG_OF_A_REFRESH);
      assertThat(strings(c.get("callsWithTokens")))
          .as("cycle %d", cycle)
          .containsExactly("POST /auth/session/refresh 200", "GET /api/me 200");
      assertThat(strings(c.get("claimNames")))
          .as("cycle %d", cycle)
          .doesNotContain("parentRefreshTokenHash1");
      assertThat(c.get("sessionData").get("note").asText()).isEqualTo("cycle " + cycle);
    }
    assertThat(strings(r.get("callsOnSignOut"))).containsExactly("POST /auth/signout 200");
    assertThat(r.get("apiStatusAfterSignOut").asInt()).isEqualTo(401);
    assertThat(strings(r.get("callsAfterSignOut")))
        .as("no refresh after signing out")
        .containsExactly("GET /api/me 401");
    assertThat(r.get("endedShownAfterSignOut").asBoolean())
        .as("signed out here: no message")
        .isFalse();
  }

  private static List<String> strings(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }

  /** Starts the demo on a random port with a movable clock and runs the browser script on it. */
  private static JsonNode run(AntiCsrfMode antiCsrf, String... scenarios) throws Exception {
    return run(antiCsrf, AccessTokenSigning.RS256, (engine, store) -> {}, scenarios);
  }

  /** As above, signing with {@code signing}; {@code after} sees the engine and store at the end. */
  private static JsonNode run(
      AntiCsrfMode antiCsrf,
      AccessTokenSigning signing,
      BiConsumer<Hallpass, SessionStore> after,
      String... scenarios)
      throws Exception {
    MutableClock clock = new MutableClock(Instant.now().truncatedTo(ChronoUnit.SECONDS));
    SessionStore store = SessionStores.inMemory(clock);
    try (Hallpass engine =
            Hallpass.builder()
                .store(store)
                .accessTokenSigning(signing)
                .clock(clock)
                .accessTokenValidity(VALIDITY)
                .refreshTokenValidity(SESSION_VALIDITY)
                .antiCsrf(antiCsrf == AntiCsrfMode.VIA_TOKEN)
                .recordClientMetadata(true)
                .disableBackgroundCleanup()
                .build();
        DemoServer server = new DemoServer(engine, 0, antiCsrf, clock)) {
      List<String> command =
          new ArrayList<>(
              List.of(
                  "node",
                  "src/test/js/demo-e2e.mjs",
                  "http://127.0.0.1:" + server.uri().getPort() + "/",
                  Long.toString(VALIDITY.getSeconds()),
                  Long.toString(SESSION_VALIDITY.getSeconds())));
      command.addAll(List.of(scenarios));
      Process node =
          new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
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
        after.accept(engine, store);
        return JSON.readTree(result);
      } finally {
        watchdog.cancel(false);
        node.destroyForcibly();
      }
    }
  }
}
