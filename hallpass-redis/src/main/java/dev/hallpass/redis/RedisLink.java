package dev.hallpass.redis;

import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.time.Duration;

/**
 * The store's one connection (to a server or to a cluster, multiplexed and thread-safe) and the
 * client that made it; closing the link shuts both down.
 */
final class RedisLink implements AutoCloseable {

  private final AbstractRedisClient client;
  private final StatefulConnection<String, String> connection;
  private final RedisClusterAsyncCommands<String, String> commands;
  private final boolean cluster;

  RedisLink(
      AbstractRedisClient client,
      StatefulConnection<String, String> connection,
      RedisClusterAsyncCommands<String, String> commands,
      boolean cluster) {
    this.client = client;
    this.connection = connection;
    this.commands = commands;
    this.cluster = cluster;
  }

  /** The commands of a server and of a cluster alike; commands are routed by their first key. */
  RedisClusterAsyncCommands<String, String> commands() {
    return commands;
  }

  boolean isCluster() {
    return cluster;
  }

  /**
   * A new pub/sub connection of the same client (a server's, or a cluster's: classic pub/sub
   * messages reach every node, so one connection to any node hears them all).
   */
  StatefulRedisPubSubConnection<String, String> connectPubSub() {
    return cluster
        ? ((RedisClusterClient) client).connectPubSub(StringCodec.UTF8)
        : ((RedisClient) client).connectPubSub(StringCodec.UTF8);
  }

  @Override
  public void close() {
    try {
      connection.close();
    } finally {
      // No quiet period: the store's own event loops have nothing left to do.
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
  }
}
