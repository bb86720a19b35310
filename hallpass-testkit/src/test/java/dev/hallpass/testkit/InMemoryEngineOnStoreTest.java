package dev.hallpass.testkit;

import dev.hallpass.SessionStores;
import dev.hallpass.spi.SessionStore;
import java.time.Clock;

/** The engine-on-store set on the in-memory store. */
class InMemoryEngineOnStoreTest extends EngineOnStoreKit {
  @Override
  protected SessionStore newStore(Clock storeClock) {
    return SessionStores.inMemory(storeClock);
  }
}
