package dev.hallpass.jdbc;

/** The database outage and ambiguous-commit faults on PostgreSQL. */
class PostgresDatabaseOutageTest extends AbstractDatabaseOutageTest {
  @Override
  TestDatabases.Server server() {
    return TestDatabases.Server.POSTGRES;
  }
}
