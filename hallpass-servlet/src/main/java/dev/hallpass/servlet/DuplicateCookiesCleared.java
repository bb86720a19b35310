package dev.hallpass.servlet;

/**
 * Thrown by {@link HallpassWeb#refreshSession} after it cleared the duplicate session cookies of
 * the older cookie domain; the {@link HallpassFilter} answers it with 200 and a JSON {@code
 * message}, keeping the SDK's session. An exception rather than a return value because it must pass
 * through application code and {@link HallpassWeb} decorators between the filter and the engine,
 * which see only {@code refreshSession}'s contract.
 */
final class DuplicateCookiesCleared extends RuntimeException {
  private static final long serialVersionUID = 1L;

  DuplicateCookiesCleared() {
    // A signal, not a failure: no stack trace.
    super(HallpassFilter.DUPLICATES_CLEARED, null, false, false);
  }
}
