package dev.hallpass.spring.boot;

import static org.junit.jupiter.api.Assertions.fail;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import org.junit.jupiter.api.Assumptions;

/**
 * The database servers of the DataSource tests: URLs from {@code HALLPASS_TEST_POSTGRES_URL} and
 * {@code HALLPASS_TEST_MARIADB_URL}. An unreachable server skips the test class with a printed
 * reason, and fails it when {@code CI=true}.
 */
enum ServerDataSources {
  POSTGRES(
      "PostgreSQL",
      "HALLPASS_TEST_POSTGRES_URL",
      "jdbc:postgresql://127.0.0.1:5432/test?user=postgres"),
  MARIADB("MariaDB", "HALLPASS_TEST_MARIADB_URL", "jdbc:mariadb://127.0.0.1:3306/test?user=root");

  private final String displayName;
  private final String envVariable;
  private final String defaultUrl;

  ServerDataSources(String displayName, String envVariable, String defaultUrl) {
    this.displayName = displayName;
    this.envVariable = envVariable;
    this.defaultUrl = defaultUrl;
  }

  String url() {
    String url = System.getenv(envVariable);
    return url == null || url.isBlank() ? defaultUrl : url;
  }

  /** Returns the URL if the server answers; otherwise skips (or, with CI=true, fails). */
  String require() {
    String url = url();
    String problem;
    SQLException cause = null;
    DriverManager.setLoginTimeout(5);
    try (Connection c = DriverManager.getConnection(url)) {
      if (c.isValid(5)) {
        return url;
      }
      problem = "the connection is not valid";
    } catch (SQLException e) {
      problem = e.getMessage();
      cause = e;
    }
    String reason =
        displayName + " is not reachable (" + problem + "); set " + envVariable + " or start it";
    if ("true".equalsIgnoreCase(System.getenv("CI"))) {
      fail("CI=true, so not skipping: " + reason, cause);
    }
    System.err.println("SKIPPED " + displayName + " tests: " + reason);
    Assumptions.abort(reason);
    throw new AssertionError("unreachable");
  }
}
