package dev.hallpass.jdbc;

import dev.hallpass.SessionStores;
import dev.hallpass.spi.SessionStore;
import dev.hallpass.spi.SigningKeyRecord;
import dev.hallpass.testkit.KeyEncryptionAtRestKit;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Key encryption at rest on the core's in-memory store (here beside the SQL stores so that all
 * share one set of checks); its rows are the records it holds.
 */
class InMemoryKeyEncryptionAtRestTest extends KeyEncryptionAtRestKit {
  private SessionStore store;

  @Override
  protected SessionStore newStore(Clock clock) {
    store = SessionStores.inMemory(clock);
    return store;
  }

  @Override
  protected SessionStore storeOnSameDatabase(Clock clock) {
    return store; // one process's memory: a second engine shares the instance
  }

  @Override
  protected String rawRefreshKey(String handle) {
    return store.findSession(handle).orElseThrow().refreshKey();
  }

  @Override
  protected Map<String, String> rawPrivateKeys() {
    Map<String, String> keys = new LinkedHashMap<>();
    for (SigningKeyRecord r : store.loadSigningKeys()) {
      keys.put(r.kid(), r.privateKeyPkcs8());
    }
    return keys;
  }
}
