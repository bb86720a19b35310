package dev.hallpass.jdbc;

/** Round trips of the write paths on MariaDB, checked against the server's own count. */
class MariaDbRoundTripCountTest extends AbstractRoundTripCountTest {
  @Override
  String url() {
    return TestDatabases.require(TestDatabases.Server.MARIADB);
  }

  @Override
  boolean mariaDb() {
    return true;
  }
}
