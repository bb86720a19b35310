package dev.hallpass.server;

import dev.hallpass.KeyEncryptionKey;
import dev.hallpass.jdbc.JdbcSessionStores;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The command line and config file: turns arguments into a validated {@link ServerConfig}, or into
 * the text to print and the exit code. Never exits the JVM itself, so tests call {@link #parse}.
 *
 * <p>Precedence: command line, then the {@code --config} properties file (keys are the long option
 * names without dashes), then the environment variables named in the help, then the defaults.
 * Options take their value as {@code --port 3567} or {@code --port=3567}; each may be given once,
 * except {@code --api-keys}, whose values add up.
 *
 * <p>This class checks only the server's own options (address, threads, keys, which store); whether
 * the address bound is one other machines can reach is judged when it is bound ({@link
 * HallpassServer#start}). The engine's and the store's settings are checked by their builders
 * ({@code Hallpass.builder()}, {@code JdbcSessionStores.builder()}), whose messages are reported as
 * they are, with the options they concern ({@link #checked}): the engine's setters here, with no
 * I/O; conflicts between the engine's settings and the store's settings when the server starts,
 * before it serves a request.
 *
 * <p>Hand-written rather than a command-line library: parsing is on the start-up path, before the
 * engine can start, and the library it replaced (picocli) took 0.15 to 0.2 s of it, with or without
 * the launcher's class-data-sharing archive, which cannot hold classes of its old class-file format
 * (BENCHMARKS.md).
 */
final class Cli {
  /** Exit code for invalid options or config. */
  static final int EXIT_USAGE = 2;

  /** Exit code when the server could not start (database unreachable, port taken). */
  static final int EXIT_STARTUP_FAILED = 1;

  /** SuperTokens core's rule for API keys: at least 20 characters of a-z A-Z 0-9 = -. */
  private static final Pattern API_KEY = Pattern.compile("[A-Za-z0-9=-]{20,}");

  private static final Set<String> LOG_LEVELS =
      Set.of("off", "error", "warn", "info", "debug", "trace");
  private static final String NAME = "hallpass-server";

  /** Width of the help text: lines are at most this long minus one. */
  private static final int HELP_WIDTH = 80;

  /** Where the help's option descriptions start. */
  private static final int HELP_INDENT = 28;

  /** How an option's text becomes its value. */
  private enum Kind {
    FLAG,
    TEXT,
    INT,
    DURATION,
    PATH,
    LIST
  }

  /** The options, in the order of the help. */
  private enum Opt {
    CONFIG(
        "--config",
        "<file>",
        Kind.PATH,
        null,
        null,
        "Properties file with any of these options, e.g. port=3567, api-keys=..."),
    PORT(
        "--port",
        "<port>",
        Kind.INT,
        "3567",
        null,
        "Port to listen on (0 picks a free one). Default: 3567."),
    HOST(
        "--host",
        "<address>",
        Kind.TEXT,
        "127.0.0.1",
        null,
        "Address to bind. Default: 127.0.0.1 (this machine only)."),
    DATABASE_URL(
        "--database-url",
        "<jdbc-url>",
        Kind.TEXT,
        null,
        null,
        "JDBC URL of PostgreSQL, MariaDB/MySQL or H2, e.g. jdbc:postgresql://db:5432/hallpass. "
            + "Default: embedded H2 in --data-dir."),
    DATABASE_USER("--database-user", "<user>", Kind.TEXT, null, null, "Database user."),
    DATABASE_PASSWORD(
        "--database-password",
        "<password>",
        Kind.TEXT,
        null,
        "HALLPASS_DATABASE_PASSWORD",
        "Database password (prefer env HALLPASS_DATABASE_PASSWORD or the config file)."),
    DATABASE_POOL_SIZE(
        "--database-pool-size",
        "<n>",
        Kind.INT,
        null,
        null,
        "Database connections per server process (with --database-url). Default: 10."),
    DATABASE_TIMEOUT(
        "--database-timeout",
        "<duration>",
        Kind.DURATION,
        null,
        null,
        "How long a request waits for a database connection, and for each answer, before it "
            + "fails with 500 (with --database-url; 250ms to 1h). Default: 5s."),
    DATA_DIR(
        "--data-dir",
        "<dir>",
        Kind.PATH,
        null,
        null,
        "Directory of the embedded H2 database (one process only). Default: ./hallpass-data."),
    IN_MEMORY_STORE(
        "--in-memory-store",
        null,
        Kind.FLAG,
        null,
        null,
        "Keep sessions in memory only: they are lost on exit (tests and trials)."),
    API_KEYS(
        "--api-keys",
        "<key>",
        Kind.LIST,
        null,
        "HALLPASS_API_KEYS",
        "Comma-separated API keys the SDKs must send (api-key header); each at least 20 "
            + "characters of a-z A-Z 0-9 = -. None: no key required. Env: HALLPASS_API_KEYS."),
    ALLOW_UNAUTHENTICATED(
        "--allow-unauthenticated",
        null,
        Kind.FLAG,
        null,
        null,
        "Serve without API keys on an address other machines can reach (a --host other than "
            + "loopback): anyone who reaches the port can create, read and revoke sessions. "
            + "Without it, such a --host needs --api-keys."),
    TENANTS(
        "--tenants",
        "<tenant-id>",
        Kind.LIST,
        null,
        "HALLPASS_TENANTS",
        "Comma-separated tenant ids to accept (1 to 128 characters of a-z 0-9 -); 'public', "
            + "the tenant of calls without a tenant, is always accepted. None: any valid tenant "
            + "id. Env: HALLPASS_TENANTS."),
    ACCESS_TOKEN_VALIDITY(
        "--access-token-validity",
        "<duration>",
        Kind.DURATION,
        "1h",
        null,
        "Access token lifetime (whole seconds). Default: 1h."),
    REFRESH_TOKEN_VALIDITY(
        "--refresh-token-validity",
        "<duration>",
        Kind.DURATION,
        "100d",
        null,
        "Session lifetime without a refresh (whole seconds). Default: 100d."),
    SIGNING_KEY_ROTATION(
        "--signing-key-rotation",
        "<duration>",
        Kind.DURATION,
        "7d",
        null,
        "How long one signing key signs before the next (at least 1m). Default: 7d."),
    REFRESH_GRACE_PERIOD(
        "--refresh-grace-period",
        "<duration>",
        Kind.DURATION,
        null,
        null,
        "How long the refresh token just replaced still gets the same new tokens (racing tabs, "
            + "quick retries); at most --access-token-validity. Default: 30s, or the "
            + "access-token validity if shorter."),
    KEY_ENCRYPTION_KEY_FILE(
        "--key-encryption-key-file",
        "<file>",
        Kind.PATH,
        null,
        null,
        "File with the base64 of a 32-byte key (openssl rand -base64 32) that encrypts the "
            + "signing and refresh keys in the database. Or env HALLPASS_KEY_ENCRYPTION_KEY with "
            + "the base64 itself. Default: not encrypted."),
    OLD_KEY_ENCRYPTION_KEY_FILES(
        "--old-key-encryption-key-files",
        "<file>",
        Kind.LIST,
        null,
        null,
        "Previous key-encryption keys, still read and re-encrypted under the current one; keep "
            + "each until --refresh-token-validity has passed since it was replaced."),
    LOG_LEVEL(
        "--log-level",
        "<level>",
        Kind.TEXT,
        "info",
        null,
        "off, error, warn, info, debug or trace. Default: info."),
    MAX_THREADS(
        "--max-threads",
        "<n>",
        Kind.INT,
        "32",
        null,
        "HTTP worker threads (at least 8). Default: 32."),
    SHUTDOWN_TIMEOUT(
        "--shutdown-timeout",
        "<duration>",
        Kind.DURATION,
        "10s",
        null,
        "How long SIGTERM waits for in-flight requests. Default: 10s.");

    final String name;

    /** The value's placeholder in help and messages; null for a flag. */
    final String label;

    final Kind kind;

    /** The default as text, or null for none. */
    final String defaultValue;

    /** The environment variable that supplies a default, or null. */
    final String env;

    final String description;

    Opt(String name, String label, Kind kind, String defaultValue, String env, String description) {
      this.name = name;
      this.label = label;
      this.kind = kind;
      this.defaultValue = defaultValue;
      this.env = env;
      this.description = description;
    }

    /** The config file's key: the name without dashes. */
    String key() {
      return name.substring(2);
    }

    static Opt named(String name) {
      for (Opt o : values()) {
        if (o.name.equals(name)) {
          return o;
        }
      }
      return null;
    }
  }

  /** What {@link #parse} decided. */
  sealed interface Outcome permits Run, Exit {}

  /** Start the server with these settings. */
  record Run(ServerConfig config) implements Outcome {}

  /** Print {@code text} (to stdout for code 0, else stderr) and exit with {@code code}. */
  record Exit(int code, String text) implements Outcome {}

  /** The converted values, by option; an absent key means no value (null). */
  private final Map<Opt, Object> values = new EnumMap<>(Opt.class);

  private Cli() {}

  /** Parses and validates; never throws for bad input and never exits. */
  static Outcome parse(String... args) {
    try {
      Cli cli = new Cli();
      boolean[] helpAndVersion = cli.parseArgs(args);
      if (helpAndVersion[0]) {
        return new Exit(0, usage());
      }
      if (helpAndVersion[1]) {
        return new Exit(0, version() + System.lineSeparator());
      }
      cli.applyDefaults();
      return new Run(cli.validate());
    } catch (InvalidConfig e) {
      return usageError(e.getMessage());
    }
  }

  /**
   * The command line's values, converted as they come (so an invalid value is reported even with
   * {@code --help}); returns whether help and version were asked for.
   */
  private boolean[] parseArgs(String[] args) {
    boolean help = false;
    boolean version = false;
    Set<Opt> seen = new LinkedHashSet<>();
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (arg.equals("--")) { // the end of the options; this command takes no other arguments
        if (i + 1 < args.length) {
          throw unmatched(i + 1);
        }
        break;
      }
      switch (arg) {
        case "-h", "--help" -> help = true;
        case "-V", "--version" -> version = true;
        case "-hV", "-Vh" -> {
          help = true;
          version = true;
        }
        default -> {
          if (!arg.startsWith("-") || arg.equals("-")) {
            throw unmatched(i);
          }
          int eq = arg.indexOf('=');
          String name = optionName(arg);
          Opt o = Opt.named(name);
          if (o == null) {
            // The name only: the value of a mistyped option may be a secret (--api-key=...).
            throw new InvalidConfig("Unknown option: '" + name + "'");
          }
          String text;
          if (eq >= 0) {
            text = arg.substring(eq + 1);
          } else if (o.kind == Kind.FLAG) {
            text = "true";
          } else if (i + 1 == args.length) {
            throw new InvalidConfig(
                "Missing required parameter for option '" + o.name + "' (" + o.label + ")");
          } else if (isOption(args[i + 1])) {
            throw new InvalidConfig(
                "Expected parameter for option '"
                    + o.name
                    + "' but found option '"
                    + optionName(args[i + 1])
                    + "'");
          } else {
            text = args[++i];
          }
          if (!seen.add(o) && o.kind != Kind.LIST) {
            throw new InvalidConfig(
                "option '"
                    + o.name
                    + "'"
                    + (o.label == null ? "" : " (" + o.label + ")")
                    + " should be specified only once");
          }
          Object value = convert(o, text);
          if (o.kind == Kind.LIST && values.containsKey(o)) {
            List<String> all = new ArrayList<>(list(o));
            all.addAll(castList(value));
            value = all;
          }
          values.put(o, value);
        }
      }
    }
    return new boolean[] {help, version};
  }

  private static boolean isOption(String arg) {
    return Opt.named(optionName(arg)) != null
        || List.of("-h", "--help", "-V", "--version", "-hV", "-Vh").contains(arg);
  }

  /** An option argument without its {@code =value}. */
  private static String optionName(String arg) {
    int eq = arg.indexOf('=');
    return eq < 0 ? arg : arg.substring(0, eq);
  }

  /** Not echoed: a stray argument may be a secret (a second key after {@code --api-keys K}). */
  private static InvalidConfig unmatched(int index) {
    return new InvalidConfig(
        "Unmatched argument at index " + index + ": this command takes options only");
  }

  /** Options not on the command line: from the config file, the environment, the defaults. */
  private void applyDefaults() {
    Properties file = values.containsKey(Opt.CONFIG) ? loadConfig(path(Opt.CONFIG)) : null;
    for (Opt o : Opt.values()) {
      if (values.containsKey(o)) {
        continue;
      }
      String text = file == null ? null : file.getProperty(o.key());
      if (text == null && o.env != null) {
        text = System.getenv(o.env);
      }
      if (text == null) {
        text = o.defaultValue;
      }
      if (text != null) {
        values.put(o, convert(o, text));
      }
    }
  }

  private static Object convert(Opt o, String text) {
    try {
      switch (o.kind) {
        case FLAG:
          if (text.equalsIgnoreCase("true") || text.equalsIgnoreCase("false")) {
            return Boolean.parseBoolean(text);
          }
          throw new IllegalArgumentException("'" + text + "' is not a boolean");
        case INT:
          try {
            return Integer.valueOf(text);
          } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' is not an int");
          }
        case DURATION:
          return duration(text);
        case PATH:
          try {
            return Path.of(text);
          } catch (InvalidPathException e) {
            throw new IllegalArgumentException("'" + text + "' is not a path: " + e.getReason());
          }
        case LIST:
          return List.of(text.split(",", -1));
        case TEXT:
        default:
          return text;
      }
    } catch (IllegalArgumentException e) {
      throw new InvalidConfig("Invalid value for option '" + o.name + "': " + e.getMessage());
    }
  }

  /** What to print, and exit status 2, for an invalid option or setting. */
  static Exit usageError(String message) {
    return new Exit(
        EXIT_USAGE,
        NAME
            + ": "
            + message
            + System.lineSeparator()
            + "Run '"
            + NAME
            + " --help' for the options."
            + System.lineSeparator());
  }

  /** A setting that parsed but is not acceptable; the message names the option. */
  static final class InvalidConfig extends RuntimeException {
    InvalidConfig(String message) {
      super(message);
    }
  }

  /**
   * The builders' names for the settings these options give (messages of {@code Hallpass.builder()}
   * and {@code JdbcSessionStores}), so that a builder's message can be followed by the option to
   * change.
   */
  private static final Map<Pattern, String> BUILDER_OPTIONS =
      builderOptions(
          "accessTokenValidity", "--access-token-validity",
          "refreshTokenValidity", "--refresh-token-validity",
          "signingKeyRotationInterval", "--signing-key-rotation",
          "refreshGracePeriod", "--refresh-grace-period",
          "jdbcUrl", "--database-url",
          "username", "--database-user",
          "password", "--database-password",
          "maximumPoolSize", "--database-pool-size",
          "connectionTimeout", "--database-timeout",
          "queryTimeout", "--database-timeout",
          "dir", "--data-dir",
          "keyEncryption", "--key-encryption-key-file");

  private static Map<Pattern, String> builderOptions(String... pairs) {
    Map<Pattern, String> m = new LinkedHashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      m.put(Pattern.compile("\\b" + pairs[i] + "\\b"), pairs[i + 1]);
    }
    return m;
  }

  /**
   * Runs a builder call; its {@link IllegalArgumentException} or {@link IllegalStateException} (an
   * invalid or conflicting setting) becomes an {@link InvalidConfig} with the builder's own message
   * and the options it names.
   */
  static <T> T checked(Supplier<T> builderCall) {
    try {
      return builderCall.get();
    } catch (IllegalArgumentException | IllegalStateException e) {
      String message = e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
      // The options in the order the message names them.
      Map<Integer, String> named = new TreeMap<>();
      BUILDER_OPTIONS.forEach(
          (name, option) -> {
            Matcher m = name.matcher(message);
            if (m.find()) {
              named.put(m.start(), option);
            }
          });
      Set<String> options = new LinkedHashSet<>(named.values());
      throw new InvalidConfig(
          options.isEmpty() ? message : message + " (" + String.join(", ", options) + ")");
    }
  }

  private static Properties loadConfig(Path file) {
    Properties p = new Properties();
    try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      p.load(r);
    } catch (IOException | IllegalArgumentException e) {
      throw new InvalidConfig("--config: cannot read " + file + ": " + e.getMessage());
    }
    Set<String> known = new TreeSet<>();
    for (Opt o : Opt.values()) {
      if (o != Opt.CONFIG) {
        known.add(o.key());
      }
    }
    for (String key : p.stringPropertyNames()) {
      if (!known.contains(key)) {
        throw new InvalidConfig(
            "--config: unknown key '"
                + key
                + "' in "
                + file
                + "; known keys: "
                + String.join(", ", known));
      }
    }
    return p;
  }

  private String text(Opt o) {
    return (String) values.get(o);
  }

  private Integer integer(Opt o) {
    return (Integer) values.get(o);
  }

  private Duration duration(Opt o) {
    return (Duration) values.get(o);
  }

  private Path path(Opt o) {
    return (Path) values.get(o);
  }

  private List<String> list(Opt o) {
    return castList(values.get(o));
  }

  @SuppressWarnings("unchecked")
  private static List<String> castList(Object value) {
    return value == null ? null : (List<String>) value;
  }

  private ServerConfig validate() {
    int port = integer(Opt.PORT);
    String host = text(Opt.HOST);
    String databaseUrl = text(Opt.DATABASE_URL);
    String databasePassword = text(Opt.DATABASE_PASSWORD);
    Integer databasePoolSize = integer(Opt.DATABASE_POOL_SIZE);
    Duration databaseTimeout = duration(Opt.DATABASE_TIMEOUT);
    Path dataDir = path(Opt.DATA_DIR);
    boolean inMemoryStore = Boolean.TRUE.equals(values.get(Opt.IN_MEMORY_STORE));
    int maxThreads = integer(Opt.MAX_THREADS);
    Duration shutdownTimeout = duration(Opt.SHUTDOWN_TIMEOUT);
    if (port < 0 || port > 65535) {
      throw new InvalidConfig("--port must be between 0 and 65535, not " + port);
    }
    if (host == null || host.isBlank()) {
      throw new InvalidConfig("--host must not be empty");
    }
    if (databaseUrl != null && databaseUrl.isBlank()) {
      databaseUrl = null;
    }
    if (inMemoryStore && (databaseUrl != null || dataDir != null)) {
      throw new InvalidConfig(
          "--in-memory-store cannot be combined with --database-url or --data-dir");
    }
    if (databaseUrl != null && dataDir != null) {
      throw new InvalidConfig(
          "--data-dir is for the embedded database; it cannot be combined "
              + "with --database-url");
    }
    if (databaseUrl == null
        && (text(Opt.DATABASE_USER) != null
            || isSet(databasePassword)
            || databasePoolSize != null
            || databaseTimeout != null)) {
      throw new InvalidConfig(
          "--database-user, --database-password, --database-pool-size and --database-timeout "
              + "need --database-url");
    }
    if (databaseTimeout != null) {
      // The store builder's setters judge it now, with no I/O.
      checked(() -> JdbcSessionStores.builder().queryTimeout(databaseTimeout));
    }
    List<String> keys = new ArrayList<>();
    if (list(Opt.API_KEYS) != null) {
      for (String k : list(Opt.API_KEYS)) {
        String key = k.trim();
        if (key.isEmpty()) {
          continue;
        }
        if (!API_KEY.matcher(key).matches()) {
          // The key itself is not echoed: it is a secret.
          throw new InvalidConfig(
              "--api-keys: each key must be at least 20 characters of "
                  + "a-z A-Z 0-9 = - (key number "
                  + (keys.size() + 1)
                  + " is not)");
        }
        keys.add(key);
      }
    }
    boolean allowUnauthenticated = Boolean.TRUE.equals(values.get(Opt.ALLOW_UNAUTHENTICATED));
    if (allowUnauthenticated && !keys.isEmpty()) {
      throw new InvalidConfig(
          "--allow-unauthenticated cannot be combined with --api-keys: with keys, every API "
              + "request needs one");
    }
    List<String> tenants = tenants(list(Opt.TENANTS));
    String logLevel = text(Opt.LOG_LEVEL);
    String level = logLevel.trim().toLowerCase(Locale.ROOT);
    if (!LOG_LEVELS.contains(level)) {
      throw new InvalidConfig(
          "--log-level must be one of off, error, warn, info, debug, trace; "
              + "not '"
              + logLevel
              + "'");
    }
    if (maxThreads < 8) {
      throw new InvalidConfig("--max-threads must be at least 8");
    }
    if (shutdownTimeout.isNegative()) {
      throw new InvalidConfig("--shutdown-timeout must not be negative");
    }
    List<KeyEncryptionKey> keyEncryptionKeys = keyEncryptionKeys();
    ServerConfig config =
        new ServerConfig(
            host.trim(),
            port,
            databaseUrl,
            text(Opt.DATABASE_USER),
            isSet(databasePassword) ? databasePassword : null,
            databasePoolSize,
            databaseTimeout,
            dataDir != null ? dataDir : Path.of("hallpass-data"),
            inMemoryStore,
            keys,
            allowUnauthenticated,
            tenants,
            duration(Opt.ACCESS_TOKEN_VALIDITY),
            duration(Opt.REFRESH_TOKEN_VALIDITY),
            duration(Opt.SIGNING_KEY_ROTATION),
            duration(Opt.REFRESH_GRACE_PERIOD),
            level,
            maxThreads,
            shutdownTimeout,
            keyEncryptionKeys);
    // The engine builder's setters judge its values now, with no I/O; conflicts between them
    // (build()) and the store's settings are judged when the server starts.
    checked(config::engineSettings);
    return config;
  }

  /** Env variable with the current key-encryption key itself (base64), for containers. */
  static final String KEY_ENCRYPTION_KEY_ENV = "HALLPASS_KEY_ENCRYPTION_KEY";

  /** The current key-encryption key then the older ones; empty: keys stored unencrypted. */
  private List<KeyEncryptionKey> keyEncryptionKeys() {
    Path file = path(Opt.KEY_ENCRYPTION_KEY_FILE);
    boolean fromEnv = isSet(System.getenv(KEY_ENCRYPTION_KEY_ENV));
    List<KeyEncryptionKey> keys = new ArrayList<>();
    // The factories' messages name the file or variable, never the key.
    try {
      if (file != null && fromEnv) {
        throw new InvalidConfig(
            "--key-encryption-key-file and env " + KEY_ENCRYPTION_KEY_ENV + " are both set");
      } else if (file != null) {
        keys.add(KeyEncryptionKey.fromFile(file));
      } else if (fromEnv) {
        keys.add(KeyEncryptionKey.fromEnvironment(KEY_ENCRYPTION_KEY_ENV));
      }
      List<String> older = list(Opt.OLD_KEY_ENCRYPTION_KEY_FILES);
      if (older != null && !older.isEmpty()) {
        if (keys.isEmpty()) {
          throw new InvalidConfig(
              "--old-key-encryption-key-files needs --key-encryption-key-file"
                  + " (or env "
                  + KEY_ENCRYPTION_KEY_ENV
                  + ")");
        }
        for (String f : older) {
          if (!f.isBlank()) {
            keys.add(KeyEncryptionKey.fromFile(Path.of(f.trim())));
          }
        }
      }
    } catch (IllegalArgumentException e) {
      throw new InvalidConfig(e.getMessage());
    }
    return keys;
  }

  /** The --tenants list: valid tenant ids that the router can tell from a route, in order. */
  private static List<String> tenants(List<String> given) {
    Set<String> tenants = new LinkedHashSet<>();
    if (given != null) {
      for (String t : given) {
        String tenant = t.trim();
        if (tenant.isEmpty()) {
          continue;
        }
        if (!dev.hallpass.Hallpass.isValidTenantId(tenant)) {
          throw new InvalidConfig(
              "--tenants: '"
                  + printable(tenant)
                  + "' is not a tenant id (1 to 128 characters of a-z, 0-9 and -)");
        }
        if (ApiHandler.isReservedTenantId(tenant)) {
          throw new InvalidConfig(
              "--tenants: '"
                  + tenant
                  + "' is reserved (it would read as a route or an app in URL paths)");
        }
        tenants.add(tenant);
      }
    }
    return List.copyOf(tenants);
  }

  /** Up to 40 characters of {@code s}, non-printable ones shown as '?'. */
  private static String printable(String s) {
    String t = s.length() > 40 ? s.substring(0, 40) + "..." : s;
    return t.replaceAll("[^\\x20-\\x7e]", "?");
  }

  private static boolean isSet(String s) {
    return s != null && !s.isEmpty();
  }

  /** Seconds, a number with a unit (s, m, h, d), or ISO-8601. */
  static Duration duration(String value) {
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
    throw new IllegalArgumentException(
        "'"
            + value
            + "' is not a duration "
            + "(use seconds, or 30s, 15m, 1h, 7d, or ISO-8601 like PT1H)");
  }

  /** The version line, from the jar's manifest. */
  static String version() {
    String v = Cli.class.getPackage().getImplementationVersion();
    return NAME + " " + (v != null ? v : "(development build)");
  }

  /** The {@code --help} text. */
  static String usage() {
    String nl = System.lineSeparator();
    StringBuilder out = new StringBuilder();
    out.append("Usage: ").append(NAME).append(" [option...]").append(nl);
    wrap(
        out,
        "Hallpass as a standalone session service: a drop-in core for the SuperTokens "
            + "backend SDKs (core driver interface 5.4).",
        0,
        0);
    out.append(nl);
    for (Opt o : Opt.values()) {
      String left =
          "      "
              + o.name
              + (o.label == null
                  ? ""
                  : "=" + o.label + (o.kind == Kind.LIST ? "[," + o.label + "...]" : ""));
      optionLine(out, left, o.description);
    }
    optionLine(out, "  -h, --help", "Show this help message and exit.");
    optionLine(out, "  -V, --version", "Print version information and exit.");
    out.append(nl);
    wrap(
        out,
        "Durations: seconds (3600), or with a unit (30s, 15m, 1h, 7d), or ISO-8601 (PT1H).",
        0,
        0);
    wrap(
        out,
        "Exit codes: 0 stopped cleanly, 1 start-up failed (database, port), 2 invalid "
            + "options.",
        0,
        0);
    return out.toString();
  }

  /** One option of the help: its name, then its description from {@link #HELP_INDENT} on. */
  private static void optionLine(StringBuilder out, String left, String description) {
    if (left.length() < HELP_INDENT - 1) {
      out.append(left).append(" ".repeat(HELP_INDENT - left.length()));
    } else {
      out.append(left).append(System.lineSeparator()).append(" ".repeat(HELP_INDENT));
    }
    wrap(out, description, HELP_INDENT, HELP_INDENT + 2);
  }

  /**
   * Appends {@code text} word-wrapped to lines shorter than {@link #HELP_WIDTH}; the first line is
   * taken to start at column {@code first} (already written), the others are indented to {@code
   * rest}.
   */
  private static void wrap(StringBuilder out, String text, int first, int rest) {
    int column = first;
    boolean lineStart = true;
    for (String word : Arrays.asList(text.split(" "))) {
      if (!lineStart && column + 1 + word.length() >= HELP_WIDTH) {
        out.append(System.lineSeparator()).append(" ".repeat(rest));
        column = rest;
        lineStart = true;
      }
      if (!lineStart) {
        out.append(' ');
        column++;
      }
      out.append(word);
      column += word.length();
      lineStart = false;
    }
    out.append(System.lineSeparator());
  }
}
