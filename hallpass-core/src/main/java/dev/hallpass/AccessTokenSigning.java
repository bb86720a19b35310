package dev.hallpass;

/**
 * How Hallpass signs session access tokens; chosen with {@link
 * Hallpass.Builder#accessTokenSigning(AccessTokenSigning)}.
 *
 * <p>Both algorithms use keys that rotate through the store on the same timeline (a new key is
 * stored before it signs, and a retired key keeps verifying until its last token expired), both are
 * covered by key encryption at rest, and every key is pinned to its algorithm: a token whose header
 * names another algorithm than its key's is refused. An engine verifies tokens of both algorithms
 * signed by keys in its store, so switching a running deployment from one to the other keeps
 * accepting the tokens already issued until they expire.
 */
public enum AccessTokenSigning {
  /**
   * RSA-2048 signatures (about a millisecond of CPU to sign): the keys' public halves are published
   * in the JWKS ({@link Hallpass#getJwks()}), so other services can verify tokens themselves.
   * Needed by the SuperTokens backend SDKs and by hallpass-server. The default.
   */
  RS256,

  /**
   * HMAC-SHA256 with 256-bit secret keys (microseconds to sign and verify): only processes sharing
   * the store can verify tokens, and no key is ever published in the JWKS. For an application that
   * verifies its own tokens in process.
   */
  HS256
}
