package dev.hallpass.server;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Clock;
import java.util.List;
import java.util.Locale;
import java.util.Set;

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
    // Everything printed from now on, by any library, is scrubbed of the database URL's
    // credentials, the database password and the API keys.
    Redactor redactor = config.redactor();
    System.setOut(redactor.scrubbing(System.out));
    System.setErr(redactor.scrubbing(System.err));
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
      System.err.println("hallpass-server: could not start: " + redactor.scrub(describe(e)));
      if (log.isDebugEnabled()) {
        log.debug("start-up failure: {}", redactor.scrub(stackTrace(e)));
      }
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
        "Hallpass server listening on {} ({}store: {}, API keys: {}), started in {} ms",
        server.uri(),
        server.listensOnEveryAddress() ? "every address of this machine; " : "",
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

  private static final String LOGGER_LEVEL = "org.slf4j.simpleLogger.log.";

  /**
   * Libraries whose debug output holds request headers and bodies (Jetty), connection settings
   * (HikariCP, Flyway) or SQL with its parameters (the drivers): never more verbose than info.
   */
  private static final List<String> LIBRARIES =
      List.of(
          "org.eclipse.jetty",
          "com.zaxxer.hikari",
          "org.flywaydb",
          "org.postgresql",
          "org.mariadb.jdbc",
          "org.h2");

  private static final Set<String> MORE_VERBOSE_THAN_INFO = Set.of("debug", "trace", "all");

  /** PostgreSQL's driver logs through java.util.logging; held here so its level stays set. */
  private static final java.util.logging.Logger PGJDBC_LOGGER =
      java.util.logging.Logger.getLogger("org.postgresql");

  /**
   * SLF4J simple logger settings. The server's own loggers follow {@code --log-level}; the
   * libraries stay at warn, and at info when debugging, whatever the level or a {@code -D} option
   * asks: their debug output would print API keys, tokens and session data.
   */
  private static void configureLogging(String level) {
    setDefault("org.slf4j.simpleLogger.defaultLogLevel", level);
    setDefault("org.slf4j.simpleLogger.showDateTime", "true");
    setDefault("org.slf4j.simpleLogger.dateTimeFormat", "yyyy-MM-dd'T'HH:mm:ss.SSSZ");
    String libraries =
        switch (level) {
          case "debug", "trace" -> "info";
          case "info" -> "warn";
          default -> level; // warn, error, off
        };
    for (String lib : LIBRARIES) {
      System.setProperty(LOGGER_LEVEL + lib, libraries);
    }
    // A -D option naming a part of a library (org.eclipse.jetty.http, say) would win over the
    // library's own setting: those are capped too.
    for (String key : System.getProperties().stringPropertyNames()) {
      if (key.startsWith(LOGGER_LEVEL)
          && LIBRARIES.stream().anyMatch(lib -> key.startsWith(LOGGER_LEVEL + lib + "."))
          && MORE_VERBOSE_THAN_INFO.contains(
              System.getProperty(key).trim().toLowerCase(Locale.ROOT))) {
        System.setProperty(key, libraries);
      }
    }
    PGJDBC_LOGGER.setLevel(java.util.logging.Level.INFO);
  }

  private static void setDefault(String key, String value) {
    if (System.getProperty(key) == null) {
      System.setProperty(key, value);
    }
  }

  private static String stackTrace(Throwable e) {
    StringWriter out = new StringWriter();
    e.printStackTrace(new PrintWriter(out));
    return out.toString();
  }

  /** The failure and its root cause, without stack traces (to be scrubbed before printing). */
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
