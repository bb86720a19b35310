package dev.hallpass.jdbc;

import dev.hallpass.spi.SessionStore;
import dev.hallpass.testkit.RevocationFeedKit;
import java.time.Clock;
import org.junit.jupiter.api.AfterAll;

/** The revocation-feed kit on a database server; subclasses name the server. */
abstract class ServerRevocationFeed extends RevocationFeedKit {
  private String url;

  abstract TestDatabases.Server server();

  @AfterAll
  static void closeStores() {
    TestDatabases.closeTracked();
  }

  @Override
  protected SessionStore newStore(Clock storeClock) {
    url = TestDatabases.require(server());
    TestDatabases.closeTracked();
    SessionStore store = newStoreOnSameDatabase(storeClock);
    TestDatabases.deleteAllRows(url);
    TestDatabases.execute(url, "DELETE FROM hallpass_revocations");
    return store;
  }

  @Override
  protected SessionStore newStoreOnSameDatabase(Clock storeClock) {
    return TestDatabases.track(JdbcSessionStores.builder().jdbcUrl(url).clock(storeClock).build());
  }
}
