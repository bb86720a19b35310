package dev.hallpass.jdbc;

/** The engine-on-store set on MariaDB. */
class MariaDbEngineOnStoreTest extends ServerEngineOnStore {
  @Override
  TestDatabases.Server server() {
    return TestDatabases.Server.MARIADB;
  }
}
