package dev.hallpass.jdbc;

/** The revocation-feed kit on PostgreSQL (LISTEN/NOTIFY). */
class PostgresRevocationFeedTest extends ServerRevocationFeed {
  @Override
  TestDatabases.Server server() {
    return TestDatabases.Server.POSTGRES;
  }
}
