package dev.hallpass.jdbc;

import dev.hallpass.spi.SessionStore;
import dev.hallpass.testkit.SessionStoreContract;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The shared store contract on MariaDB. */
class MariaDbSessionStoreContractTest extends SessionStoreContract {

  private static String url;

  @BeforeAll
  static void requireServer() {
    url = TestDatabases.require(TestDatabases.Server.MARIADB);
  }

  @AfterAll
  static void closeStores() {
    TestDatabases.closeTracked();
  }

  @Override
  protected SessionStore newStore() {
    TestDatabases.closeTracked(); // stores an earlier test leaked
    SessionStore store = newStoreOnSameDatabase(); // creates the tables on first use
    TestDatabases.deleteAllRows(url);
    return store;
  }

  @Override
  protected SessionStore newStoreOnSameDatabase() {
    return TestDatabases.track(JdbcSessionStores.builder().jdbcUrl(url).build());
  }
}
