package dev.hallpass.jdbc;

import dev.hallpass.spi.SessionStore;
import dev.hallpass.testkit.SessionStoreContract;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.io.TempDir;

/** The shared store contract on the embedded H2 store, a new database directory per test. */
class H2SessionStoreContractTest extends SessionStoreContract {

  @TempDir
  static Path root;
  private static int databases;
  private static Path current;

  @AfterAll
  static void closeStores() {
    TestDatabases.closeTracked();
  }

  @Override
  protected SessionStore newStore() {
    TestDatabases.closeTracked(); // stores an earlier test leaked
    current = root.resolve("db" + (++databases));
    return newStoreOnSameDatabase();
  }

  @Override
  protected SessionStore newStoreOnSameDatabase() {
    return TestDatabases.track(JdbcSessionStores.embedded(current));
  }
}
