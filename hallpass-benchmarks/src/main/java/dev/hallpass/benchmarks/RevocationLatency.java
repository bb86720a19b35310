package dev.hallpass.benchmarks;

import dev.hallpass.Hallpass;
import dev.hallpass.HallpassException;
import dev.hallpass.Session;
import dev.hallpass.jdbc.JdbcSessionStores;
import dev.hallpass.redis.RedisSessionStores;
import dev.hallpass.spi.SessionStore;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * How long a revocation made by one engine takes to be refused by another engine on its own store
 * (its own connections and feed), with blacklisting on and answered from the set: {@code N}
 * revocations one after another, each timed from the call of {@code revokeSession} on the first
 * engine to the first {@code getSession} the second refuses, which polls without pause. Prints p50,
 * p90, p99 and the maximum.
 *
 * <p>Arguments: {@code postgresql|mariadb|redis} and the count (default 1000). Addresses: {@code
 * HALLPASS_BENCH_POSTGRES_URL}, {@code HALLPASS_BENCH_MARIADB_URL}, {@code HALLPASS_BENCH_REDIS}
 * (Redis keys under a random prefix, deleted afterwards by their expiry and the sweep).
 */
public final class RevocationLatency {
  private RevocationLatency() {}

  public static void main(String[] args) throws Exception {
    String db = args[0].toLowerCase(Locale.ROOT);
    int n = args.length > 1 ? Integer.parseInt(args[1]) : 1_000;
    String prefix = "hallpass-latency:" + UUID.randomUUID() + ":";
    Supplier<SessionStore> stores =
        switch (db) {
          case "postgresql" ->
              () -> JdbcSessionStores.builder().jdbcUrl(Services.POSTGRESQL.address()).build();
          case "mariadb" ->
              () -> JdbcSessionStores.builder().jdbcUrl(Services.MARIADB.address()).build();
          case "redis" ->
              () -> RedisSessionStores.builder().uri(Fixtures.redisUri()).keyPrefix(prefix).build();
          default -> throw new IllegalArgumentException("postgresql, mariadb or redis: " + db);
        };
    AtomicLong liveChecks = new AtomicLong();
    try (Hallpass a =
            Hallpass.builder()
                .store(stores.get())
                .accessTokenBlacklisting(true)
                .disableBackgroundCleanup()
                .build();
        Hallpass b =
            Hallpass.builder()
                .store(BlacklistingBenchmark.countingLiveChecks(stores.get(), liveChecks))
                .accessTokenBlacklisting(true)
                .disableBackgroundCleanup()
                .build()) {
      Session probe = a.createNewSession("latency", Map.of(), Map.of());
      for (int i = 0; i < 1_000; i++) { // until b's feed has caught up (10 s at most)
        long before = liveChecks.get();
        b.getSession(probe.getAccessToken(), null, false);
        if (liveChecks.get() == before) {
          break;
        }
        Thread.sleep(10);
      }
      liveChecks.set(0);
      long[] nanos = new long[n];
      for (int i = 0; i < n; i++) {
        Session s = a.createNewSession("latency", Map.of(), Map.of());
        b.getSession(s.getAccessToken(), null, false); // accepted, and in b's token cache
        long start = System.nanoTime();
        a.revokeSession(s.getHandle());
        long deadline = start + 5_000_000_000L;
        while (true) {
          try {
            b.getSession(s.getAccessToken(), null, false);
          } catch (HallpassException e) {
            break;
          }
          if (System.nanoTime() > deadline) {
            throw new IllegalStateException("revocation " + i + " not seen within 5 s");
          }
          Thread.onSpinWait();
        }
        nanos[i] = System.nanoTime() - start;
      }
      Arrays.sort(nanos);
      System.out.printf(
          Locale.ROOT,
          "%s: %d revocations, seen by the other engine after p50 %.2f ms, p90 %.2f ms, p99 %.2f"
              + " ms, max %.2f ms; store calls of the other engine's getSession: %d%n",
          db,
          n,
          nanos[n / 2] / 1e6,
          nanos[(int) (n * 0.9)] / 1e6,
          nanos[(int) Math.ceil(n * 0.99) - 1] / 1e6,
          nanos[n - 1] / 1e6,
          liveChecks.get());
    }
  }
}
