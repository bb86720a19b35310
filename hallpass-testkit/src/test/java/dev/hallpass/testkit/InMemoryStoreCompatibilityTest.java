package dev.hallpass.testkit;

import dev.hallpass.SessionStores;
import dev.hallpass.spi.SessionStore;
import java.time.Clock;

/** The in-memory store against the store compatibility kit. */
class InMemoryStoreCompatibilityTest extends SessionStoreCompatibilityKit {
  @Override
  protected SessionStore newStore(Clock storeClock) {
    return SessionStores.inMemory(storeClock);
  }
}
