package dev.hallpass;

import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * A bounded, lock-free cache of verified access tokens: a direct-mapped table where a newer token
 * simply replaces whatever shared its slot. A hit costs a short hash, one array read and one string
 * comparison, with no allocation. Entries are the verified claims, so the caller still checks
 * expiry, key retirement and (when on) the session's existence on every hit.
 */
final class TokenCache {
  private final AtomicReferenceArray<AccessTokens.Verified> slots;
  private final int mask;

  TokenCache(int requestedSize) {
    int size = Integer.highestOneBit(Math.max(1, requestedSize - 1)) << 1;
    this.slots = new AtomicReferenceArray<>(size);
    this.mask = size - 1;
  }

  AccessTokens.Verified get(String token) {
    AccessTokens.Verified v = slots.get(index(token));
    return v != null && same(v.token, token) ? v : null;
  }

  /**
   * Constant time: a slot holds another client's token, and String.equals would tell, by its time,
   * how long a prefix of it a probe guessed. The same instance is a match at once.
   */
  private static boolean same(String cached, String presented) {
    return cached == presented || Crypto.secretEquals(cached, presented);
  }

  void put(AccessTokens.Verified v) {
    slots.set(index(v.token), v);
  }

  void remove(String token) {
    int i = index(token);
    AccessTokens.Verified v = slots.get(i);
    if (v != null && same(v.token, token)) {
      slots.compareAndSet(i, v, null);
    }
  }

  /**
   * Hashes only the token's last characters (its signature, random and not chosen by a client) so a
   * hit on a token that arrived as a new String does not hash all of it.
   */
  private int index(String token) {
    int h = 0;
    for (int i = Math.max(0, token.length() - 16); i < token.length(); i++) {
      h = 31 * h + token.charAt(i);
    }
    return (h ^ (h >>> 16)) & mask;
  }
}
