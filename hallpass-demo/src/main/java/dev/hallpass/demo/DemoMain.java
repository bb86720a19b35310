package dev.hallpass.demo;

import dev.hallpass.AccessTokenSigning;
import dev.hallpass.Hallpass;
import dev.hallpass.HallpassException;
import dev.hallpass.jdbc.JdbcSessionStores;
import dev.hallpass.servlet.AntiCsrfMode;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;

/**
 * Starts the demo: {@code java -jar hallpass-demo/target/hallpass-demo.jar [options]}, then open
 * http://localhost:8080. Sessions live in an embedded H2 database in {@code ./hallpass-data}, or in
 * the PostgreSQL or MariaDB database named by {@code --jdbc-url}.
 */
public final class DemoMain {

  static final String USAGE =
      String.join(
          "\n",
          "Usage: java -jar hallpass-demo.jar [options]",
          "  --port N                      HTTP port on 127.0.0.1 (default 8080; 0 = any free port)",
          "  --access-token-validity D     e.g. 10s, 5m, 1h or PT30S (default 1h); short values let",
          "                                you watch the page refresh its session automatically",
          "  --anti-csrf MODE              NONE (default), VIA_CUSTOM_HEADER or VIA_TOKEN",
          "  --access-token-signing ALG    RS256 (default; keys in the JWKS) or HS256 (faster;",
          "                                only this app verifies its tokens)",
          "  --data-dir DIR                the H2 database's directory (default ./hallpass-data)",
          "  --jdbc-url URL                keep sessions in this PostgreSQL or MariaDB database",
          "                                instead (user and password as URL parameters), e.g.",
          "                                jdbc:postgresql://127.0.0.1:5432/app?user=app",
          "  --help                        this text");

  private DemoMain() {}

  /**
   * The parsed command line.
   *
   * @param jdbcUrl the session database's JDBC URL, or null for the embedded H2 one in {@code
   *     dataDir}
   */
  record Options(
      int port,
      Duration accessTokenValidity,
      AntiCsrfMode antiCsrf,
      Path dataDir,
      String jdbcUrl,
      AccessTokenSigning signing) {

    static Options parse(String... args) {
      int port = 8080;
      Duration validity = Duration.ofHours(1);
      AntiCsrfMode antiCsrf = AntiCsrfMode.NONE;
      Path dataDir = Path.of("hallpass-data");
      boolean dataDirGiven = false;
      String jdbcUrl = null;
      AccessTokenSigning signing = AccessTokenSigning.RS256;
      for (int i = 0; i < args.length; i++) {
        String flag = args[i];
        if (i + 1 >= args.length) {
          throw new IllegalArgumentException("missing value after " + flag);
        }
        String value = args[++i];
        switch (flag) {
          case "--port":
            try {
              port = Integer.parseInt(value);
            } catch (NumberFormatException e) {
              port = -1;
            }
            if (port < 0 || port > 65535) {
              throw new IllegalArgumentException("--port must be 0 to 65535, got " + value);
            }
            break;
          case "--access-token-validity":
            validity = duration(value);
            break;
          case "--anti-csrf":
            try {
              antiCsrf = AntiCsrfMode.valueOf(value.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
              throw new IllegalArgumentException(
                  "--anti-csrf must be NONE, VIA_CUSTOM_HEADER or VIA_TOKEN, got " + value);
            }
            break;
          case "--access-token-signing":
            try {
              signing = AccessTokenSigning.valueOf(value.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
              throw new IllegalArgumentException(
                  "--access-token-signing must be RS256 or HS256, got " + value);
            }
            break;
          case "--data-dir":
            dataDir = Path.of(value);
            dataDirGiven = true;
            break;
          case "--jdbc-url":
            if (!value.startsWith("jdbc:postgresql:") && !value.startsWith("jdbc:mariadb:")) {
              // The URL itself is not echoed: it may carry a password.
              throw new IllegalArgumentException(
                  "--jdbc-url must start with jdbc:postgresql: or jdbc:mariadb:");
            }
            jdbcUrl = value;
            break;
          default:
            throw new IllegalArgumentException("unknown option " + flag);
        }
      }
      if (dataDirGiven && jdbcUrl != null) {
        throw new IllegalArgumentException(
            "--data-dir and --jdbc-url conflict: the H2 directory or a database server, not both");
      }
      return new Options(port, validity, antiCsrf, dataDir, jdbcUrl, signing);
    }

    /** Where sessions live, for the start-up line: never the URL's parameters (a password). */
    String storeDescription() {
      if (jdbcUrl == null) {
        return dataDir.toAbsolutePath().toString();
      }
      int query = jdbcUrl.indexOf('?');
      return query < 0 ? jdbcUrl : jdbcUrl.substring(0, query);
    }

    /** "10s", "5m", "2h" or an ISO-8601 duration; whole seconds, at least 1 s. */
    static Duration duration(String text) {
      Duration d;
      try {
        String t = text.trim().toLowerCase(Locale.ROOT);
        if (t.matches("\\d+[smh]")) {
          long n = Long.parseLong(t.substring(0, t.length() - 1));
          char unit = t.charAt(t.length() - 1);
          d =
              unit == 's'
                  ? Duration.ofSeconds(n)
                  : unit == 'm' ? Duration.ofMinutes(n) : Duration.ofHours(n);
        } else {
          d = Duration.parse(text.trim().toUpperCase(Locale.ROOT));
        }
      } catch (DateTimeParseException | ArithmeticException e) {
        d = null;
      }
      if (d == null || d.getNano() != 0 || d.getSeconds() < 1) {
        throw new IllegalArgumentException(
            "--access-token-validity must be a whole number of "
                + "seconds like 10s, 5m or 1h, got "
                + text);
      }
      return d;
    }
  }

  /** Builds the engine the way an application would, with the given options. */
  static Hallpass engine(Options o) {
    return Hallpass.builder()
        .store(
            o.jdbcUrl() == null
                ? JdbcSessionStores.embedded(o.dataDir())
                : JdbcSessionStores.builder().jdbcUrl(o.jdbcUrl()).build())
        .accessTokenValidity(o.accessTokenValidity())
        .accessTokenSigning(o.signing())
        // Only VIA_TOKEN uses the engine's anti-CSRF tokens.
        .antiCsrf(o.antiCsrf() == AntiCsrfMode.VIA_TOKEN)
        // For "My devices": IP address and browser per session (personal data, off by default).
        .recordClientMetadata(true)
        .build();
  }

  /** Parses the flags, starts the app and serves until the process is stopped. */
  public static void main(String[] args) throws Exception {
    if (List.of(args).contains("--help") || List.of(args).contains("-h")) {
      System.out.println(USAGE);
      return;
    }
    Options options;
    try {
      options = Options.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.err.println(USAGE);
      System.exit(2);
      return;
    }
    Hallpass engine;
    try {
      engine = engine(options);
    } catch (HallpassException e) {
      // e.g. the database is unreachable; the message names the cause, never the password
      System.err.println("Cannot open the session database: " + e.getMessage());
      System.exit(1);
      return;
    }
    DemoServer server;
    try {
      server = new DemoServer(engine, options.port(), options.antiCsrf());
    } catch (IOException e) {
      engine.close();
      System.err.println(
          "Cannot listen on port "
              + options.port()
              + " ("
              + e.getMessage()
              + "): try --port with another number");
      System.exit(1);
      return;
    }
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  server.close();
                  engine.close();
                },
                "hallpass-demo-shutdown"));
    System.out.println(
        "Hallpass demo: open "
            + server.uri()
            + "  (access tokens valid "
            + options.accessTokenValidity().toString().substring(2).toLowerCase(Locale.ROOT)
            + ", anti-CSRF "
            + options.antiCsrf()
            + ", sessions in "
            + options.storeDescription()
            + "; Ctrl+C stops)");
    server.join();
  }
}
