package dev.hallpass.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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
    assertThat(c.refreshGracePeriod()).isEqualTo(Duration.ofSeconds(30));
    assertThat(c.logLevel()).isEqualTo("info");
    assertThat(c.maxThreads()).isEqualTo(32);
  }

  @Test
  void help_printsUsageAndExitsZero() {
    Cli.Exit e = exit("--help");
    assertThat(e.code()).isZero();
    assertThat(e.text()).contains("--port", "--database-url", "--api-keys",
        "--access-token-validity", "--signing-key-rotation", "--log-level", "--config");
  }

  @Test
  void options_areParsed_withDurationsInEveryForm() {
    ServerConfig c = run("--port", "0", "--host", "0.0.0.0", "--database-url",
        "jdbc:postgresql://db/hp", "--database-user", "hp", "--database-password", "pw",
        "--database-pool-size", "3", "--api-keys", KEY + "," + KEY + "x",
        "--access-token-validity", "900", "--refresh-token-validity", "PT48H",
        "--signing-key-rotation", "2d", "--refresh-grace-period", "10s", "--log-level", "DEBUG",
        "--max-threads", "16", "--shutdown-timeout", "5m");
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
    ServerConfig c = run("--database-url", "jdbc:postgresql://db/hp?password=secret1",
        "--database-password", "secret2", "--api-keys", KEY);
    assertThat(c.toString()).doesNotContain("secret1", "secret2", KEY)
        .contains("jdbc:postgresql://db/hp");
  }

  @Test
  void invalidValues_nameTheOption_andExitWithUsageError() {
    assertRejected("--port", "--port", "abc");
    assertRejected("--port", "--port", "70000");
    assertRejected("--access-token-validity", "--access-token-validity", "soon");
    assertRejected("--access-token-validity", "--access-token-validity", "0");
    assertRejected("--access-token-validity", "--access-token-validity", "PT0.5S");
    assertRejected("--refresh-token-validity", "--refresh-token-validity", "30m");
    assertRejected("--signing-key-rotation", "--signing-key-rotation", "30s");
    assertRejected("--refresh-grace-period", "--refresh-grace-period", "2h");
    assertRejected("--log-level", "--log-level", "loud");
    assertRejected("--max-threads", "--max-threads", "2");
    assertRejected("--database-pool-size", "--database-pool-size", "0");
    assertRejected("--database-url", "--database-url", "postgres://db/hp");
    assertRejected("--in-memory-store", "--in-memory-store", "--data-dir", "x");
    assertRejected("--data-dir", "--database-url", "jdbc:h2:mem:x", "--data-dir", "x");
    assertRejected("--database-url", "--database-user", "hp");
    assertRejected("--shutdown-timeout", "--shutdown-timeout", "-5");
    assertRejected("--no-such-option", "--no-such-option");
  }

  @Test
  void invalidApiKey_isRejected_withoutEchoingIt() {
    Cli.Exit e = exit("--api-keys", KEY + ",short!key");
    assertThat(e.code()).isEqualTo(Cli.EXIT_USAGE);
    assertThat(e.text()).contains("--api-keys").contains("key number 2").doesNotContain("short!key");
  }

  @Test
  void configFile_suppliesOptions_andTheCommandLineWins(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("hallpass.properties");
    Files.writeString(file, "port = 4000\nhost = 0.0.0.0\napi-keys = " + KEY + "\n"
        + "access-token-validity = 10m\n");
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
