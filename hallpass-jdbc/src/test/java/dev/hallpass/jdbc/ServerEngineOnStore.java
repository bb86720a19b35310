package dev.hallpass.jdbc;

import dev.hallpass.spi.SessionStore;
import dev.hallpass.testkit.EngineOnStoreKit;
import java.time.Clock;
import org.junit.jupiter.api.AfterAll;

/** The engine-on-store set on a database server; subclasses name the server. */
abstract class ServerEngineOnStore extends EngineOnStoreKit {

  private String url;

  /** The server to run on; unreachable: skipped, or failed when CI=true. */
  abstract TestDatabases.Server server();

  @AfterAll
  static void closeStores() {
    TestDatabases.closeTracked();
  }

  @Override
  protected SessionStore newStore(Clock storeClock) {
    url = TestDatabases.require(server());
    TestDatabases.closeTracked(); // stores an earlier test leaked
    SessionStore store = newStoreOnSameDatabase(storeClock); // creates the tables on first use
    TestDatabases.deleteAllRows(url);
    return store;
  }

  @Override
  protected SessionStore newStoreOnSameDatabase(Clock storeClock) {
    return TestDatabases.track(JdbcSessionStores.builder().jdbcUrl(url).clock(storeClock).build());
  }

  @Override
  protected SessionStore newStoreOnSameDatabaseWithServerClock() {
    return TestDatabases.track(JdbcSessionStores.builder().jdbcUrl(url).build());
  }
}
