package dev.hallpass.loadtest;

import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;

/**
 * The command line of {@link LoadMain}. Every option has a bound: the run stops by itself.
 *
 * @param targets "server", "demo" or both, in that order
 * @param duration the measured time per target
 * @param warmup time per target before measuring (failures still count)
 * @param browsers simulated browsers per target, each with its own session
 * @param threads the driver's worker threads (the browsers share them)
 * @param accessTokenValidity the targets' access-token validity: short, so refreshes are frequent;
 *     the refresh grace period is the same (the engine's default when shorter than 30 s)
 * @param thinkTime a browser's mean pause between steps
 * @param postgresUrl the PostgreSQL database (JDBC URL, user as a parameter); each target run gets
 *     the schema {@code schema} in it, emptied first
 * @param maxSteps the most browser steps per target (a bound besides time)
 */
record LoadOptions(
    List<String> targets,
    Duration duration,
    Duration warmup,
    int browsers,
    int threads,
    Duration accessTokenValidity,
    Duration thinkTime,
    String postgresUrl,
    String schema,
    Path serverJar,
    Path demoJar,
    Path out,
    long maxSteps,
    long seed) {

  static final String USAGE =
      String.join(
          "\n",
          "Usage: java -jar hallpass-loadtest.jar [options]",
          "  --target server|demo|both       what to load (default both)",
          "  --duration D                    measured time per target (default 60s; at most 1h)",
          "  --warmup D                      unmeasured time first (default 0s)",
          "  --browsers N                    simulated browsers per target (default 200)",
          "  --threads N                     driver threads (default 32)",
          "  --access-token-validity D       the targets' access-token validity (default 4s)",
          "  --think-time D                  a browser's mean pause between steps (default 500ms)",
          "  --postgres-url URL              default $HALLPASS_TEST_POSTGRES_URL or",
          "                                  jdbc:postgresql://127.0.0.1:5432/test?user=postgres",
          "  --schema NAME                   schema the targets use, emptied first (default",
          "                                  hallpass_load)",
          "  --server-jar PATH               default hallpass-server/target/hallpass-server.jar",
          "  --demo-jar PATH                 default hallpass-demo/target/hallpass-demo.jar",
          "  --out DIR                       where the reports and target logs go",
          "  --max-steps N                   most browser steps per target (default 10000000)",
          "  --seed N                        the browsers' random seed (default 1)");

  static final Duration MAX_DURATION = Duration.ofHours(1);

  static LoadOptions parse(String... args) {
    List<String> targets = List.of("server", "demo");
    Duration duration = Duration.ofSeconds(60);
    Duration warmup = Duration.ZERO;
    int browsers = 200;
    int threads = 32;
    Duration validity = Duration.ofSeconds(4);
    Duration think = Duration.ofMillis(500);
    String env = System.getenv("HALLPASS_TEST_POSTGRES_URL");
    String url =
        env == null || env.isBlank() ? "jdbc:postgresql://127.0.0.1:5432/test?user=postgres" : env;
    String schema = "hallpass_load";
    Path serverJar = Path.of("hallpass-server/target/hallpass-server.jar");
    Path demoJar = Path.of("hallpass-demo/target/hallpass-demo.jar");
    Path out = null;
    long maxSteps = 10_000_000;
    long seed = 1;
    for (int i = 0; i < args.length; i++) {
      String flag = args[i];
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException("missing value after " + flag);
      }
      String v = args[++i];
      switch (flag) {
        case "--target":
          targets =
              switch (v) {
                case "server" -> List.of("server");
                case "demo" -> List.of("demo");
                case "both" -> List.of("server", "demo");
                default ->
                    throw new IllegalArgumentException(
                        "--target must be server, demo or both, got " + v);
              };
          break;
        case "--duration":
          duration = duration(flag, v, Duration.ofSeconds(1));
          break;
        case "--warmup":
          warmup = duration(flag, v, Duration.ZERO);
          break;
        case "--browsers":
          browsers = number(flag, v, 1, 100_000);
          break;
        case "--threads":
          threads = number(flag, v, 1, 1024);
          break;
        case "--access-token-validity":
          validity = duration(flag, v, Duration.ofSeconds(1));
          if (validity.getNano() != 0) {
            throw new IllegalArgumentException("--access-token-validity must be whole seconds");
          }
          break;
        case "--think-time":
          think = duration(flag, v, Duration.ZERO);
          break;
        case "--postgres-url":
          if (!v.startsWith("jdbc:postgresql:")) {
            // not echoed: it may carry a password
            throw new IllegalArgumentException("--postgres-url must start with jdbc:postgresql:");
          }
          url = v;
          break;
        case "--schema":
          if (!v.matches("[a-z_][a-z0-9_]{0,62}")) {
            throw new IllegalArgumentException(
                "--schema must be a lower-case SQL identifier, got " + v);
          }
          schema = v;
          break;
        case "--server-jar":
          serverJar = Path.of(v);
          break;
        case "--demo-jar":
          demoJar = Path.of(v);
          break;
        case "--out":
          out = Path.of(v);
          break;
        case "--max-steps":
          maxSteps = number(flag, v, 1, Integer.MAX_VALUE);
          break;
        case "--seed":
          seed = number(flag, v, 0, Integer.MAX_VALUE);
          break;
        default:
          throw new IllegalArgumentException("unknown option " + flag);
      }
    }
    if (duration.plus(warmup).compareTo(MAX_DURATION) > 0) {
      throw new IllegalArgumentException("--duration plus --warmup must be at most 1h");
    }
    return new LoadOptions(
        targets, duration, warmup, browsers, threads, validity, think, url, schema, serverJar,
        demoJar, out, maxSteps, seed);
  }

  /** The grace period the targets use: the engine's default, 30 s or the validity if shorter. */
  Duration grace() {
    Duration thirty = Duration.ofSeconds(30);
    return accessTokenValidity.compareTo(thirty) < 0 ? accessTokenValidity : thirty;
  }

  /** "60s", "500ms", "2m" or ISO-8601 ("PT1M"). */
  static Duration duration(String flag, String text, Duration min) {
    Duration d;
    try {
      String t = text.trim().toLowerCase(Locale.ROOT);
      if (t.matches("\\d+ms")) {
        d = Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
      } else if (t.matches("\\d+[smh]")) {
        long n = Long.parseLong(t.substring(0, t.length() - 1));
        char unit = t.charAt(t.length() - 1);
        d =
            unit == 's'
                ? Duration.ofSeconds(n)
                : unit == 'm' ? Duration.ofMinutes(n) : Duration.ofHours(n);
      } else {
        d = Duration.parse(text.trim().toUpperCase(Locale.ROOT));
      }
    } catch (DateTimeParseException | ArithmeticException | NumberFormatException e) {
      d = null;
    }
    if (d == null || d.compareTo(min) < 0 || d.compareTo(MAX_DURATION) > 0) {
      throw new IllegalArgumentException(
          flag + " must be a duration like 500ms, 10s or 2m, from " + min + " to 1h, got " + text);
    }
    return d;
  }

  private static int number(String flag, String text, int min, int max) {
    int n;
    try {
      n = Integer.parseInt(text.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(flag + " must be a number, got " + text);
    }
    if (n < min || n > max) {
      throw new IllegalArgumentException(flag + " must be " + min + " to " + max + ", got " + n);
    }
    return n;
  }
}
