package dev.hallpass.jdbc;

import dev.hallpass.HallpassException;
import dev.hallpass.spi.RefreshWrite;
import dev.hallpass.spi.SessionRecord;
import dev.hallpass.spi.SessionStore;
import dev.hallpass.spi.SigningKeyRecord;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;

/**
 * The {@link SessionStore} on a JDBC database. Made by {@link JdbcSessionStores}.
 *
 * <p>Each method borrows one connection at a time and returns it before it returns. Single
 * statements run in auto-commit mode; multi-statement methods run in one explicit transaction,
 * except a refresh, which first tries two auto-commit statements (see {@link
 * #decideOptimistically}) and takes the row lock in a transaction only when they cannot decide. A
 * statement or transaction the database aborted as a deadlock or serialization failure (SQLState
 * 40xxx) is run again, a few times.
 *
 * <p>{@link #lockAndDecide} reads the database server's clock in the statement that reads the
 * session, so every process sharing the database refreshes by one clock; a store built with a
 * {@link Clock} (for tests) reads that instead.
 *
 * <p>Every borrowed connection gets the store's network timeout for the call (restored before it
 * goes back): a stalled database fails the call with GENERAL_ERROR after that long instead of
 * holding the caller, and the driver closes the silent connection, which the pool then discards.
 */
final class JdbcSessionStore implements SessionStore {

  /** Flyway's history table: prefixed so it cannot clash with an application's own Flyway. */
  static final String SCHEMA_HISTORY_TABLE = "hallpass_schema_history";

  /** Every reader of sessions selects these first, in this order: see {@link #readSession}. */
  private static final String SESSION_COLUMNS =
      "handle, tenant_id, user_id, session_data,"
          + " jwt_payload, created_at, expires_at, refresh_key, current_refresh_hash,"
          + " parent_refresh_hash, issued_at, child_index, confirmed,"
          + " created_ip, created_user_agent, last_ip, last_user_agent";

  private static final String KEY_COLUMNS =
      "kid, generation, private_key, public_key, created_at, signs_from, signs_until";

  /** Handles per IN (...) list: far below every driver's parameter limit. */
  private static final int IN_CHUNK = 200;

  /** Attempts of a transaction that the database aborted as a deadlock or serialization failure. */
  private static final int TRANSACTION_ATTEMPTS = 3;

  private final DataSource dataSource;
  private final AutoCloseable ownedPool;

  /** Drops the pool's idle connections (they died with the one that broke); null: cannot. */
  private final Runnable evictIdle;

  private final Dialect dialect;

  /** The refresh clock; null: the database server's. */
  private final Clock clock;

  /** Locks a session and reads the server's time: see {@link Dialect#lockSessionSql}. */
  private final String lockSessionSql;

  /** Reads a session and the server's time without a lock: see {@link Dialect#readSessionSql}. */
  private final String readSessionSql;

  /** The JDBC network timeout of every call, in milliseconds (0: none). */
  private final int networkTimeoutMillis;

  /** Cleared when the driver cannot set network timeouts (embedded H2): then none is set. */
  private volatile boolean networkTimeoutSupported = true;

  /** Runs the driver's timeout work in the thread that hits the timeout (PgJDBC ignores it). */
  private static final Executor DIRECT = Runnable::run;

  private final AtomicBoolean closed = new AtomicBoolean();

  /** The revocation feed (PostgreSQL, MariaDB/MySQL), or null (H2: no feed, nothing recorded). */
  private final JdbcRevocationFeed feed;

  /** Open transactions with START TRANSACTION rather than by switching auto-commit off. */
  private final boolean explicitTransactions;

  private JdbcSessionStore(
      DataSource dataSource,
      AutoCloseable ownedPool,
      Dialect dialect,
      Clock clock,
      int networkTimeoutMillis,
      Runnable evictIdle,
      JdbcRevocationFeed.ConnectionOpener dedicated,
      java.time.Duration pollInterval) {
    this.dataSource = dataSource;
    this.ownedPool = ownedPool;
    this.evictIdle = evictIdle;
    this.dialect = dialect;
    this.clock = clock;
    this.networkTimeoutMillis = networkTimeoutMillis;
    this.lockSessionSql = dialect.lockSessionSql(SESSION_COLUMNS);
    this.readSessionSql = dialect.readSessionSql(SESSION_COLUMNS);
    this.feed =
        dialect == Dialect.H2 || dedicated == null
            ? null
            : new JdbcRevocationFeed(dataSource, dialect, dedicated, pollInterval);
    this.explicitTransactions = dialect == Dialect.MARIADB || dialect == Dialect.MYSQL;
  }

  @Override
  public Optional<dev.hallpass.spi.RevocationFeed> revocationFeed() {
    return Optional.ofNullable(feed);
  }

  /** The feed itself, for tests that cut its connection. */
  JdbcRevocationFeed feed() {
    return feed;
  }

  /**
   * Records the revocation of these (just deleted) sessions in the deleting transaction, and on
   * PostgreSQL sends their handles to the listening processes, delivered at commit. The insert
   * comes last, so that its ids become visible soon after they are handed out (see the MariaDB
   * poll).
   */
  private void recordRevocations(Connection c, List<String> handles) throws SQLException {
    if (feed == null || handles.isEmpty()) {
      return;
    }
    // The store's time: the given clock's, or the database server's, read in the statement.
    String at = clock != null ? Long.toString(clock.millis()) : dialect.currentTimeMillisSql();
    for (List<String> chunk : chunks(handles)) {
      StringBuilder sql =
          new StringBuilder("INSERT INTO hallpass_revocations (handle, revoked_at) VALUES ");
      for (int i = 0; i < chunk.size(); i++) {
        sql.append(i == 0 ? "" : ", ").append("(?, ").append(at).append(')');
      }
      try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
        bindStrings(ps, 1, chunk);
        ps.executeUpdate();
      }
    }
    if (dialect == Dialect.POSTGRESQL) {
      // Payloads are limited to 8000 bytes: 100 handles (at most 64 ASCII characters) a message.
      for (int from = 0; from < handles.size(); from += 100) {
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_notify(?, ?)")) {
          ps.setString(1, JdbcRevocationFeed.CHANNEL);
          ps.setString(
              2, String.join(",", handles.subList(from, Math.min(handles.size(), from + 100))));
          ps.executeQuery().close();
        }
      }
    }
  }

  /**
   * Detects the database, migrates the schema and returns the store. {@code ownedPool} is closed
   * with the store (and here, if start-up fails); null when the caller owns the data source. {@code
   * clock} is the refresh clock, or null for the database server's. {@code networkTimeoutMillis} is
   * set on the connection of every call (0: none); start-up, which may wait for another process's
   * migration, is not bounded by it. {@code evictIdle} drops the pool's idle connections (null when
   * the store cannot, for a caller's pool). {@code dedicated} opens the revocation feed's own
   * connection (null: no feed), which polls every {@code pollInterval} on MariaDB/MySQL.
   */
  static JdbcSessionStore start(
      DataSource dataSource,
      AutoCloseable ownedPool,
      Clock clock,
      int networkTimeoutMillis,
      Runnable evictIdle,
      JdbcRevocationFeed.ConnectionOpener dedicated,
      java.time.Duration pollInterval) {
    try {
      Dialect dialect;
      // One connection for detection and migration: start-up never holds two either.
      try (Connection c = dataSource.getConnection()) {
        dialect = detect(c);
        MigrationLock.acquire(c, dialect);
        try {
          migrate(c, dialect);
          requireFoundRows(c, dialect);
        } finally {
          MigrationLock.release(c, dialect);
        }
      } catch (SQLException e) {
        throw HallpassException.generalError("cannot open the session database", e);
      }
      return new JdbcSessionStore(
          dataSource,
          ownedPool,
          dialect,
          clock,
          networkTimeoutMillis,
          evictIdle,
          dedicated,
          pollInterval);
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
      throw HallpassException.generalError(
          "unsupported database: "
              + name
              + " (Hallpass supports H2, PostgreSQL, MariaDB and MySQL)",
          null);
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

  /**
   * Fails unless UPDATE counts are found (matched) rows, as the store's conditional updates need:
   * confirming an already confirmed token, or writing unchanged data, must still count the row.
   * That is the default of the MariaDB and MySQL drivers; {@code useAffectedRows=true} would count
   * changed rows only. The probe is a no-op update of one row of Flyway's history table.
   */
  private static void requireFoundRows(Connection c, Dialect dialect) throws SQLException {
    if (dialect != Dialect.MARIADB && dialect != Dialect.MYSQL) {
      return;
    }
    int counted;
    try (PreparedStatement ps =
        c.prepareStatement("UPDATE " + SCHEMA_HISTORY_TABLE + " SET success = success LIMIT 1")) {
      counted = ps.executeUpdate();
    } finally {
      if (!c.getAutoCommit()) {
        c.rollback(); // a caller's manual-commit connection: end the probe's transaction
      }
    }
    if (counted != 1) {
      throw HallpassException.generalError(
          "the "
              + dialect.displayName()
              + " connection counts changed rows, not found rows, in UPDATE results"
              + " (useAffectedRows=true?); Hallpass needs the driver's default",
          null);
    }
  }

  // ---------------------------------------------------------------- sessions

  @Override
  public void insertSession(SessionRecord s) {
    Objects.requireNonNull(s, "session");
    autoCommit(
        "insert the session",
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "INSERT INTO hallpass_sessions ("
                      + SESSION_COLUMNS
                      + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            ps.setString(1, s.handle());
            ps.setString(2, s.tenantId());
            ps.setString(3, s.userId());
            ps.setString(4, s.sessionDataJson());
            ps.setString(5, s.jwtPayloadJson());
            ps.setLong(6, s.createdAt().toEpochMilli());
            ps.setLong(7, s.expiresAt().toEpochMilli());
            ps.setString(8, s.refreshKey());
            ps.setString(9, s.currentRefreshHash());
            ps.setString(10, s.parentRefreshHash());
            setNullableTime(ps, 11, s.issuedAt());
            ps.setInt(12, s.childIndex());
            ps.setBoolean(13, s.confirmed());
            ps.setString(14, s.createdIp());
            ps.setString(15, s.createdUserAgent());
            ps.setString(16, s.lastIp());
            ps.setString(17, s.lastUserAgent());
            ps.executeUpdate();
            return null;
          }
        });
  }

  @Override
  public Optional<SessionRecord> findSession(String handle) {
    Objects.requireNonNull(handle, "handle");
    return autoCommit(
        "read the session",
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "SELECT " + SESSION_COLUMNS + " FROM hallpass_sessions WHERE handle = ?")) {
            ps.setString(1, handle);
            try (ResultSet rs = ps.executeQuery()) {
              return rs.next() ? Optional.of(readSession(rs)) : Optional.<SessionRecord>empty();
            }
          }
        });
  }

  @Override
  public boolean isSessionLive(String handle, String userId, Instant now) {
    Objects.requireNonNull(handle, "handle");
    Objects.requireNonNull(userId, "userId");
    long nowMillis = now.toEpochMilli();
    return autoCommit(
        "check the session",
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "SELECT 1 FROM hallpass_sessions"
                      + " WHERE handle = ? AND user_id = ? AND expires_at > ?")) {
            ps.setString(1, handle);
            ps.setString(2, userId);
            ps.setLong(3, nowMillis);
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
    return autoCommit(
        "read the session data",
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
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
    return autoCommit(
        "update the session",
        c -> {
          // column is one of two constants above, never input
          try (PreparedStatement ps =
              c.prepareStatement(
                  "UPDATE hallpass_sessions SET "
                      + column
                      + " = ? WHERE handle = ? AND expires_at > ?")) {
            ps.setString(1, json);
            ps.setString(2, handle);
            ps.setLong(3, nowMillis);
            return ps.executeUpdate() > 0;
          }
        });
  }

  @Override
  public <D extends RefreshDecision> D lockAndDecide(String handle, RefreshRule<D> rule) {
    Objects.requireNonNull(handle, "handle");
    Objects.requireNonNull(rule, "rule");
    D unlocked = autoCommit("refresh the session", c -> decideOptimistically(c, handle, rule));
    if (unlocked != null) {
      return unlocked;
    }
    return inTransaction(
        "refresh the session",
        c -> {
          // The row lock serializes concurrent refreshes of this session until commit; the same
          // statement reads the server's time once the lock is held. A RuntimeException from the
          // rule propagates unchanged; inTransaction rolls back.
          Decided<D> decided = readAndDecide(c, lockSessionSql, handle, rule);
          SessionRecord current = decided.session();
          D decision = decided.decision();
          RefreshWrite write = decided.write();
          decision.beforeWrite();
          if (current == null) {
            return decision; // nothing to change
          }
          if (write instanceof RefreshWrite.Rotate) {
            RefreshWrite.Rotate r = (RefreshWrite.Rotate) write;
            try (PreparedStatement ps = c.prepareStatement(ROTATE_SQL)) {
              bindRotation(ps, r, handle);
              ps.executeUpdate();
            }
          } else if (write instanceof RefreshWrite.Delete) {
            try (PreparedStatement ps =
                c.prepareStatement("DELETE FROM hallpass_sessions WHERE handle = ?")) {
              ps.setString(1, handle);
              ps.executeUpdate();
            }
            recordRevocations(c, List.of(handle)); // theft: the session's tokens die everywhere
          }
          return decision; // Keep: nothing to write
        });
  }

  /**
   * The common refresh in two auto-commit statements instead of a locking transaction (three on
   * PostgreSQL, four on MariaDB): reads the session and the server's time without a lock, decides,
   * and applies a {@link RefreshWrite.Rotate} as one UPDATE conditional on every column the
   * decision read still holding the values it read (a compare-and-set). A {@link RefreshWrite.Keep}
   * needs no write: it is the decision on the committed state of its read; so is the decision on a
   * missing session. The result is the same as under the lock, since either the session was
   * unchanged between the read and the write or nothing is written.
   *
   * <p>The decision's time is read with the session. A write that waited for another transaction's
   * lock applies a decision made before the wait, to a session unchanged since.
   *
   * @return the applied decision; null when the locking transaction must decide instead: a {@link
   *     RefreshWrite.Delete}, or a concurrent change won the compare-and-set
   */
  private <D extends RefreshDecision> D decideOptimistically(
      Connection c, String handle, RefreshRule<D> rule) throws SQLException {
    Decided<D> decided = readAndDecide(c, readSessionSql, handle, rule);
    SessionRecord read = decided.session();
    D decision = decided.decision();
    RefreshWrite write = decided.write();
    if (read == null || write instanceof RefreshWrite.Keep) {
      decision.beforeWrite();
      return decision; // nothing to write
    }
    if (!(write instanceof RefreshWrite.Rotate)) {
      return null; // a deletion (theft) records a revocation with it: the transaction does both
    }
    RefreshWrite.Rotate r = (RefreshWrite.Rotate) write;
    decision.beforeWrite();
    String sql =
        ROTATE_SQL
            + " AND current_refresh_hash = ? AND child_index = ? AND confirmed = ?"
            + " AND expires_at = ? AND jwt_payload = ?"
            + (read.parentRefreshHash() == null
                ? " AND parent_refresh_hash IS NULL"
                : " AND parent_refresh_hash = ?")
            + (read.issuedAt() == null ? " AND issued_at IS NULL" : " AND issued_at = ?");
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      int i = bindRotation(ps, r, handle);
      ps.setString(i++, read.currentRefreshHash());
      ps.setInt(i++, read.childIndex());
      ps.setBoolean(i++, read.confirmed());
      ps.setLong(i++, read.expiresAt().toEpochMilli());
      ps.setString(i++, read.jwtPayloadJson());
      if (read.parentRefreshHash() != null) {
        ps.setString(i++, read.parentRefreshHash());
      }
      if (read.issuedAt() != null) {
        ps.setLong(i, read.issuedAt().toEpochMilli());
      }
      return ps.executeUpdate() == 1 ? decision : null;
    }
  }

  /** A session as read (null: none), the rule's decision on it, and that decision's write. */
  private record Decided<D>(SessionRecord session, D decision, RefreshWrite write) {}

  /**
   * Reads the session with {@code sql} (which selects {@link #SESSION_COLUMNS} and the server's
   * time for one handle) and has the rule decide on it at the store's time.
   */
  private <D extends RefreshDecision> Decided<D> readAndDecide(
      Connection c, String sql, String handle, RefreshRule<D> rule) throws SQLException {
    SessionRecord session = null;
    long serverMillis = 0;
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, handle);
      try (ResultSet rs = ps.executeQuery()) {
        if (rs.next()) {
          session = readSession(rs);
          serverMillis = rs.getLong(Dialect.NOW_COLUMN);
        }
      }
    }
    Instant now;
    if (clock != null) {
      now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
    } else if (session != null) {
      now = Instant.ofEpochMilli(serverMillis);
    } else {
      now = Instant.ofEpochMilli(serverTimeMillis(c)); // no row: nothing locked, so no wait
    }
    D decision = rule.decide(session, now);
    return new Decided<>(session, decision, writeOf(decision));
  }

  /**
   * A rotation's UPDATE, whose parameters {@link #bindRotation} binds; more conditions may follow.
   */
  private static final String ROTATE_SQL =
      "UPDATE hallpass_sessions SET"
          + " current_refresh_hash = ?, parent_refresh_hash = ?, child_index = ?,"
          + " issued_at = ?, expires_at = ?, confirmed = FALSE,"
          + " last_ip = ?, last_user_agent = ? WHERE handle = ?";

  /** Binds the rotation and the handle to {@link #ROTATE_SQL}; returns the next parameter index. */
  private static int bindRotation(PreparedStatement ps, RefreshWrite.Rotate r, String handle)
      throws SQLException {
    ps.setString(1, r.currentRefreshHash());
    ps.setString(2, r.parentRefreshHash());
    ps.setInt(3, r.childIndex());
    ps.setLong(4, r.issuedAt().toEpochMilli());
    ps.setLong(5, r.expiresAt().toEpochMilli());
    ps.setString(6, r.lastIp());
    ps.setString(7, r.lastUserAgent());
    ps.setString(8, handle);
    return 9;
  }

  /** The decision's write; a null decision or write is a GENERAL_ERROR. */
  private static RefreshWrite writeOf(RefreshDecision decision) {
    if (decision == null) {
      throw HallpassException.generalError("the refresh decision was null", null);
    }
    RefreshWrite write = decision.write();
    if (write == null) {
      throw HallpassException.generalError("the refresh decision had no write", null);
    }
    return write;
  }

  /** The database server's current time, in epoch milliseconds. */
  private long serverTimeMillis(Connection c) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(dialect.currentTimeSql());
        ResultSet rs = ps.executeQuery()) {
      if (!rs.next()) {
        throw new SQLException("the database returned no time");
      }
      return rs.getLong(1);
    }
  }

  @Override
  public boolean confirmRefreshToken(String handle, String currentRefreshHash, Instant now) {
    Objects.requireNonNull(handle, "handle");
    Objects.requireNonNull(currentRefreshHash, "currentRefreshHash");
    long nowMillis = now.toEpochMilli();
    return autoCommit(
        "confirm the refresh token",
        c -> {
          // Found rows, not changed rows (see requireFoundRows): a confirmed token counts again.
          try (PreparedStatement ps =
              c.prepareStatement(
                  "UPDATE hallpass_sessions SET confirmed = TRUE"
                      + " WHERE handle = ? AND current_refresh_hash = ? AND expires_at > ?")) {
            ps.setString(1, handle);
            ps.setString(2, currentRefreshHash);
            ps.setLong(3, nowMillis);
            return ps.executeUpdate() > 0;
          }
        });
  }

  @Override
  public boolean deleteSession(String handle) {
    Objects.requireNonNull(handle, "handle");
    SqlWork<Boolean> delete =
        c -> {
          boolean deleted;
          try (PreparedStatement ps =
              c.prepareStatement("DELETE FROM hallpass_sessions WHERE handle = ?")) {
            ps.setString(1, handle);
            deleted = ps.executeUpdate() > 0;
          }
          if (deleted) {
            recordRevocations(c, List.of(handle));
          }
          return deleted;
        };
    // With a feed the deletion and its record commit together.
    return feed == null
        ? autoCommit("delete the session", delete)
        : inTransaction("delete the session", delete);
  }

  @Override
  public List<String> deleteSessions(Collection<String> handles) {
    Objects.requireNonNull(handles, "handles");
    Set<String> wanted = new LinkedHashSet<>();
    for (String h : handles) {
      wanted.add(Objects.requireNonNull(h, "handle"));
    }
    if (wanted.isEmpty()) {
      ensureOpen();
      return new ArrayList<>();
    }
    return inTransaction(
        "delete the sessions",
        c -> {
          Set<String> found = new LinkedHashSet<>();
          for (List<String> chunk : chunks(new ArrayList<>(wanted))) {
            // Lock what exists, then delete exactly that: the result names only deleted rows.
            try (PreparedStatement ps =
                c.prepareStatement(
                    "SELECT handle FROM hallpass_sessions"
                        + " WHERE handle IN ("
                        + placeholders(chunk.size())
                        + ") FOR UPDATE")) {
              bindStrings(ps, 1, chunk);
              try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                  found.add(rs.getString(1));
                }
              }
            }
          }
          deleteHandles(c, new ArrayList<>(found));
          recordRevocations(c, new ArrayList<>(found));
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
    return deleteOfUser(null, userId);
  }

  @Override
  public List<String> deleteSessionsOfUser(String tenantId, String userId) {
    Objects.requireNonNull(tenantId, "tenantId");
    Objects.requireNonNull(userId, "userId");
    return deleteOfUser(tenantId, userId);
  }

  /** Deletes a user's sessions in one tenant, or in all when tenantId is null. */
  private List<String> deleteOfUser(String tenantId, String userId) {
    return inTransaction(
        "delete the user's sessions",
        c -> {
          List<String> found = new ArrayList<>();
          try (PreparedStatement ps =
              c.prepareStatement(
                  "SELECT handle FROM hallpass_sessions WHERE user_id = ?"
                      + (tenantId == null ? "" : " AND tenant_id = ?")
                      + " FOR UPDATE")) {
            ps.setString(1, userId);
            if (tenantId != null) {
              ps.setString(2, tenantId);
            }
            try (ResultSet rs = ps.executeQuery()) {
              while (rs.next()) {
                found.add(rs.getString(1));
              }
            }
          }
          // By handle, not by user: a session inserted meanwhile is neither deleted nor reported.
          deleteHandles(c, found);
          recordRevocations(c, found);
          return found;
        });
  }

  @Override
  public List<String> findLiveHandlesOfUser(String userId, Instant now) {
    Objects.requireNonNull(userId, "userId");
    return liveHandlesOfUser(null, userId, now);
  }

  @Override
  public List<String> findLiveHandlesOfUser(String tenantId, String userId, Instant now) {
    Objects.requireNonNull(tenantId, "tenantId");
    Objects.requireNonNull(userId, "userId");
    return liveHandlesOfUser(tenantId, userId, now);
  }

  /** A user's live handles in one tenant, or in all when tenantId is null. */
  private List<String> liveHandlesOfUser(String tenantId, String userId, Instant now) {
    long nowMillis = now.toEpochMilli();
    return autoCommit(
        "list the user's sessions",
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "SELECT handle FROM hallpass_sessions WHERE user_id = ?"
                      + (tenantId == null ? "" : " AND tenant_id = ?")
                      + " AND expires_at > ? ORDER BY created_at, handle")) {
            int i = 1;
            ps.setString(i++, userId);
            if (tenantId != null) {
              ps.setString(i++, tenantId);
            }
            ps.setLong(i, nowMillis);
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
  public List<SessionRecord> findLiveSessionsOfUser(String userId, Instant now) {
    Objects.requireNonNull(userId, "userId");
    long nowMillis = now.toEpochMilli();
    return autoCommit(
        "list the user's sessions",
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "SELECT "
                      + SESSION_COLUMNS
                      + " FROM hallpass_sessions"
                      + " WHERE user_id = ? AND expires_at > ? ORDER BY created_at, handle")) {
            ps.setString(1, userId);
            ps.setLong(2, nowMillis);
            List<SessionRecord> sessions = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
              while (rs.next()) {
                sessions.add(readSession(rs));
              }
            }
            return sessions;
          }
        });
  }

  @Override
  public int deleteExpiredSessions(Instant now, int limit) {
    long nowMillis = now.toEpochMilli();
    if (limit < 1) {
      ensureOpen();
      return 0;
    }
    return autoCommit(
        "delete expired sessions",
        c -> {
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
    return autoCommit(
        "load the signing keys",
        c -> {
          try (PreparedStatement ps =
                  c.prepareStatement(
                      "SELECT " + KEY_COLUMNS + " FROM hallpass_signing_keys ORDER BY generation");
              ResultSet rs = ps.executeQuery()) {
            List<SigningKeyRecord> keys = new ArrayList<>();
            while (rs.next()) {
              keys.add(
                  new SigningKeyRecord(
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
    return autoCommit(
        "insert the signing key",
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "INSERT INTO hallpass_signing_keys ("
                      + KEY_COLUMNS
                      + ") VALUES (?, ?, ?, ?, ?, ?, ?)")) {
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
            if (e.getSQLState() != null
                && e.getSQLState().startsWith("23")
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
    return autoCommit(
        "delete retired signing keys",
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement("DELETE FROM hallpass_signing_keys WHERE signs_until < ?")) {
            ps.setLong(1, cutoffMillis);
            return ps.executeUpdate();
          }
        });
  }

  // ---------------------------------------------------------------- re-encryption

  @Override
  public boolean replaceRefreshKey(String handle, String expected, String replacement) {
    Objects.requireNonNull(handle, "handle");
    return compareAndSet(
        "hallpass_sessions", "refresh_key", "handle", handle, expected, replacement);
  }

  @Override
  public boolean replaceSigningPrivateKey(String kid, String expected, String replacement) {
    Objects.requireNonNull(kid, "kid");
    return compareAndSet("hallpass_signing_keys", "private_key", "kid", kid, expected, replacement);
  }

  /**
   * Reads the value under a row lock, compares it in Java (in constant time: it is a secret; and H2
   * cannot compare large-object columns in SQL) and writes the replacement, in one transaction.
   * Table and column names are the constants above, never input.
   */
  private boolean compareAndSet(
      String table, String column, String keyColumn, String key, String expected, String value) {
    Objects.requireNonNull(expected, "expected");
    Objects.requireNonNull(value, "replacement");
    return inTransaction(
        "re-encrypt a stored key",
        c -> {
          String current = null;
          try (PreparedStatement ps =
              c.prepareStatement(
                  "SELECT "
                      + column
                      + " FROM "
                      + table
                      + " WHERE "
                      + keyColumn
                      + " = ? FOR UPDATE")) {
            ps.setString(1, key);
            try (ResultSet rs = ps.executeQuery()) {
              if (rs.next()) {
                current = rs.getString(1);
              }
            }
          }
          if (current == null
              || !MessageDigest.isEqual(
                  current.getBytes(StandardCharsets.UTF_8),
                  expected.getBytes(StandardCharsets.UTF_8))) {
            return false;
          }
          try (PreparedStatement ps =
              c.prepareStatement(
                  "UPDATE " + table + " SET " + column + " = ? WHERE " + keyColumn + " = ?")) {
            ps.setString(1, value);
            ps.setString(2, key);
            return ps.executeUpdate() > 0;
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
    return "JdbcSessionStore{database="
        + dialect.displayName()
        + ", ownsPool="
        + (ownedPool != null)
        + ", refreshClock="
        + (clock == null ? "database" : "given")
        + (closed.get() ? ", closed" : "")
        + "}";
  }

  // ---------------------------------------------------------------- plumbing

  /** Work on a borrowed connection. */
  @FunctionalInterface
  private interface SqlWork<T> {
    T run(Connection c) throws SQLException;
  }

  /**
   * Runs one-statement work in auto-commit mode, whatever mode the pool hands out. A statement the
   * database aborted as a deadlock or serialization failure (SQLState 40xxx) changed nothing and is
   * run again, a few times.
   */
  private <T> T autoCommit(String what, SqlWork<T> work) {
    boolean replaced = false;
    for (int attempt = 1; ; attempt++) {
      ensureOpen();
      long start = System.nanoTime();
      try (Connection c = dataSource.getConnection()) {
        int previousTimeout = setNetworkTimeout(c);
        try {
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
        } finally {
          restoreNetworkTimeout(c, previousTimeout);
        }
      } catch (SQLException e) {
        if (attempt < TRANSACTION_ATTEMPTS && isTransient(e)) {
          continue;
        }
        if (!replaced && foundDead(e, start)) {
          replaced = true;
          continue;
        }
        throw HallpassException.generalError("cannot " + what, e);
      }
    }
  }

  /**
   * Runs work in one transaction on one connection: commit on success, roll back on any failure. A
   * transaction the database aborted as a deadlock or serialization failure (SQLState 40xxx) is run
   * again, a few times; work is free of side effects outside the transaction, so that is safe.
   */
  private <T> T inTransaction(String what, SqlWork<T> work) {
    boolean replaced = false;
    for (int attempt = 1; ; attempt++) {
      ensureOpen();
      long start = System.nanoTime();
      try (Connection c = dataSource.getConnection()) {
        int previousTimeout = setNetworkTimeout(c);
        boolean autoCommit = c.getAutoCommit();
        if (autoCommit && explicitTransactions) {
          return inExplicitTransaction(c, work);
        }
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
          restoreNetworkTimeout(c, previousTimeout);
        }
      } catch (SQLException e) {
        if (attempt < TRANSACTION_ATTEMPTS && isTransient(e)) {
          continue;
        }
        if (!replaced && foundDead(e, start)) {
          replaced = true;
          continue;
        }
        throw HallpassException.generalError("cannot " + what, e);
      }
    }
  }

  /**
   * Sets the store's network timeout on a borrowed connection; returns the one to restore, or -1
   * when nothing was changed.
   */
  private int setNetworkTimeout(Connection c) throws SQLException {
    if (networkTimeoutMillis <= 0 || !networkTimeoutSupported) {
      return -1;
    }
    try {
      int previous = c.getNetworkTimeout();
      if (previous == networkTimeoutMillis) {
        return -1;
      }
      c.setNetworkTimeout(DIRECT, networkTimeoutMillis);
      return previous;
    } catch (SQLFeatureNotSupportedException e) {
      networkTimeoutSupported = false; // no network to time out (embedded H2)
      return -1;
    }
  }

  /** Gives a caller's pool its connection back as it was lent; a broken one is left as it is. */
  private static void restoreNetworkTimeout(Connection c, int previous) {
    if (previous < 0) {
      return;
    }
    try {
      if (!c.isClosed()) {
        c.setNetworkTimeout(DIRECT, previous);
      }
    } catch (SQLException e) {
      // A broken connection: the pool validates or evicts it.
    }
  }

  /** The data source the store borrows from (tests inspect the owned pool). */
  DataSource dataSource() {
    return dataSource;
  }

  /**
   * Whether the call failed on a connection that was already dead (closed by the server or the
   * network while it sat in the pool, as after a database restart): a connection error (SQLState
   * class 08) that came sooner than the network timeout, so it was no silent database. Then the
   * pool's idle connections, which likely died with it, are dropped and the call is run once more
   * on a new connection. That is safe even if the first attempt reached the database before its
   * connection broke: single statements are idempotent or fail harmlessly on a repeat (a duplicate
   * insert is reported as a failure; a repeated delete reports what it still found), and a refresh
   * transaction decides again on the committed state, where the rotation rules give the presented
   * token the child it already received. A timed-out connection is not retried: the caller would
   * wait twice.
   */
  private boolean foundDead(SQLException e, long startNanos) {
    String state = e.getSQLState();
    if (state == null || !state.startsWith("08")) {
      return false;
    }
    long elapsedMillis = (System.nanoTime() - startNanos) / 1_000_000;
    if (networkTimeoutMillis > 0 && elapsedMillis >= networkTimeoutMillis / 2) {
      return false;
    }
    if (evictIdle != null) {
      evictIdle.run();
    }
    return true;
  }

  /**
   * A transaction on an auto-commit connection opened with START TRANSACTION and ended with COMMIT
   * or ROLLBACK: on MariaDB and MySQL, where switching auto-commit off and on again costs a round
   * trip each, this is one round trip fewer per transaction (a refresh: four instead of five). The
   * connection stays in auto-commit mode throughout, as the pool expects it back.
   */
  private static <T> T inExplicitTransaction(Connection c, SqlWork<T> work) throws SQLException {
    try (Statement st = c.createStatement()) {
      st.execute("START TRANSACTION");
    }
    try {
      T result = work.run(c);
      try (Statement st = c.createStatement()) {
        st.execute("COMMIT");
      }
      return result;
    } catch (Throwable t) {
      try (Statement st = c.createStatement()) {
        st.execute("ROLLBACK");
      } catch (SQLException | RuntimeException e) {
        t.addSuppressed(e);
      }
      throw t;
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
      try (PreparedStatement ps =
          c.prepareStatement(
              "DELETE FROM hallpass_sessions WHERE handle IN ("
                  + placeholders(chunk.size())
                  + ")")) {
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

  /**
   * The session in the current row of a result whose first columns are {@link #SESSION_COLUMNS}, in
   * that order. Read by position: finding columns by name costs drivers a case-folded lookup each.
   */
  private static SessionRecord readSession(ResultSet rs) throws SQLException {
    long issued = rs.getLong(11);
    Instant issuedAt = rs.wasNull() ? null : Instant.ofEpochMilli(issued);
    return new SessionRecord(
        rs.getString(1),
        rs.getString(2),
        rs.getString(3),
        rs.getString(4),
        rs.getString(5),
        Instant.ofEpochMilli(rs.getLong(6)),
        Instant.ofEpochMilli(rs.getLong(7)),
        rs.getString(8),
        rs.getString(9),
        rs.getString(10),
        issuedAt,
        rs.getInt(12),
        rs.getBoolean(13),
        rs.getString(14),
        rs.getString(15),
        rs.getString(16),
        rs.getString(17));
  }
}
