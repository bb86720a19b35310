package dev.hallpass.spi;

import java.time.Instant;
import java.util.Objects;

/**
 * One stored session, as a {@link SessionStore} keeps it. Immutable.
 *
 * <p>Refresh tokens are never stored, only their SHA-256 hashes (lower-case hex). The refresh key is
 * a per-session HMAC key (base64url) that authenticates and derives the session's refresh tokens;
 * alone it yields no token. Session data and payload are JSON object texts. Times have millisecond
 * precision. {@link #toString()} shows no secret and no data.
 */
public final class SessionRecord {

  private final String handle;
  private final String tenantId;
  private final String userId;
  private final String sessionDataJson;
  private final String jwtPayloadJson;
  private final Instant createdAt;
  private final Instant expiresAt;
  private final String refreshKey;
  private final String currentRefreshHash;
  private final String previousRefreshHash;
  private final Instant rotatedAt;

  /**
   * Creates the record. {@code previousRefreshHash} and {@code rotatedAt} are null until the first
   * refresh; every other argument is required.
   */
  public SessionRecord(
      String handle,
      String tenantId,
      String userId,
      String sessionDataJson,
      String jwtPayloadJson,
      Instant createdAt,
      Instant expiresAt,
      String refreshKey,
      String currentRefreshHash,
      String previousRefreshHash,
      Instant rotatedAt) {
    this.handle = Objects.requireNonNull(handle, "handle");
    this.tenantId = Objects.requireNonNull(tenantId, "tenantId");
    this.userId = Objects.requireNonNull(userId, "userId");
    this.sessionDataJson = Objects.requireNonNull(sessionDataJson, "sessionDataJson");
    this.jwtPayloadJson = Objects.requireNonNull(jwtPayloadJson, "jwtPayloadJson");
    this.createdAt = Objects.requireNonNull(createdAt, "createdAt");
    this.expiresAt = Objects.requireNonNull(expiresAt, "expiresAt");
    this.refreshKey = Objects.requireNonNull(refreshKey, "refreshKey");
    this.currentRefreshHash = Objects.requireNonNull(currentRefreshHash, "currentRefreshHash");
    this.previousRefreshHash = previousRefreshHash;
    this.rotatedAt = rotatedAt;
  }

  /** The session's handle (primary key). */
  public String handle() {
    return handle;
  }

  /** The tenant, {@code "public"} by default. */
  public String tenantId() {
    return tenantId;
  }

  /** The user id, any string of at most 512 UTF-16 units without NUL. */
  public String userId() {
    return userId;
  }

  /** The session data, a JSON object. */
  public String sessionDataJson() {
    return sessionDataJson;
  }

  /** The application's access-token claims, a JSON object. */
  public String jwtPayloadJson() {
    return jwtPayloadJson;
  }

  /** When the session was created. */
  public Instant createdAt() {
    return createdAt;
  }

  /** When the session expires (extended by each refresh). */
  public Instant expiresAt() {
    return expiresAt;
  }

  /** The per-session refresh-token key, base64url. Secret. */
  public String refreshKey() {
    return refreshKey;
  }

  /** SHA-256 hex of the current refresh token. */
  public String currentRefreshHash() {
    return currentRefreshHash;
  }

  /** SHA-256 hex of the refresh token that the current one replaced, or null. */
  public String previousRefreshHash() {
    return previousRefreshHash;
  }

  /** When the current refresh token replaced the previous one, or null. */
  public Instant rotatedAt() {
    return rotatedAt;
  }

  /** A copy with new session data. */
  public SessionRecord withSessionData(String json) {
    return new SessionRecord(handle, tenantId, userId, json, jwtPayloadJson, createdAt, expiresAt,
        refreshKey, currentRefreshHash, previousRefreshHash, rotatedAt);
  }

  /** A copy with a new payload. */
  public SessionRecord withJwtPayload(String json) {
    return new SessionRecord(handle, tenantId, userId, sessionDataJson, json, createdAt, expiresAt,
        refreshKey, currentRefreshHash, previousRefreshHash, rotatedAt);
  }

  /** A copy after a rotation. */
  public SessionRecord rotated(RefreshDecision rotation) {
    return new SessionRecord(handle, tenantId, userId, sessionDataJson, jwtPayloadJson, createdAt,
        rotation.expiresAt(), refreshKey, rotation.currentRefreshHash(),
        rotation.previousRefreshHash(), rotation.rotatedAt());
  }

  @Override
  public String toString() {
    return "SessionRecord{handle=" + handle + ", tenantId=" + tenantId + ", createdAt=" + createdAt
        + ", expiresAt=" + expiresAt + ", <secrets and data redacted>}";
  }
}
