package dev.hallpass.redis;

import static org.junit.jupiter.api.Assertions.fail;

import dev.hallpass.spi.SessionStore;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Assumptions;

/**
 * The Redis servers the tests use: one server ({@code HALLPASS_TEST_REDIS_URL}, default {@code
 * redis://127.0.0.1:6379}) and a cluster ({@code HALLPASS_TEST_REDIS_CLUSTER_URLS}, comma
 * separated, default the three masters on 127.0.0.1:7000-7002). An unreachable one skips the
 * calling test class with a printed reason, except under {@code CI=true}, where it fails it.
 *
 * <p>Every store a test makes gets a key prefix of its own under this run's prefix, so tests never
 * see each other's keys nor anyone else's; {@link #deleteRunKeys()} removes them all.
 */
final class TestRedis {

  /** Where the tests run. */
  enum Target {
    SERVER("Redis", "HALLPASS_TEST_REDIS_URL", "redis://127.0.0.1:6379"),
    CLUSTER(
        "Redis Cluster",
        "HALLPASS_TEST_REDIS_CLUSTER_URLS",
        "redis://127.0.0.1:7000,redis://127.0.0.1:7001,redis://127.0.0.1:7002");

    final String displayName;
    final String envVariable;
    final String defaultUrls;

    Target(String displayName, String envVariable, String defaultUrls) {
      this.displayName = displayName;
      this.envVariable = envVariable;
      this.defaultUrls = defaultUrls;
    }

    List<String> urls() {
      String v = System.getenv(envVariable);
      return Arrays.asList((v == null || v.isBlank() ? defaultUrls : v).split(","));
    }
  }

  /** This JVM's prefix: every key the tests write starts with it. */
  static final String RUN_PREFIX = "hallpass-test:" + UUID.randomUUID() + ":";

  private static final AtomicInteger PREFIXES = new AtomicInteger();

  private TestRedis() {}

  /** A new prefix under {@link #RUN_PREFIX}: an empty store. */
  static String newPrefix() {
    return RUN_PREFIX + PREFIXES.incrementAndGet() + ":";
  }

  /** A builder on the target with the given prefix, a short retention-free default otherwise. */
  static RedisSessionStores.Builder builder(Target target, String prefix) {
    RedisSessionStores.Builder b = RedisSessionStores.builder().keyPrefix(prefix);
    return target == Target.CLUSTER ? b.clusterUris(target.urls()) : b.uri(target.urls().get(0));
  }

  static SessionStore store(Target target, String prefix, Clock clock) {
    RedisSessionStores.Builder b = builder(target, prefix);
    return (clock == null ? b : b.clock(clock)).build();
  }

  /**
   * Returns if the target answers (a cluster: with cluster_state:ok); otherwise skips the current
   * test (class, from {@code @BeforeAll}), or fails it when {@code CI=true}.
   */
  static void require(Target target) {
    String problem;
    try {
      problem = withCommands(target, c -> target == Target.CLUSTER ? clusterProblem(c) : null);
    } catch (RuntimeException e) {
      problem = e.getMessage();
    }
    if (problem == null) {
      return;
    }
    String reason =
        target.displayName
            + " is not usable ("
            + problem
            + "); set "
            + target.envVariable
            + " or run scripts/services.sh "
            + (target == Target.CLUSTER ? "redis-cluster" : "redis");
    if ("true".equalsIgnoreCase(System.getenv("CI"))) {
      fail("CI=true, so not skipping: " + reason);
    }
    System.err.println("SKIPPED " + target.displayName + " tests: " + reason);
    Assumptions.abort(reason);
  }

  private static String clusterProblem(RedisClusterCommands<String, String> c) {
    String info = c.clusterInfo();
    return info.contains("cluster_state:ok") ? null : "cluster_state is not ok";
  }

  /** Runs work with a plain connection to the target (a cluster connection for the cluster). */
  static <T> T withCommands(
      Target target, java.util.function.Function<RedisClusterCommands<String, String>, T> work) {
    if (target == Target.CLUSTER) {
      List<RedisURI> seeds = new ArrayList<>();
      for (String u : target.urls()) {
        seeds.add(withTimeout(RedisURI.create(u)));
      }
      RedisClusterClient client = RedisClusterClient.create(seeds);
      try (StatefulRedisClusterConnection<String, String> c = client.connect()) {
        return work.apply(c.sync());
      } finally {
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
      }
    }
    RedisClient client = RedisClient.create(withTimeout(RedisURI.create(target.urls().get(0))));
    try (StatefulRedisConnection<String, String> c = client.connect()) {
      return work.apply(c.sync());
    } finally {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
  }

  private static RedisURI withTimeout(RedisURI u) {
    u.setTimeout(Duration.ofSeconds(5));
    return u;
  }

  /** The keys under a prefix (on every master of a cluster). */
  static List<String> keys(Target target, String prefix) {
    return withCommands(target, c -> c.keys(prefix + "*"));
  }

  /** Deletes every key this JVM's tests wrote, on the target; quiet if it is unreachable. */
  static void deleteRunKeys(Target target) {
    try {
      withCommands(
          target,
          c -> {
            List<String> keys = c.keys(RUN_PREFIX + "*");
            for (String k : keys) {
              c.del(k);
            }
            return null;
          });
    } catch (RuntimeException e) {
      System.err.println("could not delete the test keys: " + e.getMessage());
    }
  }
}
