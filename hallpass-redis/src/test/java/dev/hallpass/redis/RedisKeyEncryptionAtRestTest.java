package dev.hallpass.redis;

import dev.hallpass.spi.SessionStore;
import dev.hallpass.testkit.KeyEncryptionAtRestKit;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;

/**
 * Key encryption at rest on Redis: the session and signing-key hashes are read as stored, with a
 * plain connection outside the store, and show no usable key when encryption is on.
 */
class RedisKeyEncryptionAtRestTest extends KeyEncryptionAtRestKit {
  private static final TestRedis.Target TARGET = TestRedis.Target.SERVER;
  private final java.util.List<SessionStore> stores = new java.util.ArrayList<>();
  private String prefix;

  @BeforeAll
  static void requireRedis() {
    TestRedis.require(TARGET);
  }

  @AfterAll
  static void deleteKeys() {
    TestRedis.deleteRunKeys(TARGET);
  }

  @AfterEach
  void closeStores() {
    for (SessionStore s : stores) {
      try {
        s.close();
      } catch (RuntimeException ignored) {
        // closed by its engine already
      }
    }
    stores.clear();
  }

  @Override
  protected SessionStore newStore(Clock clock) {
    prefix = TestRedis.newPrefix();
    return storeOnSameDatabase(clock);
  }

  @Override
  protected SessionStore storeOnSameDatabase(Clock clock) {
    SessionStore s = TestRedis.store(TARGET, prefix, clock);
    stores.add(s);
    return s;
  }

  @Override
  protected String rawRefreshKey(String handle) {
    String k = TestRedis.withCommands(TARGET, c -> c.hget(new Keys(prefix).session(handle), "k"));
    if (k == null) {
      throw new AssertionError("no hash for session " + handle);
    }
    return k;
  }

  @Override
  protected Map<String, String> rawPrivateKeys() {
    Map<String, String> all =
        TestRedis.withCommands(TARGET, c -> c.hgetall(new Keys(prefix).signingKeys()));
    Map<String, String> keys = new java.util.TreeMap<>();
    for (Map.Entry<String, String> e : all.entrySet()) {
      if (e.getKey().startsWith("g:")) {
        var r = RedisSessionStore.decodeKey(e.getValue());
        keys.put(String.format("%020d", r.generation()), r.kid() + "\n" + r.privateKeyPkcs8());
      }
    }
    Map<String, String> byKid = new LinkedHashMap<>();
    for (String v : keys.values()) {
      int nl = v.indexOf('\n');
      byKid.put(v.substring(0, nl), v.substring(nl + 1));
    }
    return byKid;
  }
}
