package dev.hallpass.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.hallpass.HallpassException;
import dev.hallpass.spi.SessionStore;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The JDBC-specific store tests on MariaDB. */
class MariaDbJdbcSessionStoreTest extends AbstractJdbcSessionStoreTest {

  private static String url;

  @BeforeAll
  static void requireServer() {
    url = TestDatabases.require(TestDatabases.Server.MARIADB);
  }

  @Override
  String url() {
    return url;
  }

  @Test
  void driverDefault_countsFoundRows_soAConfirmedTokenConfirmsAgain() {
    store.insertSession(session("h", "alice", NOW.plusSeconds(600)));

    assertThat(store.confirmRefreshToken("h", hash(0), NOW)).isTrue(); // already confirmed
    assertThat(store.updateSessionData("h", "{\"cart\":3}", NOW)).isTrue(); // unchanged data
  }

  @Test
  void connectionCountingChangedRows_isRefusedAtStartUp() {
    String affectedRows = url + (url.contains("?") ? "&" : "?") + "useAffectedRows=true";

    HallpassException e =
        catchThrowableOfType(
            HallpassException.class,
            () -> {
              SessionStore s = JdbcSessionStores.builder().jdbcUrl(affectedRows).build();
              s.close();
            });

    assertThat(e).isNotNull();
    assertThat(e.getType()).isEqualTo(HallpassException.Type.GENERAL_ERROR);
    assertThat(e.getMessage()).contains("useAffectedRows");
  }
}
