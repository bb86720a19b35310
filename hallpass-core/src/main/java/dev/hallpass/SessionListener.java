package dev.hallpass;

/**
 * Told of what happens to sessions: created, refreshed, revoked (with the reason, theft included)
 * and failed verifications. Register with {@code Hallpass.builder().listener(...)}.
 *
 * <p>Guarantees: each event is delivered once to each listener, after the store has committed the
 * change it reports (racing refreshes of one token report one refresh; a replayed token reports one
 * theft), on the thread of the call that caused it. A listener that throws never changes the
 * outcome of that call: the exception is caught and logged (its class and the event kind, never its
 * message, a token or session data), and the other listeners are still called. Listeners should be
 * quick: they run inside the request (hand slow work to an executor).
 *
 * <p>Events for sessions removed without a client present (the background sweep of expired
 * sessions) are not reported: an expired session is reported when its refresh token is presented.
 */
@FunctionalInterface
public interface SessionListener {

  /** Called once per event; see the type's description. */
  void onEvent(SessionEvent event);
}
