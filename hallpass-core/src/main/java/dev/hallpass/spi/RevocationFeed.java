package dev.hallpass.spi;

import java.time.Instant;
import java.util.Map;

/**
 * What a store that can push revocations offers (see {@link SessionStore#revocationFeed()}): with
 * access-token blacklisting on, an engine then answers {@code getSession} from an in-process set of
 * revoked session handles, kept current by this feed, instead of asking the store on every request.
 *
 * <p>What the engine relies on:
 *
 * <ul>
 *   <li><b>Every revocation is recorded.</b> Each session deleted by {@link
 *       SessionStore#deleteSession}, {@link SessionStore#deleteSessions}, {@link
 *       SessionStore#deleteSessionsOfUser} or a {@link RefreshWrite.Delete} of {@link
 *       SessionStore#lockAndDecide} (theft) is recorded with the time of its deletion, on the
 *       store's clock, no later than the deletion becomes visible (in the same transaction, or
 *       before it), so that {@link #revokedSince} returns it. Deletions of expired sessions ({@link
 *       SessionStore#deleteExpiredSessions}) need not be.
 *   <li><b>Every recorded revocation is pushed</b> to every subscriber, in any process, unless the
 *       feed tells that subscriber {@link Listener#onGap()}: a feed that lost its connection, or
 *       cannot tell whether it missed something (no heartbeat answer in time), says so at once. A
 *       feed never stays silent about a revocation it may have missed.
 *   <li>{@link Listener#onSubscribed()} is called once the feed listens (at first and after every
 *       reconnection): every revocation recorded after that call is pushed (or a gap is reported).
 *       The engine then reads what it may have missed with {@link #revokedSince}, and answers from
 *       its set only once that read has completed with no gap since.
 * </ul>
 *
 * <p>Listener methods are called from the feed's own thread, one at a time, and return quickly
 * (they never call the store). A revocation may be pushed more than once.
 */
public interface RevocationFeed {

  /**
   * Starts pushing revocations to the listener, until the subscription is closed. Returns at once;
   * {@link Listener#onSubscribed()} follows once the feed listens, or {@link Listener#onGap()} if
   * it cannot yet (the feed keeps trying to connect).
   */
  Subscription subscribe(Listener listener);

  /**
   * The sessions revoked at or after {@code since} (the store's clock), by handle, with the time
   * each was recorded. A store failure is a GENERAL_ERROR {@code HallpassException}.
   */
  Map<String, Instant> revokedSince(Instant since);

  /**
   * Forgets revocations recorded before {@code cutoff}; returns how many. The engine calls it from
   * its clean-up with the access-token validity plus a margin: an older revocation can no longer
   * matter, since every access token of its session has expired.
   */
  int deleteRevocationsBefore(Instant cutoff);

  /** Receives what a {@link RevocationFeed} pushes. */
  interface Listener {
    /** The session with this handle was revoked. */
    void onRevoked(String handle);

    /** The feed may have missed revocations (it lost its connection, or cannot tell). */
    void onGap();

    /** The feed listens: every revocation from now on is pushed, or a gap is reported. */
    void onSubscribed();
  }

  /** A subscription: closing it stops the pushes and releases the feed's connection. */
  interface Subscription extends AutoCloseable {
    /** Stops the pushes; idempotent; never throws. */
    @Override
    void close();
  }
}
