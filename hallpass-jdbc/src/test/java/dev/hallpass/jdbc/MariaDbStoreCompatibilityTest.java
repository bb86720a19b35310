package dev.hallpass.jdbc;

import org.junit.jupiter.api.BeforeAll;

/** The store compatibility kit on MariaDB. */
class MariaDbStoreCompatibilityTest extends AbstractJdbcStoreCompatibilityTest {

  private static String url;

  @BeforeAll
  static void requireServer() {
    url = TestDatabases.require(TestDatabases.Server.MARIADB);
  }

  @Override
  String url() {
    return url;
  }
}
