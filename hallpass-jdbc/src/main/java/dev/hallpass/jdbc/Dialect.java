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
   * The dialect for a database as its driver describes it, or null if it is not supported. MariaDB
   * is told apart from MySQL by its version string too, because MySQL's own driver calls a MariaDB
   * server "MySQL".
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
   * cut-off time (epoch millis) and then the limit; for H2 and PostgreSQL the cut-off appears
   * twice, see {@link #deleteExpiredRepeatsCutoff()}.
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

  /** The name of the server-time column of {@link #lockSessionSql(String)}. */
  static final String NOW_COLUMN = "hallpass_db_now";

  /**
   * An SQL expression for the database server's current time in epoch milliseconds (a BIGINT), read
   * when the expression is evaluated rather than when the statement or transaction began, and
   * independent of the session's time zone.
   */
  String currentTimeMillisSql() {
    switch (this) {
      case POSTGRESQL:
        // clock_timestamp(): the actual time (now() is the transaction's start). Truncating before
        // the conversion keeps the result exact whether EXTRACT yields numeric or double.
        return "(EXTRACT(EPOCH FROM date_trunc('milliseconds', clock_timestamp())) * 1000)::bigint";
      case MARIADB:
      case MYSQL:
        // SYSDATE(6): the actual time (NOW() is the statement's start), but in the session's time
        // zone, where UNIX_TIMESTAMP() is ambiguous around DST changes. So: UTC at the statement's
        // start plus the time elapsed since, both zone-free differences.
        return "((TIMESTAMPDIFF(MICROSECOND, '1970-01-01 00:00:00', UTC_TIMESTAMP(6))"
            + " + TIMESTAMPDIFF(MICROSECOND, NOW(6), SYSDATE(6))) DIV 1000)";
      case H2:
      default:
        // CURRENT_TIMESTAMP is the transaction's first statement's: see migration h2/V2.
        return "hallpass_current_time_millis()";
    }
  }

  /** A query of the database server's current time in epoch milliseconds. */
  String currentTimeSql() {
    return "SELECT " + currentTimeMillisSql();
  }

  /**
   * One statement that locks the session row with the given handle (the only parameter) for the
   * transaction and returns {@code columns} plus the server's time, as {@link #NOW_COLUMN}, read
   * once the lock is held: no extra round trip for the time, and a caller that waited for the lock
   * gets the time after its wait.
   */
  String lockSessionSql(String columns) {
    String now = currentTimeMillisSql() + " AS " + NOW_COLUMN;
    if (this == POSTGRESQL) {
      // PostgreSQL computes a scan's select list before the row lock (and recomputes it only when
      // the row was updated meanwhile); an outer select over the locking subquery runs after it.
      return "SELECT s.*, "
          + now
          + " FROM (SELECT "
          + columns
          + " FROM hallpass_sessions WHERE handle = ? FOR UPDATE) s";
    }
    // MariaDB/MySQL and H2 evaluate the select list of a row once the row is locked.
    return "SELECT " + columns + ", " + now + " FROM hallpass_sessions WHERE handle = ? FOR UPDATE";
  }

  /**
   * Like {@link #lockSessionSql} without the lock: the session's committed state and the server's
   * time, for a refresh that writes conditionally on what it read.
   */
  String readSessionSql(String columns) {
    return "SELECT "
        + columns
        + ", "
        + currentTimeMillisSql()
        + " AS "
        + NOW_COLUMN
        + " FROM hallpass_sessions WHERE handle = ?";
  }

  /** Whether {@link #deleteExpiredSql()} takes the cut-off twice. */
  boolean deleteExpiredRepeatsCutoff() {
    return this == H2 || this == POSTGRESQL;
  }
}
