package dev.hallpass.jdbc;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.hallpass.HallpassException;
import dev.hallpass.spi.SessionStore;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Locale;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sql.DataSource;

/**
 * {@link SessionStore}s on a JDBC database: H2 (embedded, the default), PostgreSQL, and
 * MariaDB/MySQL.
 *
 * <p>Every store creates or migrates its tables at start-up (Flyway, history table {@code
 * hallpass_schema_history}); processes starting at once against one database are safe. The tables
 * are {@code hallpass_sessions} and {@code hallpass_signing_keys}, in the connection's default
 * schema. Add the driver of your server to your application: {@code org.postgresql:postgresql} or
 * {@code org.mariadb.jdbc:mariadb-java-client} (MySQL's own driver works too); H2 is included.
 *
 * <pre>{@code
 * SessionStore store = JdbcSessionStores.builder()
 *     .jdbcUrl("jdbc:postgresql://db:5432/app")
 *     .username("app")
 *     .password(secret)
 *     .build();
 * }</pre>
 *
 * <p>Refresh timing (the grace period of a refresh token) follows the database server's clock, read
 * in the transaction that locks the session, so processes whose own clocks differ still agree.
 *
 * <p>Start-up failures (database unreachable, migration failed) are thrown as {@link
 * HallpassException} of type GENERAL_ERROR with the cause chained. Drivers may quote the URL in
 * their messages: where a message of the chain holds the URL's user info, a user or password
 * parameter or the password, the chain is a copy with those masked ({@code ***}), each link keeping
 * its type's name and stack trace.
 *
 * <p>Database outages: a call waits at most {@link Builder#connectionTimeout(Duration)} for a
 * connection plus {@link Builder#queryTimeout(Duration)} for each answer (5 s each by default),
 * then fails with GENERAL_ERROR; the connection that timed out is discarded, and a timed-out call
 * is not retried. A pooled connection found already dead (closed while idle, as after a database
 * restart) is the one exception: the pool's idle connections are dropped and the call runs once
 * more on a new connection, so the first calls after an outage do not fail on stale connections.
 * When the database is back, calls resume on new connections: no restart is needed.
 */
public final class JdbcSessionStores {

  /** The embedded store's default directory, relative to the working directory. */
  private static final String DEFAULT_EMBEDDED_DIR = "hallpass-data";

  /** The pool's name, as HikariCP shows it in logs and metrics. */
  static final String POOL_NAME = "hallpass";

  private JdbcSessionStores() {}

  /**
   * An embedded H2 store in {@code ./hallpass-data}: sessions survive restarts. One process at a
   * time: a second process opening the same directory fails at start-up (H2's file lock).
   *
   * @return the store; close it to release the database
   * @throws HallpassException GENERAL_ERROR if the database cannot be opened
   */
  public static SessionStore embedded() {
    return embedded(Path.of(DEFAULT_EMBEDDED_DIR));
  }

  /**
   * An embedded H2 store in the given directory (created if missing): sessions survive restarts.
   * One process at a time: a second process opening the same directory fails at start-up (H2's file
   * lock). Within one process, several stores may share the directory.
   *
   * @param dir where the database files live
   * @return the store; close it to release the database
   * @throws HallpassException GENERAL_ERROR if the database cannot be opened
   * @throws IllegalArgumentException if the path contains {@code ;}, which H2 URLs cannot carry
   */
  public static SessionStore embedded(Path dir) {
    Objects.requireNonNull(dir, "dir");
    String path = dir.toAbsolutePath().normalize().resolve("hallpass").toString();
    if (path.indexOf(';') >= 0) {
      throw new IllegalArgumentException("dir must not contain ';'");
    }
    // Default FILE_LOCK (a lock file) keeps other processes out; LOCK_TIMEOUT lets refreshes of
    // one session queue for their row lock rather than fail under a burst.
    return builder()
        .jdbcUrl("jdbc:h2:file:" + path + ";LOCK_TIMEOUT=10000")
        .username("sa")
        .password("")
        .build();
  }

  /**
   * A builder for a store on any supported database.
   *
   * @return a new builder with no options set
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Configures a JDBC store: either a JDBC URL (the store then owns a HikariCP pool named {@code
   * hallpass}) or a caller's {@link DataSource} (which the store never closes).
   *
   * <p>Not thread-safe; {@link #build()} may be called more than once, each time making a new
   * store.
   */
  public static final class Builder {

    /** HikariCP refuses shorter connection (and validation) timeouts. */
    private static final Duration MIN_CONNECTION_TIMEOUT = Duration.ofMillis(250);

    /**
     * The default wait for a pooled connection: a request thread should fail fast when the database
     * is down rather than wait HikariCP's 30 s.
     */
    static final Duration DEFAULT_CONNECTION_TIMEOUT = Duration.ofSeconds(5);

    /** The default wait for each answer of the database: see {@link #queryTimeout(Duration)}. */
    static final Duration DEFAULT_QUERY_TIMEOUT = Duration.ofSeconds(5);

    /** The longest timeout accepted: the JDBC network timeout is an int of milliseconds. */
    private static final Duration MAX_TIMEOUT = Duration.ofHours(1);

    /** HikariCP's own default validation timeout, kept when both timeouts allow it. */
    private static final Duration DEFAULT_VALIDATION_TIMEOUT = Duration.ofSeconds(5);

    private String jdbcUrl;
    private String username;
    private String password;
    private Integer maximumPoolSize;
    private Duration connectionTimeout;
    private Duration queryTimeout;
    private DataSource dataSource;
    private Clock clock;

    private Builder() {}

    /**
     * The database's JDBC URL, e.g. {@code jdbc:postgresql://host:5432/db}, {@code
     * jdbc:mariadb://host:3306/db} or {@code jdbc:h2:file:/var/lib/app/hallpass}. Required unless
     * {@link #dataSource(DataSource)} is used.
     *
     * @param jdbcUrl the URL, starting with {@code jdbc:}
     * @return this builder
     * @throws IllegalArgumentException if it does not start with {@code jdbc:}
     */
    public Builder jdbcUrl(String jdbcUrl) {
      Objects.requireNonNull(jdbcUrl, "jdbcUrl");
      if (!jdbcUrl.startsWith("jdbc:")) {
        // The URL itself is not echoed: it may carry a password.
        throw new IllegalArgumentException("jdbcUrl must start with \"jdbc:\"");
      }
      this.jdbcUrl = jdbcUrl;
      return this;
    }

    /**
     * The database user; optional (the URL may carry it).
     *
     * @param username the user name
     * @return this builder
     */
    public Builder username(String username) {
      this.username = Objects.requireNonNull(username, "username");
      return this;
    }

    /**
     * The database password; optional. It never appears in a message or {@code toString}.
     *
     * @param password the password
     * @return this builder
     */
    public Builder password(String password) {
      this.password = Objects.requireNonNull(password, "password");
      return this;
    }

    /**
     * The most connections the store's pool opens; at least 1, default 10.
     *
     * @param maximumPoolSize the pool's size
     * @return this builder
     * @throws IllegalArgumentException if it is below 1
     */
    public Builder maximumPoolSize(int maximumPoolSize) {
      if (maximumPoolSize < 1) {
        throw new IllegalArgumentException("maximumPoolSize must be >= 1");
      }
      this.maximumPoolSize = maximumPoolSize;
      return this;
    }

    /**
     * How long a call waits for a pooled connection (and start-up for the first one) before it
     * fails with GENERAL_ERROR: while the database is unreachable, every call fails after this
     * long. At least 250 ms, at most 1 hour; default 5 s.
     *
     * @param connectionTimeout the longest wait for a connection
     * @return this builder
     * @throws IllegalArgumentException if it is shorter than 250 ms or longer than 1 hour
     */
    public Builder connectionTimeout(Duration connectionTimeout) {
      this.connectionTimeout = checkTimeout(connectionTimeout, "connectionTimeout");
      return this;
    }

    /**
     * How long a call waits for each answer of the database once it holds a connection (the JDBC
     * network timeout, set on the connection for the call and restored after it). A connection that
     * stays silent longer, because the network or the server stalled or a row lock is held that
     * long, fails the call with GENERAL_ERROR and is discarded; a transaction it was in is rolled
     * back by the server. At least 250 ms, at most 1 hour; default 5 s. Combinable with {@link
     * #dataSource(DataSource)}. Has no effect on an embedded H2 database (no network).
     *
     * <p>A refresh whose commit was sent but whose answer timed out may have committed: the client
     * then retries with the same refresh token, which the rotation rules answer without theft.
     *
     * @param queryTimeout the longest wait for one answer of the database
     * @return this builder
     * @throws IllegalArgumentException if it is shorter than 250 ms or longer than 1 hour
     */
    public Builder queryTimeout(Duration queryTimeout) {
      this.queryTimeout = checkTimeout(queryTimeout, "queryTimeout");
      return this;
    }

    private static Duration checkTimeout(Duration timeout, String option) {
      Objects.requireNonNull(timeout, option);
      if (timeout.compareTo(MIN_CONNECTION_TIMEOUT) < 0 || timeout.compareTo(MAX_TIMEOUT) > 0) {
        throw new IllegalArgumentException(option + " must be >= 250 ms and <= 1 hour");
      }
      return timeout;
    }

    /**
     * Uses the caller's pool instead of a URL; the store borrows one connection per call and never
     * closes the pool. Not combinable with the URL, credential and pool options.
     *
     * @param dataSource the caller's pool
     * @return this builder
     */
    public Builder dataSource(DataSource dataSource) {
      this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
      return this;
    }

    /**
     * The clock that refresh decisions use instead of the database server's: for tests that move
     * time. Default and production: the database server's clock, shared by every process. Only
     * refreshes read the store's clock; every other call is given its time by the engine.
     * Combinable with {@link #dataSource(DataSource)}.
     *
     * @param clock the refresh clock; its time is used to the millisecond
     * @return this builder
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Validates the options, connects, creates or migrates the tables and returns the store.
     *
     * @return the started store; close it to release its pool
     * @throws IllegalStateException when neither jdbcUrl nor dataSource is set, or dataSource is
     *     combined with a URL, credential or pool option; the message names them
     * @throws HallpassException GENERAL_ERROR if the database cannot be reached or migrated
     */
    public SessionStore build() {
      if (dataSource != null) {
        rejectWithDataSource(jdbcUrl != null, "jdbcUrl");
        rejectWithDataSource(username != null, "username");
        rejectWithDataSource(password != null, "password");
        rejectWithDataSource(maximumPoolSize != null, "maximumPoolSize");
        rejectWithDataSource(connectionTimeout != null, "connectionTimeout");
        return JdbcSessionStore.start(
            dataSource,
            null,
            clock,
            networkTimeoutMillis(),
            null,
            dataSource::getConnection,
            JdbcRevocationFeed.DEFAULT_POLL);
      }
      if (jdbcUrl == null) {
        throw new IllegalStateException("jdbcUrl is required (or use dataSource)");
      }

      HikariConfig config = new HikariConfig();
      config.setPoolName(POOL_NAME);
      config.setJdbcUrl(jdbcUrl);
      config.setUsername(username);
      config.setPassword(password);
      config.setMaximumPoolSize(maximumPoolSize == null ? 10 : maximumPoolSize);
      Duration connect = connectionTimeout == null ? DEFAULT_CONNECTION_TIMEOUT : connectionTimeout;
      Duration query = queryTimeout == null ? DEFAULT_QUERY_TIMEOUT : queryTimeout;
      config.setConnectionTimeout(connect.toMillis());
      // Validating an idle connection must not take longer than the caller will wait for it.
      Duration validation = DEFAULT_VALIDATION_TIMEOUT;
      validation = validation.compareTo(connect) < 0 ? validation : connect;
      validation = validation.compareTo(query) < 0 ? validation : query;
      config.setValidationTimeout(validation.toMillis());
      // Read committed everywhere (MariaDB defaults to repeatable read): row locks without the
      // gap locks that would make unrelated inserts wait.
      config.setTransactionIsolation("TRANSACTION_READ_COMMITTED");
      HikariDataSource pool;
      try {
        pool = new HikariDataSource(config);
      } catch (RuntimeException e) {
        // A driver's message may quote the URL, credentials included (MariaDB: "Incorrect port
        // value : pw@host"): the chain is passed on scrubbed.
        throw HallpassException.generalError(
            "cannot connect to the session database", scrubbed(e, jdbcUrl, password));
      }
      try {
        JdbcRevocationFeed.ConnectionOpener dedicated = feedConnection(jdbcUrl, username, password);
        HikariDataSource owned = pool;
        return JdbcSessionStore.start(
            pool,
            pool,
            clock,
            networkTimeoutMillis(),
            () -> owned.getHikariPoolMXBean().softEvictConnections(),
            dedicated,
            JdbcRevocationFeed.DEFAULT_POLL);
      } catch (HallpassException e) {
        Throwable cause = scrubbed(e.getCause(), jdbcUrl, password);
        if (cause == e.getCause() || e.getType() != HallpassException.Type.GENERAL_ERROR) {
          throw e;
        }
        throw HallpassException.generalError(
            scrubCredentials(e.getMessage(), jdbcUrl, password), cause);
      }
    }

    private int networkTimeoutMillis() {
      return (int) (queryTimeout == null ? DEFAULT_QUERY_TIMEOUT : queryTimeout).toMillis();
    }

    private static void rejectWithDataSource(boolean set, String option) {
      if (set) {
        throw new IllegalStateException(
            option + " cannot be combined with dataSource (configure the caller's pool instead)");
      }
    }

    /** The options, with the password and the URL's parameters hidden. */
    @Override
    public String toString() {
      return "JdbcSessionStores.Builder{jdbcUrl="
          + redact(jdbcUrl)
          + ", username="
          + username
          + ", password="
          + (password == null ? "null" : "<redacted>")
          + ", maximumPoolSize="
          + maximumPoolSize
          + ", connectionTimeout="
          + connectionTimeout
          + ", queryTimeout="
          + queryTimeout
          + ", dataSource="
          + (dataSource == null ? "null" : dataSource.getClass().getName())
          + ", clock="
          + (clock == null ? "database" : clock)
          + "}";
    }

    /** The URL up to its first parameter, without user info: both may carry credentials. */
    private static String redact(String url) {
      if (url == null) {
        return "null";
      }
      url = USER_INFO.matcher(url).replaceAll(MASK + "@");
      int cut = url.length();
      for (char c : new char[] {'?', ';', '&'}) {
        int i = url.indexOf(c);
        if (i >= 0 && i < cut) {
          cut = i;
        }
      }
      return cut == url.length() ? url : url.substring(0, cut) + "<parameters redacted>";
    }
  }

  // ---------------------------------------------------------------- credentials in messages

  private static final String MASK = "***";

  /** The user info of a URL, up to its {@code @}: {@code //bob:pw@}. */
  private static final Pattern USER_INFO = Pattern.compile("(?<=//)[^/?#@\\s]+@");

  /** A user or password parameter and its value, in query ({@code &}) or H2 ({@code ;}) form. */
  private static final Pattern CREDENTIAL_PARAMETER =
      Pattern.compile(
          "(?i)(?<![a-z0-9_.-])((?:[a-z0-9_.-]*(?:password|passwd|pwd)|user|username)\\s*=\\s*)"
              + "([^&;)\\s'\"]*)");

  /**
   * Opens the revocation feed's own connection, outside the pool it would otherwise hold forever. A
   * failure is logged by the feed on every reconnection attempt, so its messages are scrubbed of
   * credentials first, as at start-up.
   */
  static JdbcRevocationFeed.ConnectionOpener feedConnection(
      String url, String user, String password) {
    return () -> {
      Properties p = new Properties();
      if (user != null) {
        p.setProperty("user", user);
      }
      if (password != null) {
        p.setProperty("password", password);
      }
      p.setProperty("ApplicationName", "hallpass-revocations");
      try {
        return DriverManager.getConnection(url, p);
      } catch (SQLException e) {
        Throwable clean = scrubbed(e, url, password);
        if (clean == e) {
          throw e;
        }
        throw new SQLException(
            "cannot open the revocation feed's connection: " + clean.getMessage(),
            e.getSQLState(),
            e.getErrorCode(),
            clean);
      }
    };
  }

  /**
   * {@code text} without credentials: by shape, any URL's user info ({@code //***@host}) and the
   * value of any user or password parameter ({@code ?password=***}, H2's {@code ;PASSWORD=***}); by
   * value, the passwords {@code jdbcUrl} carries and {@code password}, wherever they appear (a
   * driver may quote a fragment of the URL that has no URL shape left). Secrets shorter than 4
   * characters are replaced only where they stand alone.
   */
  static String scrubCredentials(String text, String jdbcUrl, String password) {
    if (text == null) {
      return null;
    }
    String t = USER_INFO.matcher(text).replaceAll(MASK + "@");
    t = CREDENTIAL_PARAMETER.matcher(t).replaceAll("$1" + Matcher.quoteReplacement(MASK));
    Set<String> secrets =
        new TreeSet<>(
            Comparator.comparingInt(String::length)
                .reversed()
                .thenComparing(Comparator.naturalOrder()));
    if (password != null && !password.isEmpty()) {
      secrets.add(password);
    }
    if (jdbcUrl != null) {
      Set<String> raw = new HashSet<>();
      Matcher info = USER_INFO.matcher(jdbcUrl);
      while (info.find()) {
        int colon = info.group().indexOf(':');
        if (colon >= 0) {
          raw.add(info.group().substring(colon + 1, info.group().length() - 1));
        }
      }
      Matcher parameter = CREDENTIAL_PARAMETER.matcher(jdbcUrl);
      while (parameter.find()) {
        if (!parameter.group(1).toLowerCase(Locale.ROOT).startsWith("user")) {
          raw.add(parameter.group(2));
        }
      }
      for (String s : raw) {
        if (!s.isEmpty()) {
          secrets.add(s);
          try {
            secrets.add(URLDecoder.decode(s, StandardCharsets.UTF_8));
          } catch (IllegalArgumentException e) {
            // not percent-encoded after all: the raw value is enough
          }
        }
      }
    }
    for (String s : secrets) {
      String p =
          s.length() >= 4
              ? Pattern.quote(s)
              : "(?<![A-Za-z0-9])" + Pattern.quote(s) + "(?![A-Za-z0-9])";
      t = Pattern.compile(p).matcher(t).replaceAll(MASK);
    }
    return t;
  }

  /**
   * {@code e} itself when no message of its chain holds a credential; else a copy of the chain with
   * every message scrubbed, each link showing its original type and stack trace.
   */
  private static Throwable scrubbed(Throwable e, String jdbcUrl, String password) {
    if (e == null || !needsScrubbing(e, jdbcUrl, password, 0)) {
      return e;
    }
    return new ScrubbedException(e, m -> scrubCredentials(m, jdbcUrl, password), 0);
  }

  /** Links of a chain looked at: causes and suppressed exceptions, this deep at most. */
  private static final int MAX_DEPTH = 32;

  private static boolean needsScrubbing(Throwable e, String url, String password, int depth) {
    if (e == null || depth > MAX_DEPTH) {
      return false;
    }
    String m = e.getMessage();
    if (m != null && !m.equals(scrubCredentials(m, url, password))) {
      return true;
    }
    for (Throwable s : e.getSuppressed()) {
      if (needsScrubbing(s, url, password, depth + 1)) {
        return true;
      }
    }
    return e.getCause() != e && needsScrubbing(e.getCause(), url, password, depth + 1);
  }

  /** A scrubbed copy of an exception: same type name (in its text) and stack trace. */
  private static final class ScrubbedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** What {@link #toString()} shows: the original type and the scrubbed message. */
    private final String shown;

    ScrubbedException(Throwable original, UnaryOperator<String> scrub, int depth) {
      super(
          scrub.apply(original.getMessage()),
          original.getCause() == null || original.getCause() == original || depth >= MAX_DEPTH
              ? null
              : new ScrubbedException(original.getCause(), scrub, depth + 1),
          true,
          true);
      String message = getMessage();
      shown = original.getClass().getName() + (message == null ? "" : ": " + message);
      setStackTrace(original.getStackTrace());
      if (depth < MAX_DEPTH) {
        for (Throwable s : original.getSuppressed()) {
          addSuppressed(new ScrubbedException(s, scrub, depth + 1));
        }
      }
    }

    @Override
    public String toString() {
      return shown;
    }
  }
}
