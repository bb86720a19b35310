package dev.hallpass.jdbc;

import org.junit.jupiter.api.BeforeAll;

/** Key encryption at rest on Postgres; unreachable: skipped, or failed when CI=true. */
class PostgresKeyEncryptionAtRestTest extends AbstractJdbcKeyEncryptionAtRestTest {
  private static String url;

  @BeforeAll
  static void requireServer() {
    url = TestDatabases.require(TestDatabases.Server.POSTGRES);
  }

  @Override
  String url() {
    return url;
  }

  @Override
  void emptyDatabase() {
    TestDatabases.dropHallpassTables(url); // migrates from scratch, V3 included
  }
}
