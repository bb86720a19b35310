package dev.hallpass.jdbc;

import org.junit.jupiter.api.BeforeAll;

/** Key encryption at rest on MariaDB; unreachable: skipped, or failed when CI=true. */
class MariaDbKeyEncryptionAtRestTest extends AbstractJdbcKeyEncryptionAtRestTest {
  private static String url;

  @BeforeAll
  static void requireServer() {
    url = TestDatabases.require(TestDatabases.Server.MARIADB);
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
