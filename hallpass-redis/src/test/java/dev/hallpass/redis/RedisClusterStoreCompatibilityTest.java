package dev.hallpass.redis;

import dev.hallpass.spi.SessionStore;
import dev.hallpass.testkit.SessionStoreCompatibilityKit;
import java.time.Clock;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The store compatibility kit on the Redis Cluster (three masters). Each test gets an empty store
 * under a key prefix of its own; a store "on the same storage" is another connection on that
 * prefix, as another process would have.
 */
class RedisClusterStoreCompatibilityTest extends SessionStoreCompatibilityKit {

  private static final TestRedis.Target TARGET = TestRedis.Target.CLUSTER;
  private String prefix;

  @BeforeAll
  static void requireRedis() {
    TestRedis.require(TARGET);
  }

  @AfterAll
  static void deleteKeys() {
    TestRedis.deleteRunKeys(TARGET);
  }

  @Override
  protected SessionStore newStore(Clock storeClock) {
    prefix = TestRedis.newPrefix();
    return TestRedis.store(TARGET, prefix, storeClock);
  }

  @Override
  protected SessionStore newStoreOnSameStorage(Clock storeClock) {
    return TestRedis.store(TARGET, prefix, storeClock);
  }
}
