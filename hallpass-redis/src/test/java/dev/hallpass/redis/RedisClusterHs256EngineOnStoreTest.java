package dev.hallpass.redis;

import dev.hallpass.AccessTokenSigning;

/** The engine-on-store set on the Redis Cluster, signing HS256. */
class RedisClusterHs256EngineOnStoreTest extends RedisClusterEngineOnStoreTest {
  @Override
  protected AccessTokenSigning signing() {
    return AccessTokenSigning.HS256;
  }
}
