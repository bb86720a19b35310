package dev.hallpass.loadtest;

import java.util.Objects;

/**
 * What one simulated browser holds of its session: the access and refresh tokens (in the demo: the
 * {@code sAccessToken} and {@code sRefreshToken} cookies) and, for the server, the session handle.
 * Secrets: {@link #toString()} never shows them.
 */
final class Tokens {
  private final String access;
  private final String refresh;
  private final String handle;

  Tokens(String access, String refresh, String handle) {
    this.access = access;
    this.refresh = refresh;
    this.handle = handle;
  }

  String access() {
    return access;
  }

  String refresh() {
    return refresh;
  }

  /** The session handle, or null where the protocol does not hand it to the client (demo). */
  String handle() {
    return handle;
  }

  Tokens withAccess(String newAccess) {
    return new Tokens(newAccess, refresh, handle);
  }

  Tokens withRefresh(String newRefresh) {
    return new Tokens(access, newRefresh, handle);
  }

  /** Same refresh token: whether two refresh answers converged on one child. */
  boolean sameRefresh(Tokens other) {
    return other != null && Objects.equals(refresh, other.refresh);
  }

  @Override
  public String toString() {
    return "Tokens[redacted]";
  }
}
