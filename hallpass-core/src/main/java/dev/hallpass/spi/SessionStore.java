package dev.hallpass.spi;

import dev.hallpass.internal.InMemorySessionStore;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * Where Hallpass keeps sessions and signing keys: the one storage SPI.
 *
 * <p>Every implementation passes the shared contract suite in {@code hallpass-testkit}. Rules:
 *
 * <ul>
 *   <li>Methods are thread-safe and each is atomic.
 *   <li>A failure of the underlying storage is thrown as {@code HallpassException} of type
 *       GENERAL_ERROR with the cause chained; no driver exception escapes.
 *   <li>Strings are stored and returned exactly (case, unicode, quotes, length).
 *   <li>"Live" means {@code expiresAt > now}; expired sessions may linger until
 *       {@link #deleteExpiredSessions} but are never reported as live.
 * </ul>
 */
public interface SessionStore extends AutoCloseable {

  /** A store in this process's memory: for tests and quick starts; nothing survives a restart. */
  static SessionStore inMemory() {
    return new InMemorySessionStore();
  }

  /** Stores a new session. The handle is new (random); a duplicate is a GENERAL_ERROR. */
  void insertSession(SessionRecord session);

  /** The session with this handle, live or not, or empty. */
  Optional<SessionRecord> findSession(String handle);

  /** Whether a live session has this handle. Called on every request when blacklisting is on. */
  boolean isSessionLive(String handle, Instant now);

  /** The session data of a live session, or empty. */
  Optional<String> findSessionData(String handle, Instant now);

  /** Replaces a live session's data; false when there is no live session with this handle. */
  boolean updateSessionData(String handle, String sessionDataJson, Instant now);

  /** Replaces a live session's payload; false when there is no live session with this handle. */
  boolean updateJwtPayload(String handle, String jwtPayloadJson, Instant now);

  /**
   * Runs {@code decide} on the session with this handle (or on null when there is none) while
   * holding an exclusive lock on it, applies the returned decision, and commits; all in one
   * transaction on one connection. {@code decide} is pure computation: it must not call the store.
   * Concurrent calls for the same handle are serialized, so each sees the previous one's result.
   *
   * @return the decision that was applied
   */
  RefreshDecision lockAndDecide(String handle, Function<SessionRecord, RefreshDecision> decide);

  /** Deletes one session; true if it existed. */
  boolean deleteSession(String handle);

  /** Deletes the given sessions; returns the handles that existed. */
  List<String> deleteSessions(Collection<String> handles);

  /** Deletes all sessions of a user; returns their handles. */
  List<String> deleteSessionsOfUser(String userId);

  /** The handles of a user's live sessions. */
  List<String> findLiveHandlesOfUser(String userId, Instant now);

  /** Deletes up to {@code limit} sessions that expired at or before {@code now}; returns how many. */
  int deleteExpiredSessions(Instant now, int limit);

  /** All stored signing keys, in generation order. */
  List<SigningKeyRecord> loadSigningKeys();

  /**
   * Stores a signing key unless one of its generation exists already (another process won the
   * race). Returns true if this key was stored.
   */
  boolean insertSigningKey(SigningKeyRecord key);

  /** Deletes keys whose {@code signsUntil} is before {@code cutoff}; returns how many. */
  int deleteSigningKeysRetiredBefore(Instant cutoff);

  /** Releases the store's resources (connection pool); the store is unusable afterwards. */
  @Override
  void close();
}
