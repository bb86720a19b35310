package dev.hallpass.micrometer;

import dev.hallpass.spi.SessionRecord;
import dev.hallpass.spi.SessionStore;
import dev.hallpass.spi.SigningKeyRecord;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/** A {@link SessionStore} that times every call of the one it wraps; nothing else changes. */
final class TimedSessionStore implements SessionStore {
  private final SessionStore store;
  private final MeterRegistry registry;

  TimedSessionStore(SessionStore store, MeterRegistry registry) {
    this.store = store;
    this.registry = registry;
  }

  private <T> T timed(String operation, Supplier<T> call) {
    long start = System.nanoTime();
    String outcome = "error";
    try {
      T result = call.get();
      outcome = "success";
      return result;
    } finally {
      long nanos = System.nanoTime() - start;
      Timer.builder(HallpassMetrics.STORE_CALLS)
          .description("Session-store calls, by operation and outcome")
          .tag("operation", operation)
          .tag("outcome", outcome)
          .register(registry)
          .record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
    }
  }

  @Override
  public void insertSession(SessionRecord session) {
    timed(
        "insertSession",
        () -> {
          store.insertSession(session);
          return null;
        });
  }

  @Override
  public Optional<SessionRecord> findSession(String handle) {
    return timed("findSession", () -> store.findSession(handle));
  }

  @Override
  public boolean isSessionLive(String handle, String userId, Instant now) {
    return timed("isSessionLive", () -> store.isSessionLive(handle, userId, now));
  }

  @Override
  public Optional<String> findSessionData(String handle, Instant now) {
    return timed("findSessionData", () -> store.findSessionData(handle, now));
  }

  @Override
  public boolean updateSessionData(String handle, String sessionDataJson, Instant now) {
    return timed("updateSessionData", () -> store.updateSessionData(handle, sessionDataJson, now));
  }

  @Override
  public boolean updateJwtPayload(String handle, String jwtPayloadJson, Instant now) {
    return timed("updateJwtPayload", () -> store.updateJwtPayload(handle, jwtPayloadJson, now));
  }

  @Override
  public <D extends RefreshDecision> D lockAndDecide(String handle, RefreshRule<D> rule) {
    return timed("lockAndDecide", () -> store.lockAndDecide(handle, rule));
  }

  @Override
  public boolean confirmRefreshToken(String handle, String currentRefreshHash, Instant now) {
    return timed(
        "confirmRefreshToken", () -> store.confirmRefreshToken(handle, currentRefreshHash, now));
  }

  @Override
  public boolean deleteSession(String handle) {
    return timed("deleteSession", () -> store.deleteSession(handle));
  }

  @Override
  public List<String> deleteSessions(Collection<String> handles) {
    return timed("deleteSessions", () -> store.deleteSessions(handles));
  }

  @Override
  public List<String> deleteSessionsOfUser(String userId) {
    return timed("deleteSessionsOfUser", () -> store.deleteSessionsOfUser(userId));
  }

  @Override
  public List<String> findLiveHandlesOfUser(String userId, Instant now) {
    return timed("findLiveHandlesOfUser", () -> store.findLiveHandlesOfUser(userId, now));
  }

  @Override
  public List<SessionRecord> findLiveSessionsOfUser(String userId, Instant now) {
    return timed("findLiveSessionsOfUser", () -> store.findLiveSessionsOfUser(userId, now));
  }

  @Override
  public int deleteExpiredSessions(Instant now, int limit) {
    return timed("deleteExpiredSessions", () -> store.deleteExpiredSessions(now, limit));
  }

  @Override
  public List<SigningKeyRecord> loadSigningKeys() {
    return timed("loadSigningKeys", store::loadSigningKeys);
  }

  @Override
  public boolean insertSigningKey(SigningKeyRecord key) {
    return timed("insertSigningKey", () -> store.insertSigningKey(key));
  }

  @Override
  public int deleteSigningKeysRetiredBefore(Instant cutoff) {
    return timed(
        "deleteSigningKeysRetiredBefore", () -> store.deleteSigningKeysRetiredBefore(cutoff));
  }

  @Override
  public boolean replaceRefreshKey(String handle, String expected, String replacement) {
    return timed("replaceRefreshKey", () -> store.replaceRefreshKey(handle, expected, replacement));
  }

  @Override
  public boolean replaceSigningPrivateKey(String kid, String expected, String replacement) {
    return timed(
        "replaceSigningPrivateKey",
        () -> store.replaceSigningPrivateKey(kid, expected, replacement));
  }

  @Override
  public void close() {
    store.close();
  }

  @Override
  public String toString() {
    return "Timed(" + store + ")";
  }
}
