package dev.hallpass.jdbc;

import dev.hallpass.HallpassException;
import dev.hallpass.spi.RefreshDecision;
import dev.hallpass.spi.SessionRecord;
import dev.hallpass.spi.SessionStore;
import dev.hallpass.spi.SigningKeyRecord;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;

/**
 * The {@link SessionStore} on a JDBC database. Made by {@link JdbcSessionStores}.
 *
 * <p>Each method borrows exactly one connection and returns it before it returns. Single statements
 * run in auto-commit mode; multi-statement methods run in one explicit transaction.
 */
final class JdbcSessionStore implements SessionStore {

  /** Flyway's history table: prefixed so it cannot clash with an application's own Flyway. */
  static final String SCHEMA_HISTORY_TABLE = "hallpass_schema_history";

  private static final String SESSION_COLUMNS = "handle, tenant_id, user_id, session_data,"
      + " jwt_payload, created_at, expires_at, refresh_key, current_refresh_hash,"
      + " previous_refresh_hash, rotated_at";
  private static final String KEY_COLUMNS =
      "kid, generation, private_key, public_key, created_at, signs_from, signs_until";

  /** Handles per IN (...) list: far below every driver's parameter limit. */
  private static final int IN_CHUNK = 200;
  /** Attempts of a transaction that the database aborted as a deadlock or serialization failure. */
  private static final int TRANSACTION_ATTEMPTS = 3;

  private final DataSource dataSource;
  private final AutoCloseable ownedPool;
  private final Dialect dialect;
  private final AtomicBoolean closed = new AtomicBoolean();

  private JdbcSessionStore(DataSource dataSource, AutoCloseable ownedPool, Dialect dialect) {
    this.dataSource = dataSource;
    this.ownedPool = ownedPool;
    this.dialect = dialect;
  }

  /**
   * Detects the database, migrates the schema and returns the store. {@code ownedPool} is closed
   * with the store (and here, if start-up fails); null when the caller owns the data source.
   */
  static JdbcSessionStore start(DataSource dataSource, AutoCloseable ownedPool) {
    try {
      Dialect dialect;
      // One connection for detection and migration: start-up never holds two either.
      try (Connection c = dataSource.getConnection()) {
        dialect = detect(c);
        MigrationLock.acquire(c, dialect);
        try {
          migrate(c, dialect);
        } finally {
          MigrationLock.release(c, dialect);
        }
      } catch (SQLException e) {
        throw HallpassException.generalError("cannot open the session database", e);
      }
      return new JdbcSessionStore(dataSource, ownedPool, dialect);
    } catch (RuntimeException | Error e) {
      closeQuietly(ownedPool, e);
      throw e;
    }
  }

  private static Dialect detect(Connection c) throws SQLException {
    DatabaseMetaData meta = c.getMetaData();
    String name = meta.getDatabaseProductName();
    Dialect dialect = Dialect.of(name, meta.getDatabaseProductVersion());
    if (dialect == null) {
      throw HallpassException.generalError("unsupported database: " + name
          + " (Hallpass supports H2, PostgreSQL, MariaDB and MySQL)", null);
    }
    return dialect;
  }

  private static void migrate(Connection c, Dialect dialect) {
    try {
      Flyway.configure(JdbcSessionStore.class.getClassLoader())
          .dataSource(new SingleConnectionDataSource(c))
          .locations(dialect.migrationLocation())
          .failOnMissingLocations(true)
          .table(SCHEMA_HISTORY_TABLE)
          .placeholders(dialect.placeholders())
          // The schema may hold the application's own tables: start our history at 0 then.
          .baselineOnMigrate(true)
          .baselineVersion("0")
          .baselineDescription("hallpass baseline")
          .load()
          .migrate();
    } catch (RuntimeException e) {
      throw HallpassException.generalError(
          "cannot create or migrate the Hallpass tables on " + dialect.displayName(), e);
    }
  }

  // ---------------------------------------------------------------- sessions

  @Override
  public void insertSession(SessionRecord s) {
    Objects.requireNonNull(s, "session");
    autoCommit("insert the session", c -> {
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO hallpass_sessions ("
          + SESSION_COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
        ps.setString(1, s.handle());
        ps.setString(2, s.tenantId());
        ps.setString(3, s.userId());
        ps.setString(4, s.sessionDataJson());
        ps.setString(5, s.jwtPayloadJson());
        ps.setLong(6, s.createdAt().toEpochMilli());
        ps.setLong(7, s.expiresAt().toEpochMilli());
        ps.setString(8, s.refreshKey());
        ps.setString(9, s.currentRefreshHash());
        ps.setString(10, s.previousRefreshHash());
        setNullableTime(ps, 11, s.rotatedAt());
        ps.executeUpdate();
        return null;
      }
    });
  }

  @Override
  public Optional<SessionRecord> findSession(String handle) {
    Objects.requireNonNull(handle, "handle");
    return autoCommit("read the session", c -> {
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT " + SESSION_COLUMNS + " FROM hallpass_sessions WHERE handle = ?")) {
        ps.setString(1, handle);
        try (ResultSet rs = ps.executeQuery()) {
          return rs.next() ? Optional.of(readSession(rs)) : Optional.<SessionRecord>empty();
        }
      }
    });
  }

  @Override
  public boolean isSessionLive(String handle, Instant now) {
    Objects.requireNonNull(handle, "handle");
    long nowMillis = now.toEpochMilli();
    return autoCommit("check the session", c -> {
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT 1 FROM hallpass_sessions WHERE handle = ? AND expires_at > ?")) {
        ps.setString(1, handle);
        ps.setLong(2, nowMillis);
        try (ResultSet rs = ps.executeQuery()) {
          return rs.next();
        }
      }
    });
  }

  @Override
  public Optional<String> findSessionData(String handle, Instant now) {
    Objects.requireNonNull(handle, "handle");
    long nowMillis = now.toEpochMilli();
    return autoCommit("read the session data", c -> {
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT session_data FROM hallpass_sessions WHERE handle = ? AND expires_at > ?")) {
        ps.setString(1, handle);
        ps.setLong(2, nowMillis);
        try (ResultSet rs = ps.executeQuery()) {
          return rs.next() ? Optional.of(rs.getString(1)) : Optional.<String>empty();
        }
      }
    });
  }

  @Override
  public boolean updateSessionData(String handle, String sessionDataJson, Instant now) {
    return updateLiveColumn("session_data", handle, sessionDataJson, now);
  }

  @Override
  public boolean updateJwtPayload(String handle, String jwtPayloadJson, Instant now) {
    return updateLiveColumn("jwt_payload", handle, jwtPayloadJson, now);
  }

  private boolean updateLiveColumn(String column, String handle, String json, Instant now) {
    Objects.requireNonNull(handle, "handle");
    Objects.requireNonNull(json, column);
    long nowMillis = now.toEpochMilli();
    return autoCommit("update the session", c -> {
      // column is one of two constants above, never input
      try (PreparedStatement ps = c.prepareStatement("UPDATE hallpass_sessions SET " + column
          + " = ? WHERE handle = ? AND expires_at > ?")) {
        ps.setString(1, json);
        ps.setString(2, handle);
        ps.setLong(3, nowMillis);
        return ps.executeUpdate() > 0;
      }
    });
  }

  @Override
  public RefreshDecision lockAndDecide(
      String handle, Function<SessionRecord, RefreshDecision> decide) {
    Objects.requireNonNull(handle, "handle");
    Objects.requireNonNull(decide, "decide");
    return inTransaction("refresh the session", c -> {
      SessionRecord current;
      // The row lock serializes concurrent refreshes of this session until commit.
      try (PreparedStatement ps = c.prepareStatement("SELECT " + SESSION_COLUMNS
          + " FROM hallpass_sessions WHERE handle = ? FOR UPDATE")) {
        ps.setString(1, handle);
        try (ResultSet rs = ps.executeQuery()) {
          current = rs.next() ? readSession(rs) : null;
        }
      }
      RefreshDecision decision;
      try {
        decision = decide.apply(current);
      } catch (HallpassException e) {
        throw e;
      } catch (RuntimeException e) {
        throw HallpassException.generalError("the refresh decision failed", e);
      }
      if (decision == null) {
        throw HallpassException.generalError("the refresh decision was null", null);
      }
      if (current == null) {
        return decision; // nothing to change, as in the in-memory store
      }
      switch (decision.kind()) {
        case ROTATE:
          try (PreparedStatement ps = c.prepareStatement("UPDATE hallpass_sessions SET"
              + " current_refresh_hash = ?, previous_refresh_hash = ?, rotated_at = ?,"
              + " expires_at = ? WHERE handle = ?")) {
            ps.setString(1, decision.currentRefreshHash());
            ps.setString(2, decision.previousRefreshHash());
            ps.setLong(3, decision.rotatedAt().toEpochMilli());
            ps.setLong(4, decision.expiresAt().toEpochMilli());
            ps.setString(5, handle);
            ps.executeUpdate();
          }
          break;
        case DELETE:
          try (PreparedStatement ps =
              c.prepareStatement("DELETE FROM hallpass_sessions WHERE handle = ?")) {
            ps.setString(1, handle);
            ps.executeUpdate();
          }
          break;
        case KEEP:
        default:
          break;
      }
      return decision;
    });
  }

  @Override
  public boolean deleteSession(String handle) {
    Objects.requireNonNull(handle, "handle");
    return autoCommit("delete the session", c -> {
      try (PreparedStatement ps =
          c.prepareStatement("DELETE FROM hallpass_sessions WHERE handle = ?")) {
        ps.setString(1, handle);
        return ps.executeUpdate() > 0;
      }
    });
  }

  @Override
  public List<String> deleteSessions(Collection<String> handles) {
    Objects.requireNonNull(handles, "handles");
    Set<String> wanted = new LinkedHashSet<>();
    for (String h : handles) {
      wanted.add(Objects.requireNonNull(h, "handle"));
    }
    if (wanted.isEmpty()) {
      return new ArrayList<>();
    }
    return inTransaction("delete the sessions", c -> {
      Set<String> found = new LinkedHashSet<>();
      for (List<String> chunk : chunks(new ArrayList<>(wanted))) {
        // Lock what exists, then delete exactly that: the result names only deleted rows.
        try (PreparedStatement ps = c.prepareStatement("SELECT handle FROM hallpass_sessions"
            + " WHERE handle IN (" + placeholders(chunk.size()) + ") FOR UPDATE")) {
          bindStrings(ps, 1, chunk);
          try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
              found.add(rs.getString(1));
            }
          }
        }
      }
      deleteHandles(c, new ArrayList<>(found));
      List<String> deleted = new ArrayList<>();
      for (String h : wanted) { // in the caller's order
        if (found.contains(h)) {
          deleted.add(h);
        }
      }
      return deleted;
    });
  }

  @Override
  public List<String> deleteSessionsOfUser(String userId) {
    Objects.requireNonNull(userId, "userId");
    return inTransaction("delete the user's sessions", c -> {
      List<String> found = new ArrayList<>();
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT handle FROM hallpass_sessions WHERE user_id = ? FOR UPDATE")) {
        ps.setString(1, userId);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            found.add(rs.getString(1));
          }
        }
      }
      // By handle, not by user: a session inserted meanwhile is neither deleted nor reported.
      deleteHandles(c, found);
      return found;
    });
  }

  @Override
  public List<String> findLiveHandlesOfUser(String userId, Instant now) {
    Objects.requireNonNull(userId, "userId");
    long nowMillis = now.toEpochMilli();
    return autoCommit("list the user's sessions", c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT handle FROM hallpass_sessions"
          + " WHERE user_id = ? AND expires_at > ? ORDER BY created_at, handle")) {
        ps.setString(1, userId);
        ps.setLong(2, nowMillis);
        List<String> handles = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            handles.add(rs.getString(1));
          }
        }
        return handles;
      }
    });
  }

  @Override
  public int deleteExpiredSessions(Instant now, int limit) {
    long nowMillis = now.toEpochMilli();
    if (limit < 1) {
      return 0;
    }
    return autoCommit("delete expired sessions", c -> {
      try (PreparedStatement ps = c.prepareStatement(dialect.deleteExpiredSql())) {
        int i = 1;
        ps.setLong(i++, nowMillis);
        if (dialect.deleteExpiredRepeatsCutoff()) {
          ps.setLong(i++, nowMillis);
        }
        ps.setInt(i, limit);
        return ps.executeUpdate();
      }
    });
  }

  // ---------------------------------------------------------------- signing keys

  @Override
  public List<SigningKeyRecord> loadSigningKeys() {
    return autoCommit("load the signing keys", c -> {
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT " + KEY_COLUMNS + " FROM hallpass_signing_keys ORDER BY generation");
          ResultSet rs = ps.executeQuery()) {
        List<SigningKeyRecord> keys = new ArrayList<>();
        while (rs.next()) {
          keys.add(new SigningKeyRecord(
              rs.getString("kid"),
              rs.getLong("generation"),
              rs.getString("private_key"),
              rs.getString("public_key"),
              Instant.ofEpochMilli(rs.getLong("created_at")),
              Instant.ofEpochMilli(rs.getLong("signs_from")),
              Instant.ofEpochMilli(rs.getLong("signs_until"))));
        }
        return keys;
      }
    });
  }

  @Override
  public boolean insertSigningKey(SigningKeyRecord key) {
    Objects.requireNonNull(key, "key");
    // Auto-commit: a failed INSERT then ends no transaction, so the connection stays usable
    // (PostgreSQL would otherwise refuse every later statement of an aborted transaction).
    return autoCommit("insert the signing key", c -> {
      try (PreparedStatement ps = c.prepareStatement(
          "INSERT INTO hallpass_signing_keys (" + KEY_COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?)")) {
        ps.setString(1, key.kid());
        ps.setLong(2, key.generation());
        ps.setString(3, key.privateKeyPkcs8());
        ps.setString(4, key.publicKeyX509());
        ps.setLong(5, key.createdAt().toEpochMilli());
        ps.setLong(6, key.signsFrom().toEpochMilli());
        ps.setLong(7, key.signsUntil().toEpochMilli());
        ps.executeUpdate();
        return true;
      } catch (SQLException e) {
        // SQLState class 23 is an integrity violation on every supported database. Only a key
        // of the same generation means "another process won"; anything else is an error.
        if (e.getSQLState() != null && e.getSQLState().startsWith("23")
            && generationExists(c, key.generation())) {
          return false;
        }
        throw e;
      }
    });
  }

  private static boolean generationExists(Connection c, long generation) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement("SELECT 1 FROM hallpass_signing_keys WHERE generation = ?")) {
      ps.setLong(1, generation);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next();
      }
    }
  }

  @Override
  public int deleteSigningKeysRetiredBefore(Instant cutoff) {
    long cutoffMillis = cutoff.toEpochMilli();
    return autoCommit("delete retired signing keys", c -> {
      try (PreparedStatement ps =
          c.prepareStatement("DELETE FROM hallpass_signing_keys WHERE signs_until < ?")) {
        ps.setLong(1, cutoffMillis);
        return ps.executeUpdate();
      }
    });
  }

  // ---------------------------------------------------------------- life cycle

  @Override
  public void close() {
    if (closed.compareAndSet(false, true) && ownedPool != null) {
      try {
        ownedPool.close();
      } catch (Exception e) {
        throw HallpassException.generalError("cannot close the connection pool", e);
      }
    }
  }

  @Override
  public String toString() {
    // No URL: it may carry a password.
    return "JdbcSessionStore{database=" + dialect.displayName() + ", ownsPool=" + (ownedPool != null)
        + (closed.get() ? ", closed" : "") + "}";
  }

  // ---------------------------------------------------------------- plumbing

  /** Work on a borrowed connection. */
  @FunctionalInterface
  private interface SqlWork<T> {
    T run(Connection c) throws SQLException;
  }

  /** Runs one-statement work in auto-commit mode, whatever mode the pool hands out. */
  private <T> T autoCommit(String what, SqlWork<T> work) {
    ensureOpen();
    try (Connection c = dataSource.getConnection()) {
      if (c.getAutoCommit()) {
        return work.run(c);
      }
      // A caller's pool may hand out manual-commit connections: switch for the call, restore.
      c.setAutoCommit(true);
      try {
        return work.run(c);
      } finally {
        restoreAutoCommit(c, false);
      }
    } catch (SQLException e) {
      throw HallpassException.generalError("cannot " + what, e);
    }
  }

  /**
   * Runs work in one transaction on one connection: commit on success, roll back on any failure.
   * A transaction the database aborted as a deadlock or serialization failure (SQLState 40xxx) is
   * run again, a few times; work is free of side effects outside the transaction, so that is safe.
   */
  private <T> T inTransaction(String what, SqlWork<T> work) {
    for (int attempt = 1; ; attempt++) {
      ensureOpen();
      try (Connection c = dataSource.getConnection()) {
        boolean autoCommit = c.getAutoCommit();
        if (autoCommit) {
          c.setAutoCommit(false);
        }
        try {
          T result = work.run(c);
          c.commit();
          return result;
        } catch (Throwable t) {
          rollbackQuietly(c, t);
          throw t;
        } finally {
          if (autoCommit) {
            restoreAutoCommit(c, true);
          }
        }
      } catch (SQLException e) {
        if (attempt < TRANSACTION_ATTEMPTS && isTransient(e)) {
          continue;
        }
        throw HallpassException.generalError("cannot " + what, e);
      }
    }
  }

  private static boolean isTransient(SQLException e) {
    String state = e.getSQLState();
    return state != null && state.startsWith("40");
  }

  private static void rollbackQuietly(Connection c, Throwable cause) {
    try {
      c.rollback();
    } catch (SQLException | RuntimeException e) {
      cause.addSuppressed(e);
    }
  }

  private static void restoreAutoCommit(Connection c, boolean autoCommit) {
    try {
      c.setAutoCommit(autoCommit);
    } catch (SQLException e) {
      // A broken connection: the pool validates or evicts it; the outcome of the work stands.
    }
  }

  private static void closeQuietly(AutoCloseable resource, Throwable cause) {
    if (resource == null) {
      return;
    }
    try {
      resource.close();
    } catch (Exception e) {
      cause.addSuppressed(e);
    }
  }

  private void ensureOpen() {
    if (closed.get()) {
      throw HallpassException.generalError(
          "the session store is closed", new IllegalStateException("closed"));
    }
  }

  private static void deleteHandles(Connection c, List<String> handles) throws SQLException {
    for (List<String> chunk : chunks(handles)) {
      try (PreparedStatement ps = c.prepareStatement("DELETE FROM hallpass_sessions WHERE handle IN ("
          + placeholders(chunk.size()) + ")")) {
        bindStrings(ps, 1, chunk);
        ps.executeUpdate();
      }
    }
  }

  private static List<List<String>> chunks(List<String> all) {
    if (all.isEmpty()) {
      return Collections.emptyList();
    }
    List<List<String>> chunks = new ArrayList<>();
    for (int from = 0; from < all.size(); from += IN_CHUNK) {
      chunks.add(all.subList(from, Math.min(all.size(), from + IN_CHUNK)));
    }
    return chunks;
  }

  private static String placeholders(int n) {
    StringBuilder sb = new StringBuilder(n * 3);
    for (int i = 0; i < n; i++) {
      sb.append(i == 0 ? "?" : ", ?");
    }
    return sb.toString();
  }

  private static void bindStrings(PreparedStatement ps, int first, List<String> values)
      throws SQLException {
    int i = first;
    for (String v : values) {
      ps.setString(i++, v);
    }
  }

  private static void setNullableTime(PreparedStatement ps, int index, Instant time)
      throws SQLException {
    if (time == null) {
      ps.setNull(index, java.sql.Types.BIGINT);
    } else {
      ps.setLong(index, time.toEpochMilli());
    }
  }

  private static SessionRecord readSession(ResultSet rs) throws SQLException {
    long rotated = rs.getLong("rotated_at");
    Instant rotatedAt = rs.wasNull() ? null : Instant.ofEpochMilli(rotated);
    return new SessionRecord(
        rs.getString("handle"),
        rs.getString("tenant_id"),
        rs.getString("user_id"),
        rs.getString("session_data"),
        rs.getString("jwt_payload"),
        Instant.ofEpochMilli(rs.getLong("created_at")),
        Instant.ofEpochMilli(rs.getLong("expires_at")),
        rs.getString("refresh_key"),
        rs.getString("current_refresh_hash"),
        rs.getString("previous_refresh_hash"),
        rotatedAt);
  }
}
