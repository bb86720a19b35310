package dev.hallpass.jdbc;

import dev.hallpass.AccessTokenSigning;

/** The engine-on-store set on the embedded H2 store, signing HS256. */
class H2Hs256EngineOnStoreTest extends H2EngineOnStoreTest {
  @Override
  protected AccessTokenSigning signing() {
    return AccessTokenSigning.HS256;
  }
}
