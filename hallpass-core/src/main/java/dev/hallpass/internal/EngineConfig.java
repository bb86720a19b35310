package dev.hallpass.internal;

import dev.hallpass.spi.SessionStore;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;

/** The validated settings of an {@link Engine}. Internal: not part of the public API. */
public final class EngineConfig {
  final SessionStore store;
  final Duration accessTokenValidity;
  final Duration refreshTokenValidity;
  final boolean antiCsrf;
  final boolean blacklisting;
  final Duration keyRotationInterval;
  final Duration refreshGracePeriod;
  final int verifiedTokenCacheSize;
  final Duration cleanupInterval;
  final int cleanupBatchSize;
  final Clock clock;
  final SecureRandom random;

  /** Settings already validated by {@code Hallpass.Builder}; {@code cleanupInterval} may be null. */
  public EngineConfig(
      SessionStore store,
      Duration accessTokenValidity,
      Duration refreshTokenValidity,
      boolean antiCsrf,
      boolean blacklisting,
      Duration keyRotationInterval,
      Duration refreshGracePeriod,
      int verifiedTokenCacheSize,
      Duration cleanupInterval,
      int cleanupBatchSize,
      Clock clock,
      SecureRandom random) {
    this.store = store;
    this.accessTokenValidity = accessTokenValidity;
    this.refreshTokenValidity = refreshTokenValidity;
    this.antiCsrf = antiCsrf;
    this.blacklisting = blacklisting;
    this.keyRotationInterval = keyRotationInterval;
    this.refreshGracePeriod = refreshGracePeriod;
    this.verifiedTokenCacheSize = verifiedTokenCacheSize;
    this.cleanupInterval = cleanupInterval;
    this.cleanupBatchSize = cleanupBatchSize;
    this.clock = clock;
    this.random = random;
  }
}
