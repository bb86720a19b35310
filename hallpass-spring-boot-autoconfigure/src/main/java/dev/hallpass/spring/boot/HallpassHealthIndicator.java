package dev.hallpass.spring.boot;

import dev.hallpass.Hallpass;
import dev.hallpass.spi.SessionStore;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * Up when the engine holds signing keys (its JWKS is not empty) and, when the session store is a
 * bean, the store answers a read of the signing keys (one query). Details: the number of keys and
 * the store's class; on failure only the exception's class (driver messages may name hosts or
 * users).
 */
final class HallpassHealthIndicator implements HealthIndicator {

  private final Hallpass hallpass;
  private final SessionStore store;

  HallpassHealthIndicator(Hallpass hallpass, SessionStore store) {
    this.hallpass = hallpass;
    this.store = store;
  }

  @Override
  public Health health() {
    Health.Builder health = Health.up();
    try {
      int keys = hallpass.getJwks().getKeyIds().size();
      health.withDetail("signingKeys", keys);
      if (keys == 0) {
        health.down().withDetail("signingKeysLoaded", false);
      }
    } catch (RuntimeException e) {
      return Health.down().withDetail("engine", e.getClass().getName()).build();
    }
    if (store != null) {
      try {
        store.loadSigningKeys();
        health.withDetail("store", store.getClass().getSimpleName());
      } catch (RuntimeException e) {
        return health.down().withDetail("store", "unreachable: " + e.getClass().getName()).build();
      }
    }
    return health.build();
  }
}
