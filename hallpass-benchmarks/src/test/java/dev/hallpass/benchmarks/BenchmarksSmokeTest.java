package dev.hallpass.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

/**
 * Runs every benchmark once, briefly, in this JVM (no fork, no warm-up, one 100 ms iteration):
 * proves that each set-up works and each method runs without error against the real servers.
 * Asserts nothing about speed. A server that is unreachable skips its cases with the reason
 * printed, except under {@code CI=true}, where it fails them.
 */
class BenchmarksSmokeTest {

  @Test
  void tokenVerificationBenchmarks_inMemory_eachRunWithoutError() throws RunnerException {
    List<String> methods =
        List.of(
            "bareJcaVerify",
            "rs256Sign",
            "rs256SignThreads2",
            "freshTokenString",
            "nimbusVerify",
            "jjwtVerify",
            "hallpassGetSessionCold",
            "hallpassGetSessionWarm",
            "hallpassGetSessionWarmFreshString");
    assertRan(run(TokenVerificationBenchmark.class, methods, null), methods.toArray(String[]::new));
  }

  @Test
  void getSessionWithBlacklisting_onPostgres_runsWithoutError() throws RunnerException {
    requireServer(Services.POSTGRESQL);
    List<String> methods =
        List.of(
            "hallpassGetSessionColdBlacklistingPostgres",
            "hallpassGetSessionWarmBlacklistingPostgres");
    assertRan(run(TokenVerificationBenchmark.class, methods, null), methods.toArray(String[]::new));
  }

  @ParameterizedTest
  @ValueSource(strings = {"h2", "postgresql", "mariadb", "redis"})
  void sessionWriteBenchmarks_eachRunWithoutError_onDatabase(String db) throws RunnerException {
    Fixtures.Db d = Fixtures.Db.of(db);
    if (d.server != null) {
      requireServer(d.server);
    }
    List<String> methods =
        List.of(
            "createNewSession",
            "createNewSessionThreads2",
            "refreshSession",
            "refreshSessionThreads2",
            "updateSessionData",
            "updateSessionDataThreads2");
    assertRan(
        run(SessionWriteBenchmark.class, methods, db),
        methods.stream().map(m -> m + "[db=" + db + "]").toArray(String[]::new));
  }

  @Test
  void blacklistingBenchmark_onPostgres_runsWithoutError_andNoMeasuredCallAsksTheStore()
      throws RunnerException {
    requireServer(Services.POSTGRESQL);
    // The "on" trials' tear-down throws (a benchmark error) if a measured call reached the store.
    assertRan(
        run(BlacklistingBenchmark.class, List.of("getSession"), "postgresql"),
        "getSession[db=postgresql]");
  }

  @Test
  void springSessionJdbcBenchmark_onPostgres_runsWithoutError() throws RunnerException {
    requireServer(Services.POSTGRESQL);
    assertRan(
        run(SpringSessionBenchmark.class, List.of("springSessionJdbcPostgres"), null),
        "springSessionJdbcPostgres");
  }

  @Test
  void springSessionRedisBenchmark_onRedis_runsWithoutError() throws RunnerException {
    requireServer(Services.REDIS);
    assertRan(
        run(SpringSessionBenchmark.class, List.of("springSessionRedis"), null),
        "springSessionRedis");
  }

  @Test
  void httpBenchServer_answersPublicAlways_andProtectedOnlyWithAToken() throws Exception {
    try (HttpBenchServer server = HttpBenchServer.start(0)) {
      HttpClient client = HttpClient.newHttpClient();
      String base = "http://127.0.0.1:" + server.port();

      HttpResponse<String> pub = get(client, base + "/public", null, null);
      HttpResponse<String> bearer =
          get(client, base + "/protected", "Authorization", "Bearer " + server.accessToken());
      HttpResponse<String> cookie =
          get(client, base + "/protected", "Cookie", "sAccessToken=" + server.accessToken());
      HttpResponse<String> none = get(client, base + "/protected", null, null);
      HttpResponse<String> forged =
          get(
              client,
              base + "/protected",
              "Authorization",
              "Bearer "
                  + server.accessToken().substring(0, server.accessToken().length() - 4)
                  + "AAAA");

      assertThat(pub.statusCode()).isEqualTo(200);
      assertThat(bearer.statusCode()).isEqualTo(200);
      assertThat(bearer.body()).contains(Fixtures.USER_ID);
      assertThat(cookie.statusCode()).isEqualTo(200);
      assertThat(none.statusCode()).isEqualTo(401);
      assertThat(none.body()).isEqualTo("{\"message\":\"unauthorised\"}");
      assertThat(forged.statusCode()).isEqualTo(401);
    }
  }

  /**
   * Starts the standalone server's shaded jar (as run.sh does), prepares the wrk bodies, and checks
   * that the verify body verifies, the control changes nothing, and a tampered token is caught by
   * the check; with wrk installed, also runs the Lua script for a second.
   */
  @Test
  @Timeout(120)
  void standaloneServerSetup_writesEqualSizeBodies_thatTheServerAnswersAsExpected(@TempDir Path dir)
      throws Exception {
    Path jar = requireServerJar();
    Path log = dir.resolve("server.log");
    Process server =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m",
                "-jar",
                jar.toString(),
                "--port",
                "0",
                "--in-memory-store")
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    try {
      String base = "http://127.0.0.1:" + awaitPort(server, log);
      StandaloneServerSetup setup = new StandaloneServerSetup(base);

      String token = setup.create(dir);
      setup.check(dir);

      Path verify = dir.resolve(StandaloneServerSetup.VERIFY_BODY);
      Path noop = dir.resolve(StandaloneServerSetup.NOOP_BODY);
      assertThat(Files.readString(verify)).contains(token).contains("\"checkDatabase\":false");
      assertThat(Files.size(noop)).isEqualTo(Files.size(verify));
      if (wrkInstalled()) {
        String out = runWrk(base + "/recipe/session/verify", verify);
        assertThat(out).contains("Requests/sec:").doesNotContain("Non-2xx");
        setup.check(dir); // the session is still there and verifies
      } else {
        System.err.println("wrk is not installed: benchmarks/server-verify.lua not exercised");
      }
      Files.writeString(
          verify,
          Files.readString(verify).replace(token, token.substring(0, token.length() - 4) + "AAAA"));
      assertThatThrownBy(() -> setup.check(dir))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("UNAUTHORISED");
    } finally {
      server.destroy();
      if (!server.waitFor(20, TimeUnit.SECONDS)) {
        server.destroyForcibly().waitFor();
      }
    }
  }

  /** The shaded hallpass-server jar run.sh starts ($HALLPASS_SERVER_JAR overrides). */
  private static Path requireServerJar() {
    String env = System.getenv("HALLPASS_SERVER_JAR");
    Path jar =
        env != null && !env.isBlank()
            ? Path.of(env)
            : Path.of("..", "hallpass-server", "target", "hallpass-server.jar");
    if (Files.isRegularFile(jar)) {
      return jar;
    }
    String problem =
        jar
            + " is missing (build it from the repository root: ./mvnw -q -pl"
            + " hallpass-server -am package -DskipTests)";
    if ("true".equalsIgnoreCase(System.getenv("CI"))) {
      fail("CI=true, so not skipping: " + problem);
    }
    System.err.println("SKIPPED standalone server check: " + problem);
    Assumptions.abort(problem);
    return jar;
  }

  private static int awaitPort(Process server, Path log) throws Exception {
    Pattern listening = Pattern.compile("listening on http://127\\.0\\.0\\.1:(\\d+) ");
    for (int i = 0; i < 600; i++) {
      if (Files.exists(log)) {
        Matcher m = listening.matcher(Files.readString(log));
        if (m.find()) {
          return Integer.parseInt(m.group(1));
        }
      }
      if (!server.isAlive()) {
        break;
      }
      Thread.sleep(100);
    }
    return fail("hallpass-server did not start: " + Files.readString(log));
  }

  private static boolean wrkInstalled() throws InterruptedException {
    try {
      new ProcessBuilder("wrk", "-v")
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD)
          .start()
          .waitFor(); // exits 1: usage
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static String runWrk(String url, Path body) throws Exception {
    Process wrk =
        new ProcessBuilder(
                "wrk",
                "-t1",
                "-c4",
                "-d1s",
                "-s",
                Path.of("..", "benchmarks", "server-verify.lua").toString(),
                url,
                "--",
                body.toString())
            .redirectErrorStream(true)
            .start();
    String out = new String(wrk.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(wrk.waitFor()).as(out).isZero();
    return out;
  }

  private static HttpResponse<String> get(
      HttpClient client, String url, String header, String value) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url));
    if (header != null) {
      b.header(header, value);
    }
    return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** Runs the named methods of one class once, in this JVM; fails on any benchmark error. */
  private static Collection<RunResult> run(Class<?> benchmark, List<String> methods, String db)
      throws RunnerException {
    String regex = Pattern.quote(benchmark.getName()) + "\\.(" + String.join("|", methods) + ")$";
    ChainedOptionsBuilder options =
        new OptionsBuilder()
            .include(regex)
            .forks(0)
            .warmupIterations(0)
            .measurementIterations(1)
            .measurementTime(TimeValue.milliseconds(100))
            .shouldFailOnError(true)
            .verbosity(VerboseMode.SILENT);
    if (db != null) {
      options.param("db", db);
    }
    return new Runner(options.build()).run();
  }

  /** Checks that exactly the expected benchmarks (method[params]) produced a score. */
  private static void assertRan(Collection<RunResult> results, String... expected) {
    Set<String> ran = new TreeSet<>();
    for (RunResult r : results) {
      String name = r.getParams().getBenchmark();
      String key = name.substring(name.lastIndexOf('.') + 1);
      if (r.getParams().getParamsKeys().contains("db")) {
        key += "[db=" + r.getParams().getParam("db") + "]";
      }
      assertThat(r.getPrimaryResult().getScore()).as(key).isPositive();
      ran.add(key);
    }
    assertThat(ran).containsExactlyInAnyOrder(expected);
  }

  private static void requireServer(Services server) {
    String problem = server.problem();
    if (problem == null) {
      return;
    }
    if ("true".equalsIgnoreCase(System.getenv("CI"))) {
      fail("CI=true, so not skipping: " + problem);
    }
    System.err.println("SKIPPED " + server.displayName + " benchmarks: " + problem);
    Assumptions.abort(problem);
  }
}
