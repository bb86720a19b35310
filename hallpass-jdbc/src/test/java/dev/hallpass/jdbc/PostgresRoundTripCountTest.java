package dev.hallpass.jdbc;

/** Round trips of the write paths on PostgreSQL. */
class PostgresRoundTripCountTest extends AbstractRoundTripCountTest {
  @Override
  String url() {
    return TestDatabases.require(TestDatabases.Server.POSTGRES);
  }

  @Override
  boolean mariaDb() {
    return false;
  }
}
