package dev.hallpass.jdbc;

import dev.hallpass.spi.SessionStore;
import dev.hallpass.testkit.SessionStoreCompatibilityKit;
import java.time.Clock;

/**
 * The store compatibility kit on a JDBC database; subclasses name the database. Every store has its
 * own pool, as another process would; the kit's clock replaces the database's through {@link
 * JdbcSessionStores.Builder#clock(Clock)}.
 */
abstract class AbstractJdbcStoreCompatibilityTest extends SessionStoreCompatibilityKit {

  /** The JDBC URL of the database under test. */
  abstract String url();

  @Override
  protected SessionStore newStore(Clock storeClock) {
    SessionStore store = newStoreOnSameStorage(storeClock); // creates the tables on first use
    TestDatabases.deleteAllRows(url());
    return store;
  }

  @Override
  protected SessionStore newStoreOnSameStorage(Clock storeClock) {
    return JdbcSessionStores.builder().jdbcUrl(url()).clock(storeClock).build();
  }
}
