package dev.hallpass.benchmarks;

import dev.hallpass.AccessTokenSigning;
import dev.hallpass.Hallpass;
import dev.hallpass.Session;
import dev.hallpass.spi.SessionStore;
import java.nio.file.Path;
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
 * RS256 against HS256 on one store: create, refresh and verify (the verified-token cache off, so
 * every call checks the signature), one thread. With HS256 the writes are bounded by the store.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Threads(1)
public class SigningModeBenchmark {

  /** One engine per trial, signing as {@link #signing} says. */
  @State(Scope.Benchmark)
  public static class Engine {
    @Param({"RS256", "HS256"})
    public AccessTokenSigning signing;

    @Param({"h2"})
    public String db;

    Path h2Dir;
    SessionStore store;
    Hallpass hallpass;
    Session session;
    String refreshToken;
    String antiCsrfToken;

    @Setup(Level.Trial)
    public void setUp() {
      Fixtures.Db d = Fixtures.Db.of(db);
      h2Dir = d == Fixtures.Db.H2 ? Fixtures.newTempDir("hallpass-bench-signing") : null;
      store = Fixtures.store(d, h2Dir, 4);
      hallpass =
          Fixtures.engine(store).accessTokenSigning(signing).verifiedTokenCacheSize(0).build();
      session = hallpass.createNewSession(Fixtures.USER_ID, Fixtures.JWT_PAYLOAD, null);
      refreshToken = session.getTokens().getRefreshToken();
      antiCsrfToken = session.getTokens().getAntiCsrfToken();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
      Fixtures.closeAll(hallpass, store);
      Fixtures.deleteRecursively(h2Dir);
    }
  }

  @Benchmark
  public Session createNewSession(Engine e) {
    return e.hallpass.createNewSession(
        Fixtures.USER_ID, Fixtures.JWT_PAYLOAD, Fixtures.SESSION_DATA);
  }

  @Benchmark
  public Session refreshSession(Engine e) {
    Session next = e.hallpass.refreshSession(e.refreshToken, e.antiCsrfToken);
    e.refreshToken = next.getTokens().getRefreshToken();
    e.antiCsrfToken = next.getTokens().getAntiCsrfToken();
    return next;
  }

  @Benchmark
  public Session getSession(Engine e) {
    return e.hallpass.getSession(
        e.session.getAccessToken(), e.session.getTokens().getAntiCsrfToken(), true);
  }
}
