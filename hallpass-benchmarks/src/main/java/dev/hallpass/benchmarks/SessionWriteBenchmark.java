package dev.hallpass.benchmarks;

import dev.hallpass.Hallpass;
import dev.hallpass.Session;
import dev.hallpass.spi.SessionStore;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The write paths on each store: create (one INSERT + one signature), refresh (one locking
 * transaction + one signature) and session-data updates (one UPDATE), with 1 and 2 threads, on the
 * JDBC stores and on hallpass-redis (create: index entry, then the session and its expiry bucket;
 * refresh: a read script, then a compare-and-set script). Each thread refreshes its own session, so
 * threads never wait on each other's lock or version.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class SessionWriteBenchmark {

  /**
   * One engine on one database per trial; PostgreSQL and MariaDB use database hallpass_bench, Redis
   * database 5.
   */
  @State(Scope.Benchmark)
  public static class Engine {
    @Param({"h2", "postgresql", "mariadb", "redis"})
    public String db;

    Path h2Dir;
    SessionStore store;
    Hallpass hallpass;

    @Setup(Level.Trial)
    public void setUp() {
      Fixtures.Db d = Fixtures.Db.of(db);
      h2Dir = d == Fixtures.Db.H2 ? Fixtures.newTempDir("hallpass-bench-h2") : null;
      store = Fixtures.store(d, h2Dir, 4);
      hallpass = Fixtures.engine(store).build();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
      Fixtures.closeAll(hallpass, store);
      Fixtures.deleteRecursively(h2Dir);
    }
  }

  /** This thread's own session: its current refresh and anti-CSRF tokens. */
  @State(Scope.Thread)
  public static class OwnSession {
    String handle;
    String refreshToken;
    String antiCsrfToken;
    int updates;

    @Setup(Level.Trial)
    public void setUp(Engine e) {
      Session s = create(e);
      handle = s.getHandle();
      remember(s);
    }

    void remember(Session s) {
      refreshToken = s.getTokens().getRefreshToken();
      antiCsrfToken = s.getTokens().getAntiCsrfToken();
    }
  }

  static Session create(Engine e) {
    return e.hallpass.createNewSession(
        Fixtures.USER_ID, Fixtures.JWT_PAYLOAD, Fixtures.SESSION_DATA);
  }

  static Session refresh(Engine e, OwnSession s) {
    Session next = e.hallpass.refreshSession(s.refreshToken, s.antiCsrfToken);
    s.remember(next);
    return next;
  }

  static int update(Engine e, OwnSession s) {
    int n = ++s.updates;
    e.hallpass.updateSessionData(s.handle, Map.of("theme", "dark", "cartItems", n));
    return n;
  }

  @Benchmark
  @Threads(1)
  public Session createNewSession(Engine e) {
    return create(e);
  }

  @Benchmark
  @Threads(2)
  public Session createNewSessionThreads2(Engine e) {
    return create(e);
  }

  @Benchmark
  @Threads(1)
  public Session refreshSession(Engine e, OwnSession s) {
    return refresh(e, s);
  }

  @Benchmark
  @Threads(2)
  public Session refreshSessionThreads2(Engine e, OwnSession s) {
    return refresh(e, s);
  }

  @Benchmark
  @Threads(1)
  public int updateSessionData(Engine e, OwnSession s) {
    return update(e, s);
  }

  @Benchmark
  @Threads(2)
  public int updateSessionDataThreads2(Engine e, OwnSession s) {
    return update(e, s);
  }
}
