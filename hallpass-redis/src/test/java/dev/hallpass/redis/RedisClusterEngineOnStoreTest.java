package dev.hallpass.redis;

import dev.hallpass.spi.SessionStore;
import dev.hallpass.testkit.EngineOnStoreKit;
import java.time.Clock;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The engine-on-store set on the Redis Cluster (three masters): the rotation scenarios, the races,
 * and engines sharing one store, including two on the Redis server's own clock (scenario f).
 */
class RedisClusterEngineOnStoreTest extends EngineOnStoreKit {

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
  protected SessionStore newStoreOnSameDatabase(Clock storeClock) {
    return TestRedis.store(TARGET, prefix, storeClock);
  }

  @Override
  protected SessionStore newStoreOnSameDatabaseWithServerClock() {
    return TestRedis.store(TARGET, prefix, null);
  }
}
