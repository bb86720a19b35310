package dev.hallpass.jdbc;

/** The shared store contract on MariaDB. */
class MariaDbSessionStoreContractTest extends ServerSessionStoreContract {
  @Override
  TestDatabases.Server server() {
    return TestDatabases.Server.MARIADB;
  }
}
