/**
 * Hallpass's Redis session store: {@link dev.hallpass.redis.RedisSessionStores} makes a {@link
 * dev.hallpass.spi.SessionStore} on Redis (one server) or Redis Cluster, with the Lettuce client.
 */
package dev.hallpass.redis;
