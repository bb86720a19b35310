package dev.hallpass;

import dev.hallpass.spi.RefreshWrite;
import dev.hallpass.spi.SessionRecord;
import dev.hallpass.spi.SessionStore;
import dev.hallpass.spi.SigningKeyRecord;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.UnaryOperator;

/**
 * A {@link SessionStore} in this process's memory. Per-session atomicity comes from {@link
 * ConcurrentMap#compute}, which also serializes {@link #lockAndDecide} per handle. Its clock is the
 * one given at construction, shared by every engine using the store.
 */
final class InMemorySessionStore implements SessionStore {
  private final ConcurrentMap<String, SessionRecord> sessions = new ConcurrentHashMap<>();
  private final ConcurrentMap<Long, SigningKeyRecord> keys = new ConcurrentHashMap<>();
  private final Clock clock;
  private volatile boolean closed;

  /** An empty store on this clock. */
  InMemorySessionStore(Clock clock) {
    this.clock = clock;
  }

  @Override
  public void insertSession(SessionRecord session) {
    java.util.Objects.requireNonNull(session, "session");
    open();
    if (sessions.putIfAbsent(session.handle(), session) != null) {
      throw HallpassException.generalError("duplicate session handle", null);
    }
  }

  @Override
  public Optional<SessionRecord> findSession(String handle) {
    open();
    return Optional.ofNullable(sessions.get(handle));
  }

  @Override
  public boolean isSessionLive(String handle, String userId, Instant now) {
    java.util.Objects.requireNonNull(handle, "handle");
    java.util.Objects.requireNonNull(userId, "userId");
    open();
    SessionRecord r = sessions.get(handle);
    return r != null && r.userId().equals(userId) && r.expiresAt().isAfter(now);
  }

  @Override
  public Optional<String> findSessionData(String handle, Instant now) {
    open();
    SessionRecord r = sessions.get(handle);
    return r != null && r.expiresAt().isAfter(now)
        ? Optional.of(r.sessionDataJson())
        : Optional.empty();
  }

  @Override
  public boolean updateSessionData(String handle, String sessionDataJson, Instant now) {
    java.util.Objects.requireNonNull(sessionDataJson, "sessionDataJson");
    return updateLive(handle, now, r -> r.withSessionData(sessionDataJson));
  }

  @Override
  public boolean updateJwtPayload(String handle, String jwtPayloadJson, Instant now) {
    java.util.Objects.requireNonNull(jwtPayloadJson, "jwtPayloadJson");
    return updateLive(handle, now, r -> r.withJwtPayload(jwtPayloadJson));
  }

  /** Applies {@code change} to a live session; a null change leaves it and reports false. */
  private boolean updateLive(String handle, Instant now, UnaryOperator<SessionRecord> change) {
    java.util.Objects.requireNonNull(handle, "handle");
    java.util.Objects.requireNonNull(now, "now");
    open();
    boolean[] updated = new boolean[1];
    sessions.computeIfPresent(
        handle,
        (h, r) -> {
          if (!r.expiresAt().isAfter(now)) {
            return r;
          }
          SessionRecord changed = change.apply(r);
          updated[0] = changed != null;
          return changed != null ? changed : r;
        });
    return updated[0];
  }

  @Override
  public <D extends RefreshDecision> D lockAndDecide(String handle, RefreshRule<D> rule) {
    java.util.Objects.requireNonNull(handle, "handle");
    java.util.Objects.requireNonNull(rule, "rule");
    open();
    Object[] applied = new Object[1];
    sessions.compute(
        handle,
        (h, r) -> {
          D d = rule.decide(r, clock.instant().truncatedTo(ChronoUnit.MILLIS));
          if (d == null) {
            throw HallpassException.generalError("the refresh decision was null", null);
          }
          RefreshWrite w = d.write();
          if (w == null) {
            throw HallpassException.generalError("the refresh decision's write was null", null);
          }
          d.beforeWrite();
          applied[0] = d;
          if (r == null) {
            return null;
          }
          if (w instanceof RefreshWrite.Delete) {
            return null;
          }
          return w instanceof RefreshWrite.Rotate rotate ? r.rotated(rotate) : r;
        });
    @SuppressWarnings("unchecked") // the only value stored is the rule's D
    D d = (D) applied[0];
    return d;
  }

  @Override
  public boolean confirmRefreshToken(String handle, String currentRefreshHash, Instant now) {
    java.util.Objects.requireNonNull(currentRefreshHash, "currentRefreshHash");
    return updateLive(
        handle,
        now,
        r ->
            Crypto.secretEquals(r.currentRefreshHash(), currentRefreshHash)
                ? r.withConfirmed()
                : null);
  }

  @Override
  public boolean deleteSession(String handle) {
    open();
    return sessions.remove(handle) != null;
  }

  @Override
  public List<String> deleteSessions(Collection<String> handles) {
    java.util.Objects.requireNonNull(handles, "handles");
    for (String h : handles) { // all checked before any is deleted
      java.util.Objects.requireNonNull(h, "handle");
    }
    open();
    List<String> deleted = new ArrayList<>();
    for (String h : handles) {
      if (sessions.remove(h) != null) {
        deleted.add(h);
      }
    }
    return deleted;
  }

  @Override
  public List<String> deleteSessionsOfUser(String userId) {
    java.util.Objects.requireNonNull(userId, "userId");
    open();
    List<String> deleted = new ArrayList<>();
    sessions.forEach(
        (h, r) -> {
          if (r.userId().equals(userId) && sessions.remove(h, r)) {
            deleted.add(h);
          }
        });
    return deleted;
  }

  @Override
  public List<String> deleteSessionsOfUser(String tenantId, String userId) {
    java.util.Objects.requireNonNull(tenantId, "tenantId");
    java.util.Objects.requireNonNull(userId, "userId");
    open();
    List<String> deleted = new ArrayList<>();
    sessions.forEach(
        (h, r) -> {
          if (r.userId().equals(userId) && r.tenantId().equals(tenantId) && sessions.remove(h, r)) {
            deleted.add(h);
          }
        });
    return deleted;
  }

  @Override
  public List<String> findLiveHandlesOfUser(String userId, Instant now) {
    return liveHandles(null, userId, now);
  }

  @Override
  public List<String> findLiveHandlesOfUser(String tenantId, String userId, Instant now) {
    java.util.Objects.requireNonNull(tenantId, "tenantId");
    return liveHandles(tenantId, userId, now);
  }

  /** A user's live handles in one tenant, or in all when tenantId is null. */
  private List<String> liveHandles(String tenantId, String userId, Instant now) {
    open();
    java.util.Objects.requireNonNull(userId, "userId");
    java.util.Objects.requireNonNull(now, "now");
    List<SessionRecord> live = new ArrayList<>();
    sessions.forEach(
        (h, r) -> {
          if (r.userId().equals(userId)
              && (tenantId == null || r.tenantId().equals(tenantId))
              && r.expiresAt().isAfter(now)) {
            live.add(r);
          }
        });
    live.sort(Comparator.comparing(SessionRecord::createdAt).thenComparing(SessionRecord::handle));
    List<String> handles = new ArrayList<>(live.size());
    for (SessionRecord r : live) {
      handles.add(r.handle());
    }
    return handles;
  }

  @Override
  public int deleteExpiredSessions(Instant now, int limit) {
    java.util.Objects.requireNonNull(now, "now");
    open();
    List<SessionRecord> expired = new ArrayList<>();
    for (SessionRecord r : sessions.values()) {
      if (!r.expiresAt().isAfter(now)) {
        expired.add(r);
      }
    }
    expired.sort(
        Comparator.comparing(SessionRecord::expiresAt).thenComparing(SessionRecord::handle));
    int n = 0;
    for (SessionRecord r : expired) {
      if (n >= limit) {
        break;
      }
      // remove(key, value): a session refreshed meanwhile is a new value and survives
      if (sessions.remove(r.handle(), r)) {
        n++;
      }
    }
    return n;
  }

  @Override
  public List<SigningKeyRecord> loadSigningKeys() {
    open();
    List<SigningKeyRecord> all = new ArrayList<>(keys.values());
    all.sort(Comparator.comparingLong(SigningKeyRecord::generation));
    return all;
  }

  @Override
  public synchronized boolean insertSigningKey(SigningKeyRecord key) {
    java.util.Objects.requireNonNull(key, "key");
    open();
    if (keys.containsKey(key.generation())) {
      return false;
    }
    for (SigningKeyRecord k : keys.values()) {
      if (k.kid().equals(key.kid())) {
        throw HallpassException.generalError("a signing key with this kid exists already", null);
      }
    }
    keys.put(key.generation(), key);
    return true;
  }

  @Override
  public int deleteSigningKeysRetiredBefore(Instant cutoff) {
    open();
    int n = 0;
    for (SigningKeyRecord k : keys.values()) {
      if (k.signsUntil().isBefore(cutoff) && keys.remove(k.generation(), k)) {
        n++;
      }
    }
    return n;
  }

  @Override
  public boolean replaceRefreshKey(String handle, String expected, String replacement) {
    java.util.Objects.requireNonNull(handle, "handle");
    java.util.Objects.requireNonNull(expected, "expected");
    java.util.Objects.requireNonNull(replacement, "replacement");
    open();
    boolean[] replaced = new boolean[1];
    sessions.computeIfPresent(
        handle,
        (h, r) -> {
          if (!Crypto.secretEquals(r.refreshKey(), expected)) {
            return r;
          }
          replaced[0] = true;
          return r.withRefreshKey(replacement);
        });
    return replaced[0];
  }

  @Override
  public synchronized boolean replaceSigningPrivateKey(
      String kid, String expected, String replacement) {
    java.util.Objects.requireNonNull(kid, "kid");
    java.util.Objects.requireNonNull(expected, "expected");
    java.util.Objects.requireNonNull(replacement, "replacement");
    open();
    for (SigningKeyRecord k : keys.values()) {
      if (k.kid().equals(kid) && Crypto.secretEquals(k.privateKeyPkcs8(), expected)) {
        return keys.replace(
            k.generation(),
            k,
            new SigningKeyRecord(
                k.kid(),
                k.generation(),
                replacement,
                k.publicKeyX509(),
                k.createdAt(),
                k.signsFrom(),
                k.signsUntil()));
      }
    }
    return false;
  }

  @Override
  public void close() {
    closed = true;
  }

  private void open() {
    if (closed) {
      throw HallpassException.generalError("the session store is closed", null);
    }
  }
}
