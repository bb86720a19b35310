package dev.hallpass.jdbc;

import dev.hallpass.spi.SessionStore;
import dev.hallpass.testkit.EngineOnStoreKit;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.io.TempDir;

/** The engine-on-store set on the embedded H2 store, a new database directory per test. */
class H2EngineOnStoreTest extends EngineOnStoreKit {

  @TempDir static Path root;
  private static int databases;
  private static Path current;

  @AfterAll
  static void closeStores() {
    TestDatabases.closeTracked();
  }

  @Override
  protected SessionStore newStore(Clock storeClock) {
    TestDatabases.closeTracked(); // stores an earlier test leaked
    current = root.resolve("db" + (++databases));
    return newStoreOnSameDatabase(storeClock);
  }

  private static JdbcSessionStores.Builder onCurrent() {
    return JdbcSessionStores.builder()
        .jdbcUrl("jdbc:h2:file:" + current.resolve("hallpass") + ";LOCK_TIMEOUT=10000")
        .username("sa")
        .password("");
  }

  @Override
  protected SessionStore newStoreOnSameDatabase(Clock storeClock) {
    return TestDatabases.track(onCurrent().clock(storeClock).build());
  }

  @Override
  protected SessionStore newStoreOnSameDatabaseWithServerClock() {
    return TestDatabases.track(onCurrent().build());
  }
}
