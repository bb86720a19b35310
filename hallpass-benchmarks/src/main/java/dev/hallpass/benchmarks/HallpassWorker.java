package dev.hallpass.benchmarks;

import dev.hallpass.Hallpass;
import dev.hallpass.HallpassException;
import dev.hallpass.Session;
import dev.hallpass.jdbc.JdbcSessionStores;
import dev.hallpass.spi.SessionStore;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The in-process Hallpass side of the comparison with the original library: the same loops as
 * {@code benchmarks/original/worker.js}, on the JDBC store in the same MariaDB database, driven by
 * {@link OriginalComparison} over the same line protocol so that both sides run in interleaved
 * rounds while staying warm:
 *
 * <pre>
 *   stdin  "run OP SECONDS THREADS"   OP: create | verify | verify-cached | refresh
 *   stdout "ready"                    once the engines and the sessions exist
 *          "result OP COUNT NANOS"    after each run (COUNT summed over the threads)
 *   stdin  "quit"
 * </pre>
 *
 * <p>A plain timed loop rather than JMH: it mirrors the node script exactly (one call after
 * another, the clock read after each call, the same run lengths, rounds interleaved with the
 * original's process, which JMH cannot interleave with), and both processes stay warm across
 * rounds. Each thread calls the operation back to back; THREADS &gt; 1 compares with as many node
 * processes.
 *
 * <p>Usage: {@code java -cp benchmarks.jar dev.hallpass.benchmarks.HallpassWorker SIGNING} with
 * {@code HP_ORIG_JDBC_URL} set (MariaDB). Engines as {@link Fixtures#engine}: anti-CSRF tokens on
 * (as the original's default), no background clean-up; {@code verify} on an engine with the
 * verified-token cache off, {@code verify-cached} on one with the default cache, both on the same
 * store (so the same keys), cycling through {@link Fixtures#TOKEN_POOL} sessions as the node script
 * does.
 */
public final class HallpassWorker implements AutoCloseable {
  private final SessionStore store;
  private final Hallpass cold;
  private final Hallpass warm;
  private final Fixtures.TokenPool pool;

  HallpassWorker(String jdbcUrl, HallpassSigning signing) {
    store = JdbcSessionStores.builder().jdbcUrl(jdbcUrl).build();
    cold = signing.apply(Fixtures.engine(store)).verifiedTokenCacheSize(0).build();
    warm = signing.apply(Fixtures.engine(store)).build();
    pool = new Fixtures.TokenPool(cold, Fixtures.TOKEN_POOL);
  }

  /** One thread's loop state: its cursor over the pool and its own session for refresh. */
  private final class Caller {
    private int cursor;
    private String refreshToken;
    private String antiCsrfToken;
    private java.security.Signature rsa;

    Caller() {
      remember(create());
    }

    private Session create() {
      return cold.createNewSession(Fixtures.USER_ID, Fixtures.JWT_PAYLOAD, Fixtures.SESSION_DATA);
    }

    private void remember(Session s) {
      refreshToken = s.getTokens().getRefreshToken();
      antiCsrfToken = s.getTokens().getAntiCsrfToken();
    }

    /**
     * After a refresh run: the run's first token, presented again, must be refused as theft once
     * the chain moved on by two generations. Proves that the loop chained (re-presenting one token
     * would be answered with the same child every time, writing nothing). The session is then
     * revoked; this caller starts a new one.
     */
    void checkChainAdvanced(String firstToken) {
      try {
        cold.refreshSession(firstToken, antiCsrfToken, false);
      } catch (HallpassException e) {
        if (e.getType() == HallpassException.Type.TOKEN_THEFT_DETECTED) {
          remember(create());
          return;
        }
        throw e;
      }
      throw new IllegalStateException(
          "the refresh loop did not chain: the run's first token still refreshes");
    }

    /**
     * The bare RSA-2048 signing rate (JCA SHA256withRSA over a token-sized payload), the limit that
     * create and refresh in RS256 mode are measured against; each caller its own key.
     */
    private byte[] rsaSign() {
      try {
        if (rsa == null) {
          java.security.KeyPairGenerator g = java.security.KeyPairGenerator.getInstance("RSA");
          g.initialize(2048);
          rsa = java.security.Signature.getInstance("SHA256withRSA");
          rsa.initSign(g.generateKeyPair().getPrivate());
        }
        rsa.update(RSA_PAYLOAD);
        return rsa.sign();
      } catch (java.security.GeneralSecurityException e) {
        throw new IllegalStateException(e);
      }
    }

    Object call(String op) {
      switch (op) {
        case "create":
          return create();
        case "verify":
        case "verify-cached":
          int i = cursor;
          cursor = i + 1 == pool.size() ? 0 : i + 1;
          return (op.equals("verify") ? cold : warm)
              .getSession(pool.accessTokens[i], pool.antiCsrfTokens[i], true);
        case "refresh":
          Session next = cold.refreshSession(refreshToken, antiCsrfToken);
          remember(next);
          return next;
        case "rsa-sign":
          return rsaSign();
        default:
          throw new IllegalArgumentException("unknown operation " + op);
      }
    }
  }

  private static final byte[] RSA_PAYLOAD = new byte[400];
  private final List<Caller> callers = new ArrayList<>();

  /** Runs {@code op} on {@code threads} threads for {@code seconds}; returns {count, nanos}. */
  long[] run(String op, double seconds, int threads) throws InterruptedException {
    while (callers.size() < threads) {
      callers.add(new Caller());
    }
    long length = Math.round(seconds * 1e9);
    String[] first = new String[threads];
    for (int t = 0; t < threads; t++) {
      first[t] = callers.get(t).refreshToken;
    }
    long[] counts = new long[threads];
    AtomicReference<RuntimeException> failure = new AtomicReference<>();
    CountDownLatch go = new CountDownLatch(1);
    List<Thread> running = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int index = t;
      Caller caller = callers.get(t);
      Thread thread =
          new Thread(
              () -> {
                try {
                  go.await();
                  long end = System.nanoTime() + length;
                  long n = 0;
                  do {
                    caller.call(op); // I/O and signatures: nothing for the JIT to drop
                    n++;
                  } while (System.nanoTime() < end);
                  counts[index] = n;
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                } catch (RuntimeException e) {
                  failure.compareAndSet(null, e);
                }
              },
              "hallpass-worker-" + t);
      thread.start();
      running.add(thread);
    }
    long start = System.nanoTime();
    go.countDown();
    for (Thread thread : running) {
      thread.join();
    }
    long nanos = System.nanoTime() - start;
    if (failure.get() != null) {
      throw failure.get();
    }
    long total = 0;
    for (int t = 0; t < threads; t++) {
      total += counts[t];
      if (op.equals("refresh") && counts[t] >= 2) {
        callers.get(t).checkChainAdvanced(first[t]);
      }
    }
    return new long[] {total, nanos};
  }

  @Override
  public void close() {
    Fixtures.closeAll(cold, warm, store);
  }

  public static void main(String[] args) throws Exception {
    if (args.length != 1) {
      System.err.println("usage: HallpassWorker SIGNING   (with HP_ORIG_JDBC_URL set)");
      System.exit(2);
    }
    String url = System.getenv("HP_ORIG_JDBC_URL");
    if (url == null || url.isBlank()) {
      System.err.println("HP_ORIG_JDBC_URL is not set");
      System.exit(2);
    }
    PrintStream out = System.out;
    try (HallpassWorker worker = new HallpassWorker(url, HallpassSigning.of(args[0]));
        BufferedReader in =
            new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
      worker.run("verify", 0.01, 1); // the first thread's session, before anyone measures
      out.println("ready");
      out.flush();
      for (String line; (line = in.readLine()) != null; ) {
        String[] w = line.trim().split("\\s+");
        if (w[0].equals("quit")) {
          break;
        }
        if (!w[0].equals("run") || w.length != 4) {
          throw new IllegalArgumentException("unknown command " + w[0]);
        }
        long[] r = worker.run(w[1], Double.parseDouble(w[2]), Integer.parseInt(w[3]));
        out.println("result " + w[1] + " " + r[0] + " " + r[1]);
        out.flush();
      }
    }
  }
}
