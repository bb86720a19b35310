package dev.hallpass.redis;

import dev.hallpass.spi.RevocationFeed;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.net.SocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The {@link RevocationFeed} of the Redis store. The scripts that delete a session publish its
 * handle on the channel {@code P revocations} in the same atomic step, after the store has recorded
 * it in the sorted set {@code P revoked} (read by {@link #revokedSince}).
 *
 * <p>Classic pub/sub, one channel, also on a cluster: a {@code PUBLISH} from the script reaches
 * subscribers on every node, so the deletion and its push stay one atomic step on the session's
 * node. Sharded pub/sub ({@code SPUBLISH}) would need the channel in the session's slot, so one
 * channel per slot and subscribers on every shard; revocations are rare enough that the
 * cluster-wide broadcast costs little.
 *
 * <p>Each subscription has its own pub/sub connection (Lettuce reconnects and resubscribes it): a
 * disconnection is a gap, each confirmed (re)subscription an {@code onSubscribed}, and a {@code
 * PING} every {@link #HEARTBEAT} that fails or stays unanswered for a heartbeat is a gap too (a
 * connection that died without a word), followed by {@code onSubscribed} once one is answered.
 */
final class RedisRevocationFeed implements RevocationFeed {
  static final Duration HEARTBEAT = Duration.ofSeconds(1);

  private final RedisSessionStore store;
  private final RedisLink link;
  private final String channel;
  private final Set<Sub> subs = ConcurrentHashMap.newKeySet();

  RedisRevocationFeed(RedisSessionStore store, RedisLink link, String channel) {
    this.store = store;
    this.link = link;
    this.channel = channel;
  }

  @Override
  public Subscription subscribe(Listener listener) {
    Sub s = new Sub(listener);
    subs.add(s);
    s.start();
    return s;
  }

  @Override
  public Map<String, Instant> revokedSince(Instant since) {
    return store.revokedSince(since);
  }

  @Override
  public int deleteRevocationsBefore(Instant cutoff) {
    return store.deleteRevocationsBefore(cutoff);
  }

  /** The client names of the open subscriptions' connections (tests kill them by name). */
  Set<String> clientNames() {
    Set<String> names = ConcurrentHashMap.newKeySet();
    for (Sub s : subs) {
      names.add(s.name);
    }
    return names;
  }

  void closeAll() {
    for (Sub s : subs) {
      s.close();
    }
  }

  private final class Sub extends RedisPubSubAdapter<String, String>
      implements Subscription, RedisConnectionStateListener {
    final String name = "hallpass-revocations-" + UUID.randomUUID();
    private final Listener listener;
    private final ScheduledExecutorService heartbeat =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "hallpass-revocation-heartbeat");
              t.setDaemon(true);
              return t;
            });
    private volatile StatefulRedisPubSubConnection<String, String> connection;
    private volatile boolean pingFailed;
    private volatile boolean closed;

    Sub(Listener listener) {
      this.listener = listener;
    }

    void start() {
      try {
        StatefulRedisPubSubConnection<String, String> c = link.connectPubSub();
        connection = c;
        listen(c);
        c.sync().clientSetname(name);
        c.async().subscribe(channel); // subscribed() then says it listens
      } catch (RuntimeException e) {
        listener.onGap(); // the heartbeat tells when it works
        pingFailed = true;
      }
      long ms = HEARTBEAT.toMillis();
      heartbeat.scheduleWithFixedDelay(this::ping, ms, ms, TimeUnit.MILLISECONDS);
    }

    private void listen(StatefulRedisPubSubConnection<String, String> c) {
      c.addListener((io.lettuce.core.pubsub.RedisPubSubListener<String, String>) this);
      c.addListener((RedisConnectionStateListener) this);
    }

    private void ping() {
      StatefulRedisPubSubConnection<String, String> c = connection;
      boolean ok;
      try {
        if (c == null) {
          c = link.connectPubSub();
          connection = c;
          listen(c);
          c.sync().clientSetname(name);
          c.sync().subscribe(channel);
        }
        ok =
            "PONG"
                .equalsIgnoreCase(
                    c.async().ping().get(HEARTBEAT.toMillis(), TimeUnit.MILLISECONDS));
      } catch (Exception e) {
        if (e instanceof InterruptedException) {
          Thread.currentThread().interrupt();
        }
        ok = false;
      }
      if (closed) {
        return;
      }
      if (!ok && !pingFailed) {
        pingFailed = true;
        listener.onGap();
      } else if (ok && pingFailed) {
        pingFailed = false;
        listener.onSubscribed();
      }
    }

    @Override
    public void message(String ch, String message) {
      if (channel.equals(ch)) {
        listener.onRevoked(message);
      }
    }

    @Override
    public void subscribed(String ch, long count) {
      if (channel.equals(ch)) {
        listener.onSubscribed();
      }
    }

    @Override
    public void onRedisConnected(RedisChannelHandler<?, ?> handler, SocketAddress address) {
      // Not yet listening: subscribed() follows the resubscription.
    }

    @Override
    public void onRedisDisconnected(RedisChannelHandler<?, ?> handler) {
      if (handler == connection && !closed) {
        listener.onGap();
      }
    }

    @Override
    public void close() {
      if (closed) {
        return;
      }
      closed = true;
      subs.remove(this);
      heartbeat.shutdownNow();
      StatefulRedisPubSubConnection<String, String> c = connection;
      if (c != null) {
        try {
          c.close();
        } catch (RuntimeException e) {
          // closing anyway
        }
      }
    }
  }
}
