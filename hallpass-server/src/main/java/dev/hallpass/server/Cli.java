package dev.hallpass.server;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.Reader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;

/**
 * The command line and config file: turns arguments into a validated {@link ServerConfig}, or into
 * the text to print and the exit code. Never exits the JVM itself, so tests call {@link #parse}.
 *
 * <p>Precedence: command line, then the {@code --config} properties file (keys are the long option
 * names without dashes), then the environment variables named in the help, then the defaults.
 */
@Command(
    name = "hallpass-server",
    mixinStandardHelpOptions = true,
    versionProvider = Cli.Version.class,
    sortOptions = false,
    usageHelpAutoWidth = true,
    description = {
        "Hallpass as a standalone session service: a drop-in core for the SuperTokens backend "
            + "SDKs (core driver interface 5.4).",
        ""
    },
    footer = {
        "",
        "Durations: seconds (3600), or with a unit (30s, 15m, 1h, 7d), or ISO-8601 (PT1H).",
        "Exit codes: 0 stopped cleanly, 1 start-up failed (database, port), 2 invalid options."
    })
final class Cli {
  /** Exit code for invalid options or config. */
  static final int EXIT_USAGE = 2;
  /** Exit code when the server could not start (database unreachable, port taken). */
  static final int EXIT_STARTUP_FAILED = 1;
  /** SuperTokens core's rule for API keys: at least 20 characters of a-z A-Z 0-9 = -. */
  private static final Pattern API_KEY = Pattern.compile("[A-Za-z0-9=-]{20,}");
  private static final Set<String> LOG_LEVELS = Set.of("off", "error", "warn", "info", "debug",
      "trace");

  @Option(names = "--config", paramLabel = "<file>",
      description = "Properties file with any of these options, e.g. port=3567, api-keys=...")
  Path config;

  @Option(names = "--port", defaultValue = "3567", paramLabel = "<port>",
      description = "Port to listen on (0 picks a free one). Default: ${DEFAULT-VALUE}.")
  int port;

  @Option(names = "--host", defaultValue = "127.0.0.1", paramLabel = "<address>",
      description = "Address to bind. Default: ${DEFAULT-VALUE} (this machine only).")
  String host;

  @Option(names = "--database-url", paramLabel = "<jdbc-url>",
      description = "JDBC URL of PostgreSQL, MariaDB/MySQL or H2, e.g. "
          + "jdbc:postgresql://db:5432/hallpass. Default: embedded H2 in --data-dir.")
  String databaseUrl;

  @Option(names = "--database-user", paramLabel = "<user>", description = "Database user.")
  String databaseUser;

  @Option(names = "--database-password", paramLabel = "<password>",
      defaultValue = "${env:HALLPASS_DATABASE_PASSWORD}",
      description = "Database password (prefer env HALLPASS_DATABASE_PASSWORD or the config file).")
  String databasePassword;

  @Option(names = "--database-pool-size", defaultValue = "10", paramLabel = "<n>",
      description = "Database connections per server process. Default: ${DEFAULT-VALUE}.")
  int databasePoolSize;

  @Option(names = "--data-dir", paramLabel = "<dir>",
      description = "Directory of the embedded H2 database (one process only). "
          + "Default: ./hallpass-data.")
  Path dataDir;

  @Option(names = "--in-memory-store",
      description = "Keep sessions in memory only: they are lost on exit (tests and trials).")
  boolean inMemoryStore;

  @Option(names = "--api-keys", split = ",", paramLabel = "<key>",
      defaultValue = "${env:HALLPASS_API_KEYS}",
      description = "Comma-separated API keys the SDKs must send (api-key header); each at least "
          + "20 characters of a-z A-Z 0-9 = -. None: no key required. Env: HALLPASS_API_KEYS.")
  List<String> apiKeys;

  @Option(names = "--access-token-validity", defaultValue = "1h", paramLabel = "<duration>",
      converter = DurationConverter.class,
      description = "Access token lifetime (whole seconds). Default: ${DEFAULT-VALUE}.")
  Duration accessTokenValidity;

  @Option(names = "--refresh-token-validity", defaultValue = "100d", paramLabel = "<duration>",
      converter = DurationConverter.class,
      description = "Session lifetime without a refresh (whole seconds). Default: ${DEFAULT-VALUE}.")
  Duration refreshTokenValidity;

  @Option(names = "--signing-key-rotation", defaultValue = "7d", paramLabel = "<duration>",
      converter = DurationConverter.class,
      description = "How long one signing key signs before the next (at least 1m). "
          + "Default: ${DEFAULT-VALUE}.")
  Duration signingKeyRotationInterval;

  @Option(names = "--refresh-grace-period", defaultValue = "30s", paramLabel = "<duration>",
      converter = DurationConverter.class,
      description = "How long a just-replaced refresh token still gets its child instead of "
          + "counting as stolen (racing tabs, lost answers). Default: ${DEFAULT-VALUE}.")
  Duration refreshGracePeriod;

  @Option(names = "--log-level", defaultValue = "info", paramLabel = "<level>",
      description = "off, error, warn, info, debug or trace. Default: ${DEFAULT-VALUE}.")
  String logLevel;

  @Option(names = "--max-threads", defaultValue = "32", paramLabel = "<n>",
      description = "HTTP worker threads (at least 8). Default: ${DEFAULT-VALUE}.")
  int maxThreads;

  @Option(names = "--shutdown-timeout", defaultValue = "10s", paramLabel = "<duration>",
      converter = DurationConverter.class,
      description = "How long SIGTERM waits for in-flight requests. Default: ${DEFAULT-VALUE}.")
  Duration shutdownTimeout;

  /** What {@link #parse} decided. */
  sealed interface Outcome permits Run, Exit {}

  /** Start the server with these settings. */
  record Run(ServerConfig config) implements Outcome {}

  /** Print {@code text} (to stdout for code 0, else stderr) and exit with {@code code}. */
  record Exit(int code, String text) implements Outcome {}

  /** Parses and validates; never throws for bad input and never exits. */
  static Outcome parse(String... args) {
    try {
      Cli first = new Cli();
      CommandLine cmd = new CommandLine(first);
      cmd.parseArgs(args);
      if (cmd.isUsageHelpRequested()) {
        return new Exit(0, cmd.getUsageMessage());
      }
      if (cmd.isVersionHelpRequested()) {
        StringWriter out = new StringWriter();
        cmd.printVersionHelp(new PrintWriter(out, true));
        return new Exit(0, out.toString());
      }
      Cli cli = first;
      if (first.config != null) {
        // Second pass with the file as the source of defaults: the command line still wins.
        cli = new Cli();
        CommandLine withFile = new CommandLine(cli);
        withFile.setDefaultValueProvider(
            new CommandLine.PropertiesDefaultProvider(loadConfig(first.config, withFile)));
        withFile.parseArgs(args);
      }
      return new Run(cli.validate());
    } catch (CommandLine.ParameterException | InvalidConfig e) {
      return new Exit(EXIT_USAGE, "hallpass-server: " + e.getMessage() + System.lineSeparator()
          + "Run 'hallpass-server --help' for the options." + System.lineSeparator());
    }
  }

  /** A setting that parsed but is not acceptable; the message names the option. */
  static final class InvalidConfig extends RuntimeException {
    InvalidConfig(String message) {
      super(message);
    }
  }

  private static Properties loadConfig(Path file, CommandLine cmd) {
    Properties p = new Properties();
    try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      p.load(r);
    } catch (IOException | IllegalArgumentException e) {
      throw new InvalidConfig("--config: cannot read " + file + ": " + e.getMessage());
    }
    Set<String> known = new TreeSet<>();
    for (OptionSpec o : cmd.getCommandSpec().options()) {
      String name = o.longestName().replaceFirst("^-+", "");
      if (!name.equals("config") && !name.equals("help") && !name.equals("version")) {
        known.add(name);
      }
    }
    for (String key : p.stringPropertyNames()) {
      if (!known.contains(key)) {
        throw new InvalidConfig("--config: unknown key '" + key + "' in " + file
            + "; known keys: " + String.join(", ", known));
      }
    }
    return p;
  }

  private ServerConfig validate() {
    if (port < 0 || port > 65535) {
      throw new InvalidConfig("--port must be between 0 and 65535, not " + port);
    }
    if (host == null || host.isBlank()) {
      throw new InvalidConfig("--host must not be empty");
    }
    if (databaseUrl != null && databaseUrl.isBlank()) {
      databaseUrl = null;
    }
    if (databaseUrl != null && !databaseUrl.startsWith("jdbc:")) {
      throw new InvalidConfig("--database-url must be a JDBC URL starting with \"jdbc:\"");
    }
    if (inMemoryStore && (databaseUrl != null || dataDir != null)) {
      throw new InvalidConfig(
          "--in-memory-store cannot be combined with --database-url or --data-dir");
    }
    if (databaseUrl != null && dataDir != null) {
      throw new InvalidConfig("--data-dir is for the embedded database; it cannot be combined "
          + "with --database-url");
    }
    if (databaseUrl == null && (databaseUser != null || isSet(databasePassword))) {
      throw new InvalidConfig("--database-user and --database-password need --database-url");
    }
    if (databasePoolSize < 1) {
      throw new InvalidConfig("--database-pool-size must be at least 1");
    }
    List<String> keys = new ArrayList<>();
    if (apiKeys != null) {
      for (String k : apiKeys) {
        String key = k.trim();
        if (key.isEmpty()) {
          continue;
        }
        if (!API_KEY.matcher(key).matches()) {
          // The key itself is not echoed: it is a secret.
          throw new InvalidConfig("--api-keys: each key must be at least 20 characters of "
              + "a-z A-Z 0-9 = - (key number " + (keys.size() + 1) + " is not)");
        }
        keys.add(key);
      }
    }
    requireWholeSeconds(accessTokenValidity, "--access-token-validity");
    requireWholeSeconds(refreshTokenValidity, "--refresh-token-validity");
    if (refreshTokenValidity.compareTo(accessTokenValidity) <= 0) {
      throw new InvalidConfig("--refresh-token-validity (" + refreshTokenValidity
          + ") must be longer than --access-token-validity (" + accessTokenValidity + ")");
    }
    if (signingKeyRotationInterval.compareTo(Duration.ofMinutes(1)) < 0) {
      throw new InvalidConfig("--signing-key-rotation must be at least 1 minute");
    }
    if (refreshGracePeriod.isNegative()
        || refreshGracePeriod.compareTo(accessTokenValidity) > 0) {
      throw new InvalidConfig("--refresh-grace-period must be between 0 and "
          + "--access-token-validity (" + accessTokenValidity + ")");
    }
    String level = logLevel.trim().toLowerCase(Locale.ROOT);
    if (!LOG_LEVELS.contains(level)) {
      throw new InvalidConfig("--log-level must be one of off, error, warn, info, debug, trace; "
          + "not '" + logLevel + "'");
    }
    if (maxThreads < 8) {
      throw new InvalidConfig("--max-threads must be at least 8");
    }
    if (shutdownTimeout.isNegative()) {
      throw new InvalidConfig("--shutdown-timeout must not be negative");
    }
    return new ServerConfig(host.trim(), port, databaseUrl, databaseUser,
        isSet(databasePassword) ? databasePassword : null, databasePoolSize,
        dataDir != null ? dataDir : Path.of("hallpass-data"), inMemoryStore, keys,
        accessTokenValidity, refreshTokenValidity, signingKeyRotationInterval, refreshGracePeriod,
        level, maxThreads, shutdownTimeout);
  }

  private static boolean isSet(String s) {
    return s != null && !s.isEmpty();
  }

  private static void requireWholeSeconds(Duration d, String option) {
    if (d.compareTo(Duration.ofSeconds(1)) < 0 || d.getNano() != 0) {
      throw new InvalidConfig(option + " must be a whole number of seconds, at least 1s");
    }
  }

  /** Seconds, a number with a unit (s, m, h, d), or ISO-8601. */
  static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
      String v = value.trim().toLowerCase(Locale.ROOT);
      try {
        if (v.startsWith("p")) {
          return Duration.parse(v.toUpperCase(Locale.ROOT));
        }
        if (!v.isEmpty() && Character.isDigit(v.charAt(v.length() - 1))) {
          return Duration.ofSeconds(Long.parseLong(v));
        }
        if (v.length() > 1) {
          long n = Long.parseLong(v.substring(0, v.length() - 1));
          switch (v.charAt(v.length() - 1)) {
            case 's':
              return Duration.ofSeconds(n);
            case 'm':
              return Duration.ofMinutes(n);
            case 'h':
              return Duration.ofHours(n);
            case 'd':
              return Duration.ofDays(n);
            default:
              break;
          }
        }
      } catch (NumberFormatException | DateTimeParseException | ArithmeticException e) {
        // reported below
      }
      throw new CommandLine.TypeConversionException("'" + value + "' is not a duration "
          + "(use seconds, or 30s, 15m, 1h, 7d, or ISO-8601 like PT1H)");
    }
  }

  /** The version from the jar's manifest. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Cli.class.getPackage().getImplementationVersion();
      return new String[] {"hallpass-server " + (v != null ? v : "(development build)")};
    }
  }
}
