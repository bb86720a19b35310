package dev.hallpass.redis;

import dev.hallpass.HallpassException;
import dev.hallpass.spi.SessionStore;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.codec.StringCodec;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * {@link SessionStore}s on Redis (one server, or a primary with replicas behind one address) or on
 * Redis Cluster, with the Lettuce client. Needs Redis 6.2 or later.
 *
 * <pre>{@code
 * SessionStore store = RedisSessionStores.builder()
 *     .uri("redis://:" + password + "@cache:6379/0")      // or .clusterUris(...)
 *     .keyPrefix("myapp:hallpass:")
 *     .build();
 * }</pre>
 *
 * <p>What the store guarantees:
 *
 * <ul>
 *   <li>Every key starts with the key prefix, so several applications (or test runs) can share a
 *       Redis without seeing each other's sessions.
 *   <li>Refresh timing follows the Redis server's clock ({@code TIME}), read in the same atomic
 *       step as the session, on the node that owns the session: every process agrees on it,
 *       whatever its own clock. Refreshes of one session are serialized by optimistic concurrency
 *       (a version checked by a compare-and-set script).
 *   <li>A session's key expires by itself at the session's expiry plus {@link
 *       Builder#expiredSessionRetention(Duration) the retention}; so do the indexes. Nothing grows
 *       without bound even when the engine's background cleanup is disabled.
 *   <li>On a cluster, all of a session lives in one key (hash tag {@code {handle}}); a user's index
 *       of sessions is another key, in its own slot, written before the session so that "delete all
 *       sessions of a user" never misses one.
 *   <li>No key, token, hash or session data is logged or put in an exception message by the store.
 *       (Lettuce's own TRACE logging prints the raw protocol, session data included: keep {@code
 *       io.lettuce} below TRACE in production.)
 *   <li>Tenants are stored with each session; the SPI has no per-tenant query, so there is no
 *       per-tenant index.
 * </ul>
 *
 * <p>Start-up failures (Redis unreachable, wrong password) are thrown as {@link HallpassException}
 * of type GENERAL_ERROR with the cause chained; so are failures of later calls.
 */
public final class RedisSessionStores {

  /** The default key prefix. */
  static final String DEFAULT_PREFIX = "hallpass:";

  private static final int MAX_PREFIX_LENGTH = 128;
  private static final Duration MAX_RETENTION = Duration.ofDays(1);
  private static final Duration DEFAULT_RETENTION = Duration.ofHours(1);
  private static final Duration MIN_TIMEOUT = Duration.ofMillis(10);
  private static final Duration MAX_TIMEOUT = Duration.ofMinutes(10);
  private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

  private RedisSessionStores() {}

  /**
   * A builder for a store on Redis or Redis Cluster.
   *
   * @return a new builder with no address set
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Configures a Redis store: exactly one of {@link #uri(String)} and {@link #clusterUris(List)}.
   *
   * <p>Not thread-safe; {@link #build()} may be called more than once, each time making a new store
   * with its own connection.
   */
  public static final class Builder {

    private RedisURI uri;
    private List<RedisURI> clusterUris;
    private String keyPrefix = DEFAULT_PREFIX;
    private Clock clock;
    private Duration retention = DEFAULT_RETENTION;
    private Duration commandTimeout = DEFAULT_TIMEOUT;

    private Builder() {}

    /**
     * The Redis server, as a Redis URI: {@code redis://[[user]:password@]host[:port][/database]},
     * or {@code rediss://...} for TLS. Not combinable with {@link #clusterUris(List)}.
     *
     * @param uri the server's URI; it never appears in a message or {@code toString}
     * @return this builder
     * @throws IllegalArgumentException if it is not a Redis URI
     */
    public Builder uri(String uri) {
      this.uri = parse(Objects.requireNonNull(uri, "uri"), "uri");
      return this;
    }

    /**
     * Some nodes of a Redis Cluster, as Redis URIs ({@code redis://host:port}); the client finds
     * the others. Not combinable with {@link #uri(String)}.
     *
     * @param uris at least one node's URI
     * @return this builder
     * @throws IllegalArgumentException if the list is empty or an element is not a Redis URI
     */
    public Builder clusterUris(List<String> uris) {
      Objects.requireNonNull(uris, "clusterUris");
      if (uris.isEmpty()) {
        throw new IllegalArgumentException("clusterUris must name at least one node");
      }
      List<RedisURI> parsed = new ArrayList<>();
      for (String u : uris) {
        parsed.add(parse(Objects.requireNonNull(u, "clusterUris element"), "clusterUris"));
      }
      this.clusterUris = parsed;
      return this;
    }

    /**
     * Some nodes of a Redis Cluster: see {@link #clusterUris(List)}.
     *
     * @param uris at least one node's URI
     * @return this builder
     */
    public Builder clusterUris(String... uris) {
      return clusterUris(List.of(Objects.requireNonNull(uris, "clusterUris")));
    }

    /**
     * What every key of the store starts with; default {@code hallpass:}. Stores with different
     * prefixes on one Redis never see each other's data.
     *
     * @param keyPrefix 1 to 128 characters, without <code>{</code> or <code>}</code> (they would
     *     change the keys' hash slots on a cluster)
     * @return this builder
     * @throws IllegalArgumentException if it is empty, too long or holds a brace
     */
    public Builder keyPrefix(String keyPrefix) {
      Objects.requireNonNull(keyPrefix, "keyPrefix");
      if (keyPrefix.isEmpty() || keyPrefix.length() > MAX_PREFIX_LENGTH) {
        throw new IllegalArgumentException("keyPrefix must have 1 to 128 characters");
      }
      if (keyPrefix.indexOf('{') >= 0 || keyPrefix.indexOf('}') >= 0) {
        throw new IllegalArgumentException("keyPrefix must not contain '{' or '}'");
      }
      this.keyPrefix = keyPrefix;
      return this;
    }

    /**
     * The clock that refresh decisions (and the keys' expiry) follow instead of the Redis server's:
     * for tests that move time. Default and production: the Redis server's clock, shared by every
     * process.
     *
     * @param clock the refresh clock; its time is used to the millisecond
     * @return this builder
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * How long an expired session's key stays readable before Redis removes it; from 0 to 1 day,
     * default 1 hour. Expired sessions are never live, refreshed or listed; the retention only
     * keeps them for {@code findSession} and for the engine's diagnosis of late refreshes.
     *
     * @param retention the time after expiry
     * @return this builder
     * @throws IllegalArgumentException if negative or longer than a day
     */
    public Builder expiredSessionRetention(Duration retention) {
      Objects.requireNonNull(retention, "expiredSessionRetention");
      if (retention.isNegative() || retention.compareTo(MAX_RETENTION) > 0) {
        throw new IllegalArgumentException("expiredSessionRetention must be between 0 and 1 day");
      }
      this.retention = retention;
      return this;
    }

    /**
     * How long one Redis command may take before the call fails with GENERAL_ERROR; from 10 ms to
     * 10 minutes, default 10 s.
     *
     * @param commandTimeout the longest wait for an answer
     * @return this builder
     * @throws IllegalArgumentException if outside that range
     */
    public Builder commandTimeout(Duration commandTimeout) {
      Objects.requireNonNull(commandTimeout, "commandTimeout");
      if (commandTimeout.compareTo(MIN_TIMEOUT) < 0 || commandTimeout.compareTo(MAX_TIMEOUT) > 0) {
        throw new IllegalArgumentException("commandTimeout must be between 10 ms and 10 minutes");
      }
      this.commandTimeout = commandTimeout;
      return this;
    }

    /**
     * Connects and returns the store.
     *
     * @return the started store; close it to release its connection and threads
     * @throws IllegalStateException when neither or both of uri and clusterUris are set; the
     *     message names them
     * @throws HallpassException GENERAL_ERROR if Redis cannot be reached
     */
    public SessionStore build() {
      if (uri == null && clusterUris == null) {
        throw new IllegalStateException("uri or clusterUris is required");
      }
      if (uri != null && clusterUris != null) {
        throw new IllegalStateException("uri and clusterUris cannot be combined");
      }
      RedisLink link = clusterUris != null ? connectCluster() : connectServer();
      return new RedisSessionStore(link, keyPrefix, clock, retention, commandTimeout);
    }

    private RedisLink connectServer() {
      RedisURI target = copyWithTimeout(uri);
      RedisClient client = RedisClient.create(target);
      client.setOptions(
          ClientOptions.builder().timeoutOptions(TimeoutOptions.enabled(commandTimeout)).build());
      try {
        StatefulRedisConnection<String, String> c = client.connect(StringCodec.UTF8);
        return new RedisLink(client, c, c.async(), false);
      } catch (RuntimeException e) {
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        // Lettuce's messages show the URI without its password.
        throw HallpassException.generalError("cannot connect to Redis", e);
      }
    }

    private RedisLink connectCluster() {
      List<RedisURI> seeds = new ArrayList<>();
      for (RedisURI u : clusterUris) {
        seeds.add(copyWithTimeout(u));
      }
      RedisClusterClient client = RedisClusterClient.create(seeds);
      client.setOptions(
          ClusterClientOptions.builder()
              .timeoutOptions(TimeoutOptions.enabled(commandTimeout))
              .build());
      try {
        StatefulRedisClusterConnection<String, String> c = client.connect(StringCodec.UTF8);
        return new RedisLink(client, c, c.async(), true);
      } catch (RuntimeException e) {
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        throw HallpassException.generalError("cannot connect to the Redis Cluster", e);
      }
    }

    private RedisURI copyWithTimeout(RedisURI u) {
      RedisURI copy = RedisURI.builder(u).build();
      copy.setTimeout(commandTimeout);
      return copy;
    }

    private static RedisURI parse(String uri, String option) {
      try {
        return RedisURI.create(uri);
      } catch (RuntimeException e) {
        // The URI is not echoed: it may carry a password.
        throw new IllegalArgumentException(option + " is not a Redis URI (redis://host:port)");
      }
    }

    /** The options, without addresses or credentials. */
    @Override
    public String toString() {
      return "RedisSessionStores.Builder{"
          + (uri != null ? "server" : clusterUris != null ? "cluster" : "no address")
          + ", keyPrefix="
          + keyPrefix
          + ", expiredSessionRetention="
          + retention
          + ", commandTimeout="
          + commandTimeout
          + ", clock="
          + (clock == null ? "redis" : clock)
          + "}";
    }
  }
}
