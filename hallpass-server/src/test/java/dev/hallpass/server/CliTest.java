package dev.hallpass.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CliTest {
  private static final String KEY = "abcdefghij0123456789-=";

  private static ServerConfig run(String... args) {
    Cli.Outcome o = Cli.parse(args);
    assertThat(o).as("outcome of %s", String.join(" ", args)).isInstanceOf(Cli.Run.class);
    return ((Cli.Run) o).config();
  }

  private static Cli.Exit exit(String... args) {
    Cli.Outcome o = Cli.parse(args);
    assertThat(o).as("outcome of %s", String.join(" ", args)).isInstanceOf(Cli.Exit.class);
    return (Cli.Exit) o;
  }

  private static void assertRejected(String option, String... args) {
    Cli.Exit e = exit(args);
    assertThat(e.code()).isEqualTo(Cli.EXIT_USAGE);
    assertThat(e.text()).contains(option).contains("--help");
  }

  @Test
  void noOptions_givesTheDocumentedDefaults() {
    ServerConfig c = run();
    assertThat(c.port()).isEqualTo(3567);
    assertThat(c.host()).isEqualTo("127.0.0.1");
    assertThat(c.databaseUrl()).isNull();
    assertThat(c.inMemoryStore()).isFalse();
    assertThat(c.dataDir()).isEqualTo(Path.of("hallpass-data"));
    assertThat(c.accessTokenValidity()).isEqualTo(Duration.ofHours(1));
    assertThat(c.refreshTokenValidity()).isEqualTo(Duration.ofDays(100));
    assertThat(c.signingKeyRotationInterval()).isEqualTo(Duration.ofDays(7));
    assertThat(c.refreshGracePeriod()).as("the engine's default").isNull();
    assertThat(c.databasePoolSize()).as("the store's default").isNull();
    assertThat(c.logLevel()).isEqualTo("info");
    assertThat(c.maxThreads()).isEqualTo(32);
  }

  @Test
  void help_printsUsageAndExitsZero() {
    Cli.Exit e = exit("--help");
    assertThat(e.code()).isZero();
    assertThat(e.text())
        .contains(
            "--port",
            "--database-url",
            "--api-keys",
            "--access-token-validity",
            "--signing-key-rotation",
            "--log-level",
            "--config");
    assertThat(exit("-h").text()).isEqualTo(e.text());
    assertThat(e.text().lines()).allSatisfy(line -> assertThat(line.length()).isLessThan(80));
    assertThat(e.text())
        .contains(
            "      --port=<port>         Port to listen on (0 picks a free "
                + "one). Default:"
                + System.lineSeparator()
                + "                              3567.");
  }

  @Test
  void version_printsTheVersionAndExitsZero() {
    for (String option : new String[] {"--version", "-V"}) {
      Cli.Exit e = exit(option);
      assertThat(e.code()).isZero();
      assertThat(e.text()).startsWith("hallpass-server ");
    }
  }

  @Test
  void optionValues_mayFollowAnEqualsSign_andApiKeysAddUp() {
    ServerConfig c =
        run(
            "--port=0",
            "--in-memory-store",
            "--api-keys=" + KEY,
            "--api-keys",
            KEY + "x," + KEY + "y",
            "--log-level=warn");
    assertThat(c.port()).isZero();
    assertThat(c.inMemoryStore()).isTrue();
    assertThat(c.apiKeys()).containsExactly(KEY, KEY + "x", KEY + "y");
    assertThat(c.logLevel()).isEqualTo("warn");
    assertThat(run("--in-memory-store=false").inMemoryStore()).isFalse();
  }

  @Test
  void tenants_areParsedInOrder_withoutDuplicates_andDefaultToAny() {
    assertThat(run().tenants()).isEmpty();
    assertThat(run("--tenants", "t1, public,t-2", "--tenants=t1,x9").tenants())
        .containsExactly("t1", "public", "t-2", "x9");
    assertThat(exit("--help").text()).contains("--tenants");
  }

  @Test
  void tenants_invalidOrReserved_areRejected_namingTheOption() {
    for (String bad : new String[] {"T1", "a_b", "a/b", "x".repeat(129), "caf\u00e9"}) {
      assertRejected("--tenants", "--tenants", "ok," + bad);
      assertThat(exit("--tenants", bad).text()).contains("is not a tenant id");
    }
    for (String reserved : new String[] {"recipe", "hello", "apiversion", "appid-x", "users"}) {
      assertThat(exit("--tenants", reserved).text())
          .contains("--tenants: '" + reserved + "' is reserved");
    }
  }

  @Test
  void malformedCommandLines_areRejected_namingTheArgument() {
    assertThat(exit("--port", "1", "--port", "2").text())
        .startsWith("hallpass-server: option '--port' (<port>) should be specified only once");
    assertThat(exit("--port").text())
        .startsWith("hallpass-server: Missing required parameter for option '--port' (<port>)");
    assertThat(exit("--port", "--host", "x").text())
        .startsWith(
            "hallpass-server: Expected parameter for option '--port' but found option '--host'");
    assertThat(exit("--port", "abc").text())
        .startsWith("hallpass-server: Invalid value for option '--port': 'abc' is not an int");
    assertThat(exit("--in-memory-store=yes").text())
        .startsWith(
            "hallpass-server: Invalid value for option '--in-memory-store': 'yes' is not a boolean");
    assertThat(exit("--nope=1").text()).startsWith("hallpass-server: Unknown option: '--nope'");
    // A mistyped option's value may be a secret: it is not echoed.
    assertThat(exit("--api-key=s3cret-key-value").text())
        .startsWith("hallpass-server: Unknown option: '--api-key'")
        .doesNotContain("s3cret-key-value");
    assertThat(exit("--port", "1", "extra").text())
        .startsWith(
            "hallpass-server: Unmatched argument at index 2: this command takes options only")
        .doesNotContain("extra");
    // A stray argument may be a secret (a second key after --api-keys): it is not echoed.
    assertThat(
            exit("--api-keys", "first-key-0123456789abcdef", "second-key-0123456789abcdef").text())
        .startsWith("hallpass-server: Unmatched argument at index 2")
        .doesNotContain("second-key-0123456789abcdef");
    assertThat(exit("--", "--port", "1").text())
        .startsWith(
            "hallpass-server: Unmatched argument at index 1: this command takes options only");
    assertThat(exit("--help", "--port", "abc").code())
        .as("values are checked even with --help")
        .isEqualTo(Cli.EXIT_USAGE);
  }

  @Test
  void options_areParsed_withDurationsInEveryForm() {
    ServerConfig c =
        run(
            "--port",
            "0",
            "--host",
            "0.0.0.0",
            "--database-url",
            "jdbc:postgresql://db/hp",
            "--database-user",
            "hp",
            "--database-password",
            "pw",
            "--database-pool-size",
            "3",
            "--api-keys",
            KEY + "," + KEY + "x",
            "--access-token-validity",
            "900",
            "--refresh-token-validity",
            "PT48H",
            "--signing-key-rotation",
            "2d",
            "--refresh-grace-period",
            "10s",
            "--log-level",
            "DEBUG",
            "--max-threads",
            "16",
            "--shutdown-timeout",
            "5m");
    assertThat(c.port()).isZero();
    assertThat(c.databaseUrl()).isEqualTo("jdbc:postgresql://db/hp");
    assertThat(c.databasePassword()).isEqualTo("pw");
    assertThat(c.databasePoolSize()).isEqualTo(3);
    assertThat(c.apiKeys()).containsExactly(KEY, KEY + "x");
    assertThat(c.accessTokenValidity()).isEqualTo(Duration.ofMinutes(15));
    assertThat(c.refreshTokenValidity()).isEqualTo(Duration.ofHours(48));
    assertThat(c.signingKeyRotationInterval()).isEqualTo(Duration.ofDays(2));
    assertThat(c.refreshGracePeriod()).isEqualTo(Duration.ofSeconds(10));
    assertThat(c.logLevel()).isEqualTo("debug");
    assertThat(c.shutdownTimeout()).isEqualTo(Duration.ofMinutes(5));
  }

  @Test
  void toString_hidesThePasswordAndUrlParameters() {
    ServerConfig c =
        run(
            "--database-url",
            "jdbc:postgresql://db/hp?password=secret1",
            "--database-password",
            "secret2",
            "--api-keys",
            KEY);
    assertThat(c.toString())
        .doesNotContain("secret1", "secret2", KEY)
        .contains("jdbc:postgresql://db/hp");
  }

  @Test
  void invalidValues_nameTheOption_andExitWithUsageError() {
    assertRejected("--port", "--port", "abc");
    assertRejected("--port", "--port", "70000");
    assertRejected("--access-token-validity", "--access-token-validity", "soon");
    assertRejected("--access-token-validity", "--access-token-validity", "0");
    assertRejected("--access-token-validity", "--access-token-validity", "PT0.5S");
    assertRejected("--signing-key-rotation", "--signing-key-rotation", "30s");
    assertRejected("--refresh-grace-period", "--refresh-grace-period", "-5");
    assertRejected("--log-level", "--log-level", "loud");
    assertRejected("--max-threads", "--max-threads", "2");
    assertRejected("--in-memory-store", "--in-memory-store", "--data-dir", "x");
    assertRejected("--data-dir", "--database-url", "jdbc:h2:mem:x", "--data-dir", "x");
    assertRejected("--database-url", "--database-user", "hp");
    assertRejected("--database-url", "--database-pool-size", "3");
    assertRejected("--shutdown-timeout", "--shutdown-timeout", "-5");
    assertRejected("--no-such-option", "--no-such-option");
  }

  // --- the engine's and the store's settings: their builders' own messages --------------------

  @Test
  void engineSetting_refusedByTheBuildersSetter_isReportedWithItsMessage_andExits2() {
    Cli.Exit e = exit("--access-token-validity", "PT0.5S");
    assertThat(e.code()).isEqualTo(Cli.EXIT_USAGE);
    assertThat(e.text())
        .startsWith("hallpass-server: accessTokenValidity must be a whole number " + "of seconds")
        .contains("(--access-token-validity)")
        .contains("--help");

    e = exit("--signing-key-rotation", "30s");
    assertThat(e.text())
        .contains(
            "signingKeyRotationInterval must be at least 1 minute " + "(--signing-key-rotation)");
  }

  /** What {@link HallpassServer#start} refuses, as {@link Main} prints it. */
  private static Cli.Exit startRefused(String... args) {
    ServerConfig config = run(args);
    Throwable thrown =
        catchThrowable(() -> HallpassServer.start(config, Clock.systemUTC()).close());
    assertThat(thrown)
        .as("start with %s", String.join(" ", args))
        .isInstanceOf(Cli.InvalidConfig.class);
    return Cli.usageError(thrown.getMessage());
  }

  @Test
  void conflictingEngineSettings_areReportedWithTheBuildersMessage_atStart() {
    Cli.Exit e = startRefused("--port", "0", "--in-memory-store", "--refresh-grace-period", "2h");
    assertThat(e.code()).isEqualTo(Cli.EXIT_USAGE);
    assertThat(e.text())
        .contains(
            "refreshGracePeriod (PT2H) must not be longer than "
                + "accessTokenValidity (PT1H) (--refresh-grace-period, --access-token-validity)");

    e = startRefused("--port", "0", "--in-memory-store", "--refresh-token-validity", "30m");
    assertThat(e.text())
        .contains(
            "refreshTokenValidity (PT30M) must be longer than " + "accessTokenValidity (PT1H)")
        .contains("--refresh-token-validity");
  }

  @Test
  void databaseSettings_refusedByTheStoreBuilder_areReportedWithItsMessage_atStart() {
    assertThat(startRefused("--port", "0", "--database-url", "postgres://db/hp").text())
        .contains("jdbcUrl")
        .contains("(--database-url)");
    assertThat(
            startRefused(
                    "--port",
                    "0",
                    "--database-url",
                    "jdbc:h2:mem:cli-pool",
                    "--database-pool-size",
                    "0")
                .text())
        .contains("maximumPoolSize")
        .contains("(--database-pool-size)");
  }

  /** The grace period defaults to min(30 s, validity): the CLI no longer insists on 30 s. */
  @Test
  void shortAccessTokenValidityAlone_starts_withTheGracePeriodOfTheValidity() throws Exception {
    assertThat(run("--access-token-validity", "3s").refreshGracePeriod()).isNull();
    try (TestServer t = new TestServer("--access-token-validity", "3s")) {
      JsonNode p = t.createSession("grace", "{}", "{}");
      String rt = p.get("refreshToken").get("token").asText();
      String csrf = p.get("antiCsrfToken").asText();
      String c = t.refresh(rt, csrf).get("refreshToken").get("token").asText();
      t.clock.advance(Duration.ofMillis(2_999));
      assertThat(t.refresh(rt, csrf).get("refreshToken").get("token").asText())
          .as("within 3 s: the same new token")
          .isEqualTo(c);
      t.clock.advance(Duration.ofMillis(1));
      JsonNode after = t.refresh(rt, csrf);
      assertThat(after.get("status").asText()).isEqualTo("OK");
      assertThat(after.get("refreshToken").get("token").asText())
          .as("after 3 s, the unused one is replaced")
          .isNotEqualTo(c);
    }
  }

  // --- the real command ------------------------------------------------------------------------

  private record Ran(int exitCode, String output) {}

  /** Runs {@link Main} in a new JVM; stops it with SIGTERM once it prints {@code until}. */
  private static Ran main(String until, String... args) throws Exception {
    return mainWithJvmOptions(List.of(), until, args);
  }

  /** {@link #main(String, String...)} with these JVM options. */
  private static Ran mainWithJvmOptions(List<String> jvmOptions, String until, String... args)
      throws Exception {
    List<String> command =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1",
                "-Xshare:auto"));
    command.addAll(jvmOptions);
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName()));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    p.getOutputStream().close();
    StringBuffer out = new StringBuffer();
    CompletableFuture<Void> seen = new CompletableFuture<>();
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader r =
                  new BufferedReader(
                      new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                  out.append(line).append('\n');
                  if (until != null && line.contains(until)) {
                    seen.complete(null);
                  }
                }
              } catch (IOException e) {
                out.append("(output unreadable: ").append(e.getMessage()).append(")\n");
              }
            });
    reader.start();
    try {
      if (until != null) {
        CompletableFuture.anyOf(seen, p.onExit()).get(60, TimeUnit.SECONDS);
        if (seen.isDone()) {
          p.toHandle().destroy(); // SIGTERM
        }
      }
      assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("exited; output:%n%s", out).isTrue();
      reader.join(5_000);
      return new Ran(p.exitValue(), out.toString());
    } finally {
      if (p.isAlive()) {
        p.destroyForcibly();
      }
    }
  }

  @Test
  void command_withConflictingSettings_printsTheBuildersMessage_andExits2() throws Exception {
    Ran r =
        main(
            null,
            "--port",
            "0",
            "--in-memory-store",
            "--access-token-validity",
            "10s",
            "--refresh-grace-period",
            "1m");
    assertThat(r.exitCode()).as("output:%n%s", r.output()).isEqualTo(Cli.EXIT_USAGE);
    assertThat(r.output())
        .startsWith(
            "hallpass-server: refreshGracePeriod (PT1M) must not be "
                + "longer than accessTokenValidity (PT10S)")
        .contains("--help")
        .doesNotContain("Exception", "\tat ");
  }

  @Test
  void command_startsWithoutJmx() throws Exception {
    // Jetty's MemoryUtils would start JMX (about 230 classes, a tenth of the start-up time) to
    // read a VM option, unless the property HallpassServer sets is there first.
    Ran r =
        mainWithJvmOptions(
            List.of("-Xlog:class+load=info:stdout"),
            "listening on",
            "--port",
            "0",
            "--in-memory-store",
            "--log-level",
            "info");
    assertThat(r.exitCode()).as("output:%n%s", r.output()).isZero();
    assertThat(r.output())
        .contains("org.eclipse.jetty.util.MemoryUtils ")
        .doesNotContain("java.lang.management.ManagementFactory ", "javax.management.");
  }

  @Test
  void command_withOnlyA3sAccessTokenValidity_startsAndStopsCleanly() throws Exception {
    Ran r =
        main(
            "listening on",
            "--port",
            "0",
            "--in-memory-store",
            "--access-token-validity",
            "3s",
            "--log-level",
            "info");
    assertThat(r.output()).as("exit status %s", r.exitCode()).contains("listening on");
    assertThat(r.exitCode()).as("output:%n%s", r.output()).isZero();
    // The log settings took effect: every line has the time stamp Main configures, which slf4j
    // ignores if any logger was created before (e.g. while the options were checked).
    assertThat(r.output().lines().filter(l -> l.contains("listening on")))
        .singleElement()
        .asString()
        .containsPattern("^\\d{4}-\\d{2}-\\d{2}T");
  }

  @Test
  void invalidApiKey_isRejected_withoutEchoingIt() {
    Cli.Exit e = exit("--api-keys", KEY + ",short!key");
    assertThat(e.code()).isEqualTo(Cli.EXIT_USAGE);
    assertThat(e.text())
        .contains("--api-keys")
        .contains("key number 2")
        .doesNotContain("short!key");
  }

  @Test
  void configFile_suppliesOptions_andTheCommandLineWins(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("hallpass.properties");
    Files.writeString(
        file,
        "port = 4000\nhost = 0.0.0.0\napi-keys = " + KEY + "\n" + "access-token-validity = 10m\n");
    ServerConfig c = run("--config", file.toString(), "--port", "4001");
    assertThat(c.port()).isEqualTo(4001);
    assertThat(c.host()).isEqualTo("0.0.0.0");
    assertThat(c.apiKeys()).containsExactly(KEY);
    assertThat(c.accessTokenValidity()).isEqualTo(Duration.ofMinutes(10));
  }

  @Test
  void configFile_withUnknownKey_namesIt(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("hallpass.properties");
    Files.writeString(file, "prot = 4000\n");
    Cli.Exit e = exit("--config", file.toString());
    assertThat(e.code()).isEqualTo(Cli.EXIT_USAGE);
    assertThat(e.text()).contains("unknown key 'prot'").contains("port");
  }

  @Test
  void configFile_withInvalidValue_namesTheOption(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("hallpass.properties");
    Files.writeString(file, "port = many\n");
    assertRejected("--port", "--config", file.toString());
  }

  @Test
  void missingConfigFile_isReported(@TempDir Path dir) {
    assertRejected("--config", "--config", dir.resolve("absent.properties").toString());
  }
}
