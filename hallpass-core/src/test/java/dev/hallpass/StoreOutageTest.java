package dev.hallpass;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hallpass.HallpassException.Type;
import dev.hallpass.spi.SessionStore;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The engine while its store fails: what keeps working, what fails with GENERAL_ERROR, and that the
 * rotation rules hold across the failure (a refresh whose commit succeeded but whose answer was
 * lost, a confirmation write that failed). The store is the in-memory one behind a switch; the
 * database-backed versions of these faults are in hallpass-jdbc and hallpass-server.
 */
class StoreOutageTest {
  private static final Instant START = Instant.parse("2026-01-01T00:00:00Z");
  private static final Duration GRACE = Duration.ofSeconds(30);
  private static final Duration PAUSE = Duration.ofMillis(Engine.CONFIRM_PAUSE_MILLIS);
  private static final Set<String> KEY_CALLS =
      Set.of("loadSigningKeys", "insertSigningKey", "deleteSigningKeysRetiredBefore", "close");

  private TestClock clock;
  private FailingStore store;
  private Hallpass hallpass;

  /** A store whose session calls fail while {@link #down} is set. */
  interface FailingStore extends SessionStore {
    /** Every session call fails with GENERAL_ERROR, as a store does when its database is gone. */
    void down(boolean down);

    /** The next refresh transaction commits, then fails as if its answer was lost. */
    void loseNextCommitAnswer();

    /** Session calls that reached the switch (failed ones included). */
    int attempts();
  }

  static FailingStore failing(SessionStore delegate) {
    AtomicBoolean down = new AtomicBoolean();
    AtomicBoolean loseAnswer = new AtomicBoolean();
    AtomicInteger attempts = new AtomicInteger();
    return (FailingStore)
        Proxy.newProxyInstance(
            FailingStore.class.getClassLoader(),
            new Class<?>[] {FailingStore.class},
            (proxy, method, args) -> {
              switch (method.getName()) {
                case "down":
                  down.set((Boolean) args[0]);
                  return null;
                case "loseNextCommitAnswer":
                  loseAnswer.set(true);
                  return null;
                case "attempts":
                  return attempts.get();
                case "toString":
                  return "FailingStore{" + delegate + "}";
                case "hashCode":
                  return System.identityHashCode(proxy);
                case "equals":
                  return proxy == args[0];
                default:
                  break;
              }
              if (!KEY_CALLS.contains(method.getName())) {
                attempts.incrementAndGet();
                if (down.get()) {
                  throw HallpassException.generalError(
                      "cannot reach the session database (test)", new IOException("down"));
                }
              }
              Object result;
              try {
                result = method.invoke(delegate, args);
              } catch (InvocationTargetException e) {
                throw e.getCause();
              }
              if (method.getName().equals("lockAndDecide") && loseAnswer.getAndSet(false)) {
                throw HallpassException.generalError(
                    "cannot refresh the session (test: committed, answer lost)",
                    new IOException("connection reset after commit"));
              }
              return result;
            });
  }

  @BeforeEach
  void startEngine() {
    clock = new TestClock(START);
    store = failing(SessionStores.inMemory(clock));
    hallpass = engine(b -> {});
  }

  @AfterEach
  void stopEngine() {
    hallpass.close();
  }

  private Hallpass engine(Consumer<Hallpass.Builder> settings) {
    Hallpass.Builder b =
        Hallpass.builder()
            .store(store)
            .clock(clock)
            .refreshGracePeriod(GRACE)
            .antiCsrf(true)
            .disableBackgroundCleanup();
    settings.accept(b);
    return b.build();
  }

  private static void assertError(Type type, ThrowingCallable call) {
    assertThatThrownBy(call)
        .isInstanceOfSatisfying(
            HallpassException.class,
            e -> assertThat(e.getType()).as(e.getMessage()).isEqualTo(type));
  }

  private Session login() {
    return hallpass.createNewSession("alice", Map.of("role", "reader"), Map.of("cart", 3));
  }

  private Session verify(Session s) {
    return hallpass.getSession(s.getAccessToken(), s.getTokens().getAntiCsrfToken(), true);
  }

  private Session refresh(Session s) {
    return hallpass.refreshSession(
        s.getTokens().getRefreshToken(), s.getTokens().getAntiCsrfToken());
  }

  // ---------------------------------------------------------------- verification keeps answering

  @Test
  void getSession_ofConfirmedToken_duringOutage_answersWithoutTheStore() {
    Session s = login();
    store.down(true);
    int before = store.attempts();

    assertThat(verify(s).getUserId()).isEqualTo("alice");
    assertThat(store.attempts()).isEqualTo(before);
  }

  @Test
  void getSession_withParentClaim_whenConfirmationFails_answersTheTokenAsItIs_thenConfirmsLater() {
    Session p = login();
    Session refreshed = refresh(p);
    store.down(true);

    Session during = verify(refreshed);

    // Accepted, not re-issued: the client keeps the token with the parent claim, so a later
    // request tries the confirmation again.
    assertThat(during.getUserId()).isEqualTo("alice");
    assertThat(during.getAccessToken()).isEqualTo(refreshed.getAccessToken());

    store.down(false);
    clock.advance(PAUSE);
    Session after = verify(refreshed);
    assertThat(after.getAccessToken()).isNotEqualTo(refreshed.getAccessToken());
    assertThat(after.getAccessTokenPayload()).doesNotContainKey("parentRefreshTokenHash1");
    // Confirmed now: the previous refresh token is theft once the grace period is over.
    clock.advance(GRACE);
    assertError(Type.TOKEN_THEFT_DETECTED, () -> refresh(p));
  }

  @Test
  void getSession_withParentClaim_duringOutage_triesTheStoreOncePerPause() {
    Session refreshed = refresh(login());
    store.down(true);
    int before = store.attempts();

    verify(refreshed);
    assertThat(store.attempts()).isEqualTo(before + 1);
    for (int i = 0; i < 20; i++) {
      clock.advance(Duration.ofMillis(200));
      verify(refreshed);
    }
    // 4 s later: still paused, no store call.
    assertThat(store.attempts()).isEqualTo(before + 1);

    clock.advance(Duration.ofSeconds(1)); // the pause is over: one more try
    verify(refreshed);
    verify(refreshed);
    assertThat(store.attempts()).isEqualTo(before + 2);
  }

  @Test
  void tokenAcceptedUnconfirmedDuringOutage_revealsTheftOnceTheStoreIsBack() {
    Session p = login();
    Session c = refresh(p); // the client's tokens; C is not confirmed yet
    store.down(true);
    verify(c); // the client works on during the outage; the confirmation fails
    store.down(false);

    // Someone holding P presents it after the grace period: C was never confirmed, so P gets a
    // new child (as for a lost answer) ...
    clock.advance(GRACE.plus(PAUSE));
    Session thief = refresh(p);
    assertThat(thief.getTokens().getRefreshToken()).isNotEqualTo(c.getTokens().getRefreshToken());

    // ... and the client's next request, which confirms again, is the second holder: theft.
    assertError(Type.TOKEN_THEFT_DETECTED, () -> verify(c));
    assertError(Type.UNAUTHORISED, () -> refresh(thief));
  }

  @Test
  void blacklistingOn_duringOutage_failsClosedWithGeneralError() {
    hallpass.close();
    store = failing(SessionStores.inMemory(clock));
    hallpass = engine(b -> b.accessTokenBlacklisting(true));
    Session s = login();
    store.down(true);

    assertError(Type.GENERAL_ERROR, () -> verify(s));
  }

  @Test
  void createRefreshAndSessionData_duringOutage_failWithGeneralError_andWorkAfterwards() {
    Session s = login();
    store.down(true);

    assertError(Type.GENERAL_ERROR, this::login);
    assertError(Type.GENERAL_ERROR, () -> refresh(s));
    assertError(Type.GENERAL_ERROR, () -> hallpass.getSessionData(s.getHandle()));
    assertError(
        Type.GENERAL_ERROR, () -> hallpass.updateSessionData(s.getHandle(), Map.of("cart", 4)));

    store.down(false);
    Session next = refresh(s); // the failed refresh changed nothing: s's token is still current
    assertThat(verify(next).getHandle()).isEqualTo(s.getHandle());
    hallpass.updateSessionData(s.getHandle(), Map.of("cart", 4));
    assertThat(hallpass.getSessionData(s.getHandle())).containsEntry("cart", 4);
    assertThat(login().getUserId()).isEqualTo("alice");
  }

  // ---------------------------------------------------------------- ambiguous commit

  @Test
  void refresh_committedButAnswerLost_retriedWithinGrace_getsTheSameChild_neverTheft() {
    Session p = login();
    store.loseNextCommitAnswer();
    assertError(Type.GENERAL_ERROR, () -> refresh(p)); // committed: C is current, P its parent

    clock.advance(Duration.ofSeconds(10));
    Session c = refresh(p); // rule 2: the same child again
    Session again = refresh(p);
    assertThat(again.getTokens().getRefreshToken()).isEqualTo(c.getTokens().getRefreshToken());

    assertThat(verify(c).getHandle()).isEqualTo(p.getHandle());
    assertThat(refresh(c).getHandle()).isEqualTo(p.getHandle());
  }

  @Test
  void refresh_committedButAnswerLost_retriedAfterGrace_getsANewChild_neverTheft() {
    Session p = login();
    store.loseNextCommitAnswer();
    assertError(Type.GENERAL_ERROR, () -> refresh(p));

    clock.advance(GRACE);
    Session c1 = refresh(p); // rule 3: C was never used, so its answer was lost: a new child
    clock.advance(Duration.ofDays(1));
    store.loseNextCommitAnswer();
    assertError(Type.GENERAL_ERROR, () -> refresh(p)); // lost again, a day later
    Session c2 = refresh(p);

    assertThat(c2.getTokens().getRefreshToken()).isNotEqualTo(c1.getTokens().getRefreshToken());
    assertThat(verify(c2).getHandle()).isEqualTo(p.getHandle());
    assertThat(refresh(c2).getHandle()).isEqualTo(p.getHandle());
  }
}
