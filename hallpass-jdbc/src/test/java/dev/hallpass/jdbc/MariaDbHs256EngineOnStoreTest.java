package dev.hallpass.jdbc;

import dev.hallpass.AccessTokenSigning;

/** The engine-on-store set on MariaDB, signing HS256. */
class MariaDbHs256EngineOnStoreTest extends MariaDbEngineOnStoreTest {
  @Override
  protected AccessTokenSigning signing() {
    return AccessTokenSigning.HS256;
  }
}
