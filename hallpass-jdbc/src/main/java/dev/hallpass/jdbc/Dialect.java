package dev.hallpass.jdbc;

import java.util.Locale;
import java.util.Map;

/**
 * The few ways the supported databases differ for Hallpass. Everything else is one code path of
 * portable SQL in {@link JdbcSessionStore}.
 */
enum Dialect {
  H2("H2", "h2", Map.of()),
  POSTGRESQL("PostgreSQL", "postgresql", Map.of()),
  // MariaDB and MySQL share migrations; only the NO PAD binary collation has a different name.
  MARIADB("MariaDB", "mysql", Map.of("hallpass_collation", "utf8mb4_nopad_bin")),
  MYSQL("MySQL", "mysql", Map.of("hallpass_collation", "utf8mb4_0900_bin"));

  private final String displayName;
  private final String migrationFolder;
  private final Map<String, String> placeholders;

  Dialect(String displayName, String migrationFolder, Map<String, String> placeholders) {
    this.displayName = displayName;
    this.migrationFolder = migrationFolder;
    this.placeholders = placeholders;
  }

  /**
   * The dialect for a database as its driver describes it, or null if it is not supported.
   * MariaDB is told apart from MySQL by its version string too, because MySQL's own driver calls
   * a MariaDB server "MySQL".
   */
  static Dialect of(String productName, String productVersion) {
    String name = productName == null ? "" : productName.toLowerCase(Locale.ROOT);
    String version = productVersion == null ? "" : productVersion.toLowerCase(Locale.ROOT);
    if (name.equals("h2")) {
      return H2;
    }
    if (name.contains("postgresql")) {
      return POSTGRESQL;
    }
    if (name.contains("mariadb") || (name.contains("mysql") && version.contains("mariadb"))) {
      return MARIADB;
    }
    if (name.contains("mysql")) {
      return MYSQL;
    }
    return null;
  }

  /** The name to show in messages. */
  String displayName() {
    return displayName;
  }

  /** The Flyway location of this database's migrations. */
  String migrationLocation() {
    return "classpath:dev/hallpass/jdbc/migration/" + migrationFolder;
  }

  /** Values for the placeholders in this database's migrations. */
  Map<String, String> placeholders() {
    return placeholders;
  }

  /**
   * One statement deleting at most {@code limit} expired sessions, oldest first. Parameters: the
   * cut-off time (epoch millis) and then the limit; for H2 and PostgreSQL the cut-off appears twice,
   * see {@link #deleteExpiredRepeatsCutoff()}.
   */
  String deleteExpiredSql() {
    switch (this) {
      case MARIADB:
      case MYSQL:
        // MySQL refuses LIMIT inside an IN subquery but has DELETE ... ORDER BY ... LIMIT.
        return "DELETE FROM hallpass_sessions WHERE expires_at <= ?"
            + " ORDER BY expires_at, handle LIMIT ?";
      default:
        // The outer expires_at test matters: a row refreshed after the subquery picked it is
        // re-checked against its new expiry and survives.
        return "DELETE FROM hallpass_sessions WHERE expires_at <= ? AND handle IN"
            + " (SELECT handle FROM hallpass_sessions WHERE expires_at <= ?"
            + " ORDER BY expires_at, handle LIMIT ?)";
    }
  }

  /** Whether {@link #deleteExpiredSql()} takes the cut-off twice. */
  boolean deleteExpiredRepeatsCutoff() {
    return this == H2 || this == POSTGRESQL;
  }
}
