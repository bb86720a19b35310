package dev.hallpass;

import java.time.Instant;
import java.util.Objects;

/**
 * One of a user's live sessions as {@link Hallpass#getAllSessionsForUser} lists it, for a "your
 * devices" page: when it began and was last refreshed, and the client's IP address and User-Agent
 * at those times (null when not recorded: the engine records them only with {@code
 * recordClientMetadata(true)}). Carries no session data, payload or token. The IP addresses and
 * User-Agents are personal data; {@link #toString()} leaves them out.
 *
 * @param handle the session's handle, what {@link Hallpass#revokeSession} takes
 * @param userId the user
 * @param tenantId the tenant
 * @param createdAt when the session was created
 * @param lastRefreshedAt when its refresh token was last rotated, or null before the first refresh
 * @param expiresAt when it expires unless refreshed
 * @param createdIp the client's IP address at creation, or null
 * @param createdUserAgent the client's User-Agent at creation, or null
 * @param lastIp the client's IP address at the last refresh, or null
 * @param lastUserAgent the client's User-Agent at the last refresh, or null
 */
public record SessionSummary(
    String handle,
    String userId,
    String tenantId,
    Instant createdAt,
    Instant lastRefreshedAt,
    Instant expiresAt,
    String createdIp,
    String createdUserAgent,
    String lastIp,
    String lastUserAgent) {

  /** Checks that the identifying components and times are present. */
  public SessionSummary {
    Objects.requireNonNull(handle, "handle");
    Objects.requireNonNull(userId, "userId");
    Objects.requireNonNull(tenantId, "tenantId");
    Objects.requireNonNull(createdAt, "createdAt");
    Objects.requireNonNull(expiresAt, "expiresAt");
  }

  /** When the session was last active: the last refresh, or its creation. */
  public Instant lastActiveAt() {
    return lastRefreshedAt != null ? lastRefreshedAt : createdAt;
  }

  @Override
  public String toString() {
    return "SessionSummary{handle="
        + handle
        + ", tenantId="
        + tenantId
        + ", createdAt="
        + createdAt
        + ", lastRefreshedAt="
        + lastRefreshedAt
        + ", expiresAt="
        + expiresAt
        + ", <personal data redacted>}";
  }
}
