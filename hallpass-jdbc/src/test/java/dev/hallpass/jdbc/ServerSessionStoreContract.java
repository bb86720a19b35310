package dev.hallpass.jdbc;

import dev.hallpass.spi.SessionStore;
import dev.hallpass.testkit.SessionStoreContract;
import org.junit.jupiter.api.AfterAll;

/** The shared store contract on a database server; subclasses name the server. */
abstract class ServerSessionStoreContract extends SessionStoreContract {

  private String url;

  /** The server to run on; unreachable: skipped, or failed when CI=true. */
  abstract TestDatabases.Server server();

  @AfterAll
  static void closeStores() {
    TestDatabases.closeTracked();
  }

  @Override
  protected SessionStore newStore() {
    url = TestDatabases.require(server());
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
