package dev.hallpass.redis;

import dev.hallpass.AccessTokenSigning;

/** The engine-on-store set on one Redis server, signing HS256. */
class RedisHs256EngineOnStoreTest extends RedisEngineOnStoreTest {
  @Override
  protected AccessTokenSigning signing() {
    return AccessTokenSigning.HS256;
  }
}
