package dev.hallpass.jdbc;

import org.junit.jupiter.api.BeforeAll;

/** The store compatibility kit on PostgreSQL. */
class PostgresStoreCompatibilityTest extends AbstractJdbcStoreCompatibilityTest {

  private static String url;

  @BeforeAll
  static void requireServer() {
    url = TestDatabases.require(TestDatabases.Server.POSTGRES);
  }

  @Override
  String url() {
    return url;
  }
}
