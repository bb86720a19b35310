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
    AccessTokenSigning accessTokenSigning) {}
