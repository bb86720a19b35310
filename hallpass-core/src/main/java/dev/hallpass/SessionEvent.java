package dev.hallpass;

import java.util.Objects;

/**
 * What a {@link SessionListener} is told. Events carry ids and client metadata, never a token or
 * session data; {@link ClientInfo} is the client of the request that caused the event ({@link
 * ClientInfo#UNKNOWN} when the call carried none, or metadata recording is off).
 */
public sealed interface SessionEvent {

  /** The session's user (null for a {@link VerificationFailed}). */
  String userId();

  /** The session's handle (null for a {@link VerificationFailed}). */
  String handle();

  /** Why a session was revoked. */
  enum RevokeReason {
    /** The user signed out ({@link Session#revokeSession()}). */
    SIGN_OUT,
    /** The application revoked it by handle or user ({@code revokeSession}, ...). */
    REVOKED_BY_APP,
    /** A replaced refresh token, or the access token of a replaced one, was presented. */
    THEFT_DETECTED,
    /** Its refresh-token validity ran out (reported when the expired token is presented). */
    EXPIRED,
    /** It was not refreshed within the inactivity timeout. */
    IDLE_TIMEOUT,
    /** It reached the absolute lifetime cap counted from its creation. */
    ABSOLUTE_TIMEOUT
  }

  /** Why an access token was refused by {@code getSession}. */
  enum VerificationFailure {
    /** No access token. */
    MISSING,
    /** Malformed, forged, unknown key or wrong algorithm: UNAUTHORISED. */
    INVALID,
    /** Expired: TRY_REFRESH_TOKEN. */
    EXPIRED,
    /** The anti-CSRF token was missing or wrong: TRY_REFRESH_TOKEN. */
    ANTI_CSRF,
    /** The session is gone (blacklisting or a database check): UNAUTHORISED. */
    REVOKED
  }

  /**
   * A session was created.
   *
   * @param userId the user
   * @param handle the new session's handle
   * @param client the client that signed in
   */
  record Created(String userId, String handle, ClientInfo client) implements SessionEvent {
    /** Checks the components. */
    public Created {
      Objects.requireNonNull(userId, "userId");
      Objects.requireNonNull(handle, "handle");
      Objects.requireNonNull(client, "client");
    }
  }

  /**
   * A refresh rotated the session's refresh token (a racing retry answered with the same new token
   * within the grace period is not a second refresh).
   *
   * @param userId the user
   * @param handle the session
   * @param client the client that refreshed
   */
  record Refreshed(String userId, String handle, ClientInfo client) implements SessionEvent {
    /** Checks the components. */
    public Refreshed {
      Objects.requireNonNull(userId, "userId");
      Objects.requireNonNull(handle, "handle");
      Objects.requireNonNull(client, "client");
    }
  }

  /**
   * A session was revoked (deleted). For {@link RevokeReason#THEFT_DETECTED}, {@code client} is the
   * client that presented the replayed token: what an alert needs with the user and handle.
   *
   * @param userId the user (null only when the application revoked a handle whose session was
   *     deleted by someone else between the read and the delete)
   * @param handle the session
   * @param reason why
   * @param client the client of the request that caused it, or {@link ClientInfo#UNKNOWN}
   */
  record Revoked(String userId, String handle, RevokeReason reason, ClientInfo client)
      implements SessionEvent {
    /** Checks the components. */
    public Revoked {
      Objects.requireNonNull(handle, "handle");
      Objects.requireNonNull(reason, "reason");
      Objects.requireNonNull(client, "client");
    }
  }

  /**
   * {@code getSession} refused an access token.
   *
   * @param reason why
   */
  record VerificationFailed(VerificationFailure reason) implements SessionEvent {
    /** Checks the component. */
    public VerificationFailed {
      Objects.requireNonNull(reason, "reason");
    }

    @Override
    public String userId() {
      return null;
    }

    @Override
    public String handle() {
      return null;
    }
  }
}
