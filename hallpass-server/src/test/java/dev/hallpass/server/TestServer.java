package dev.hallpass.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hallpass.spi.SessionStore;
import dev.hallpass.testkit.MutableClock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.UnaryOperator;

/** An in-process server on a free port, with a hand-moved clock, and a client for it. */
final class TestServer extends ApiClient implements AutoCloseable {
  static final String API_KEY = "test-api-key-0123456789abcdef";
  static final Instant START = Instant.parse("2030-01-01T00:00:00Z");

  final MutableClock clock;
  final HallpassServer server;

  /**
   * In-memory store, API key required, plus any extra options. The engine and the store share the
   * hand-moved clock, so moving it also times refresh grace periods.
   */
  TestServer(String... extraArgs) throws Exception {
    this(UnaryOperator.identity(), extraArgs);
  }

  /** The same with the in-memory store wrapped, e.g. to change what it answers. */
  TestServer(UnaryOperator<SessionStore> storeWrapper, String... extraArgs) throws Exception {
    this(new MutableClock(START), storeWrapper, extraArgs);
  }

  private TestServer(
      MutableClock clock, UnaryOperator<SessionStore> storeWrapper, String... extraArgs)
      throws Exception {
    this(clock, HallpassServer.start(config(extraArgs), clock, storeWrapper));
  }

  private TestServer(MutableClock clock, HallpassServer server) {
    super(server.uri(), API_KEY);
    this.clock = clock;
    this.server = server;
  }

  private static ServerConfig config(String... extraArgs) {
    List<String> args =
        new ArrayList<>(List.of("--port", "0", "--in-memory-store", "--api-keys", API_KEY));
    args.addAll(Arrays.asList(extraArgs));
    Cli.Outcome o = Cli.parse(args.toArray(String[]::new));
    assertThat(o).as("test options").isInstanceOf(Cli.Run.class);
    return ((Cli.Run) o).config();
  }

  @Override
  public void close() {
    server.close();
  }
}
