package dev.hallpass.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Bind rules: a non-loopback address without API keys refuses to start unless {@code
 * --allow-unauthenticated} is given (with a warning), and the start-up line names the address and
 * port actually bound.
 */
class BindAddressTest {
  private static final String KEY = "bind-test-api-key-0123456789";

  private static ServerConfig config(String... args) {
    Cli.Outcome o = Cli.parse(args);
    assertThat(o).as("outcome of %s", String.join(" ", args)).isInstanceOf(Cli.Run.class);
    return ((Cli.Run) o).config();
  }

  private static HttpResponse<String> hello(URI base) throws Exception {
    ApiClient c = new ApiClient(base, KEY);
    return c.send(
        HttpRequest.newBuilder(c.uri("/hello")).timeout(Duration.ofSeconds(10)).GET().build());
  }

  @Test
  void start_onAllInterfaces_withoutApiKeys_isRefused_namingTheOptions() {
    Throwable thrown =
        catchThrowable(
            () ->
                HallpassServer.start(
                        config("--host", "0.0.0.0", "--port", "0", "--in-memory-store"),
                        Clock.systemUTC())
                    .close());
    assertThat(thrown)
        .isInstanceOf(Cli.InvalidConfig.class)
        .hasMessageContaining("0.0.0.0")
        .hasMessageContaining("--host")
        .hasMessageContaining("--api-keys")
        .hasMessageContaining("--allow-unauthenticated");
  }

  @Test
  void start_onAllInterfaces_withApiKeys_servesAndNamesTheBoundAddress() throws Exception {
    try (HallpassServer s =
        HallpassServer.start(
            config("--host", "0.0.0.0", "--port", "0", "--in-memory-store", "--api-keys", KEY),
            Clock.systemUTC())) {
      assertThat(s.port()).isPositive();
      assertThat(s.uri()).isEqualTo(URI.create("http://0.0.0.0:" + s.port()));
      assertThat(hello(URI.create("http://127.0.0.1:" + s.port())).statusCode()).isEqualTo(200);
    }
  }

  @Test
  void start_onLoopbackByName_withoutApiKeys_serves_andNamesTheResolvedAddress() throws Exception {
    try (HallpassServer s =
        HallpassServer.start(
            config("--host", "localhost", "--port", "0", "--in-memory-store"), Clock.systemUTC())) {
      assertThat(s.uri().getHost()).isIn("127.0.0.1", "[0:0:0:0:0:0:0:1]");
      assertThat(hello(s.uri()).statusCode()).isEqualTo(200);
    }
  }

  @Test
  void allowUnauthenticated_withApiKeys_isAConflict() {
    Cli.Outcome o = Cli.parse("--allow-unauthenticated", "--api-keys", KEY);
    assertThat(o).isInstanceOf(Cli.Exit.class);
    assertThat(((Cli.Exit) o).code()).isEqualTo(Cli.EXIT_USAGE);
    assertThat(((Cli.Exit) o).text()).contains("--allow-unauthenticated", "--api-keys");
  }

  @Test
  void command_onAllInterfaces_withoutApiKeys_exits2_withAMessageNamingTheOptions()
      throws Exception {
    try (LaunchedMain m =
        LaunchedMain.start("--host", "0.0.0.0", "--port", "0", "--in-memory-store")) {
      LaunchedMain.Ran r = m.awaitExit();
      assertThat(r.exitCode()).as("output:%n%s", r.output()).isEqualTo(Cli.EXIT_USAGE);
      assertThat(r.output())
          .startsWith("hallpass-server: ")
          .contains("--host", "--api-keys", "--allow-unauthenticated")
          .doesNotContain("listening on", "\tat ");
    }
  }

  @Test
  void command_onAllInterfaces_withAllowUnauthenticated_warns_andLogsTheRealAddressAndPort()
      throws Exception {
    try (LaunchedMain m =
        LaunchedMain.start(
            "--host",
            "0.0.0.0",
            "--port",
            "0",
            "--in-memory-store",
            "--allow-unauthenticated",
            "--log-level",
            "info")) {
      URI uri = m.awaitListening();
      assertThat(uri.getHost()).isEqualTo("0.0.0.0");
      assertThat(uri.getPort()).isPositive();
      // The port named is the one that answers.
      assertThat(hello(URI.create("http://127.0.0.1:" + uri.getPort())).body()).isEqualTo("Hello");
      LaunchedMain.Ran r = m.stop();
      assertThat(r.exitCode()).isZero();
      Matcher warn =
          Pattern.compile("(?m)^.* WARN .*--allow-unauthenticated.*$").matcher(r.output());
      assertThat(warn.find()).as("a warning naming the flag; output:%n%s", r.output()).isTrue();
      assertThat(warn.group()).contains("0.0.0.0:" + uri.getPort());
    }
  }
}
