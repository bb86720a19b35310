package dev.hallpass.loadtest;

import com.fasterxml.jackson.databind.JsonNode;

/** How a target answered one call, classified; the browser decides what it means. */
sealed interface Answer {

  /**
   * Success. {@code tokens}: what the browser holds after this answer (updated by a refresh or a
   * re-issued access token, null after a sign-out); {@code body}: the JSON answer, which may carry
   * tokens and is never printed.
   */
  record Ok(Tokens tokens, JsonNode body) implements Answer {
    @Override
    public String toString() {
      return "OK";
    }
  }

  /** The access token has expired: refresh, then call again. */
  record TryRefresh() implements Answer {}

  /** No valid session. */
  record Unauthorised() implements Answer {}

  /** TOKEN_THEFT_DETECTED (the session was revoked); {@code call} names where it came from. */
  record Theft(String call) implements Answer {}

  /** An HTTP 5xx answer. */
  record ServerError(String call, int status) implements Answer {}

  /** Anything else (a 4xx, an unknown status field); the description carries no token. */
  record Unexpected(String description) implements Answer {}
}
