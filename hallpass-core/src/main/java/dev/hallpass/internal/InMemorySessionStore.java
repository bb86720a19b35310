package dev.hallpass.internal;

import dev.hallpass.HallpassException;
import dev.hallpass.spi.RefreshDecision;
import dev.hallpass.spi.SessionRecord;
import dev.hallpass.spi.SessionStore;
import dev.hallpass.spi.SigningKeyRecord;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * A {@link SessionStore} in this process's memory. Per-session atomicity comes from
 * {@link ConcurrentMap#compute}, which also serializes {@link #lockAndDecide} per handle.
 */
public final class InMemorySessionStore implements SessionStore {
  private final ConcurrentMap<String, SessionRecord> sessions = new ConcurrentHashMap<>();
  private final ConcurrentMap<Long, SigningKeyRecord> keys = new ConcurrentHashMap<>();
  private volatile boolean closed;

  /** An empty store. */
  public InMemorySessionStore() {}

  @Override
  public void insertSession(SessionRecord session) {
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
  public boolean isSessionLive(String handle, Instant now) {
    open();
    SessionRecord r = sessions.get(handle);
    return r != null && r.expiresAt().isAfter(now);
  }

  @Override
  public Optional<String> findSessionData(String handle, Instant now) {
    open();
    SessionRecord r = sessions.get(handle);
    return r != null && r.expiresAt().isAfter(now)
        ? Optional.of(r.sessionDataJson()) : Optional.empty();
  }

  @Override
  public boolean updateSessionData(String handle, String sessionDataJson, Instant now) {
    return updateLive(handle, now, r -> r.withSessionData(sessionDataJson));
  }

  @Override
  public boolean updateJwtPayload(String handle, String jwtPayloadJson, Instant now) {
    return updateLive(handle, now, r -> r.withJwtPayload(jwtPayloadJson));
  }

  private boolean updateLive(String handle, Instant now, UnaryOperator<SessionRecord> change) {
    open();
    boolean[] updated = new boolean[1];
    sessions.computeIfPresent(handle, (h, r) -> {
      if (!r.expiresAt().isAfter(now)) {
        return r;
      }
      updated[0] = true;
      return change.apply(r);
    });
    return updated[0];
  }

  @Override
  public RefreshDecision lockAndDecide(
      String handle, Function<SessionRecord, RefreshDecision> decide) {
    open();
    RefreshDecision[] applied = new RefreshDecision[1];
    sessions.compute(handle, (h, r) -> {
      RefreshDecision d = decide.apply(r);
      applied[0] = d;
      if (r == null) {
        return null;
      }
      switch (d.kind()) {
        case DELETE:
          return null;
        case ROTATE:
          return r.rotated(d);
        default:
          return r;
      }
    });
    return applied[0];
  }

  @Override
  public boolean deleteSession(String handle) {
    open();
    return sessions.remove(handle) != null;
  }

  @Override
  public List<String> deleteSessions(Collection<String> handles) {
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
    open();
    List<String> deleted = new ArrayList<>();
    sessions.forEach((h, r) -> {
      if (r.userId().equals(userId) && sessions.remove(h, r)) {
        deleted.add(h);
      }
    });
    return deleted;
  }

  @Override
  public List<String> findLiveHandlesOfUser(String userId, Instant now) {
    open();
    List<String> handles = new ArrayList<>();
    sessions.forEach((h, r) -> {
      if (r.userId().equals(userId) && r.expiresAt().isAfter(now)) {
        handles.add(h);
      }
    });
    return handles;
  }

  @Override
  public int deleteExpiredSessions(Instant now, int limit) {
    open();
    int n = 0;
    for (SessionRecord r : sessions.values()) {
      if (n >= limit) {
        break;
      }
      if (!r.expiresAt().isAfter(now) && sessions.remove(r.handle(), r)) {
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
  public boolean insertSigningKey(SigningKeyRecord key) {
    open();
    return keys.putIfAbsent(key.generation(), key) == null;
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
  public void close() {
    closed = true;
  }

  private void open() {
    if (closed) {
      throw HallpassException.generalError("the session store is closed", null);
    }
  }
}
