package dev.hallpass;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hallpass.spi.RevocationFeed;
import dev.hallpass.spi.SessionStore;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Blacklisting with a store that pushes revocations: the engine answers from its set while the feed
 * is known complete, asks the store on every request otherwise (before the first catch-up, after a
 * gap, while a catch-up read fails), and never accepts a revoked session in between. The feed here
 * is a hand-driven one over the in-memory store, so gaps happen exactly when the test says.
 */
class RevocationFeedEngineTest {
  private static final Duration VALIDITY = Duration.ofMinutes(10);

  private final TestClock clock = new TestClock(Instant.parse("2026-05-01T00:00:00Z"));
  private final SessionStore memory = SessionStores.inMemory(clock);
  private final HandFeed feed = new HandFeed();
  private final AtomicInteger liveChecks = new AtomicInteger();
  private Hallpass engine;

  @AfterEach
  void close() {
    if (engine != null) {
      engine.close();
    }
  }

  /** The in-memory store with the hand-driven feed; counts isSessionLive; records deletions. */
  private SessionStore store() {
    return (SessionStore)
        Proxy.newProxyInstance(
            SessionStore.class.getClassLoader(),
            new Class<?>[] {SessionStore.class},
            (proxy, method, args) -> {
              switch (method.getName()) {
                case "revocationFeed":
                  return Optional.of(feed);
                case "isSessionLive":
                  liveChecks.incrementAndGet();
                  break;
                default:
              }
              try {
                Object r = method.invoke(memory, args);
                if (method.getName().equals("deleteSession") && (Boolean) r) {
                  feed.record((String) args[0], clock.instant());
                }
                return r;
              } catch (InvocationTargetException e) {
                throw e.getCause();
              }
            });
  }

  private Hallpass engine() {
    engine =
        Hallpass.builder()
            .store(store())
            .clock(clock)
            .accessTokenValidity(VALIDITY)
            .accessTokenBlacklisting(true)
            .verifiedTokenCacheSize(0)
            .disableBackgroundCleanup()
            .build();
    return engine;
  }

  private static void await(BooleanSupplier condition) throws InterruptedException {
    for (int i = 0; i < 500 && !condition.getAsBoolean(); i++) {
      Thread.sleep(10); // bounded: 5 s at most for the background catch-up read
    }
    assertThat(condition.getAsBoolean()).as("condition within 5 s").isTrue();
  }

  private RevokedSet set() {
    return ((Engine) engine).revokedSet();
  }

  private static void assertRevoked(Hallpass h, Session s) {
    assertThatThrownBy(() -> h.getSession(s.getAccessToken(), null, false))
        .isInstanceOfSatisfying(
            HallpassException.class,
            e -> assertThat(e.getType()).isEqualTo(HallpassException.Type.UNAUTHORISED));
  }

  @Test
  void getSession_withCaughtUpFeed_asksTheStoreNothing() throws Exception {
    Hallpass h = engine();
    Session s = h.createNewSession("alice", Map.of(), Map.of());
    feed.subscribed();
    await(() -> set().trusted());
    liveChecks.set(0);
    for (int i = 0; i < 100; i++) {
      assertThat(h.getSession(s.getAccessToken(), null, false).getUserId()).isEqualTo("alice");
    }
    assertThat(liveChecks.get()).isZero();
  }

  @Test
  void getSession_beforeTheFirstCatchUp_asksTheStore() {
    Hallpass h = engine();
    Session s = h.createNewSession("alice", Map.of(), Map.of());
    // No onSubscribed yet: the feed is not known to be listening.
    memory.deleteSession(s.getHandle()); // revoked behind the engine's back, nothing pushed
    assertRevoked(h, s);
    assertThat(liveChecks.get()).isEqualTo(1);
  }

  @Test
  void getSession_pushedRevocation_isRefusedFromTheSet() throws Exception {
    Hallpass h = engine();
    Session s = h.createNewSession("alice", Map.of(), Map.of());
    feed.subscribed();
    await(() -> set().trusted());
    memory.deleteSession(s.getHandle());
    feed.push(s.getHandle());
    liveChecks.set(0);
    assertRevoked(h, s);
    assertThat(liveChecks.get()).isZero();
  }

  @Test
  void getSession_afterAGap_asksTheStoreUntilCaughtUp_andLearnsWhatWasMissed() throws Exception {
    Hallpass h = engine();
    Session lost = h.createNewSession("alice", Map.of(), Map.of());
    Session kept = h.createNewSession("bob", Map.of(), Map.of());
    feed.subscribed();
    await(() -> set().trusted());

    feed.gap();
    // Revoked in another process while the connection was down: recorded, never pushed.
    memory.deleteSession(lost.getHandle());
    feed.record(lost.getHandle(), clock.instant());
    liveChecks.set(0);
    assertRevoked(h, lost);
    assertThat(h.getSession(kept.getAccessToken(), null, false).getUserId()).isEqualTo("bob");
    assertThat(liveChecks.get()).isEqualTo(2);

    feed.subscribed();
    await(() -> set().trusted());
    liveChecks.set(0);
    assertRevoked(h, lost); // from the catch-up read
    assertThat(h.getSession(kept.getAccessToken(), null, false).getUserId()).isEqualTo("bob");
    assertThat(liveChecks.get()).isZero();
    assertThat(feed.sinceAsked).last().matches(t -> !t.isAfter(clock.instant().minusSeconds(60)));
  }

  @Test
  void failingCatchUpRead_keepsAskingTheStore_untilARetrySucceeds() throws Exception {
    Hallpass h = engine();
    Session s = h.createNewSession("alice", Map.of(), Map.of());
    feed.failReads.set(true);
    feed.subscribed();
    await(() -> feed.sinceAsked.size() >= 1);
    assertThat(set().trusted()).isFalse();
    liveChecks.set(0);
    h.getSession(s.getAccessToken(), null, false);
    assertThat(liveChecks.get()).isEqualTo(1);
    feed.failReads.set(false);
    await(() -> set().trusted()); // the retry, a second later
  }

  @Test
  void gapDuringCatchUp_leavesTheSetUntrusted() throws Exception {
    Hallpass h = engine();
    h.createNewSession("alice", Map.of(), Map.of());
    feed.gapDuringRead.set(true);
    feed.subscribed();
    await(() -> feed.sinceAsked.size() >= 1);
    Thread.sleep(50); // the read has returned; bounded
    assertThat(set().trusted()).isFalse();
    feed.subscribed(); // reconnected
    await(() -> set().trusted());
  }

  @Test
  void revokeInThisProcess_countsAtOnce_evenWithoutAPush() throws Exception {
    Hallpass h = engine();
    Session s = h.createNewSession("alice", Map.of(), Map.of());
    feed.subscribed();
    await(() -> set().trusted());
    h.revokeSession(s.getHandle());
    liveChecks.set(0);
    assertRevoked(h, s);
    assertThat(liveChecks.get()).isZero();
  }

  @Test
  void entries_expireWithTheInjectedClock_afterValidityPlusMargin() throws Exception {
    Hallpass h = engine();
    Session s = h.createNewSession("alice", Map.of(), Map.of());
    feed.subscribed();
    await(() -> set().trusted());
    feed.push(s.getHandle());
    assertThat(set().size()).isEqualTo(1);

    clock.advance(VALIDITY.plus(RevokedSet.MARGIN).minusMillis(1));
    set().forgetExpired();
    assertThat(set().size()).isEqualTo(1);
    assertThat(set().isRevoked(s.getHandle(), clock.millis())).isTrue();

    clock.advance(Duration.ofMillis(1));
    h.cleanUp();
    assertThat(set().size()).isZero();
    assertThat(feed.prunedBefore)
        .last()
        .isEqualTo(clock.instant().minus(VALIDITY).minus(RevokedSet.MARGIN));
  }

  @Test
  void blacklistingOff_neverSubscribes() {
    engine = Hallpass.builder().store(store()).clock(clock).disableBackgroundCleanup().build();
    assertThat(feed.listeners).isEmpty();
    assertThat(((Engine) engine).revokedSet()).isNull();
  }

  @Test
  void close_closesTheSubscription() {
    engine().close();
    engine = null;
    assertThat(feed.closed.get()).isTrue();
  }

  /** A feed driven by the test. */
  static final class HandFeed implements RevocationFeed {
    final List<Listener> listeners = new CopyOnWriteArrayList<>();
    final Map<String, Instant> history = new ConcurrentHashMap<>();
    final List<Instant> sinceAsked = new CopyOnWriteArrayList<>();
    final List<Instant> prunedBefore = new CopyOnWriteArrayList<>();
    final AtomicBoolean failReads = new AtomicBoolean();
    final AtomicBoolean gapDuringRead = new AtomicBoolean();
    final AtomicBoolean closed = new AtomicBoolean();

    @Override
    public Subscription subscribe(Listener listener) {
      listeners.add(listener);
      return () -> closed.set(true);
    }

    @Override
    public Map<String, Instant> revokedSince(Instant since) {
      sinceAsked.add(since);
      if (failReads.get()) {
        throw HallpassException.generalError("read failed", null);
      }
      if (gapDuringRead.getAndSet(false)) {
        gap();
      }
      Map<String, Instant> out = new java.util.HashMap<>();
      history.forEach(
          (h, t) -> {
            if (!t.isBefore(since)) {
              out.put(h, t);
            }
          });
      return out;
    }

    @Override
    public int deleteRevocationsBefore(Instant cutoff) {
      prunedBefore.add(cutoff);
      return 0;
    }

    void record(String handle, Instant at) {
      history.put(handle, at);
    }

    void push(String handle) {
      listeners.forEach(l -> l.onRevoked(handle));
    }

    void gap() {
      listeners.forEach(Listener::onGap);
    }

    void subscribed() {
      listeners.forEach(Listener::onSubscribed);
    }
  }
}
