package dev.hallpass.jdbc;

/** The database outage and ambiguous-commit faults on MariaDB. */
class MariaDbDatabaseOutageTest extends AbstractDatabaseOutageTest {
  @Override
  TestDatabases.Server server() {
    return TestDatabases.Server.MARIADB;
  }
}
