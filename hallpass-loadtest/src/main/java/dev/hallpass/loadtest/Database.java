package dev.hallpass.loadtest;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;

/** The PostgreSQL side: reachability, and an empty schema for each target run. */
final class Database {
  private Database() {}

  /** Empty when PostgreSQL answers at {@code url}, else why not (without the URL's parameters). */
  static Optional<String> unreachable(String url) {
    DriverManager.setLoginTimeout(5);
    try (Connection c = DriverManager.getConnection(url)) {
      return c.isValid(5) ? Optional.empty() : Optional.of("no answer from " + redacted(url));
    } catch (SQLException e) {
      return Optional.of(
          "PostgreSQL is not reachable at " + redacted(url) + " (" + e.getMessage() + ")");
    }
  }

  /**
   * Drops and creates {@code schema} (only the load test's own schema), so each run starts from no
   * sessions; returns the URL whose connections use it (the targets' tables are created there).
   */
  static String freshSchema(String url, String schema) throws SQLException {
    try (Connection c = DriverManager.getConnection(url);
        Statement st = c.createStatement()) {
      st.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
      st.execute("CREATE SCHEMA " + schema);
    }
    return url + (url.contains("?") ? "&" : "?") + "currentSchema=" + schema;
  }

  /** The URL without its parameters (which may carry a password). */
  static String redacted(String url) {
    int q = url.indexOf('?');
    return q < 0 ? url : url.substring(0, q);
  }
}
