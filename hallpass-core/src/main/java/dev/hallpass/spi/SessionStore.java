package dev.hallpass.spi;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Where Hallpass keeps sessions and signing keys: the one storage SPI.
 *
 * <p>Every implementation passes the store compatibility kit in {@code hallpass-testkit}, which
 * calls these methods directly. The rules the engine relies on:
 *
 * <ul>
 *   <li>Every method is thread-safe and atomic; several processes may share one store.
 *   <li>A failure of the underlying storage is thrown as {@code dev.hallpass.HallpassException} of
 *       type GENERAL_ERROR with the cause chained and no secret or session data in its message; no
 *       driver exception escapes. Null arguments are a {@link NullPointerException}.
 *   <li>Strings are stored and returned exactly (case, unicode, quotes, trailing spaces, length up
 *       to the documented maxima: user id 512, tenant id 128 characters). Times are kept to the
 *       millisecond.
 *   <li>"Live" means {@code expiresAt > now}; expired sessions may linger until {@link
 *       #deleteExpiredSessions} but are never reported or changed as live.
 *   <li>Handles are unique: inserting a session whose handle exists is a GENERAL_ERROR and leaves
 *       the stored one unchanged.
 *   <li>{@link #lockAndDecide} serializes per handle and runs its rule with the store's clock (see
 *       there). Refresh timing never depends on the clocks of the processes using the store.
 *   <li>Signing keys: one per generation and one per kid. Inserting a key of an existing generation
 *       returns false and stores nothing (another process won the race); inserting a key of a new
 *       generation whose kid exists is a GENERAL_ERROR.
 *   <li>After {@link #close()} every method fails with GENERAL_ERROR.
 * </ul>
 */
public interface SessionStore extends AutoCloseable {

  /** Stores a new session. The handle is new (random); a duplicate is a GENERAL_ERROR. */
  void insertSession(SessionRecord session);

  /** The session with this handle, live or not, or empty. */
  Optional<SessionRecord> findSession(String handle);

  /**
   * Whether a live session has this handle and belongs to this user. Called on every request when
   * blacklisting is on, so it should be one indexed read.
   */
  boolean isSessionLive(String handle, String userId, Instant now);

  /** The session data of a live session, or empty. */
  Optional<String> findSessionData(String handle, Instant now);

  /** Replaces a live session's data; false when there is no live session with this handle. */
  boolean updateSessionData(String handle, String sessionDataJson, Instant now);

  /** Replaces a live session's payload; false when there is no live session with this handle. */
  boolean updateJwtPayload(String handle, String jwtPayloadJson, Instant now);

  /**
   * Examines the session with this handle and applies what the rule decides, as one atomic step per
   * handle: the refresh of a session.
   *
   * <ol>
   *   <li>The store reads the session and its own clock: for a database, the database server's time
   *       read with the session, so that all processes using the store agree on it. It either holds
   *       an exclusive lock on the session from this read to the commit, or reads without one and
   *       writes only if the session is unchanged since (a compare-and-set), deciding again on the
   *       new state when it changed.
   *   <li>It calls {@code rule.decide(session, now)} with the session (null when there is none,
   *       expired sessions included as they are) and that time. The rule is a pure function: it
   *       neither calls the store nor has other effects, and the store may call it again when it
   *       retries (a deadlock, a serialization failure, a lost compare-and-set); only the last
   *       call's decision counts, and the earlier ones' {@code beforeWrite()} work is discarded.
   *   <li>It calls the decision's {@link RefreshDecision#beforeWrite()}, then applies its {@link
   *       RefreshDecision#write()} to the session it examined ({@link RefreshWrite.Keep}: nothing;
   *       {@link RefreshWrite.Rotate}: replace the refresh state and expiry, unconfirmed; {@link
   *       RefreshWrite.Delete}: delete), commits, and only then returns the decision. When there
   *       was no session nothing is written.
   * </ol>
   *
   * <p>Concurrent calls for the same handle are serialized: each sees the previous one's result (a
   * decision that writes nothing may take effect at the instant of its read). A {@link
   * RuntimeException} from the rule propagates unchanged and nothing is written; a null decision or
   * a null {@code write()} is a GENERAL_ERROR and nothing is written.
   *
   * @return the decision that was applied and committed
   */
  <D extends RefreshDecision> D lockAndDecide(String handle, RefreshRule<D> rule);

  /**
   * Marks a live session's current refresh token as received by the client: one conditional write,
   * and idempotent. Returns true when the session is live and its current refresh-token hash is
   * {@code currentRefreshHash} (it is then confirmed, whether it was already or not); false
   * otherwise, changing nothing.
   */
  boolean confirmRefreshToken(String handle, String currentRefreshHash, Instant now);

  /** Deletes one session; true if it existed. */
  boolean deleteSession(String handle);

  /** Deletes the given sessions; returns the handles that existed, in the order given. */
  List<String> deleteSessions(Collection<String> handles);

  /** Deletes all sessions of a user, live or expired; returns their handles. */
  List<String> deleteSessionsOfUser(String userId);

  /**
   * The handles of a user's live sessions, oldest first: by creation time, then by handle in binary
   * (UTF-16 code unit) order.
   */
  List<String> findLiveHandlesOfUser(String userId, Instant now);

  /**
   * Deletes all sessions of a user in one tenant, live or expired; returns their handles. The
   * user's sessions in other tenants are kept.
   *
   * <p>The default reads each of the user's sessions to learn its tenant, then deletes by handle (a
   * session inserted meanwhile is neither deleted nor reported); stores override it with one query.
   */
  default List<String> deleteSessionsOfUser(String tenantId, String userId) {
    Objects.requireNonNull(tenantId, "tenantId");
    // Instant.EPOCH: every session is "live" after 1970, expired ones included.
    List<String> inTenant = inTenant(tenantId, findLiveHandlesOfUser(userId, Instant.EPOCH));
    return inTenant.isEmpty() ? List.of() : deleteSessions(inTenant);
  }

  /**
   * The handles of a user's live sessions in one tenant, in the order of {@link
   * #findLiveHandlesOfUser(String, Instant)}.
   *
   * <p>The default filters that method's result by reading each session; stores override it with
   * one query.
   */
  default List<String> findLiveHandlesOfUser(String tenantId, String userId, Instant now) {
    Objects.requireNonNull(tenantId, "tenantId");
    return inTenant(tenantId, findLiveHandlesOfUser(userId, now));
  }

  private List<String> inTenant(String tenantId, List<String> handles) {
    List<String> kept = new ArrayList<>(handles.size());
    for (String h : handles) {
      if (findSession(h).map(r -> r.tenantId().equals(tenantId)).orElse(false)) {
        kept.add(h);
      }
    }
    return kept;
  }

  /**
   * A user's live sessions, in the order of {@link #findLiveHandlesOfUser}, with their client
   * metadata: what an application lists as "your devices". The default reads each handle that
   * {@link #findLiveHandlesOfUser} returns with {@link #findSession} and skips those no longer live
   * at {@code now}; a store may answer it in one query.
   */
  default List<SessionRecord> findLiveSessionsOfUser(String userId, Instant now) {
    List<SessionRecord> live = new ArrayList<>();
    for (String handle : findLiveHandlesOfUser(userId, now)) {
      findSession(handle).filter(r -> r.expiresAt().isAfter(now)).ifPresent(live::add);
    }
    return live;
  }

  /**
   * Deletes up to {@code limit} sessions that expired at or before {@code now}, oldest expiry
   * first; returns how many. A session that is live by then is never deleted.
   */
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

  /**
   * Replaces the stored refresh key of the session with this handle (live or not) if it is still
   * exactly {@code expected}: a compare-and-set. The engine calls it to store the same key
   * encrypted under a new key-encryption key, never to change the key. Returns true if replaced;
   * false, changing nothing, if there is no such session or its key is no longer {@code expected}.
   *
   * <p>The default throws {@link UnsupportedOperationException} (stores written before this method
   * existed): the engine then logs a warning once and leaves stored values as they are, so that
   * keys stored in plaintext or under an older key-encryption key stay so until their sessions end.
   */
  default boolean replaceRefreshKey(String handle, String expected, String replacement) {
    throw new UnsupportedOperationException(getClass().getName() + ".replaceRefreshKey");
  }

  /**
   * Replaces the stored private key of the signing key {@code kid} if it is still exactly {@code
   * expected}: a compare-and-set, as {@link #replaceRefreshKey}; the other fields never change.
   * Returns true if replaced; false, changing nothing, otherwise. The default throws {@link
   * UnsupportedOperationException}, with the same consequence as there.
   */
  default boolean replaceSigningPrivateKey(String kid, String expected, String replacement) {
    throw new UnsupportedOperationException(getClass().getName() + ".replaceSigningPrivateKey");
  }

  /**
   * The store's push of revocations to other processes, if it has one: with access-token
   * blacklisting on, the engine then checks revocation in memory instead of calling {@link
   * #isSessionLive} on every request. Empty (the default): the engine asks the store on every
   * request. The store owns the feed; it is closed with the store.
   */
  default Optional<RevocationFeed> revocationFeed() {
    return Optional.empty();
  }

  /** Releases the store's resources (connection pool); the store is unusable afterwards. */
  @Override
  void close();

  /**
   * A refresh rule: decides what to do with a session examined under its lock.
   *
   * @param <D> the decision type
   */
  @FunctionalInterface
  interface RefreshRule<D extends RefreshDecision> {
    /**
     * Decides, without side effects.
     *
     * @param session the locked session, or null when there is none
     * @param now the store's current time
     */
    D decide(SessionRecord session, Instant now);
  }

  /** A decision of a {@link RefreshRule}: whatever it carries, plus what the store must write. */
  interface RefreshDecision {
    /** What the store writes for this decision. */
    RefreshWrite write();

    /**
     * Called by the store once the rule has returned this decision, before it writes and commits
     * it: a chance to start work whose result matters only if the decision commits (the engine
     * starts signing the new access token here, so that the signature overlaps the write). The
     * decision may still fail to commit, and a retried transaction calls it again on a new
     * decision, so what it starts must be safe to discard or repeat. It must not call the store.
     * Default: nothing.
     */
    default void beforeWrite() {}
  }
}
