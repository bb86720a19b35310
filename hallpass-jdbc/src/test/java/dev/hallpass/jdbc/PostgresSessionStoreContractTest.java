package dev.hallpass.jdbc;

/** The shared store contract on PostgreSQL. */
class PostgresSessionStoreContractTest extends ServerSessionStoreContract {
  @Override
  TestDatabases.Server server() {
    return TestDatabases.Server.POSTGRES;
  }
}
