package dev.hallpass.server;

import java.time.Clock;

/**
 * The {@code hallpass-server} command: parses the options, starts the server and runs until SIGTERM
 * or SIGINT, then stops gracefully and exits with status 0.
 *
 * <p>Exit statuses: 0 after a clean stop (and for {@code --help}/{@code --version}), 1 when the
 * server could not start (database unreachable, port taken), 2 for invalid options or settings
 * (including those the engine's or the store's builder refuses at start-up); every failure prints
 * one line naming the cause.
 */
public final class Main {

  private Main() {}

  /** Runs the server; see {@code hallpass-server --help}. */
  public static void main(String[] args) {
    Cli.Outcome outcome = Cli.parse(args);
    if (outcome instanceof Cli.Exit) {
      Cli.Exit exit = (Cli.Exit) outcome;
      (exit.code() == 0 ? System.out : System.err).print(exit.text());
      System.exit(exit.code());
      return;
    }
    ServerConfig config = ((Cli.Run) outcome).config();
    configureLogging(config.logLevel());
    // Loggers are created only now, after the level is set; and here, on one thread: SLF4J's
    // initialisation, were it raced by another thread, would print a warning.
    org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(Main.class);
    long startNanos = System.nanoTime();
    HallpassServer server;
    try {
      server = HallpassServer.start(config, Clock.systemUTC());
    } catch (Cli.InvalidConfig e) {
      // A setting the engine's or the store's builder refused: the builder's own message.
      System.err.print(Cli.usageError(e.getMessage()).text());
      System.exit(Cli.EXIT_USAGE);
      return;
    } catch (Exception e) {
      System.err.println("hallpass-server: could not start: " + describe(e));
      log.debug("start-up failure", e);
      System.exit(Cli.EXIT_STARTUP_FAILED);
      return;
    }
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  log.info("stopping: finishing in-flight requests");
                  server.close();
                  log.info("stopped");
                  // Stopped cleanly on a signal: report success rather than the JVM's 128+signal
                  // status.
                  Runtime.getRuntime().halt(0);
                },
                "hallpass-shutdown"));
    log.info(
        "Hallpass server listening on {} (store: {}, API keys: {}), started in {} ms",
        server.uri(),
        config.storeDescription(),
        config.apiKeys().isEmpty() ? "none required" : config.apiKeys().size(),
        (System.nanoTime() - startNanos) / 1_000_000);
    try {
      // Once start-up is over (a second on, not to delay the first requests), one collection
      // lets the JVM's default collector (G1, as with `java -jar`) shrink the heap it sized for
      // start-up's garbage: 15 to 40 MB less resident memory while the server is idle
      // (BENCHMARKS.md).
      Thread.sleep(1_000);
      System.gc();
      server.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** SLF4J simple logger settings; the libraries stay at warn unless debugging. */
  private static void configureLogging(String level) {
    setDefault("org.slf4j.simpleLogger.defaultLogLevel", level);
    setDefault("org.slf4j.simpleLogger.showDateTime", "true");
    setDefault("org.slf4j.simpleLogger.dateTimeFormat", "yyyy-MM-dd'T'HH:mm:ss.SSSZ");
    boolean verbose = level.equals("debug") || level.equals("trace");
    for (String lib : new String[] {"org.eclipse.jetty", "com.zaxxer.hikari", "org.flywaydb"}) {
      setDefault("org.slf4j.simpleLogger.log." + lib, verbose ? level : "warn");
    }
  }

  private static void setDefault(String key, String value) {
    if (System.getProperty(key) == null) {
      System.setProperty(key, value);
    }
  }

  /** The failure and its root cause, without stack traces (and without URL parameters). */
  private static String describe(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String msg = e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    if (root != e && root.getMessage() != null) {
      msg += ": " + root.getMessage();
    }
    return msg;
  }
}
