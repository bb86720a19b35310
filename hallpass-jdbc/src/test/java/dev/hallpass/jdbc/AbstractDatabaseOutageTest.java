package dev.hallpass.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;
import dev.hallpass.Hallpass;
import dev.hallpass.HallpassException;
import dev.hallpass.HallpassException.Type;
import dev.hallpass.Session;
import dev.hallpass.spi.SessionStore;
import dev.hallpass.testkit.FaultProxy;
import dev.hallpass.testkit.MutableClock;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The store and the engine while the database is unreachable, through a {@link FaultProxy} between
 * the pool and a real server: cut (connections closed, new ones refused), stalled (accepted, never
 * answered), and an answer lost after the server committed. Run against each server by a subclass.
 *
 * <p>The bounds: every call that needs the database fails with GENERAL_ERROR within the store's
 * connection timeout plus its query timeout (1 s each here) plus a margin for 2 noisy cores;
 * verification needs no database; after the outage every call works again on the same store, and
 * the pool has no connection left in use.
 */
@Timeout(120)
abstract class AbstractDatabaseOutageTest {
  private static final Duration CONNECTION_TIMEOUT = Duration.ofSeconds(1);
  private static final Duration QUERY_TIMEOUT = Duration.ofSeconds(1);

  /** Connection timeout + query timeout + margin: the most a failing call may take. */
  private static final Duration BOUND = Duration.ofSeconds(5);

  private static final Duration GRACE = Duration.ofSeconds(30);
  private static final Pattern HOST_PORT = Pattern.compile("//([^/:?]+):(\\d+)/");

  /** Longest failing call per operation and mode, printed after each test for the report. */
  private final Map<String, Duration> slowest = new TreeMap<>();

  private final List<AutoCloseable> toClose = new ArrayList<>();
  private FaultProxy proxy;
  private MutableClock clock;
  private SessionStore store;
  private Hallpass hallpass;

  /** The database server under test. */
  abstract TestDatabases.Server server();

  /** Its URL (direct, not through the proxy). */
  private String url;

  @BeforeEach
  void startBehindProxy() throws Exception {
    url = TestDatabases.require(server()); // skips, or fails under CI, when it is not reachable
    Matcher m = HOST_PORT.matcher(url);
    assertThat(m.find()).as("host and port in the test URL").isTrue();
    proxy = FaultProxy.start(m.group(1), Integer.parseInt(m.group(2)));
    toClose.add(proxy);
    TestDatabases.dropHallpassTables(url);
    clock = new MutableClock(Instant.now().truncatedTo(ChronoUnit.SECONDS));
    store =
        JdbcSessionStores.builder()
            .jdbcUrl(proxied(url))
            .maximumPoolSize(4)
            .connectionTimeout(CONNECTION_TIMEOUT)
            .queryTimeout(QUERY_TIMEOUT)
            .build();
    hallpass = engine(store);
  }

  private Hallpass engine(SessionStore s) {
    Hallpass h =
        Hallpass.builder()
            .store(s)
            .clock(clock)
            .refreshGracePeriod(GRACE)
            .disableBackgroundCleanup()
            .build();
    toClose.add(0, h);
    return h;
  }

  private String proxied(String url) {
    return HOST_PORT.matcher(url).replaceFirst("//" + proxy.host() + ":" + proxy.port() + "/");
  }

  @AfterEach
  void closeAll() throws Exception {
    if (proxy.mode() != FaultProxy.Mode.PASS) {
      proxy.pass();
    }
    for (AutoCloseable c : toClose) {
      c.close();
    }
    if (!slowest.isEmpty()) {
      System.out.println(getClass().getSimpleName() + " slowest failing calls: " + slowest);
    }
  }

  // ---------------------------------------------------------------- helpers

  private Session login() {
    return hallpass.createNewSession("alice", Map.of("role", "reader"), Map.of("cart", 1));
  }

  private Session verify(Session s) {
    return hallpass.getSession(s.getAccessToken(), null, false);
  }

  private Session refresh(Session s) {
    return hallpass.refreshSession(s.getTokens().getRefreshToken(), null);
  }

  /** Runs a call that must fail with GENERAL_ERROR within {@link #BOUND}; records its time. */
  private void failsFast(String what, ThrowingCallable call) {
    long start = System.nanoTime();
    assertThatThrownBy(call)
        .as(what)
        .isInstanceOfSatisfying(
            HallpassException.class,
            e -> assertThat(e.getType()).as(e.getMessage()).isEqualTo(Type.GENERAL_ERROR));
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    slowest.merge(proxy.mode() + " " + what, took, (a, b) -> a.compareTo(b) >= 0 ? a : b);
    assertThat(took).as(what + " took").isLessThan(BOUND);
  }

  private static void pollPause() {
    try {
      Thread.sleep(100);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  private HikariPoolMXBean pool() {
    return ((HikariDataSource) ((JdbcSessionStore) store).dataSource()).getHikariPoolMXBean();
  }

  /**
   * Waits, by calling, until {@code engine} reads {@code handle}'s data again after the database is
   * back, and records how long that took. HikariCP retries new connections with a back-off of up to
   * 5 s after failures, so the first calls may still fail for that long; each call here waits up to
   * the connection timeout, and the loop is bounded.
   */
  private void awaitBack(Hallpass engine, String handle) {
    long start = System.nanoTime();
    long deadline = start + Duration.ofSeconds(15).toNanos();
    while (true) {
      try {
        engine.getSessionData(handle);
        break;
      } catch (HallpassException e) {
        assertThat(e.getType()).isEqualTo(Type.GENERAL_ERROR);
        assertThat(System.nanoTime())
            .as("still failing 15 s after the database is back")
            .isLessThan(deadline);
        pollPause(); // a real server coming back: poll, bounded by the deadline
      }
    }
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    slowest.merge("recovery after " + lastOutage, took, (a, b) -> a.compareTo(b) >= 0 ? a : b);
    assertThat(took).as("recovery").isLessThan(Duration.ofSeconds(15));
  }

  private String lastOutage = "?";

  private void assertNoConnectionInUse() {
    HikariPoolMXBean pool = pool();
    assertThat(pool.getActiveConnections()).as("connections in use").isZero();
    assertThat(pool.getThreadsAwaitingConnection()).as("threads waiting").isZero();
    assertThat(pool.getTotalConnections()).as("connections open").isLessThanOrEqualTo(4);
  }

  // ---------------------------------------------------------------- outages

  @Test
  void cut_verifyKeepsAnswering_writesFailFast_andAllResumesWithoutRestartOrLeak()
      throws Exception {
    duringOutageThenBack(proxy::cut);
  }

  @Test
  void stall_verifyKeepsAnswering_writesFailFast_andAllResumesWithoutRestartOrLeak()
      throws Exception {
    duringOutageThenBack(proxy::stall);
  }

  @Test
  void connectionsClosedWhileIdle_areReplaced_withoutFailingTheNextCalls() throws Exception {
    Session s = login();
    for (int i = 0; i < 3; i++) {
      hallpass.getSessionData(s.getHandle());
    }

    // Every pooled connection is closed under the pool (a database restart, a firewall's reset),
    // and the database is reachable again at once.
    proxy.cut();
    proxy.pass();

    assertThat(hallpass.getSessionData(s.getHandle())).containsEntry("cart", 1);
    Session next = refresh(s);
    hallpass.updateSessionData(s.getHandle(), Map.of("cart", 2));
    assertThat(verify(next).getHandle()).isEqualTo(s.getHandle());
    assertNoConnectionInUse();
  }

  @Test
  void rowLockedByASilentProcess_refreshFailsAfterTheQueryTimeout_thenWorksOnceReleased()
      throws Exception {
    Session s = login();
    lastOutage = "row lock";
    try (Connection holder = TestDatabases.connect(url)) {
      // Another process locked the session's row and went silent inside its transaction.
      holder.setAutoCommit(false);
      try (PreparedStatement ps =
          holder.prepareStatement(
              "SELECT handle FROM hallpass_sessions WHERE handle = ? FOR UPDATE")) {
        ps.setString(1, s.getHandle());
        ps.executeQuery().close();
      }
      failsFast("refresh behind a row lock", () -> refresh(s));
      assertThat(verify(s).getUserId()).isEqualTo("alice");
      holder.rollback();
    }
    awaitBack(hallpass, s.getHandle());
    assertThat(verify(refresh(s)).getHandle()).isEqualTo(s.getHandle());
    assertNoConnectionInUse();
  }

  @Test
  void repeatedOutages_leaveThePoolWhole() throws Exception {
    Session s = login();
    for (int i = 0; i < 3; i++) {
      if (i % 2 == 0) {
        proxy.cut();
      } else {
        proxy.stall();
      }
      lastOutage = proxy.mode().toString();
      failsFast("refresh", () -> refresh(s));
      failsFast("session data", () -> hallpass.getSessionData(s.getHandle()));
      proxy.pass();
      awaitBack(hallpass, s.getHandle());
      assertThat(hallpass.getSessionData(s.getHandle())).containsEntry("cart", 1);
      assertNoConnectionInUse();
    }
  }

  private void duringOutageThenBack(Runnable outage) throws Exception {
    Session confirmed = login();
    Session unconfirmed = refresh(login()); // its access token carries the parent claim
    assertNoConnectionInUse();

    outage.run();
    lastOutage = proxy.mode().toString();

    // Verification needs no database: the plain token at once, the one with the parent claim
    // after one failed confirmation (accepted as it is), then without trying for a while.
    assertThat(verify(confirmed).getUserId()).isEqualTo("alice");
    long start = System.nanoTime();
    Session during = verify(unconfirmed);
    slowest.put(
        proxy.mode() + " first verify with parent claim",
        Duration.ofNanos(System.nanoTime() - start));
    assertThat(during.getAccessToken()).isEqualTo(unconfirmed.getAccessToken());
    start = System.nanoTime();
    for (int i = 0; i < 100; i++) {
      verify(unconfirmed);
      verify(confirmed);
    }
    slowest.put(
        proxy.mode() + " 200 verifies afterwards", Duration.ofNanos(System.nanoTime() - start));

    failsFast("create", this::login);
    failsFast("refresh", () -> refresh(confirmed));
    failsFast("get session data", () -> hallpass.getSessionData(confirmed.getHandle()));
    failsFast(
        "update session data",
        () -> hallpass.updateSessionData(confirmed.getHandle(), Map.of("cart", 2)));
    failsFast("revoke", () -> hallpass.revokeSession(confirmed.getHandle()));

    proxy.pass();
    awaitBack(hallpass, confirmed.getHandle());
    clock.advance(Duration.ofSeconds(6)); // past the engine's pause of confirmations

    // Back, on the same store and engine.
    Session refreshed = refresh(confirmed); // the failed refresh changed nothing
    assertThat(verify(refreshed).getAccessToken()).isNotEqualTo(refreshed.getAccessToken());
    Session reissued = verify(unconfirmed); // confirmed now
    assertThat(reissued.getAccessToken()).isNotEqualTo(unconfirmed.getAccessToken());
    hallpass.updateSessionData(confirmed.getHandle(), Map.of("cart", 2));
    assertThat(hallpass.getSessionData(confirmed.getHandle())).containsEntry("cart", 2);
    assertThat(verify(login()).getUserId()).isEqualTo("alice");
    assertNoConnectionInUse();
  }

  // ---------------------------------------------------------------- ambiguous commit

  @Test
  void refreshCommitted_answerLost_retryWithinGrace_getsTheCommittedChild_neverTheft()
      throws Exception {
    Ambiguous a = ambiguousStore();
    Session p = a.engine.createNewSession("bob", Map.of(), Map.of());

    a.loseNextCommitAnswer.set(true);
    assertThatThrownBy(() -> a.engine.refreshSession(p.getTokens().getRefreshToken(), null))
        .isInstanceOfSatisfying(
            HallpassException.class, e -> assertThat(e.getType()).isEqualTo(Type.GENERAL_ERROR));
    assertThat(proxy.repliesDropped()).as("the commit's answer was dropped").isPositive();
    String committed = currentRefreshHash(p.getHandle());
    assertThat(committed)
        .as("the rotation committed although the engine saw a failure")
        .isNotEqualTo(sha256Hex(p.getTokens().getRefreshToken()));

    lastOutage = "lost commit answer";
    awaitBack(a.engine, p.getHandle());
    clock.advance(Duration.ofSeconds(10));
    Session c = a.engine.refreshSession(p.getTokens().getRefreshToken(), null); // rule 2
    assertThat(sha256Hex(c.getTokens().getRefreshToken())).isEqualTo(committed);
    assertThat(a.engine.getSession(c.getAccessToken(), null, false).getUserId()).isEqualTo("bob");
    assertThat(a.engine.refreshSession(c.getTokens().getRefreshToken(), null).getUserId())
        .isEqualTo("bob");
  }

  @Test
  void refreshCommitted_answerLost_retryAfterGrace_getsANewChild_neverTheft() throws Exception {
    Ambiguous a = ambiguousStore();
    Session p = a.engine.createNewSession("bob", Map.of(), Map.of());

    a.loseNextCommitAnswer.set(true);
    assertThatThrownBy(() -> a.engine.refreshSession(p.getTokens().getRefreshToken(), null))
        .isInstanceOf(HallpassException.class);
    String lost = currentRefreshHash(p.getHandle());
    assertThat(lost).isNotEqualTo(sha256Hex(p.getTokens().getRefreshToken()));

    lastOutage = "lost commit answer";
    awaitBack(a.engine, p.getHandle());
    clock.advance(GRACE); // rule 3: the lost child was never used
    Session c = a.engine.refreshSession(p.getTokens().getRefreshToken(), null);
    assertThat(sha256Hex(c.getTokens().getRefreshToken())).isNotEqualTo(lost);
    assertThat(currentRefreshHash(p.getHandle()))
        .isEqualTo(sha256Hex(c.getTokens().getRefreshToken()));
    assertThat(a.engine.getSession(c.getAccessToken(), null, false).getUserId()).isEqualTo("bob");
    assertThat(a.engine.refreshSession(c.getTokens().getRefreshToken(), null).getUserId())
        .isEqualTo("bob");
  }

  /** An engine on a store whose commits can lose their answer, timed by the hand-moved clock. */
  private record Ambiguous(Hallpass engine, AtomicBoolean loseNextCommitAnswer) {}

  private Ambiguous ambiguousStore() {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(proxied(url));
    config.setMaximumPoolSize(2);
    config.setConnectionTimeout(CONNECTION_TIMEOUT.toMillis());
    config.setValidationTimeout(500);
    config.setTransactionIsolation("TRANSACTION_READ_COMMITTED");
    HikariDataSource pool = new HikariDataSource(config);
    toClose.add(pool);
    AtomicBoolean lose = new AtomicBoolean();
    SessionStore s =
        JdbcSessionStores.builder()
            .dataSource(new LosingCommits(pool, lose))
            .queryTimeout(QUERY_TIMEOUT)
            .clock(clock)
            .build();
    return new Ambiguous(engine(s), lose);
  }

  /**
   * A data source whose connections, when armed, send COMMIT through a proxy that drops the
   * server's answer: the server commits, the driver times out. The proxy passes again afterwards.
   */
  private final class LosingCommits extends TestDataSource {
    private final DataSource pool;
    private final AtomicBoolean armed;

    /** Whether a call on a wrapped object is the transaction's commit. */
    private interface CommitCheck {
      boolean test(java.lang.reflect.Method method, Object[] args);
    }

    LosingCommits(DataSource pool, AtomicBoolean armed) {
      this.pool = pool;
      this.armed = armed;
    }

    @Override
    public Connection getConnection() throws SQLException {
      Connection c = pool.getConnection();
      // A commit is Connection.commit(), a COMMIT statement (MariaDB/MySQL transactions are
      // opened with START TRANSACTION on an auto-commit connection), or the auto-commit UPDATE
      // that rotates a refresh token (the store's common refresh has no transaction).
      return wrap(Connection.class, c, (method, args) -> method.getName().equals("commit"));
    }

    private <T> T wrap(Class<T> type, T target, CommitCheck isCommit) {
      return type.cast(
          Proxy.newProxyInstance(
              type.getClassLoader(),
              new Class<?>[] {type},
              (p, method, args) -> {
                if (type == Connection.class
                    && method.getName().equals("prepareStatement")
                    && String.valueOf(args[0])
                        .startsWith("UPDATE hallpass_sessions SET current_refresh_hash")) {
                  PreparedStatement ps = (PreparedStatement) invoke(method, target, args);
                  return wrap(
                      PreparedStatement.class, ps, (m, a) -> m.getName().equals("executeUpdate"));
                }
                if (type == Connection.class && method.getName().equals("createStatement")) {
                  Statement st = (Statement) invoke(method, target, args);
                  return wrap(
                      Statement.class,
                      st,
                      (m, a) ->
                          m.getName().equals("execute")
                              && a != null
                              && "COMMIT".equalsIgnoreCase(String.valueOf(a[0]).trim()));
                }
                boolean lose = isCommit.test(method, args) && armed.getAndSet(false);
                if (lose) {
                  proxy.loseReplies();
                }
                try {
                  return invoke(method, target, args);
                } finally {
                  if (lose) {
                    proxy.pass();
                  }
                }
              }));
    }

    private static Object invoke(java.lang.reflect.Method method, Object target, Object[] args)
        throws Throwable {
      try {
        return method.invoke(target, args);
      } catch (InvocationTargetException e) {
        throw e.getCause();
      }
    }
  }

  /** The session's current refresh-token hash, read directly (not through the proxy). */
  private String currentRefreshHash(String handle) throws SQLException {
    try (Connection c = TestDatabases.connect(url);
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT current_refresh_hash FROM hallpass_sessions WHERE handle = ?")) {
      ps.setString(1, handle);
      try (ResultSet rs = ps.executeQuery()) {
        assertThat(rs.next()).as("the session exists").isTrue();
        return rs.getString(1);
      }
    }
  }

  private static String sha256Hex(String s) throws Exception {
    return HexFormat.of()
        .formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
  }
}
