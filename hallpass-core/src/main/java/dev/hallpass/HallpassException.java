package dev.hallpass;

import java.util.Objects;

/**
 * The one exception type of Hallpass's session operations.
 *
 * <p>{@link #getType()} tells a caller what to do: {@link Type#UNAUTHORISED}, {@link
 * Type#TRY_REFRESH_TOKEN} and {@link Type#TOKEN_THEFT_DETECTED} are about the caller's credentials
 * (answer them with the session-expired status, 401 by default), while {@link Type#GENERAL_ERROR}
 * means Hallpass itself failed (a database error, say; answer 500). A database failure is always
 * {@code GENERAL_ERROR} with the driver's exception as its cause.
 *
 * <p>Messages never contain tokens or session data, so they are safe to log.
 */
public final class HallpassException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /** What went wrong, with the numeric codes of the SuperTokens protocol. */
  public enum Type {
    /** Hallpass could not do its work (storage down, misconfiguration). Not the caller's fault. */
    GENERAL_ERROR(1000),
    /** There is no valid session: sign in again. */
    UNAUTHORISED(2000),
    /** The access token expired (or lacks its anti-CSRF token): call refresh, then retry. */
    TRY_REFRESH_TOKEN(3000),
    /** A refresh token was replayed: the session has been revoked. */
    TOKEN_THEFT_DETECTED(4000);

    private final int code;

    Type(int code) {
      this.code = code;
    }

    /** The numeric code used by the SuperTokens protocol (1000, 2000, 3000, 4000). */
    public int code() {
      return code;
    }
  }

  private final Type type;
  private final String userId;
  private final String sessionHandle;

  private HallpassException(
      Type type, String message, Throwable cause, String userId, String sessionHandle) {
    super(message, cause);
    this.type = Objects.requireNonNull(type, "type");
    this.userId = userId;
    this.sessionHandle = sessionHandle;
  }

  /** Hallpass failed for a reason that is not the caller's: the cause is chained. */
  public static HallpassException generalError(String message, Throwable cause) {
    return new HallpassException(Type.GENERAL_ERROR, message, cause, null, null);
  }

  /** The presented credentials do not identify a live session. */
  public static HallpassException unauthorised(String message) {
    return new HallpassException(Type.UNAUTHORISED, message, null, null, null);
  }

  /** The access token can no longer be used; a refresh may give a new one. */
  public static HallpassException tryRefreshToken(String message) {
    return new HallpassException(Type.TRY_REFRESH_TOKEN, message, null, null, null);
  }

  /** A replayed refresh token; the session it belonged to has been revoked. */
  public static HallpassException tokenTheftDetected(String userId, String sessionHandle) {
    return new HallpassException(
        Type.TOKEN_THEFT_DETECTED,
        "refresh token reuse detected: the session has been revoked",
        null,
        Objects.requireNonNull(userId, "userId"),
        Objects.requireNonNull(sessionHandle, "sessionHandle"));
  }

  /** What went wrong, and so what the caller should answer. */
  public Type getType() {
    return type;
  }

  /** The user whose session was revoked: only for {@link Type#TOKEN_THEFT_DETECTED}, else null. */
  public String getUserId() {
    return userId;
  }

  /** The revoked session's handle: only for {@link Type#TOKEN_THEFT_DETECTED}, else null. */
  public String getSessionHandle() {
    return sessionHandle;
  }

  /**
   * True when {@code t} is a Hallpass error about the caller's credentials (UNAUTHORISED,
   * TRY_REFRESH_TOKEN or TOKEN_THEFT_DETECTED), which a web layer answers with the session-expired
   * status; false for GENERAL_ERROR and for any other throwable.
   */
  public static boolean isErrorFromAuth(Throwable t) {
    return t instanceof HallpassException && ((HallpassException) t).type != Type.GENERAL_ERROR;
  }
}
