package dev.hallpass.testkit;

import dev.hallpass.AccessTokenSigning;

/** The engine-on-store set on the in-memory store, signing HS256. */
class InMemoryHs256EngineOnStoreTest extends InMemoryEngineOnStoreTest {
  @Override
  protected AccessTokenSigning signing() {
    return AccessTokenSigning.HS256;
  }
}
