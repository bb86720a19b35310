package dev.hallpass.testkit;

import dev.hallpass.spi.SessionStore;

/** The in-memory store against the shared contract. */
class InMemorySessionStoreContractTest extends SessionStoreContract {
  @Override
  protected SessionStore newStore() {
    return SessionStore.inMemory();
  }
}
