package dev.hallpass.jdbc;

/** The revocation-feed kit on MariaDB (polling). */
class MariaDbRevocationFeedTest extends ServerRevocationFeed {
  @Override
  TestDatabases.Server server() {
    return TestDatabases.Server.MARIADB;
  }
}
