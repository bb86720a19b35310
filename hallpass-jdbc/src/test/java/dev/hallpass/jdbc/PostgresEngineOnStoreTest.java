package dev.hallpass.jdbc;

/** The engine-on-store set on PostgreSQL. */
class PostgresEngineOnStoreTest extends ServerEngineOnStore {
  @Override
  TestDatabases.Server server() {
    return TestDatabases.Server.POSTGRES;
  }
}
