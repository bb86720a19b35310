package dev.hallpass;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * What the store knows about one session. {@link #toString()} leaves out the session data and
 * payload, which may be sensitive.
 */
public final class SessionInformation {

  private final String handle;
  private final String userId;
  private final String tenantId;
  private final Instant createdAt;
  private final Instant expiresAt;
  private final Map<String, Object> sessionData;
  private final Map<String, Object> jwtPayload;

  /** Creates the value; the maps are copied and made unmodifiable. */
  public SessionInformation(
      String handle,
      String userId,
      String tenantId,
      Instant createdAt,
      Instant expiresAt,
      Map<String, Object> sessionData,
      Map<String, Object> jwtPayload) {
    this.handle = Objects.requireNonNull(handle, "handle");
    this.userId = Objects.requireNonNull(userId, "userId");
    this.tenantId = Objects.requireNonNull(tenantId, "tenantId");
    this.createdAt = Objects.requireNonNull(createdAt, "createdAt");
    this.expiresAt = Objects.requireNonNull(expiresAt, "expiresAt");
    this.sessionData =
        java.util.Collections.unmodifiableMap(
            new java.util.LinkedHashMap<>(Objects.requireNonNull(sessionData, "sessionData")));
    this.jwtPayload =
        java.util.Collections.unmodifiableMap(
            new java.util.LinkedHashMap<>(Objects.requireNonNull(jwtPayload, "jwtPayload")));
  }

  /** The session's handle. */
  public String getHandle() {
    return handle;
  }

  /** The user the session belongs to. */
  public String getUserId() {
    return userId;
  }

  /** The session's tenant. */
  public String getTenantId() {
    return tenantId;
  }

  /** When the session was created. */
  public Instant getCreatedAt() {
    return createdAt;
  }

  /** When the session expires unless it is refreshed before then. */
  public Instant getExpiresAt() {
    return expiresAt;
  }

  /** The server-side session data (unmodifiable). */
  public Map<String, Object> getSessionData() {
    return sessionData;
  }

  /** The application's claims that the next access token will carry (unmodifiable). */
  public Map<String, Object> getJWTPayload() {
    return jwtPayload;
  }

  @Override
  public String toString() {
    return "SessionInformation{handle="
        + handle
        + ", tenantId="
        + tenantId
        + ", createdAt="
        + createdAt
        + ", expiresAt="
        + expiresAt
        + ", sessionData=<redacted>, jwtPayload=<redacted>}";
  }
}
