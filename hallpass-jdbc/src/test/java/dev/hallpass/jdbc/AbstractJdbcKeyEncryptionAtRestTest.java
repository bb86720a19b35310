package dev.hallpass.jdbc;

import dev.hallpass.spi.SessionStore;
import dev.hallpass.testkit.KeyEncryptionAtRestKit;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;

/** Key encryption at rest on a SQL store: the rows are read with plain JDBC, outside the store. */
abstract class AbstractJdbcKeyEncryptionAtRestTest extends KeyEncryptionAtRestKit {

  /** The database's URL (with credentials); called first by {@link #newStore}. */
  abstract String url();

  /** Gives an empty Hallpass schema on {@link #url()}. */
  abstract void emptyDatabase();

  @AfterEach
  void closeStores() {
    TestDatabases.closeTracked(); // those of engines that failed to start, too
  }

  @Override
  protected SessionStore newStore(Clock clock) {
    emptyDatabase();
    return storeOnSameDatabase(clock);
  }

  @Override
  protected SessionStore storeOnSameDatabase(Clock clock) {
    return TestDatabases.track(JdbcSessionStores.builder().jdbcUrl(url()).clock(clock).build());
  }

  @Override
  protected String rawRefreshKey(String handle) throws Exception {
    try (Connection c = TestDatabases.connect(url());
        PreparedStatement ps =
            c.prepareStatement("SELECT refresh_key FROM hallpass_sessions WHERE handle = ?")) {
      ps.setString(1, handle);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          throw new AssertionError("no row for session " + handle);
        }
        return rs.getString(1);
      }
    }
  }

  @Override
  protected Map<String, String> rawPrivateKeys() throws Exception {
    Map<String, String> keys = new LinkedHashMap<>();
    try (Connection c = TestDatabases.connect(url());
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT kid, private_key FROM hallpass_signing_keys ORDER BY generation");
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        keys.put(rs.getString(1), rs.getString(2));
      }
    }
    return keys;
  }
}
