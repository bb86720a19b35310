package dev.hallpass.jdbc;

import org.junit.jupiter.api.BeforeAll;

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
}
