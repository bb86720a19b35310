package dev.hallpass.jdbc;

import static org.junit.jupiter.api.Assertions.fail;

import dev.hallpass.spi.SessionStore;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;

/**
 * The database servers the tests use, and helpers around them.
 *
 * <p>PostgreSQL and MariaDB URLs come from {@code HALLPASS_TEST_POSTGRES_URL} and {@code
 * HALLPASS_TEST_MARIADB_URL}. An unreachable server skips the calling test class with a printed
 * reason, except under {@code CI=true}, where it fails it: CI must not pass by skipping.
 */
final class TestDatabases {

  /** A server the tests can run against. */
  enum Server {
    POSTGRES(
        "PostgreSQL",
        "HALLPASS_TEST_POSTGRES_URL",
        "jdbc:postgresql://127.0.0.1:5432/test?user=postgres"),
    MARIADB("MariaDB", "HALLPASS_TEST_MARIADB_URL", "jdbc:mariadb://127.0.0.1:3306/test?user=root");

    final String displayName;
    final String envVariable;
    final String defaultUrl;

    Server(String displayName, String envVariable, String defaultUrl) {
      this.displayName = displayName;
      this.envVariable = envVariable;
      this.defaultUrl = defaultUrl;
    }

    /** The URL from the environment, or the default. */
    String url() {
      String url = System.getenv(envVariable);
      return url == null || url.isBlank() ? defaultUrl : url;
    }
  }

  private static final List<SessionStore> OPENED = new ArrayList<>();

  private TestDatabases() {}

  /**
   * The server's URL if it answers; otherwise skips the current test (class, when called from
   * {@code @BeforeAll}), or fails it when {@code CI=true}.
   */
  static String require(Server server) {
    String url = server.url();
    String problem;
    SQLException cause = null;
    try (Connection c = connect(url)) {
      if (c.isValid(5)) {
        return url;
      }
      problem = "the connection is not valid";
    } catch (SQLException e) {
      problem = e.getMessage();
      cause = e;
    }
    String reason =
        server.displayName
            + " is not reachable ("
            + problem
            + "); set "
            + server.envVariable
            + " or start the server";
    if ("true".equalsIgnoreCase(System.getenv("CI"))) {
      fail("CI=true, so not skipping: " + reason, cause);
    }
    System.err.println("SKIPPED " + server.displayName + " tests: " + reason);
    Assumptions.abort(reason);
    throw new AssertionError("unreachable");
  }

  /** A plain driver connection, outside any pool. */
  static Connection connect(String url) throws SQLException {
    DriverManager.setLoginTimeout(5);
    return DriverManager.getConnection(url);
  }

  /**
   * Drops the Hallpass tables (and H2 function) and Flyway history: the next store starts on an
   * empty schema.
   */
  static void dropHallpassTables(String url) {
    execute(
        url,
        "DROP TABLE IF EXISTS hallpass_sessions",
        "DROP TABLE IF EXISTS hallpass_signing_keys",
        "DROP TABLE IF EXISTS hallpass_revocations",
        "DROP TABLE IF EXISTS " + historyTable(url));
    if (url.startsWith("jdbc:h2:")) {
      execute(url, "DROP ALIAS IF EXISTS hallpass_current_time_millis");
    }
  }

  /** Flyway's history table as SQL: Flyway quotes the name, so on H2 it stays lower case. */
  static String historyTable(String url) {
    return url.startsWith("jdbc:h2:")
        ? '"' + JdbcSessionStore.SCHEMA_HISTORY_TABLE + '"'
        : JdbcSessionStore.SCHEMA_HISTORY_TABLE;
  }

  /** Deletes every row of the Hallpass tables. */
  static void deleteAllRows(String url) {
    execute(url, "DELETE FROM hallpass_sessions", "DELETE FROM hallpass_signing_keys");
  }

  /** Runs statements in auto-commit mode. */
  static void execute(String url, String... sql) {
    try (Connection c = connect(url);
        Statement st = c.createStatement()) {
      for (String s : sql) {
        st.execute(s);
      }
    } catch (SQLException e) {
      throw new IllegalStateException("test setup failed: " + e.getMessage(), e);
    }
  }

  /** Remembers a store so that {@link #closeTracked()} closes it even if a test leaks it. */
  static synchronized SessionStore track(SessionStore store) {
    OPENED.add(store);
    return store;
  }

  /** Closes every tracked store (closing twice is harmless). */
  static synchronized void closeTracked() {
    for (SessionStore s : OPENED) {
      s.close();
    }
    OPENED.clear();
  }
}
