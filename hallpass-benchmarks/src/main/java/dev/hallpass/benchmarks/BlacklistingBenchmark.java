package dev.hallpass.benchmarks;

import dev.hallpass.Hallpass;
import dev.hallpass.Session;
import dev.hallpass.spi.SessionStore;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@code getSession} with access-token blacklisting on (answered from the in-process set of
 * revocations that the store's feed keeps current) next to the same call with it off, on the same
 * store in the same run. Cold: the verified-token cache off, so each call verifies RS256; warm: the
 * default cache, one token repeated. The set-up waits until the feed has caught up, and the
 * tear-down fails the trial if a measured call reached the store.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class BlacklistingBenchmark {

  /** One engine per trial on PostgreSQL (database hallpass_bench) or Redis (database 5). */
  @State(Scope.Benchmark)
  public static class Engine {
    @Param({"postgresql", "redis"})
    public String db;

    @Param({"off", "on"})
    public String blacklisting;

    @Param({"cold", "warm"})
    public String cache;

    SessionStore store;
    Hallpass hallpass;
    final AtomicLong liveChecks = new AtomicLong();
    String accessToken;
    String antiCsrf;

    @Setup(Level.Trial)
    public void setUp() throws InterruptedException {
      SessionStore raw = Fixtures.store(Fixtures.Db.of(db), null, 4);
      store = countingLiveChecks(raw, liveChecks);
      Hallpass.Builder b =
          Fixtures.engine(store).accessTokenBlacklisting(blacklisting.equals("on"));
      if (cache.equals("cold")) {
        b.verifiedTokenCacheSize(0);
      }
      hallpass = b.build();
      Session s =
          hallpass.createNewSession(Fixtures.USER_ID, Fixtures.JWT_PAYLOAD, Fixtures.SESSION_DATA);
      accessToken = s.getAccessToken();
      antiCsrf = s.getTokens().getAntiCsrfToken();
      // Until the feed has caught up, the engine asks the store: wait for that to stop (10 s).
      for (int i = 0; i < 1_000; i++) {
        long before = liveChecks.get();
        hallpass.getSession(accessToken, antiCsrf, true);
        if (liveChecks.get() == before) {
          break;
        }
        Thread.sleep(10);
      }
      liveChecks.set(0);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
      long checks = liveChecks.get();
      Fixtures.closeAll(hallpass);
      if (blacklisting.equals("on") && checks > 0) {
        throw new IllegalStateException(checks + " measured calls asked the store");
      }
    }
  }

  @Benchmark
  public Session getSession(Engine e) {
    return e.hallpass.getSession(e.accessToken, e.antiCsrf, true);
  }

  /** The store, counting isSessionLive calls. */
  static SessionStore countingLiveChecks(SessionStore delegate, AtomicLong count) {
    return (SessionStore)
        Proxy.newProxyInstance(
            SessionStore.class.getClassLoader(),
            new Class<?>[] {SessionStore.class},
            (proxy, method, args) -> {
              if (method.getName().equals("isSessionLive")) {
                count.incrementAndGet();
              }
              try {
                return method.invoke(delegate, args);
              } catch (InvocationTargetException ex) {
                throw ex.getCause();
              }
            });
  }
}
