package dev.hallpass.testkit;

import dev.hallpass.spi.SessionRecord;
import dev.hallpass.spi.SessionStore;
import dev.hallpass.spi.SigningKeyRecord;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A {@link SessionStore} decorator that counts session calls, so tests can prove which operations
 * touch the database (signing-key calls are not counted).
 */
public final class CountingStore implements SessionStore {
  private final SessionStore delegate;
  private final AtomicInteger calls = new AtomicInteger();

  /** Wraps {@code delegate}. */
  public CountingStore(SessionStore delegate) {
    this.delegate = delegate;
  }

  /** Session calls made so far. */
  public int calls() {
    return calls.get();
  }

  private void count() {
    calls.incrementAndGet();
  }

  @Override
  public void insertSession(SessionRecord session) {
    count();
    delegate.insertSession(session);
  }

  @Override
  public Optional<SessionRecord> findSession(String handle) {
    count();
    return delegate.findSession(handle);
  }

  @Override
  public boolean isSessionLive(String handle, String userId, Instant now) {
    count();
    return delegate.isSessionLive(handle, userId, now);
  }

  @Override
  public Optional<String> findSessionData(String handle, Instant now) {
    count();
    return delegate.findSessionData(handle, now);
  }

  @Override
  public boolean updateSessionData(String handle, String json, Instant now) {
    count();
    return delegate.updateSessionData(handle, json, now);
  }

  @Override
  public boolean updateJwtPayload(String handle, String json, Instant now) {
    count();
    return delegate.updateJwtPayload(handle, json, now);
  }

  @Override
  public <D extends RefreshDecision> D lockAndDecide(String handle, RefreshRule<D> rule) {
    count();
    return delegate.lockAndDecide(handle, rule);
  }

  @Override
  public boolean confirmRefreshToken(String handle, String currentRefreshHash, Instant now) {
    count();
    return delegate.confirmRefreshToken(handle, currentRefreshHash, now);
  }

  @Override
  public boolean deleteSession(String handle) {
    count();
    return delegate.deleteSession(handle);
  }

  @Override
  public List<String> deleteSessions(Collection<String> handles) {
    count();
    return delegate.deleteSessions(handles);
  }

  @Override
  public List<String> deleteSessionsOfUser(String userId) {
    count();
    return delegate.deleteSessionsOfUser(userId);
  }

  @Override
  public List<String> findLiveHandlesOfUser(String userId, Instant now) {
    count();
    return delegate.findLiveHandlesOfUser(userId, now);
  }

  @Override
  public int deleteExpiredSessions(Instant now, int limit) {
    count();
    return delegate.deleteExpiredSessions(now, limit);
  }

  @Override
  public List<SigningKeyRecord> loadSigningKeys() {
    return delegate.loadSigningKeys();
  }

  @Override
  public boolean insertSigningKey(SigningKeyRecord key) {
    return delegate.insertSigningKey(key);
  }

  @Override
  public int deleteSigningKeysRetiredBefore(Instant cutoff) {
    return delegate.deleteSigningKeysRetiredBefore(cutoff);
  }

  @Override
  public boolean replaceRefreshKey(String handle, String expected, String replacement) {
    count();
    return delegate.replaceRefreshKey(handle, expected, replacement);
  }

  @Override
  public boolean replaceSigningPrivateKey(String kid, String expected, String replacement) {
    return delegate.replaceSigningPrivateKey(kid, expected, replacement);
  }

  @Override
  public void close() {
    delegate.close();
  }
}
