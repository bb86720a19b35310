package dev.hallpass.jdbc;

import dev.hallpass.AccessTokenSigning;

/** The engine-on-store set on PostgreSQL, signing HS256. */
class PostgresHs256EngineOnStoreTest extends PostgresEngineOnStoreTest {
  @Override
  protected AccessTokenSigning signing() {
    return AccessTokenSigning.HS256;
  }
}
