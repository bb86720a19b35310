package dev.hallpass.spi;

import java.time.Instant;
import java.util.Objects;

/**
 * One stored session, as a {@link SessionStore} keeps it. Immutable.
 *
 * <p>Refresh tokens are never stored, only their SHA-256 hashes (lower-case hex). The refresh key
 * is a per-session HMAC key that authenticates and derives the session's refresh tokens; alone it
 * yields no token. It is opaque text of at most 255 ASCII characters: the key in base64url, or,
 * with key encryption on, the key encrypted under the application's key-encryption key. Session
 * data and payload are JSON object texts. Times have millisecond precision. {@link #toString()}
 * shows no secret and no data.
 *
 * <p>The refresh state follows the rotation rules of the session model: {@code currentRefreshHash}
 * is the newest token issued (C), {@code parentRefreshHash} the token it was issued for (P, null
 * before the first refresh), {@code issuedAt} when C was issued (null before the first refresh),
 * {@code childIndex} which of P's children C is (0 for the first, incremented when an unused child
 * is replaced), and {@code confirmed} whether the client has been seen using C.
 *
 * @param handle the session's handle (primary key)
 * @param tenantId the tenant, {@code "public"} by default
 * @param userId the user id, any string of at most 512 UTF-16 units without NUL
 * @param sessionDataJson the session data, a JSON object
 * @param jwtPayloadJson the application's access-token claims, a JSON object
 * @param createdAt when the session was created
 * @param expiresAt when the session expires (extended by each refresh)
 * @param refreshKey the per-session refresh-token key (base64url, or encrypted); secret
 * @param currentRefreshHash SHA-256 hex of the current refresh token (C)
 * @param parentRefreshHash SHA-256 hex of the token C was issued for (P), or null
 * @param issuedAt when C was issued by a refresh, or null
 * @param childIndex which child of P the current token is; 0 unless an unused child was replaced
 * @param confirmed whether the client has been seen using C (true at creation)
 * @param createdIp the client's IP address at creation (at most 45 characters), or null when not
 *     recorded; personal data
 * @param createdUserAgent the client's User-Agent at creation (at most 512 characters), or null;
 *     personal data
 * @param lastIp the client's IP address at the last refresh that rotated the token (then {@code
 *     issuedAt} is when), or null; personal data
 * @param lastUserAgent the client's User-Agent at that refresh, or null; personal data
 */
public record SessionRecord(
    String handle,
    String tenantId,
    String userId,
    String sessionDataJson,
    String jwtPayloadJson,
    Instant createdAt,
    Instant expiresAt,
    String refreshKey,
    String currentRefreshHash,
    String parentRefreshHash,
    Instant issuedAt,
    int childIndex,
    boolean confirmed,
    String createdIp,
    String createdUserAgent,
    String lastIp,
    String lastUserAgent) {

  /** The longest IP address a store must keep (an IPv6 address with an IPv4 tail). */
  public static final int MAX_IP_LENGTH = 45;

  /** The longest User-Agent a store must keep. */
  public static final int MAX_USER_AGENT_LENGTH = 512;

  /** A session without client metadata (as stored before metadata existed). */
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
      String parentRefreshHash,
      Instant issuedAt,
      int childIndex,
      boolean confirmed) {
    this(
        handle,
        tenantId,
        userId,
        sessionDataJson,
        jwtPayloadJson,
        createdAt,
        expiresAt,
        refreshKey,
        currentRefreshHash,
        parentRefreshHash,
        issuedAt,
        childIndex,
        confirmed,
        null,
        null,
        null,
        null);
  }

  /** Checks that every required component is present and the child index is not negative. */
  public SessionRecord {
    Objects.requireNonNull(handle, "handle");
    Objects.requireNonNull(tenantId, "tenantId");
    Objects.requireNonNull(userId, "userId");
    Objects.requireNonNull(sessionDataJson, "sessionDataJson");
    Objects.requireNonNull(jwtPayloadJson, "jwtPayloadJson");
    Objects.requireNonNull(createdAt, "createdAt");
    Objects.requireNonNull(expiresAt, "expiresAt");
    Objects.requireNonNull(refreshKey, "refreshKey");
    Objects.requireNonNull(currentRefreshHash, "currentRefreshHash");
    if (childIndex < 0) {
      throw new IllegalArgumentException("childIndex must not be negative");
    }
    checkLength(createdIp, MAX_IP_LENGTH, "createdIp");
    checkLength(lastIp, MAX_IP_LENGTH, "lastIp");
    checkLength(createdUserAgent, MAX_USER_AGENT_LENGTH, "createdUserAgent");
    checkLength(lastUserAgent, MAX_USER_AGENT_LENGTH, "lastUserAgent");
  }

  private static void checkLength(String value, int max, String name) {
    if (value != null && value.length() > max) {
      throw new IllegalArgumentException(name + " is longer than " + max + " characters");
    }
  }

  /** A new session: no refresh yet, its first refresh token counts as received. */
  public static SessionRecord created(
      String handle,
      String tenantId,
      String userId,
      String sessionDataJson,
      String jwtPayloadJson,
      Instant createdAt,
      Instant expiresAt,
      String refreshKey,
      String currentRefreshHash) {
    return new SessionRecord(
        handle,
        tenantId,
        userId,
        sessionDataJson,
        jwtPayloadJson,
        createdAt,
        expiresAt,
        refreshKey,
        currentRefreshHash,
        null,
        null,
        0,
        true,
        null,
        null,
        null,
        null);
  }

  /**
   * A copy with the client metadata recorded at creation (IP address and User-Agent, each null when
   * unknown or not recorded).
   */
  public SessionRecord withCreatedClient(String ip, String userAgent) {
    return new SessionRecord(
        handle,
        tenantId,
        userId,
        sessionDataJson,
        jwtPayloadJson,
        createdAt,
        expiresAt,
        refreshKey,
        currentRefreshHash,
        parentRefreshHash,
        issuedAt,
        childIndex,
        confirmed,
        ip,
        userAgent,
        lastIp,
        lastUserAgent);
  }

  /** A copy with new session data. */
  public SessionRecord withSessionData(String json) {
    return new SessionRecord(
        handle,
        tenantId,
        userId,
        json,
        jwtPayloadJson,
        createdAt,
        expiresAt,
        refreshKey,
        currentRefreshHash,
        parentRefreshHash,
        issuedAt,
        childIndex,
        confirmed,
        createdIp,
        createdUserAgent,
        lastIp,
        lastUserAgent);
  }

  /** A copy with a new payload. */
  public SessionRecord withJwtPayload(String json) {
    return new SessionRecord(
        handle,
        tenantId,
        userId,
        sessionDataJson,
        json,
        createdAt,
        expiresAt,
        refreshKey,
        currentRefreshHash,
        parentRefreshHash,
        issuedAt,
        childIndex,
        confirmed,
        createdIp,
        createdUserAgent,
        lastIp,
        lastUserAgent);
  }

  /** A copy with another stored form of the refresh key (re-encrypted; the key is the same). */
  public SessionRecord withRefreshKey(String storedRefreshKey) {
    return new SessionRecord(
        handle,
        tenantId,
        userId,
        sessionDataJson,
        jwtPayloadJson,
        createdAt,
        expiresAt,
        storedRefreshKey,
        currentRefreshHash,
        parentRefreshHash,
        issuedAt,
        childIndex,
        confirmed,
        createdIp,
        createdUserAgent,
        lastIp,
        lastUserAgent);
  }

  /** A copy with the current refresh token marked as received. */
  public SessionRecord withConfirmed() {
    return new SessionRecord(
        handle,
        tenantId,
        userId,
        sessionDataJson,
        jwtPayloadJson,
        createdAt,
        expiresAt,
        refreshKey,
        currentRefreshHash,
        parentRefreshHash,
        issuedAt,
        childIndex,
        true,
        createdIp,
        createdUserAgent,
        lastIp,
        lastUserAgent);
  }

  /** A copy after a rotation: the new refresh state, unconfirmed. */
  public SessionRecord rotated(RefreshWrite.Rotate r) {
    return new SessionRecord(
        handle,
        tenantId,
        userId,
        sessionDataJson,
        jwtPayloadJson,
        createdAt,
        r.expiresAt(),
        refreshKey,
        r.currentRefreshHash(),
        r.parentRefreshHash(),
        r.issuedAt(),
        r.childIndex(),
        false,
        createdIp,
        createdUserAgent,
        r.lastIp(),
        r.lastUserAgent());
  }

  @Override
  public String toString() {
    return "SessionRecord{handle="
        + handle
        + ", tenantId="
        + tenantId
        + ", createdAt="
        + createdAt
        + ", expiresAt="
        + expiresAt
        + ", <secrets and data redacted>}";
  }
}
