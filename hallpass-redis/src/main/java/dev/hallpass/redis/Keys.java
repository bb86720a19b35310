package dev.hallpass.redis;

import java.time.Duration;
import java.time.Instant;

/**
 * The store's key layout under a prefix {@code P} (default {@code hallpass:}). Every key carries a
 * hash tag, so that a Lua script touches one slot on a cluster:
 *
 * <ul>
 *   <li>{@code P s:{handle}}: the session, a hash (see {@link RedisSessionStore} for its fields).
 *       Expires at the session's expiry plus the retention.
 *   <li>{@code P u:{userId}}: the user's index, a sorted set of handles scored by a bound (epoch
 *       ms) after which the session's key is gone for sure. Expires at its largest bound.
 *   <li>{@code P x:{n}}: the expiry index of hour {@code n} since the epoch: the handles of the
 *       sessions that expire within that hour, scored by expiry. Expires once that hour's sessions
 *       are gone.
 *   <li>{@code P keys}: the signing keys, a hash.
 *   <li>{@code P revoked}: the recent revocations, a sorted set of handles scored by time; pruned
 *       by the engine's clean-up. Channel {@code P revocations} carries them as they happen.
 * </ul>
 *
 * <p>A session and its user's index are in different slots, so they are never written in one atomic
 * step: see {@link RedisSessionStore} for the order that keeps the index a superset.
 */
final class Keys {

  /** The width of an expiry bucket. */
  static final Duration BUCKET = Duration.ofHours(1);

  private static final long BUCKET_MILLIS = BUCKET.toMillis();

  private final String prefix;

  Keys(String prefix) {
    this.prefix = prefix;
  }

  String session(String handle) {
    return prefix + "s:{" + handle + "}";
  }

  String user(String userId) {
    return prefix + "u:{" + userId + "}";
  }

  String bucket(long bucket) {
    return prefix + "x:{" + bucket + "}";
  }

  String signingKeys() {
    return prefix + "keys";
  }

  /** The recent revocations: a sorted set of handles scored by revocation time (epoch ms). */
  String revocations() {
    return prefix + "revoked";
  }

  /** The pub/sub channel of revocations (not a key: classic pub/sub reaches every node). */
  String revocationChannel() {
    return prefix + "revocations";
  }

  /** The expiry bucket of a time. */
  static long bucketOf(long epochMillis) {
    return Math.floorDiv(epochMillis, BUCKET_MILLIS);
  }

  static long bucketOf(Instant time) {
    return bucketOf(time.toEpochMilli());
  }

  /** The first millisecond after a bucket. */
  static long bucketEnd(long bucket) {
    return (bucket + 1) * BUCKET_MILLIS;
  }
}
