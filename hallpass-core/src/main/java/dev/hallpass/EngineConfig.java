package dev.hallpass;

import dev.hallpass.spi.SessionStore;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;

/** The settings of an {@link Engine}, validated by {@link Hallpass.Builder}. */
record EngineConfig(
    SessionStore store,
    Duration accessTokenValidity,
    Duration refreshTokenValidity,
    boolean antiCsrf,
    boolean blacklisting,
    Duration keyRotationInterval,
    Duration refreshGracePeriod,
    int verifiedTokenCacheSize,
    Duration cleanupInterval, // null: no background sweep
    int cleanupBatchSize,
    Clock clock,
    SecureRandom random,
    KeyWrapping keyWrapping,
    AccessTokenSigning accessTokenSigning,
    Lifetime lifetime,
    boolean recordClientMetadata,
    java.util.List<SessionListener> listeners) {

  /**
   * When a session expires: the refresh-token validity from its last activity, capped by the
   * inactivity timeout (also from its last activity) and the absolute timeout (from creation).
   */
  record Lifetime(Duration refreshTokenValidity, Duration inactivity, Duration absolute) {

    /** The expiry of a session created at {@code createdAt} and last active at {@code now}. */
    java.time.Instant expiry(java.time.Instant createdAt, java.time.Instant now) {
      java.time.Instant e = now.plus(refreshTokenValidity);
      if (inactivity != null && now.plus(inactivity).isBefore(e)) {
        e = now.plus(inactivity);
      }
      if (absolute != null && createdAt.plus(absolute).isBefore(e)) {
        e = createdAt.plus(absolute);
      }
      return e;
    }

    /**
     * Why a session expired: which limit its stored expiry came from (the absolute cap, the
     * inactivity timeout, or the refresh-token validity), so a late presentation is still reported
     * for the limit that ended it.
     */
    SessionEvent.RevokeReason reason(
        java.time.Instant createdAt, java.time.Instant lastActive, java.time.Instant expiresAt) {
      if (absolute != null && createdAt.plus(absolute).equals(expiresAt)) {
        return SessionEvent.RevokeReason.ABSOLUTE_TIMEOUT;
      }
      if (inactivity != null && lastActive.plus(inactivity).equals(expiresAt)) {
        return SessionEvent.RevokeReason.IDLE_TIMEOUT;
      }
      return SessionEvent.RevokeReason.EXPIRED;
    }
  }
}
