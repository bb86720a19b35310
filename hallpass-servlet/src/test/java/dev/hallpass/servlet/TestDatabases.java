package dev.hallpass.servlet;

import static org.junit.jupiter.api.Assertions.fail;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Assumptions;

/**
 * The database servers some tests run against (the pattern of hallpass-jdbc's TestDatabases).
 *
 * <p>URLs come from {@code HALLPASS_TEST_POSTGRES_URL} and {@code HALLPASS_TEST_MARIADB_URL}. An
 * unreachable server skips the test with a printed reason, except under {@code CI=true}, where it
 * fails it.
 */
final class TestDatabases {

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

    String url() {
      String url = System.getenv(envVariable);
      return url == null || url.isBlank() ? defaultUrl : url;
    }
  }

  private TestDatabases() {}

  /** The server's URL if it answers; otherwise skips the test, or fails it when CI=true. */
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
    System.err.println("SKIPPED " + server.displayName + " test: " + reason);
    Assumptions.abort(reason);
    throw new AssertionError("unreachable");
  }

  /** Drops the Hallpass tables and Flyway's history: the next store starts on an empty schema. */
  static void dropHallpassTables(String url) {
    try (Connection c = connect(url);
        Statement st = c.createStatement()) {
      st.execute("DROP TABLE IF EXISTS hallpass_sessions");
      st.execute("DROP TABLE IF EXISTS hallpass_signing_keys");
      st.execute("DROP TABLE IF EXISTS hallpass_revocations");
      st.execute("DROP TABLE IF EXISTS hallpass_schema_history");
    } catch (SQLException e) {
      throw new IllegalStateException("test setup failed: " + e.getMessage(), e);
    }
  }

  /** How many rows the sessions table has: proof that it is still there. */
  static int sessionRows(String url) {
    try (Connection c = connect(url);
        Statement st = c.createStatement();
        var rs = st.executeQuery("SELECT COUNT(*) FROM hallpass_sessions")) {
      rs.next();
      return rs.getInt(1);
    } catch (SQLException e) {
      throw new IllegalStateException("count failed: " + e.getMessage(), e);
    }
  }

  private static Connection connect(String url) throws SQLException {
    DriverManager.setLoginTimeout(5);
    return DriverManager.getConnection(url);
  }
}
