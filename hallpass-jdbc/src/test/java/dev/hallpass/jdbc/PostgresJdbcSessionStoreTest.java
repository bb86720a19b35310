package dev.hallpass.jdbc;

import org.junit.jupiter.api.BeforeAll;

/** The JDBC-specific store tests on PostgreSQL. */
class PostgresJdbcSessionStoreTest extends AbstractJdbcSessionStoreTest {

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
