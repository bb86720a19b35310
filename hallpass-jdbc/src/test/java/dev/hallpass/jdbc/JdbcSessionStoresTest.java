package dev.hallpass.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.hallpass.HallpassException;
import dev.hallpass.jdbc.AbstractJdbcSessionStoreTest.Decision;
import dev.hallpass.spi.RefreshWrite;
import dev.hallpass.spi.SessionRecord;
import dev.hallpass.spi.SessionStore;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The factory and builder: embedded H2, validation, failures, and caller-owned pools. */
class JdbcSessionStoresTest {

  private static final Instant NOW = AbstractJdbcSessionStoreTest.NOW;
  private static final String PASSWORD = "pa55-w0rd-never-shown";

  @TempDir Path dir;

  private static SessionRecord session(String handle) {
    return AbstractJdbcSessionStoreTest.session(handle, "alice", NOW.plusSeconds(600));
  }

  // ---------------------------------------------------------------- embedded H2

  @Test
  void embedded_keepsSessionsAndKeysAcrossRestart() {
    Path data = dir.resolve("nested").resolve("hallpass-data");
    SessionRecord s =
        new SessionRecord(
            "h1",
            "public",
            "Ünïcødé 'x'",
            "{\"a\":\"☃\"}",
            "{\"r\":1}",
            NOW,
            NOW.plusSeconds(600),
            "rk",
            AbstractJdbcSessionStoreTest.hash(2),
            AbstractJdbcSessionStoreTest.hash(1),
            NOW.minusMillis(7),
            2,
            false);
    try (SessionStore first = JdbcSessionStores.embedded(data)) {
      first.insertSession(s);
      assertThat(first.insertSigningKey(AbstractJdbcSessionStoreTest.key("k0", 0))).isTrue();
    }
    assertThat(data.resolve("hallpass.mv.db")).exists();

    try (SessionStore second = JdbcSessionStores.embedded(data)) {
      assertThat(second.findSession("h1")).contains(s);
      assertThat(second.loadSigningKeys()).extracting(k -> k.kid()).containsExactly("k0");
      assertThat(second.toString()).contains("H2").doesNotContain(data.toString());
    }
  }

  @Test
  void embedded_refreshesByTheDatabaseClock() {
    try (SessionStore store = JdbcSessionStores.embedded(dir.resolve("clock"))) {
      store.insertSession(session("h"));
      AtomicReference<Instant> seen = new AtomicReference<>();
      long before = System.currentTimeMillis();

      store.lockAndDecide(
          "h",
          (r, now) -> {
            seen.set(now);
            return new Decision("keep", RefreshWrite.KEEP);
          });

      // H2 runs in this process: its clock is the system's (the session fixtures are in 2026).
      assertThat(seen.get().toEpochMilli())
          .isBetween(before - 2000, System.currentTimeMillis() + 2000);
      assertThat(store.toString()).contains("refreshClock=database");
    }
  }

  @Test
  void embedded_rejectsSemicolonInPath() {
    assertThatThrownBy(() -> JdbcSessionStores.embedded(dir.resolve("a;b")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("dir");
  }

  // ---------------------------------------------------------------- builder validation

  @Test
  void setters_rejectInvalidValuesAtOnce_namingEach_andNeverEchoingTheUrl() {
    setterRejects(b -> b.jdbcUrl("  "), "jdbcUrl must start with");
    setterRejects(
        b -> b.jdbcUrl("postgresql://host/db?password=" + PASSWORD), "jdbcUrl must start with");
    setterRejects(b -> b.maximumPoolSize(0), "maximumPoolSize must be >= 1");
    setterRejects(
        b -> b.connectionTimeout(Duration.ofMillis(100)), "connectionTimeout must be >= 250 ms");
    for (Consumer<JdbcSessionStores.Builder> nulls :
        List.<Consumer<JdbcSessionStores.Builder>>of(
            b -> b.jdbcUrl(null),
            b -> b.username(null),
            b -> b.password(null),
            b -> b.connectionTimeout(null),
            b -> b.dataSource(null),
            b -> b.clock(null))) {
      assertThatThrownBy(() -> nulls.accept(JdbcSessionStores.builder()))
          .isInstanceOf(NullPointerException.class);
    }
  }

  @Test
  void build_rejectsMissingOrConflictingOptions_namingThem() {
    buildRejects(b -> b.password(PASSWORD), "jdbcUrl is required");
    DataSource ds = new JdbcDataSource();
    buildRejects(b -> b.dataSource(ds).jdbcUrl("jdbc:h2:mem:x"), "jdbcUrl cannot be combined");
    buildRejects(b -> b.dataSource(ds).username("u"), "username cannot be combined");
    buildRejects(b -> b.dataSource(ds).password(PASSWORD), "password cannot be combined");
    buildRejects(b -> b.dataSource(ds).maximumPoolSize(3), "maximumPoolSize cannot be combined");
    buildRejects(
        b -> b.dataSource(ds).connectionTimeout(Duration.ofSeconds(1)),
        "connectionTimeout cannot be combined");
  }

  private static void setterRejects(Consumer<JdbcSessionStores.Builder> option, String message) {
    assertThatThrownBy(() -> option.accept(JdbcSessionStores.builder()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(message)
        .hasMessageNotContaining(PASSWORD);
  }

  private static void buildRejects(Consumer<JdbcSessionStores.Builder> options, String message) {
    JdbcSessionStores.Builder builder = JdbcSessionStores.builder();
    options.accept(builder);
    assertThatThrownBy(builder::build)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining(message)
        .hasMessageNotContaining(PASSWORD);
  }

  @Test
  void builderToString_hidesPasswordAndUrlParameters() {
    String shown =
        JdbcSessionStores.builder()
            .jdbcUrl("jdbc:postgresql://db:5432/app?user=app&password=" + PASSWORD)
            .password(PASSWORD)
            .toString();

    assertThat(shown).doesNotContain(PASSWORD).contains("jdbc:postgresql://db:5432/app");
  }

  // ---------------------------------------------------------------- database down

  @Test
  void unreachableServer_failsFastWithGeneralError_withCause_andNoPassword() {
    for (String url :
        List.of(
            "jdbc:postgresql://127.0.0.1:1/test?user=postgres",
            "jdbc:mariadb://127.0.0.1:1/test?user=root&password=" + PASSWORD)) {
      long start = System.nanoTime();

      HallpassException e =
          catchThrowableOfType(
              HallpassException.class,
              () ->
                  JdbcSessionStores.builder()
                      .jdbcUrl(url)
                      .password(PASSWORD)
                      .connectionTimeout(Duration.ofMillis(500))
                      .build());

      assertThat(e).as(url).isNotNull();
      assertThat(e.getType()).isEqualTo(HallpassException.Type.GENERAL_ERROR);
      assertThat(e.getCause()).isNotNull();
      assertThat(e.getMessage()).doesNotContain(PASSWORD);
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(15));
    }
  }

  @Test
  void revocationFeedConnection_failing_throwsAnErrorWhoseTraceHoldsNoPassword() {
    for (String url :
        List.of(
            "jdbc:mariadb://root:" + PASSWORD + "@127.0.0.1:1/test",
            "jdbc:mariadb://127.0.0.1:1/test?user=root&password=" + PASSWORD,
            "jdbc:postgresql://127.0.0.1:1/test?user=postgres&password=" + PASSWORD)) {
      SQLException e =
          catchThrowableOfType(
              SQLException.class,
              () -> JdbcSessionStores.feedConnection(url, "root", PASSWORD).open());

      assertThat((Throwable) e).as(url).isNotNull();
      StringWriter trace = new StringWriter(); // what the feed's log line prints
      e.printStackTrace(new PrintWriter(trace));
      assertThat(trace.toString()).as(url).doesNotContain(PASSWORD).contains("127.0.0.1");
    }
  }

  @Test
  void databaseFailingAfterStart_everyCallIsGeneralErrorWithSqlCause_andNoSecrets() {
    SwitchableDataSource ds = new SwitchableDataSource(h2(dir.resolve("down")));
    SessionStore store = JdbcSessionStores.builder().dataSource(ds).build();
    SessionRecord s =
        SessionRecord.created(
            "h",
            "public",
            "alice",
            "{\"secret-data\":1}",
            "{}",
            NOW,
            NOW.plusSeconds(9),
            "secret-refresh-key",
            AbstractJdbcSessionStoreTest.hash(42));
    store.insertSession(s);
    ds.down = true;

    List<Runnable> calls =
        List.of(
            () -> store.insertSession(s),
            () -> store.findSession("h"),
            () -> store.isSessionLive("h", "alice", NOW),
            () -> store.findSessionData("h", NOW),
            () -> store.updateSessionData("h", "{\"secret-data\":2}", NOW),
            () -> store.updateJwtPayload("h", "{}", NOW),
            () -> store.lockAndDecide("h", (r, now) -> new Decision("keep", RefreshWrite.KEEP)),
            () -> store.confirmRefreshToken("h", AbstractJdbcSessionStoreTest.hash(42), NOW),
            () -> store.deleteSession("h"),
            () -> store.deleteSessions(List.of("h")),
            () -> store.deleteSessionsOfUser("alice"),
            () -> store.findLiveHandlesOfUser("alice", NOW),
            () -> store.deleteExpiredSessions(NOW, 10),
            () -> store.loadSigningKeys(),
            () -> store.insertSigningKey(AbstractJdbcSessionStoreTest.key("k", 0)),
            () -> store.deleteSigningKeysRetiredBefore(NOW));
    for (Runnable call : calls) {
      HallpassException e = catchThrowableOfType(HallpassException.class, call::run);
      assertThat(e).isNotNull();
      assertThat(e.getType()).isEqualTo(HallpassException.Type.GENERAL_ERROR);
      assertThat(e.getCause()).isInstanceOf(SQLException.class);
      assertThat(e.getMessage())
          .doesNotContain("secret")
          .doesNotContain(AbstractJdbcSessionStoreTest.hash(42));
    }

    ds.down = false; // back up: the store recovers on its own
    assertThat(store.findSession("h")).isPresent();
    store.close();
  }

  // ---------------------------------------------------------------- caller-owned pools

  @Test
  void callersDataSource_oneConnectionPerCall_andNeverClosedByTheStore() {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl("jdbc:h2:file:" + dir.resolve("callers") + ";LOCK_TIMEOUT=10000");
    config.setMaximumPoolSize(3);
    config.setAutoCommit(false); // a pool handing out manual-commit connections
    try (HikariDataSource pool = new HikariDataSource(config)) {
      SwitchableDataSource counting = new SwitchableDataSource(pool);
      Clock fixed = Clock.fixed(NOW.plusSeconds(5), ZoneOffset.UTC);
      SessionStore store = JdbcSessionStores.builder().dataSource(counting).clock(fixed).build();

      store.insertSession(session("h1"));
      store.insertSession(session("h2"));
      store.insertSigningKey(AbstractJdbcSessionStoreTest.key("k0", 0));
      assertThat(store.insertSigningKey(AbstractJdbcSessionStoreTest.key("k1", 0))).isFalse();
      store.lockAndDecide(
          "h1",
          (r, now) ->
              new Decision(
                  "rotate",
                  new RefreshWrite.Rotate(
                      AbstractJdbcSessionStoreTest.hash(1),
                      r.currentRefreshHash(),
                      0,
                      now,
                      NOW.plusSeconds(60))));
      assertThat(store.findSession("h1").orElseThrow().issuedAt()).isEqualTo(NOW.plusSeconds(5));
      assertThat(store.confirmRefreshToken("h1", AbstractJdbcSessionStoreTest.hash(1), NOW))
          .isTrue();
      assertThat(store.deleteSessions(List.of("h1", "x"))).containsExactly("h1");
      assertThat(store.deleteSessionsOfUser("alice")).containsExactly("h2");
      store.close();

      assertThat(counting.maxOpen.get()).as("connections held at once").isEqualTo(1);
      assertThat(counting.open.get()).as("connections still borrowed").isZero();
      assertThat(pool.isClosed()).isFalse();
      // Committed although the pool's connections do not auto-commit:
      SessionStore again = JdbcSessionStores.builder().dataSource(pool).build();
      assertThat(again.loadSigningKeys()).hasSize(1);
      again.close();
    }
  }

  @Test
  void unsupportedDatabase_isGeneralErrorNamingIt() {
    DataSource h2 = h2(dir.resolve("other"));
    DataSource oracle =
        new SwitchableDataSource(h2) {
          @Override
          Connection wrap(Connection c) {
            return proxy(
                Connection.class,
                c,
                Map.of(
                    "getMetaData",
                    args ->
                        proxy(
                            DatabaseMetaData.class,
                            c.getMetaData(),
                            Map.of("getDatabaseProductName", a -> "Oracle"))));
          }
        };

    HallpassException e =
        catchThrowableOfType(
            HallpassException.class, () -> JdbcSessionStores.builder().dataSource(oracle).build());

    assertThat(e.getType()).isEqualTo(HallpassException.Type.GENERAL_ERROR);
    assertThat(e.getMessage()).contains("unsupported database: Oracle");
  }

  // ---------------------------------------------------------------- helpers

  private static DataSource h2(Path path) {
    JdbcDataSource ds = new JdbcDataSource();
    ds.setURL("jdbc:h2:file:" + path + ";LOCK_TIMEOUT=10000");
    return ds;
  }

  /** A method body for {@link #proxy}. */
  @FunctionalInterface
  interface Body {
    Object call(Object[] args) throws Exception;
  }

  /** A proxy of {@code target} with some methods replaced. */
  static <T> T proxy(Class<T> type, T target, Map<String, Body> replaced) {
    return type.cast(
        Proxy.newProxyInstance(
            type.getClassLoader(),
            new Class<?>[] {type},
            (p, m, args) -> {
              Body body = replaced.get(m.getName());
              if (body != null) {
                return body.call(args);
              }
              try {
                return m.invoke(target, args);
              } catch (InvocationTargetException e) {
                throw e.getCause();
              }
            }));
  }

  /**
   * A data source around another that counts borrowed connections and can be switched "down", when
   * getting a connection fails as with an unreachable server.
   */
  static class SwitchableDataSource extends TestDataSource {
    final DataSource target;
    final AtomicInteger open = new AtomicInteger();
    final AtomicInteger maxOpen = new AtomicInteger();
    volatile boolean down;

    SwitchableDataSource(DataSource target) {
      this.target = target;
    }

    Connection wrap(Connection c) {
      return c;
    }

    @Override
    public Connection getConnection() throws SQLException {
      if (down) {
        throw new SQLException("Connection refused (simulated)", "08001");
      }
      Connection c = wrap(target.getConnection());
      maxOpen.accumulateAndGet(open.incrementAndGet(), Math::max);
      return proxy(
          Connection.class,
          c,
          Map.of(
              "close",
              args -> {
                open.decrementAndGet();
                c.close();
                return null;
              }));
    }
  }

  @Test
  void embeddedDirectoryIsCreated() throws Exception {
    Path data = dir.resolve("fresh");
    JdbcSessionStores.embedded(data).close();
    assertThat(Files.isDirectory(data)).isTrue();
  }
}
