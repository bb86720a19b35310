package dev.hallpass.server;

/**
 * The request is malformed (missing field, wrong type, invalid JSON, too large): answered with HTTP
 * 400 and the message as plain text. Messages name fields, never their values.
 */
final class BadRequest extends RuntimeException {
  private static final long serialVersionUID = 1L;

  BadRequest(String message) {
    super(message, null, false, false);
  }
}
