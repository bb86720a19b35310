/**
 * Hallpass's Redis session store: {@code dev.hallpass.redis.RedisSessionStores} makes a {@code
 * SessionStore} on Redis or Redis Cluster, with the Lettuce client.
 */
@SuppressWarnings("requires-automatic") // Lettuce is an automatic module (lettuce.core)
module dev.hallpass.redis {
  requires transitive dev.hallpass.core;
  requires lettuce.core;

  exports dev.hallpass.redis;
}
