package dev.hallpass.spi;

import java.time.Instant;
import java.util.Objects;

/**
 * What a {@link SessionStore} writes for a refresh decision, in the transaction that examined the
 * session: nothing, a new refresh state, or the session's deletion.
 */
public sealed interface RefreshWrite {

  /** Change nothing. */
  RefreshWrite KEEP = new Keep();

  /** Delete the session (theft detected, or expired). */
  RefreshWrite DELETE = new Delete();

  /** Leave the session as it is. */
  record Keep() implements RefreshWrite {}

  /** Delete the session. */
  record Delete() implements RefreshWrite {}

  /**
   * Replace the refresh state: the new current token's hash, the hash of the token it was issued
   * for, its child index, when it was issued (the store's time) and the session's new expiry. The
   * new current token is unconfirmed.
   *
   * @param currentRefreshHash SHA-256 hex of the new current refresh token
   * @param parentRefreshHash SHA-256 hex of the token it was issued for
   * @param childIndex which child of the parent it is (0, or more after replacements)
   * @param issuedAt when it was issued, by the store's clock
   * @param expiresAt the session's new expiry
   * @param lastIp the refreshing client's IP address, stored as {@link SessionRecord#lastIp()}
   *     (null: not recorded; replaces the stored one)
   * @param lastUserAgent the refreshing client's User-Agent, stored as {@link
   *     SessionRecord#lastUserAgent()} (null: not recorded)
   */
  record Rotate(
      String currentRefreshHash,
      String parentRefreshHash,
      int childIndex,
      Instant issuedAt,
      Instant expiresAt,
      String lastIp,
      String lastUserAgent)
      implements RefreshWrite {

    /** A rotation that records no client metadata. */
    public Rotate(
        String currentRefreshHash,
        String parentRefreshHash,
        int childIndex,
        Instant issuedAt,
        Instant expiresAt) {
      this(currentRefreshHash, parentRefreshHash, childIndex, issuedAt, expiresAt, null, null);
    }

    /** Checks that every component is present. */
    public Rotate {
      Objects.requireNonNull(currentRefreshHash, "currentRefreshHash");
      Objects.requireNonNull(parentRefreshHash, "parentRefreshHash");
      Objects.requireNonNull(issuedAt, "issuedAt");
      Objects.requireNonNull(expiresAt, "expiresAt");
      if (childIndex < 0) {
        throw new IllegalArgumentException("childIndex must not be negative");
      }
      if (lastIp != null && lastIp.length() > SessionRecord.MAX_IP_LENGTH) {
        throw new IllegalArgumentException("lastIp is too long");
      }
      if (lastUserAgent != null && lastUserAgent.length() > SessionRecord.MAX_USER_AGENT_LENGTH) {
        throw new IllegalArgumentException("lastUserAgent is too long");
      }
    }
  }
}
