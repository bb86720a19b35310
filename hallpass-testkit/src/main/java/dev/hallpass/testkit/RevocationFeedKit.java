package dev.hallpass.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hallpass.Hallpass;
import dev.hallpass.HallpassException;
import dev.hallpass.HallpassException.Type;
import dev.hallpass.Session;
import dev.hallpass.spi.RevocationFeed;
import dev.hallpass.spi.SessionStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The checks every store offering a {@link RevocationFeed} passes, with two stores on one database
 * standing for two processes: each revocation path (one session, several, a user's, theft) is
 * pushed to the other store's subscriber and returned by {@code revokedSince}; pruning forgets old
 * ones; and an engine on the second store, with blacklisting on, refuses a session revoked through
 * the first without calling its store per request.
 *
 * <p>Waits are bounded (5 s) polls for what crosses processes; time in the stores moves only
 * through {@link #clock}.
 */
public abstract class RevocationFeedKit {
  /** Where the test clock starts. */
  protected static final Instant START = Instant.parse("2026-02-01T00:00:00Z");

  /** The engines' access-token validity. */
  protected static final Duration ACCESS = Duration.ofMinutes(10);

  /** The stores' and engines' clock. */
  protected MutableClock clock;

  private final List<AutoCloseable> toClose = new ArrayList<>();

  /** A fresh, empty store with a feed, whose clock is {@code storeClock}; the kit closes it. */
  protected abstract SessionStore newStore(Clock storeClock);

  /** A second store on the database of the last {@link #newStore} (another process). */
  protected abstract SessionStore newStoreOnSameDatabase(Clock storeClock);

  @BeforeEach
  void startClock() {
    clock = new MutableClock(START);
  }

  @AfterEach
  void closeAll() throws Exception {
    for (int i = toClose.size() - 1; i >= 0; i--) {
      try {
        toClose.get(i).close();
      } catch (RuntimeException e) {
        // closed by its engine already
      }
    }
    toClose.clear();
  }

  private <T extends AutoCloseable> T closeLater(T c) {
    toClose.add(c);
    return c;
  }

  private Hallpass engine(SessionStore store, boolean blacklisting) {
    return closeLater(
        Hallpass.builder()
            .store(store)
            .clock(clock)
            .accessTokenValidity(ACCESS)
            .accessTokenBlacklisting(blacklisting)
            .verifiedTokenCacheSize(0)
            .disableBackgroundCleanup()
            .build());
  }

  /** Polls a condition for at most 5 seconds. */
  protected static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long end = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("waiting for " + what).isLessThan(end);
      Thread.sleep(5);
    }
  }

  /** Records what a subscription receives. */
  protected static final class Recorder implements RevocationFeed.Listener {
    /** Handles pushed. */
    public final Set<String> revoked = ConcurrentHashMap.newKeySet();

    /** Calls of onSubscribed. */
    public final AtomicInteger subscribed = new AtomicInteger();

    /** Calls of onGap. */
    public final AtomicInteger gaps = new AtomicInteger();

    @Override
    public void onRevoked(String handle) {
      revoked.add(handle);
    }

    @Override
    public void onGap() {
      gaps.incrementAndGet();
    }

    @Override
    public void onSubscribed() {
      subscribed.incrementAndGet();
    }
  }

  @Test
  void everyRevocationPath_isPushedToAnotherProcess_andReadBack() throws Exception {
    SessionStore first = closeLater(newStore(clock));
    SessionStore second = closeLater(newStoreOnSameDatabase(clock));
    RevocationFeed feed = second.revocationFeed().orElseThrow();
    Recorder r = new Recorder();
    closeLater(feed.subscribe(r));
    await("onSubscribed", () -> r.subscribed.get() == 1);

    Hallpass h = engine(first, false);
    Session one = h.createNewSession("alice", Map.of(), Map.of());
    Session two = h.createNewSession("alice", Map.of(), Map.of());
    Session three = h.createNewSession("bob", Map.of(), Map.of());
    Session four = h.createNewSession("carol", Map.of(), Map.of());
    Session five = h.createNewSession("carol", Map.of(), Map.of());
    Session stolen = h.createNewSession("dave", Map.of(), Map.of());
    Session kept = h.createNewSession("erin", Map.of(), Map.of());

    assertThat(first.deleteSession(one.getHandle())).isTrue();
    assertThat(first.deleteSessions(List.of(two.getHandle(), three.getHandle()))).hasSize(2);
    assertThat(first.deleteSessionsOfUser("carol")).hasSize(2);
    Session child = h.refreshSession(stolen.getTokens().getRefreshToken(), null);
    h.refreshSession(child.getTokens().getRefreshToken(), null);
    assertThatThrownBy(() -> h.refreshSession(stolen.getTokens().getRefreshToken(), null))
        .isInstanceOfSatisfying(
            HallpassException.class,
            e -> assertThat(e.getType()).isEqualTo(Type.TOKEN_THEFT_DETECTED));

    Set<String> expected =
        Set.of(
            one.getHandle(),
            two.getHandle(),
            three.getHandle(),
            four.getHandle(),
            five.getHandle(),
            stolen.getHandle());
    await("the pushes", () -> r.revoked.containsAll(expected));
    assertThat(r.revoked).doesNotContain(kept.getHandle());
    assertThat(r.gaps.get()).isZero();

    Map<String, Instant> read = feed.revokedSince(START.minus(Duration.ofMinutes(1)));
    assertThat(read.keySet()).containsAll(expected).doesNotContain(kept.getHandle());
    assertThat(read.get(one.getHandle())).isBetween(START.minusSeconds(60), START.plusSeconds(60));
    assertThat(feed.revokedSince(START.plus(Duration.ofMinutes(2)))).isEmpty();

    clock.advance(Duration.ofMinutes(5));
    assertThat(feed.deleteRevocationsBefore(clock.instant())).isGreaterThanOrEqualTo(6);
    assertThat(feed.revokedSince(START.minus(Duration.ofMinutes(1)))).isEmpty();
  }

  @Test
  void engineOnAnotherProcess_refusesARevokedSession_withNoStoreCallPerRequest() throws Exception {
    Hallpass h1 = engine(newStore(clock), true);
    CountingStore counted = new CountingStore(closeLater(newStoreOnSameDatabase(clock)));
    Hallpass h2 = engine(counted, true);
    Session s = h1.createNewSession("alice", Map.of(), Map.of());
    Session other = h1.createNewSession("bob", Map.of(), Map.of());

    // Until its feed has caught up the engine asks the store; then it stops.
    await(
        "the second engine's catch-up",
        () -> {
          int before = counted.calls();
          h2.getSession(s.getAccessToken(), null, false);
          return counted.calls() == before;
        });

    h1.revokeSession(s.getHandle());
    int before = counted.calls();
    await(
        "the revocation in the other engine",
        () -> {
          try {
            h2.getSession(s.getAccessToken(), null, false);
            return false;
          } catch (HallpassException e) {
            assertThat(e.getType()).isEqualTo(Type.UNAUTHORISED);
            return true;
          }
        });
    assertThat(h2.getSession(other.getAccessToken(), null, false).getUserId()).isEqualTo("bob");
    assertThat(counted.calls()).isEqualTo(before);
  }
}
