package dev.hallpass.redis;

import dev.hallpass.spi.SessionStore;
import dev.hallpass.testkit.RevocationFeedKit;
import java.time.Clock;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The revocation-feed kit on a Redis Cluster (one classic pub/sub channel, broadcast to every
 * node).
 */
class RedisClusterRevocationFeedTest extends RevocationFeedKit {
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
    return newStoreOnSameDatabase(storeClock);
  }

  @Override
  protected SessionStore newStoreOnSameDatabase(Clock storeClock) {
    return TestRedis.store(TARGET, prefix, storeClock);
  }
}
