package dev.hallpass.spi;

import java.time.Instant;
import java.util.Objects;

/**
 * What the engine decided about a session it examined under a row lock in
 * {@link SessionStore#lockAndDecide}: leave it, rotate its refresh token, or delete it. The store
 * applies the decision in the same transaction.
 */
public final class RefreshDecision {

  /** The three outcomes. */
  public enum Kind {
    /** Change nothing. */
    KEEP,
    /** Replace the refresh-token hashes, rotation time and expiry. */
    ROTATE,
    /** Delete the session (theft detected, or expired). */
    DELETE
  }

  private static final RefreshDecision KEEP = new RefreshDecision(Kind.KEEP, null, null, null, null);
  private static final RefreshDecision DELETE =
      new RefreshDecision(Kind.DELETE, null, null, null, null);

  private final Kind kind;
  private final String currentRefreshHash;
  private final String previousRefreshHash;
  private final Instant rotatedAt;
  private final Instant expiresAt;

  private RefreshDecision(
      Kind kind, String current, String previous, Instant rotatedAt, Instant expiresAt) {
    this.kind = kind;
    this.currentRefreshHash = current;
    this.previousRefreshHash = previous;
    this.rotatedAt = rotatedAt;
    this.expiresAt = expiresAt;
  }

  /** Leave the session as it is. */
  public static RefreshDecision keep() {
    return KEEP;
  }

  /** Delete the session. */
  public static RefreshDecision delete() {
    return DELETE;
  }

  /** Rotate: the new current hash, the one it replaces, when, and the new session expiry. */
  public static RefreshDecision rotate(
      String currentRefreshHash, String previousRefreshHash, Instant rotatedAt, Instant expiresAt) {
    return new RefreshDecision(
        Kind.ROTATE,
        Objects.requireNonNull(currentRefreshHash, "currentRefreshHash"),
        Objects.requireNonNull(previousRefreshHash, "previousRefreshHash"),
        Objects.requireNonNull(rotatedAt, "rotatedAt"),
        Objects.requireNonNull(expiresAt, "expiresAt"));
  }

  /** Which outcome. */
  public Kind kind() {
    return kind;
  }

  /** For ROTATE: the new current refresh-token hash. */
  public String currentRefreshHash() {
    return currentRefreshHash;
  }

  /** For ROTATE: the hash of the token being replaced. */
  public String previousRefreshHash() {
    return previousRefreshHash;
  }

  /** For ROTATE: the rotation time. */
  public Instant rotatedAt() {
    return rotatedAt;
  }

  /** For ROTATE: the session's new expiry. */
  public Instant expiresAt() {
    return expiresAt;
  }

  @Override
  public String toString() {
    return "RefreshDecision{" + kind + "}";
  }
}
