package dev.hallpass.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.hallpass.spi.RefreshWrite;
import dev.hallpass.spi.SessionRecord;
import dev.hallpass.spi.SessionStore;
import dev.hallpass.spi.SigningKeyRecord;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What only the JDBC store has, run against each database by a subclass: migrations (and the
 * upgrade from the first schema), concurrent start-up, pools of one connection, the database
 * server's clock, the statements a refresh costs, and transaction retries. Every store-level rule
 * of the SPI is in the store compatibility kit ({@code *StoreCompatibilityTest}).
 */
abstract class AbstractJdbcSessionStoreTest {

  static final Instant NOW = Instant.parse("2026-03-01T12:00:00.123Z");

  private final List<SessionStore> stores = new ArrayList<>();
  private final List<AutoCloseable> pools = new ArrayList<>();

  /** The store of the current test, on a schema with empty tables. */
  SessionStore store;

  /** The JDBC URL of the database under test. */
  abstract String url();

  /** A new store with its own pool on the database under test. */
  SessionStore open(JdbcSessionStores.Builder builder) {
    return track(builder.jdbcUrl(url()).build());
  }

  SessionStore open() {
    return open(JdbcSessionStores.builder());
  }

  SessionStore track(SessionStore s) {
    synchronized (stores) {
      stores.add(s);
    }
    return s;
  }

  @BeforeEach
  void emptyTables() {
    store = open();
    TestDatabases.deleteAllRows(url());
  }

  @AfterEach
  void closeStores() throws Exception {
    synchronized (stores) {
      stores.forEach(SessionStore::close);
      stores.clear();
    }
    for (AutoCloseable pool : pools) {
      pool.close();
    }
    pools.clear();
  }

  // ---------------------------------------------------------------- fixtures

  static String hash(int n) {
    return String.format("%064x", n);
  }

  static SessionRecord session(String handle, String userId, Instant expiresAt) {
    return SessionRecord.created(
        handle,
        "public",
        userId,
        "{\"cart\":3}",
        "{\"role\":\"reader\"}",
        NOW.minusSeconds(60),
        expiresAt,
        "rk-" + handle,
        hash(0));
  }

  static SigningKeyRecord key(String kid, long generation) {
    return new SigningKeyRecord(
        kid,
        generation,
        "private-" + kid,
        "public-" + kid,
        NOW,
        NOW.plusSeconds(generation * 100),
        NOW.plusSeconds(generation * 100 + 100));
  }

  /**
   * The kit's kind of decision here too: a label and a write.
   *
   * @param label what the rule wants the test to know
   * @param write what the store writes
   */
  record Decision(String label, RefreshWrite write) implements SessionStore.RefreshDecision {}

  static RefreshWrite.Rotate rotate(int n, Instant now) {
    return new RefreshWrite.Rotate(hash(n), hash(n - 1), 0, now, NOW.plusSeconds(900));
  }

  long count(String sql) {
    try (Connection c = TestDatabases.connect(url());
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  /** How many successful rows of this version Flyway's history holds. */
  long applied(String version) {
    // Flyway quotes its names: on H2 they stay lower case and must be quoted here too.
    String q = isH2() ? "\"" : "";
    return count(
        "SELECT COUNT(*) FROM "
            + TestDatabases.historyTable(url())
            + " WHERE "
            + q
            + "version"
            + q
            + " = '"
            + version
            + "' AND "
            + q
            + "success"
            + q
            + " = TRUE");
  }

  boolean isH2() {
    return url().startsWith("jdbc:h2:");
  }

  /**
   * The database server's time in epoch milliseconds, by an expression independent of the store's.
   */
  long serverMillis() {
    String sql;
    if (isH2()) {
      sql = "SELECT EXTRACT(EPOCH FROM CURRENT_TIMESTAMP) * 1000";
    } else if (url().startsWith("jdbc:postgresql:")) {
      sql = "SELECT EXTRACT(EPOCH FROM clock_timestamp()) * 1000";
    } else {
      sql = "SELECT UNIX_TIMESTAMP(NOW(3)) * 1000";
    }
    try (Connection c = TestDatabases.connect(url());
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getBigDecimal(1).longValue();
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A pool on the database under test, closed after the test. */
  HikariDataSource pool(int size) {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(url());
    config.setMaximumPoolSize(size);
    config.setTransactionIsolation("TRANSACTION_READ_COMMITTED");
    HikariDataSource pool = new HikariDataSource(config);
    pools.add(pool);
    return pool;
  }

  /** Builds {@code n} stores at once from a common start line; returns them all. */
  List<SessionStore> startConcurrently(int n) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(n);
    try {
      CyclicBarrier start = new CyclicBarrier(n);
      List<Future<SessionStore>> futures = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        futures.add(
            pool.submit(
                () -> {
                  start.await();
                  return open();
                }));
      }
      List<SessionStore> out = new ArrayList<>();
      for (Future<SessionStore> f : futures) {
        out.add(f.get(60, TimeUnit.SECONDS));
      }
      return out;
    } finally {
      pool.shutdownNow();
    }
  }

  // ---------------------------------------------------------------- migrations

  @Test
  void startOnEmptySchema_createsTablesOnce_andRestartKeepsData() throws Exception {
    closeStores();
    TestDatabases.dropHallpassTables(url());

    SessionStore first = open();
    first.insertSession(session("h1", "alice", NOW.plusSeconds(600)));
    first.close();
    String allHistory = "SELECT COUNT(*) FROM " + TestDatabases.historyTable(url());
    long historyRows = count(allHistory);
    SessionStore second = open(); // a restart: validates, applies nothing

    assertThat(second.findSession("h1")).contains(session("h1", "alice", NOW.plusSeconds(600)));
    assertThat(applied("1")).isEqualTo(1);
    assertThat(applied("2")).isEqualTo(1);
    assertThat(count(allHistory)).isEqualTo(historyRows);
  }

  @Test
  void storesStartingAtOnceOnEmptySchema_migrateExactlyOnce() throws Exception {
    closeStores();
    for (int round = 0; round < 3; round++) {
      TestDatabases.dropHallpassTables(url());

      List<SessionStore> started = startConcurrently(2);

      assertThat(applied("1")).isEqualTo(1);
      assertThat(applied("2")).isEqualTo(1);
      started.get(0).insertSession(session("r" + round, "alice", NOW.plusSeconds(600)));
      assertThat(started.get(1).findSession("r" + round)).isPresent();
      closeStores();
    }
  }

  @Test
  void upgradeFromTheFirstSchema_keepsSessionsUsable() throws Exception {
    closeStores();
    TestDatabases.dropHallpassTables(url());
    try (Connection c = TestDatabases.connect(url())) {
      Dialect dialect =
          Dialect.of(
              c.getMetaData().getDatabaseProductName(),
              c.getMetaData().getDatabaseProductVersion());
      Flyway.configure(getClass().getClassLoader())
          .dataSource(new SingleConnectionDataSource(c))
          .locations(dialect.migrationLocation())
          .table(JdbcSessionStore.SCHEMA_HISTORY_TABLE)
          .placeholders(dialect.placeholders())
          .baselineOnMigrate(true)
          .baselineVersion("0")
          .target("1")
          .load()
          .migrate();
      try (PreparedStatement ps =
          c.prepareStatement(
              "INSERT INTO hallpass_sessions (handle,"
                  + " tenant_id, user_id, session_data, jwt_payload, created_at, expires_at, refresh_key,"
                  + " current_refresh_hash, previous_refresh_hash, rotated_at)"
                  + " VALUES (?, 'public', ?, '{\"a\":1}', '{}', ?, ?, ?, ?, ?, ?)")) {
        // one session refreshed under the first schema, one never refreshed
        for (String handle : List.of("refreshed", "fresh")) {
          boolean refreshed = handle.equals("refreshed");
          ps.setString(1, handle);
          ps.setString(2, "user-" + handle);
          ps.setLong(3, NOW.minusSeconds(60).toEpochMilli());
          ps.setLong(4, NOW.plusSeconds(600).toEpochMilli());
          ps.setString(5, "rk-" + handle);
          ps.setString(6, hash(refreshed ? 2 : 0));
          if (refreshed) {
            ps.setString(7, hash(1));
            ps.setLong(8, NOW.minusSeconds(10).toEpochMilli());
          } else {
            ps.setNull(7, java.sql.Types.VARCHAR);
            ps.setNull(8, java.sql.Types.BIGINT);
          }
          ps.executeUpdate();
        }
      }
    }
    assertThat(applied("2")).isZero();

    SessionStore upgraded =
        open(JdbcSessionStores.builder().clock(Clock.fixed(NOW.plusSeconds(1), ZoneOffset.UTC)));

    assertThat(applied("2")).isEqualTo(1);
    assertThat(upgraded.findSession("refreshed"))
        .contains(
            new SessionRecord(
                "refreshed",
                "public",
                "user-refreshed",
                "{\"a\":1}",
                "{}",
                NOW.minusSeconds(60),
                NOW.plusSeconds(600),
                "rk-refreshed",
                hash(2),
                hash(1),
                NOW.minusSeconds(10),
                0,
                false));
    assertThat(upgraded.findSession("fresh"))
        .contains(
            SessionRecord.created(
                "fresh",
                "public",
                "user-fresh",
                "{\"a\":1}",
                "{}",
                NOW.minusSeconds(60),
                NOW.plusSeconds(600),
                "rk-fresh",
                hash(0)));
    assertThat(upgraded.isSessionLive("refreshed", "user-refreshed", NOW)).isTrue();
    assertThat(upgraded.confirmRefreshToken("refreshed", hash(2), NOW)).isTrue();
    assertThat(upgraded.findSession("refreshed").orElseThrow().confirmed()).isTrue();
    Decision d =
        upgraded.lockAndDecide(
            "fresh", (rec, now) -> new Decision(rec.currentRefreshHash(), rotate(1, now)));
    assertThat(d.label()).isEqualTo(hash(0));
    SessionRecord rotated = upgraded.findSession("fresh").orElseThrow();
    assertThat(rotated.currentRefreshHash()).isEqualTo(hash(1));
    assertThat(rotated.issuedAt()).isEqualTo(NOW.plusSeconds(1));
    assertThat(rotated.confirmed()).isFalse();
    upgraded.insertSession(session("new", "alice", NOW.plusSeconds(600)));
    assertThat(upgraded.findSession("new")).contains(session("new", "alice", NOW.plusSeconds(600)));
  }

  // ---------------------------------------------------------------- the database's clock

  @Test
  void lockAndDecide_withoutClockOption_passesTheDatabaseServersTime() {
    store.insertSession(session("h", "alice", NOW.plusSeconds(600)));
    AtomicReference<Instant> locked = new AtomicReference<>();
    AtomicReference<Instant> missing = new AtomicReference<>();

    long before = serverMillis();
    store.lockAndDecide(
        "h",
        (rec, now) -> {
          locked.set(now);
          return new Decision("keep", RefreshWrite.KEEP);
        });
    store.lockAndDecide(
        "missing",
        (rec, now) -> {
          missing.set(now);
          return new Decision("keep", RefreshWrite.KEEP);
        });
    long after = serverMillis();

    for (Instant now : List.of(locked.get(), missing.get())) {
      assertThat(now.toEpochMilli()).isBetween(before - 2000, after + 2000);
      assertThat(now.getNano() % 1_000_000).isZero();
    }
  }

  @Test
  void lockAndDecide_writeThatWaitedForAChange_decidesAgainWithTheServersTimeAfterItsWait()
      throws Exception {
    store.insertSession(session("h", "alice", NOW.plusSeconds(600)));
    List<Instant> times = Collections.synchronizedList(new ArrayList<>());
    CountDownLatch locked = new CountDownLatch(1);
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try (Connection holder = TestDatabases.connect(url())) {
      // Another process locks the session's row, changes it and commits 1.5 s later.
      holder.setAutoCommit(false);
      try (PreparedStatement ps =
          holder.prepareStatement(
              "SELECT handle FROM hallpass_sessions WHERE handle = ? FOR UPDATE")) {
        ps.setString(1, "h");
        ps.executeQuery().close();
      }
      Future<?> change =
          pool.submit(
              () -> {
                locked.await();
                Thread.sleep(1500);
                try (PreparedStatement ps =
                    holder.prepareStatement(
                        "UPDATE hallpass_sessions SET current_refresh_hash = ? WHERE handle = ?")) {
                  ps.setString(1, hash(5));
                  ps.setString(2, "h");
                  ps.executeUpdate();
                }
                holder.commit();
                return null;
              });
      store.lockAndDecide(
          "h",
          (rec, now) -> {
            times.add(now);
            locked.countDown();
            return new Decision("rotate", rotate(9, now));
          });
      change.get(30, TimeUnit.SECONDS);
    } finally {
      pool.shutdownNow();
    }

    assertThat(times).as("decided on the read, then again under the lock").hasSize(2);
    assertThat(Duration.between(times.get(0), times.get(1)))
        .as("the second decision's time is read once it holds the lock")
        .isGreaterThanOrEqualTo(Duration.ofMillis(1200));
    assertThat(store.findSession("h").orElseThrow().currentRefreshHash()).isEqualTo(hash(9));
  }

  // ---------------------------------------------------------------- statements and retries

  /**
   * A data source on a pool of the database under test that logs the SQL its connections prepare
   * and their commits and rollbacks; {@code fail} may throw instead of running a statement.
   */
  final class LoggingDataSource extends JdbcSessionStoresTest.SwitchableDataSource {
    final List<String> log = Collections.synchronizedList(new ArrayList<>());
    volatile SqlFailure fail = sql -> {};

    LoggingDataSource(int poolSize) {
      super(pool(poolSize));
    }

    @Override
    Connection wrap(Connection c) {
      return JdbcSessionStoresTest.proxy(
          Connection.class,
          c,
          Map.of(
              "prepareStatement",
                  args -> {
                    String sql = (String) args[0];
                    PreparedStatement ps = c.prepareStatement(sql);
                    return JdbcSessionStoresTest.proxy(
                        PreparedStatement.class,
                        ps,
                        Map.of(
                            "executeQuery", a -> run(sql, ps::executeQuery),
                            "executeUpdate", a -> run(sql, ps::executeUpdate)));
                  },
              "createStatement",
                  args -> {
                    // Transaction control sent as SQL (MariaDB and MySQL: START TRANSACTION).
                    Statement st = c.createStatement();
                    return JdbcSessionStoresTest.proxy(
                        Statement.class,
                        st,
                        Map.of(
                            "execute", a -> run((String) a[0], () -> st.execute((String) a[0]))));
                  },
              "commit",
                  args -> {
                    log.add("COMMIT");
                    c.commit();
                    return null;
                  },
              "rollback",
                  args -> {
                    log.add("ROLLBACK");
                    c.rollback();
                    return null;
                  }));
    }

    private Object run(String sql, Callable<Object> statement) throws Exception {
      fail.check(sql);
      log.add(sql.replaceAll("\\s+", " "));
      return statement.call();
    }

    /** The log so far, each entry cut to its first words; clears the log. */
    List<String> take() {
      synchronized (log) {
        List<String> out = new ArrayList<>();
        for (String s : log) {
          String[] words = s.split(" ");
          out.add(
              s.startsWith("SELECT") && s.contains("FOR UPDATE")
                  ? "SELECT FOR UPDATE"
                  : s.startsWith("UPDATE") ? String.join(" ", Arrays.copyOf(words, 4)) : words[0]);
        }
        log.clear();
        return out;
      }
    }
  }

  /** A statement that may fail before it runs. */
  @FunctionalInterface
  interface SqlFailure {
    void check(String sql) throws SQLException;
  }

  @Test
  void refreshAndConfirm_costOnlyTheirStatements() {
    LoggingDataSource ds = new LoggingDataSource(2);
    // MariaDB and MySQL open transactions with START TRANSACTION, sparing two auto-commit switches.
    String[] begin = url().startsWith("jdbc:mariadb:") ? new String[] {"START"} : new String[0];
    SessionStore logged = track(JdbcSessionStores.builder().dataSource(ds).build());
    logged.insertSession(session("h", "alice", NOW.plusSeconds(600)));
    ds.take();

    // A rotation or a keep: a read and a compare-and-set, no transaction.
    logged.lockAndDecide("h", (rec, now) -> new Decision("rotate", rotate(1, now)));
    assertThat(ds.take())
        .as("rotate")
        .containsExactly("SELECT", "UPDATE hallpass_sessions SET current_refresh_hash");
    logged.lockAndDecide("h", (rec, now) -> new Decision("keep", RefreshWrite.KEEP));
    assertThat(ds.take()).as("keep").containsExactly("SELECT");
    // A deletion is decided again under the lock, where its revocation is recorded with it (and,
    // on PostgreSQL, notified).
    logged.lockAndDecide("h", (rec, now) -> new Decision("delete", RefreshWrite.DELETE));
    List<String> delete = new ArrayList<>(List.of("SELECT FOR UPDATE", "DELETE"));
    if (logged.revocationFeed().isPresent()) {
      delete.add("INSERT");
      if (logged.toString().contains("PostgreSQL")) {
        delete.add("SELECT");
      }
    }
    List<String> unlockedThenLocked = new ArrayList<>(List.of("SELECT"));
    unlockedThenLocked.addAll(Arrays.asList(tx(begin, delete.toArray(String[]::new))));
    assertThat(ds.take()).as("delete").containsExactlyElementsOf(unlockedThenLocked);
    logged.lockAndDecide("h", (rec, now) -> new Decision("rotate", rotate(2, now)));
    assertThat(ds.take())
        .as("no session: the time alone, nothing written")
        .containsExactly("SELECT", "SELECT");

    logged.insertSession(session("h2", "alice", NOW.plusSeconds(600)));
    ds.take();
    assertThat(logged.confirmRefreshToken("h2", hash(0), NOW)).isTrue();
    assertThat(ds.take()).as("confirm").containsExactly("UPDATE hallpass_sessions SET confirmed");

    SessionStore clocked =
        track(
            JdbcSessionStores.builder()
                .dataSource(ds)
                .clock(Clock.fixed(NOW, ZoneOffset.UTC))
                .build());
    ds.take();
    clocked.lockAndDecide("missing", (rec, now) -> new Decision("keep", RefreshWrite.KEEP));
    assertThat(ds.take()).as("no session, clock option: no time query").containsExactly("SELECT");
  }

  @Test
  void lockAndDecide_sessionChangedBeforeItsWrite_decidesAgainUnderTheLock() {
    LoggingDataSource ds = new LoggingDataSource(2);
    String[] begin = url().startsWith("jdbc:mariadb:") ? new String[] {"START"} : new String[0];
    SessionStore logged = track(JdbcSessionStores.builder().dataSource(ds).build());
    SessionStore other = open();
    logged.insertSession(session("h", "alice", NOW.plusSeconds(600)));
    ds.take();
    List<String> seen = new ArrayList<>();

    Decision d =
        logged.lockAndDecide(
            "h",
            (rec, now) -> {
              seen.add(rec.currentRefreshHash());
              if (seen.size() == 1) {
                // Another process rotates the session between this read and its write.
                other.lockAndDecide("h", (r, n) -> new Decision("other", rotate(7, n)));
              }
              return new Decision("call " + seen.size(), rotate(8, now));
            });

    assertThat(seen).containsExactly(hash(0), hash(7));
    assertThat(d.label()).isEqualTo("call 2");
    assertThat(store.findSession("h").orElseThrow().currentRefreshHash()).isEqualTo(hash(8));
    assertThat(ds.take())
        .as("the compare-and-set found the session changed and wrote nothing")
        .startsWith("SELECT", "UPDATE hallpass_sessions SET current_refresh_hash")
        .endsWith(
            tx(begin, "SELECT FOR UPDATE", "UPDATE hallpass_sessions SET current_refresh_hash"));
  }

  @Test
  void lockAndDecide_payloadChangedBeforeItsWrite_decidesAgainOnTheNewPayload() {
    SessionStore other = open();
    store.insertSession(session("h", "alice", NOW.plusSeconds(600)));
    List<String> payloads = new ArrayList<>();

    store.lockAndDecide(
        "h",
        (rec, now) -> {
          payloads.add(rec.jwtPayloadJson());
          if (payloads.size() == 1) {
            other.updateJwtPayload("h", "{\"role\":\"admin\"}", NOW);
          }
          return new Decision("rotate", rotate(1, now));
        });

    assertThat(payloads).hasSize(2);
    assertThat(payloads.get(1)).isEqualTo("{\"role\":\"admin\"}");
  }

  /** A transaction's log: {@code begin}, the statements, COMMIT. */
  private static String[] tx(String[] begin, String... statements) {
    List<String> out = new ArrayList<>(Arrays.asList(begin));
    out.addAll(Arrays.asList(statements));
    out.add("COMMIT");
    return out.toArray(String[]::new);
  }

  @Test
  void lockAndDecide_abortedAsDeadlock_isRetried_andTheLastCallOfTheRuleCounts() {
    LoggingDataSource ds = new LoggingDataSource(2);
    SessionStore logged = track(JdbcSessionStores.builder().dataSource(ds).build());
    logged.insertSession(session("h", "alice", NOW.plusSeconds(600)));
    AtomicBoolean failed = new AtomicBoolean();
    ds.fail =
        sql -> {
          if (sql.startsWith("UPDATE hallpass_sessions SET current_refresh_hash")
              && failed.compareAndSet(false, true)) {
            throw new SQLException("deadlock (simulated)", "40001");
          }
        };
    AtomicInteger calls = new AtomicInteger();

    Decision d =
        logged.lockAndDecide(
            "h",
            (rec, now) -> {
              int call = calls.incrementAndGet();
              return new Decision(
                  "call " + call,
                  new RefreshWrite.Rotate(
                      hash(10 + call), rec.currentRefreshHash(), call, now, NOW.plusSeconds(900)));
            });

    assertThat(calls.get()).isEqualTo(2);
    assertThat(d.label()).isEqualTo("call 2");
    SessionRecord after = logged.findSession("h").orElseThrow();
    assertThat(after.currentRefreshHash()).isEqualTo(hash(12));
    assertThat(after.parentRefreshHash()).isEqualTo(hash(0));
    assertThat(after.childIndex()).isEqualTo(2);
  }

  @Test
  void singleStatement_abortedAsDeadlock_isRetried() {
    LoggingDataSource ds = new LoggingDataSource(2);
    SessionStore logged = track(JdbcSessionStores.builder().dataSource(ds).build());
    for (int i = 0; i < 3; i++) {
      logged.insertSession(session("x" + i, "u", NOW.minusSeconds(i + 1)));
    }
    AtomicInteger failures = new AtomicInteger();
    ds.fail =
        sql -> {
          if (sql.startsWith("DELETE") && failures.getAndIncrement() == 0) {
            throw new SQLException("deadlock (simulated)", "40P01");
          }
        };

    assertThat(logged.deleteExpiredSessions(NOW, 10)).isEqualTo(3);
    assertThat(failures.get()).isEqualTo(2);
  }

  // ---------------------------------------------------------------- connections

  @Test
  void lockAndDecide_throwingRule_returnsThePoolsOnlyConnection_andLeavesNoRowLock() {
    SessionStore one =
        open(
            JdbcSessionStores.builder()
                .maximumPoolSize(1)
                .connectionTimeout(Duration.ofSeconds(2)));
    one.insertSession(session("h", "alice", NOW.plusSeconds(600)));
    IllegalStateException bug = new IllegalStateException("bug in the rule");

    for (int i = 0; i < 3; i++) {
      assertThatThrownBy(
              () ->
                  one.lockAndDecide(
                      "h",
                      (rec, now) -> {
                        throw bug;
                      }))
          .isSameAs(bug);
    }

    // The single connection came back, and another pool is not blocked by a leftover row lock.
    assertThat(
            one.lockAndDecide("h", (rec, now) -> new Decision("keep", RefreshWrite.KEEP)).label())
        .isEqualTo("keep");
    store.lockAndDecide("h", (rec, now) -> new Decision("rotate", rotate(5, now)));
    assertThat(one.findSession("h").orElseThrow().currentRefreshHash()).isEqualTo(hash(5));
  }

  @Test
  void insertSigningKey_duplicateGenerationIsFalse_andTheConnectionStaysUsable() {
    // One connection: whatever a failed insert left on it, the next call would meet it.
    SessionStore one = open(JdbcSessionStores.builder().maximumPoolSize(1));

    assertThat(one.insertSigningKey(key("k0", 0))).isTrue();
    assertThat(one.insertSigningKey(key("other", 0))).isFalse();
    assertThat(one.insertSigningKey(key("k0", 0))).isFalse(); // a retried insert of the same key
    assertThat(one.insertSigningKey(key("k1", 1))).isTrue();
    one.insertSession(session("h", "alice", NOW.plusSeconds(600)));
    assertThat(
            one.lockAndDecide("h", (rec, now) -> new Decision("keep", RefreshWrite.KEEP)).label())
        .isEqualTo("keep");
    assertThat(one.loadSigningKeys()).extracting(SigningKeyRecord::kid).containsExactly("k0", "k1");
  }

  @Test
  void poolOfOne_startsOnEmptySchema_andServesEveryCall() throws Exception {
    closeStores();
    TestDatabases.dropHallpassTables(url());
    // Flyway would want a second connection here; a pool of one proves the store shares one.
    SessionStore one =
        open(
            JdbcSessionStores.builder()
                .maximumPoolSize(1)
                .connectionTimeout(Duration.ofSeconds(3)));

    one.insertSession(session("h", "alice", NOW.plusSeconds(600)));
    assertThat(one.confirmRefreshToken("h", hash(0), NOW)).isTrue();
    assertThat(one.lockAndDecide("h", (rec, now) -> new Decision("r", rotate(1, now))).label())
        .isEqualTo("r");
    assertThat(one.deleteSessionsOfUser("alice")).containsExactly("h");
    assertThat(one.deleteSessions(List.of("h"))).isEmpty();
    assertThat(one.deleteExpiredSessions(NOW, 10)).isZero();
  }

  @Test
  void closedStore_saysSoInToString() {
    SessionStore s = open();
    assertThat(s.toString()).doesNotContain("closed").contains("refreshClock=database");
    s.close();

    assertThat(s.toString()).contains("closed");
  }
}
