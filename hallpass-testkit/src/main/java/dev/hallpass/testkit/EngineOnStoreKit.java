package dev.hallpass.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hallpass.AccessTokenSigning;
import dev.hallpass.ClientInfo;
import dev.hallpass.Hallpass;
import dev.hallpass.HallpassException;
import dev.hallpass.HallpassException.Type;
import dev.hallpass.Session;
import dev.hallpass.SessionEvent;
import dev.hallpass.SessionSummary;
import dev.hallpass.spi.SessionStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The engine on a real store: the refresh-token rotation scenarios of the session model (a: a lost
 * answer is never theft; b: racing refreshes converge; c, d, e: stolen tokens are theft; f: two
 * processes with skewed clocks agree; g: the first request after a refresh costs one write), the
 * races, and two engines sharing one database. Each store runs this set once; the engine's other
 * behaviour is tested in core on the in-memory store.
 *
 * <p>A store's test class extends this and says how to make an empty store whose refresh clock (the
 * time {@code lockAndDecide} passes to its rule) is a given clock. Time moves only through {@link
 * #clock}, which is also the first engine's clock. The engines sign RS256; a subclass that
 * overrides {@link #signing()} runs the same set in HS256 mode.
 */
public abstract class EngineOnStoreKit {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Where the test clock starts. */
  protected static final Instant START = Instant.parse("2026-01-01T00:00:00Z");

  /** The suite's access-token validity. */
  protected static final Duration ACCESS = Duration.ofHours(1);

  /** The suite's refresh-token validity. */
  protected static final Duration REFRESH = Duration.ofDays(100);

  /** The suite's refresh grace period. */
  protected static final Duration GRACE = Duration.ofSeconds(30);

  /** The engine's and the store's clock. */
  protected MutableClock clock;

  /** The store under test, counting session calls. */
  protected CountingStore store;

  /** An engine on {@link #store}. */
  protected Hallpass hallpass;

  private final List<AutoCloseable> toClose = new ArrayList<>();

  /** How the kit's engines sign access tokens. Default RS256. */
  protected AccessTokenSigning signing() {
    return AccessTokenSigning.RS256;
  }

  /** A fresh, empty store whose refresh clock is {@code storeClock}; the kit closes it. */
  protected abstract SessionStore newStore(Clock storeClock);

  /**
   * A second store with its own connections to the same database as the last {@link #newStore},
   * with the given refresh clock, or null when the store cannot be shared between processes.
   */
  protected SessionStore newStoreOnSameDatabase(Clock storeClock) {
    return null;
  }

  /**
   * A second store on the same database that uses the database server's own clock (the production
   * setting), or null when the store has no clock of its own.
   */
  protected SessionStore newStoreOnSameDatabaseWithServerClock() {
    return null;
  }

  @BeforeEach
  void startEngine() {
    clock = new MutableClock(START);
    store = new CountingStore(newStore(clock));
    toClose.add(store);
    hallpass = engine(store, clock, b -> {});
  }

  @AfterEach
  void stopEngines() throws Exception {
    for (int i = toClose.size() - 1; i >= 0; i--) {
      toClose.get(i).close();
    }
    toClose.clear();
  }

  /**
   * An engine on {@code s} with the kit's settings (anti-CSRF on), adjusted by {@code settings}.
   */
  protected Hallpass engine(
      SessionStore s, Clock engineClock, Consumer<Hallpass.Builder> settings) {
    Hallpass.Builder b =
        Hallpass.builder()
            .store(s)
            .clock(engineClock)
            .accessTokenValidity(ACCESS)
            .refreshTokenValidity(REFRESH)
            .refreshGracePeriod(GRACE)
            .antiCsrf(true)
            .accessTokenSigning(signing())
            .disableBackgroundCleanup();
    settings.accept(b);
    Hallpass h = b.build();
    toClose.add(h);
    return h;
  }

  private static void assertError(Type type, ThrowingCallable call) {
    assertThatThrownBy(call)
        .isInstanceOfSatisfying(
            HallpassException.class,
            e -> assertThat(e.getType()).as(e.getMessage()).isEqualTo(type));
  }

  private Session login(String userId) {
    return hallpass.createNewSession(userId, Map.of("role", "reader"), Map.of("cart", 3));
  }

  private static Session verify(Hallpass h, Session s) {
    return h.getSession(s.getAccessToken(), s.getTokens().getAntiCsrfToken(), true);
  }

  private Session verify(Session s) {
    return verify(hallpass, s);
  }

  private static Session refresh(Hallpass h, Session s) {
    return h.refreshSession(s.getTokens().getRefreshToken(), s.getTokens().getAntiCsrfToken());
  }

  private Session refresh(Session s) {
    return refresh(hallpass, s);
  }

  private static String refreshToken(Session s) {
    return s.getTokens().getRefreshToken();
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> claims(String jwt) throws Exception {
    return JSON.readValue(Base64.getUrlDecoder().decode(jwt.split("\\.")[1]), Map.class);
  }

  // ---------------------------------------------------------------- tenants

  @Test
  public void sessionsInTenants_carryTheTenant_andListingAndRevocationAreScopedToIt()
      throws Exception {
    Session t1 = hallpass.createNewSession("t1", "alice", Map.of("role", "reader"), Map.of());
    Session t2 = hallpass.createNewSession("t2", "alice", Map.of(), Map.of());
    Session pub = login("alice");

    assertThat(claims(t1.getAccessToken())).containsEntry("tId", "t1");
    assertThat(verify(t1).getTenantId()).isEqualTo("t1");
    assertThat(hallpass.getSessionInformation(t1.getHandle()).getTenantId()).isEqualTo("t1");
    Session refreshed = refresh(t1);
    assertThat(refreshed.getTenantId()).isEqualTo("t1");
    assertThat(claims(refreshed.getAccessToken())).containsEntry("tId", "t1");
    assertThat(verify(refreshed).getTenantId()).isEqualTo("t1");
    assertThat(pub.getTenantId()).isEqualTo(Hallpass.DEFAULT_TENANT_ID);

    assertThat(hallpass.getAllSessionHandlesForUser("t1", "alice")).containsExactly(t1.getHandle());
    assertThat(hallpass.getAllSessionHandlesForUser("public", "alice"))
        .containsExactly(pub.getHandle());
    assertThat(hallpass.getAllSessionHandlesForUser("t3", "alice")).isEmpty();
    assertThat(hallpass.getAllSessionHandlesForUser("alice"))
        .containsExactlyInAnyOrder(t1.getHandle(), t2.getHandle(), pub.getHandle());

    assertThat(hallpass.revokeAllSessionsForUser("t1", "alice")).containsExactly(t1.getHandle());
    assertError(Type.UNAUTHORISED, () -> refresh(refreshed));
    assertThat(hallpass.getAllSessionHandlesForUser("alice"))
        .containsExactlyInAnyOrder(t2.getHandle(), pub.getHandle());
    assertThat(hallpass.revokeAllSessionsForUser("alice"))
        .containsExactlyInAnyOrder(t2.getHandle(), pub.getHandle());
  }

  @Test
  public void invalidTenantIds_areRejectedNamingTenantId_andStoreNothing() {
    List<String> invalid =
        Arrays.asList(null, "", "T1", "t 1", "t_1", "t/1", "tenant\u00e9", "x".repeat(129));
    for (String tenantId : invalid) {
      for (ThrowingCallable call :
          List.<ThrowingCallable>of(
              () -> hallpass.createNewSession(tenantId, "alice", Map.of(), Map.of()),
              () -> hallpass.getAllSessionHandlesForUser(tenantId, "alice"),
              () -> hallpass.revokeAllSessionsForUser(tenantId, "alice"))) {
        assertThatThrownBy(call)
            .as("tenant id %s", tenantId)
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("tenantId");
      }
    }
    assertThat(hallpass.getAllSessionHandlesForUser("alice")).isEmpty();
    assertThat(hallpass.createNewSession("x".repeat(128), "alice", null, null).getTenantId())
        .hasSize(128);
    assertThat(hallpass.createNewSession("a-0-z", "alice", null, null).getTenantId())
        .isEqualTo("a-0-z");
  }

  // ---------------------------------------------------------------- timeouts, metadata, events

  private static final ClientInfo LAPTOP = new ClientInfo("203.0.113.7", "Firefox/140 \u00e9");
  private static final ClientInfo PHONE = new ClientInfo("2001:db8::1", "Safari/19 (iPhone)");

  private static Session refresh(Hallpass h, Session s, ClientInfo c) {
    return h.refreshSession(
        s.getTokens().getRefreshToken(), s.getTokens().getAntiCsrfToken(), true, c);
  }

  private static List<SessionEvent.Revoked> revocations(List<SessionEvent> events) {
    List<SessionEvent.Revoked> out = new ArrayList<>();
    for (SessionEvent e : events) {
      if (e instanceof SessionEvent.Revoked r) {
        out.add(r);
      }
    }
    return out;
  }

  @Test
  public void refresh_afterInactivityTimeout_isUnauthorised_reportedOnceAsIdle_andSessionGone() {
    List<SessionEvent> events = new java.util.concurrent.CopyOnWriteArrayList<>();
    Hallpass h =
        engine(store, clock, b -> b.inactivityTimeout(Duration.ofHours(2)).listener(events::add));
    Session s = h.createNewSession("alice", null, null, LAPTOP);
    clock.advance(Duration.ofMinutes(119));
    Session r = refresh(h, s, LAPTOP);
    clock.advance(Duration.ofMinutes(119));
    Session r2 = refresh(h, r, LAPTOP);
    clock.advance(Duration.ofHours(2));

    assertError(Type.UNAUTHORISED, () -> refresh(h, r2, LAPTOP));
    assertError(Type.UNAUTHORISED, () -> refresh(h, r2, LAPTOP));

    assertThat(store.findSession(s.getHandle())).isEmpty();
    assertThat(revocations(events))
        .containsExactly(
            new SessionEvent.Revoked(
                "alice", s.getHandle(), SessionEvent.RevokeReason.IDLE_TIMEOUT, LAPTOP));
  }

  @Test
  public void refresh_afterAbsoluteTimeout_isUnauthorised_howeverOftenRefreshed() {
    List<SessionEvent> events = new java.util.concurrent.CopyOnWriteArrayList<>();
    Hallpass h =
        engine(store, clock, b -> b.absoluteTimeout(Duration.ofHours(8)).listener(events::add));
    Session s = h.createNewSession("alice", null, null, LAPTOP);
    for (int i = 0; i < 7; i++) {
      clock.advance(Duration.ofHours(1));
      s = refresh(h, s, LAPTOP);
    }
    assertThat(h.getAllSessionHandlesForUser("alice")).containsExactly(s.getHandle());
    clock.advance(Duration.ofHours(1));
    Session last = s;

    assertError(Type.UNAUTHORISED, () -> refresh(h, last, LAPTOP));

    assertThat(store.findSession(last.getHandle())).isEmpty();
    assertThat(revocations(events))
        .extracting(SessionEvent.Revoked::reason)
        .containsExactly(SessionEvent.RevokeReason.ABSOLUTE_TIMEOUT);
  }

  @Test
  public void clientMetadata_recordedAtLoginAndRefresh_isListedWithTheUsersSessions() {
    Hallpass h = engine(store, clock, b -> b.recordClientMetadata(true));
    Session laptop = h.createNewSession("alice", null, null, LAPTOP);
    clock.advance(Duration.ofMinutes(1));
    Session phone = h.createNewSession("alice", null, null, PHONE);
    clock.advance(Duration.ofMinutes(1));
    refresh(h, laptop, PHONE);

    List<SessionSummary> list = h.getAllSessionsForUser("alice");

    assertThat(list)
        .containsExactly(
            new SessionSummary(
                laptop.getHandle(),
                "alice",
                "public",
                START,
                START.plus(Duration.ofMinutes(2)),
                START.plus(Duration.ofMinutes(2)).plus(REFRESH),
                LAPTOP.ip(),
                LAPTOP.userAgent(),
                PHONE.ip(),
                PHONE.userAgent()),
            new SessionSummary(
                phone.getHandle(),
                "alice",
                "public",
                START.plus(Duration.ofMinutes(1)),
                null,
                START.plus(Duration.ofMinutes(1)).plus(REFRESH),
                PHONE.ip(),
                PHONE.userAgent(),
                null,
                null));
    h.revokeSession(list.get(1).handle());
    assertThat(h.getAllSessionsForUser("alice"))
        .extracting(SessionSummary::handle)
        .containsExactly(laptop.getHandle());
  }

  @Test
  public void listeners_racingRefreshesAndReplays_hearOneRefreshAndOneTheft() throws Exception {
    List<SessionEvent> events = new java.util.concurrent.CopyOnWriteArrayList<>();
    Hallpass h = engine(store, clock, b -> b.listener(events::add));
    Session p = h.createNewSession("alice", null, null, LAPTOP);

    List<Session> children = race(8, () -> refresh(h, p, LAPTOP));
    verify(h, children.get(0));
    clock.advance(Duration.ofMinutes(1));
    AtomicInteger thefts = new AtomicInteger();
    race(
        8,
        () -> {
          try {
            return refresh(h, p, PHONE);
          } catch (HallpassException e) {
            if (e.getType() == Type.TOKEN_THEFT_DETECTED) {
              thefts.incrementAndGet();
            }
            return null;
          }
        });

    assertThat(events.stream().filter(e -> e instanceof SessionEvent.Refreshed).count())
        .isEqualTo(1);
    assertThat(thefts.get()).isEqualTo(1);
    assertThat(revocations(events))
        .containsExactly(
            new SessionEvent.Revoked(
                "alice", p.getHandle(), SessionEvent.RevokeReason.THEFT_DETECTED, PHONE));
  }

  // ---------------------------------------------------------------- the rotation scenarios

  @Test
  public void refresh_lostAnswerRetriedAfter10s31sAndADay_isNeverTheft_andLastTokenWorks() {
    Session p = login("alice");
    Session lost = refresh(p); // the answer never reaches the client

    clock.advance(Duration.ofSeconds(10));
    Session at10s = refresh(p);
    clock.advance(Duration.ofSeconds(21));
    Session at31s = refresh(p);
    clock.advance(Duration.ofDays(1));
    Session atOneDay = refresh(p);

    assertThat(refreshToken(at10s)).isEqualTo(refreshToken(lost));
    assertThat(at10s.getTokens().getAntiCsrfToken()).isEqualTo(lost.getTokens().getAntiCsrfToken());
    assertThat(Set.of(refreshToken(lost), refreshToken(at31s), refreshToken(atOneDay))).hasSize(3);
    assertThat(verify(atOneDay).getUserId()).isEqualTo("alice");
    assertThat(verify(refresh(atOneDay)).getUserId()).isEqualTo("alice");
  }

  @Test
  public void refresh_sixteenRacingWithSameToken_allReceiveOneChild_andTheChildRefreshes()
      throws Exception {
    Session p = login("alice");

    List<Session> children = race(16, () -> refresh(p));

    Set<String> tokens = new HashSet<>();
    children.forEach(c -> tokens.add(refreshToken(c)));
    assertThat(tokens).hasSize(1);
    Session next = refresh(children.get(0));
    assertThat(verify(next).getUserId()).isEqualTo("alice");
  }

  @Test
  public void refresh_stolenPreviousTokenAfterClientUsedItsNewOne_isTheftAtOnce() {
    Session p = login("alice");
    Session c = refresh(p);
    verify(c); // the client is seen using its new tokens
    clock.advance(Duration.ofSeconds(60));

    assertThatThrownBy(() -> refresh(p))
        .isInstanceOfSatisfying(
            HallpassException.class,
            e -> {
              assertThat(e.getType()).isEqualTo(Type.TOKEN_THEFT_DETECTED);
              assertThat(e.getUserId()).isEqualTo("alice");
              assertThat(e.getSessionHandle()).isEqualTo(p.getHandle());
            });
    assertThat(store.findSession(p.getHandle())).isEmpty();
    assertError(Type.UNAUTHORISED, () -> refresh(c));
  }

  @Test
  public void refresh_stolenTokenBeforeClientUsedItsNewOne_thenClientsNextRequestIsTheft() {
    Session p = login("alice");
    Session clients = refresh(p); // not used yet
    clock.advance(Duration.ofSeconds(60));

    Session thiefs = refresh(p);

    assertThat(refreshToken(thiefs)).isNotEqualTo(refreshToken(clients));
    assertError(Type.TOKEN_THEFT_DETECTED, () -> verify(clients));
    assertThat(store.findSession(p.getHandle())).isEmpty();
    assertError(Type.UNAUTHORISED, () -> refresh(thiefs));
  }

  @Test
  public void refresh_tokenOlderThanThePreviousOne_isTheft() {
    Session p = login("alice");
    Session c = refresh(p);
    Session d = refresh(c);

    assertError(Type.TOKEN_THEFT_DETECTED, () -> refresh(p));
    assertThat(store.findSession(p.getHandle())).isEmpty();
    assertError(Type.UNAUTHORISED, () -> refresh(d));
  }

  @Test
  public void refresh_racingEnginesWithClocksSkewedBeyondGrace_allReceiveOneChild()
      throws Exception {
    SessionStore shared = newStoreOnSameDatabase(clock);
    Hallpass ahead =
        engine(
            shared != null ? shared : store, Clock.offset(clock, GRACE.multipliedBy(4)), b -> {});
    assertSkewedEnginesAgree(hallpass, ahead, login("alice"));
  }

  @Test
  public void refresh_racingEnginesOnDatabaseTime_withSkewedClocks_allReceiveOneChild()
      throws Exception {
    SessionStore a = newStoreOnSameDatabaseWithServerClock();
    if (a == null) {
      return; // the store has no clock of its own: the test above covers it
    }
    SessionStore b = newStoreOnSameDatabaseWithServerClock();
    toClose.add(a);
    toClose.add(b);
    Clock now = Clock.systemUTC();
    Hallpass behind = engine(a, Clock.offset(now, GRACE.multipliedBy(-4)), x -> {});
    Hallpass ahead = engine(b, Clock.offset(now, GRACE.multipliedBy(4)), x -> {});
    assertSkewedEnginesAgree(behind, ahead, behind.createNewSession("alice", null, null));
  }

  private static void assertSkewedEnginesAgree(Hallpass one, Hallpass two, Session p)
      throws Exception {
    AtomicInteger racers = new AtomicInteger();
    List<Session> children =
        race(16, () -> refresh(racers.getAndIncrement() % 2 == 0 ? one : two, p));
    Set<String> tokens = new HashSet<>();
    children.forEach(c -> tokens.add(refreshToken(c)));
    assertThat(tokens).hasSize(1);
    Session c = children.get(0);
    assertThat(verify(two, c).getUserId()).isEqualTo("alice");
    assertThat(refresh(one, c).getUserId()).isEqualTo("alice");
  }

  @Test
  public void getSession_firstRequestAfterRefresh_costsOneWrite_andReissuedTokenNeedsNoIo()
      throws Exception {
    Session c = refresh(login("alice"));
    assertThat(claims(c.getAccessToken())).containsKey("parentRefreshTokenHash1");
    int before = store.calls();

    Session first = verify(c);

    assertThat(store.calls() - before).as("one confirmation write").isEqualTo(1);
    assertThat(first.getAccessToken()).isNotEqualTo(c.getAccessToken());
    Map<String, Object> reissued = claims(first.getAccessToken());
    assertThat(reissued)
        .doesNotContainKey("parentRefreshTokenHash1")
        .containsEntry("refreshTokenHash1", claims(c.getAccessToken()).get("refreshTokenHash1"))
        .containsEntry("exp", claims(c.getAccessToken()).get("exp"));
    int afterFirst = store.calls();
    for (int i = 0; i < 3; i++) {
      assertThat(
              hallpass
                  .getSession(first.getAccessToken(), c.getTokens().getAntiCsrfToken(), true)
                  .getAccessToken())
          .isEqualTo(first.getAccessToken());
      verify(c); // the pre-confirmation token again: remembered in this process
    }
    assertThat(store.calls()).as("no I/O after the first request").isEqualTo(afterFirst);
  }

  @Test
  public void
      getSession_withAnOlderTabsTokenOfThePreviousGeneration_isAccepted_andChangesNothing() {
    Session p = login("alice");
    Session c = refresh(p); // the older tab keeps c's access token
    Session d = refresh(c); // another tab moved on, without using d yet

    Session older = verify(c);

    assertThat(older.getAccessToken()).isEqualTo(c.getAccessToken());
    assertThat(verify(d).getUserId()).isEqualTo("alice");
    assertThat(refresh(d).getUserId()).isEqualTo("alice");
  }

  @Test
  public void refresh_withRefreshTokenWhoseAccessTokenWasNeverUsed_rotatesAndConfirmsIt() {
    Session p = login("alice");
    Session c = refresh(p);
    clock.advance(GRACE.multipliedBy(2));

    Session d = refresh(c); // presenting C confirms it: P is now theft
    clock.advance(GRACE.multipliedBy(2));

    assertThat(verify(d).getUserId()).isEqualTo("alice");
    assertError(Type.TOKEN_THEFT_DETECTED, () -> refresh(p));
  }

  // ---------------------------------------------------------------- races and two processes

  @Test
  public void refresh_racingGenerations_eachRacerCanContinue() throws Exception {
    Session p = login("alice");

    List<Session> children = race(8, () -> refresh(p));
    List<Session> grandchildren = race(8, () -> refresh(children.get(0)));

    for (Session c : children) {
      assertThat(refreshToken(refresh(c))).isEqualTo(refreshToken(grandchildren.get(0)));
    }
    assertThat(verify(grandchildren.get(7)).getUserId()).isEqualTo("alice");
  }

  @Test
  public void twoEnginesOnOneDatabase_agreeOnKeysSessionsAndRotationState() {
    SessionStore second = newStoreOnSameDatabase(clock);
    if (second == null) {
      return; // not shareable: nothing to agree on
    }
    toClose.add(second);
    Hallpass other = engine(second, clock, b -> {});

    assertThat(other.getJwks().getKeyIds()).isEqualTo(hallpass.getJwks().getKeyIds());
    Session p = login("alice");
    Session c = refresh(other, p);
    assertThat(verify(c).getHandle()).isEqualTo(p.getHandle()); // confirmed through the first
    clock.advance(GRACE);
    assertError(Type.TOKEN_THEFT_DETECTED, () -> refresh(other, p));
    assertError(Type.UNAUTHORISED, () -> hallpass.getSessionData(p.getHandle()));
  }

  @Test
  public void twoEnginesStartingAtOnceOnOneDatabase_createOneKeyPerGeneration() throws Exception {
    SessionStore a = newStoreOnSameDatabase(clock);
    if (a == null) {
      return;
    }
    SessionStore b = newStoreOnSameDatabase(clock);
    toClose.add(a);
    toClose.add(b);
    List<Hallpass> engines = new ArrayList<>();
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      Future<Hallpass> fa = pool.submit(() -> engine(a, clock, x -> {}));
      Future<Hallpass> fb = pool.submit(() -> engine(b, clock, x -> {}));
      engines.add(fa.get(60, TimeUnit.SECONDS));
      engines.add(fb.get(60, TimeUnit.SECONDS));
    } finally {
      pool.shutdownNow();
    }
    assertThat(engines.get(0).getJwks().getKeyIds())
        .isEqualTo(engines.get(1).getJwks().getKeyIds())
        .isEqualTo(hallpass.getJwks().getKeyIds());
    assertThat(a.loadSigningKeys()).hasSize(2);
  }

  /**
   * Two processes start at once on an empty database, one with its clock ahead: the other loses the
   * insert of the first key, whose period starts after its own time, and must use it (it failed
   * with "no signing key could be created" before), adding no generation.
   */
  @Test
  public void twoEnginesStartingOnAnEmptyDatabase_withClocksApart_shareTheWinnersKeys()
      throws Exception {
    SessionStore winnerStore = newStoreOnSameDatabase(clock);
    SessionStore loserStore = newStoreOnSameDatabase(clock);
    if (winnerStore == null) {
      winnerStore = store;
      loserStore = store;
    } else {
      toClose.add(winnerStore);
      toClose.add(loserStore);
    }
    store.deleteSigningKeysRetiredBefore(START.plus(Duration.ofDays(3650))); // an empty database
    SessionStore winnersStore = winnerStore;
    Clock ahead = Clock.offset(clock, Duration.ofSeconds(5));
    Hallpass[] winner = new Hallpass[1];
    SessionStore loserView =
        beforeFirstKeyInsert(
            loserStore, () -> winner[0] = engine(unclosable(winnersStore), ahead, b -> {}));

    Hallpass loser = engine(loserView, clock, b -> {});

    assertThat(store.loadSigningKeys()).hasSize(2);
    Session s = loser.createNewSession("alice", null, null);
    assertThat(verify(winner[0], s).getUserId()).isEqualTo("alice");
    Session w = winner[0].createNewSession("bob", null, null);
    assertThat(verify(loser, w).getUserId()).isEqualTo("bob");
    assertThat(header(s).get("kid")).isEqualTo(header(w).get("kid"));
    assertThat(header(s).get("alg")).isEqualTo(signing().name());
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> header(Session s) throws Exception {
    return JSON.readValue(
        Base64.getUrlDecoder().decode(s.getAccessToken().split("\\.")[0]), Map.class);
  }

  /** {@code s} whose first insertSigningKey runs {@code first} before going on; close is kept. */
  private static SessionStore beforeFirstKeyInsert(SessionStore s, Runnable first) {
    AtomicInteger inserts = new AtomicInteger();
    return proxy(
        s,
        name -> {
          if (name.equals("insertSigningKey") && inserts.getAndIncrement() == 0) {
            first.run();
          }
          return !name.equals("close");
        });
  }

  /** {@code s} whose close() does nothing (the kit closes the store itself). */
  private static SessionStore unclosable(SessionStore s) {
    return proxy(s, name -> !name.equals("close"));
  }

  /** A proxy of {@code s} that forwards a call when {@code forward} says so. */
  private static SessionStore proxy(SessionStore s, java.util.function.Predicate<String> forward) {
    return (SessionStore)
        java.lang.reflect.Proxy.newProxyInstance(
            SessionStore.class.getClassLoader(),
            new Class<?>[] {SessionStore.class},
            (p, method, args) -> {
              if (!forward.test(method.getName())) {
                return null;
              }
              try {
                return method.invoke(s, args);
              } catch (java.lang.reflect.InvocationTargetException e) {
                throw e.getCause();
              }
            });
  }

  /** Runs {@code call} on {@code threads} threads released at once; rethrows any failure. */
  private static List<Session> race(int threads, Callable<Session> call) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      CountDownLatch gate = new CountDownLatch(1);
      List<Future<Session>> futures = new ArrayList<>();
      for (int i = 0; i < threads; i++) {
        futures.add(
            pool.submit(
                () -> {
                  gate.await();
                  return call.call();
                }));
      }
      gate.countDown();
      List<Session> out = new ArrayList<>();
      for (Future<Session> f : futures) {
        out.add(f.get(60, TimeUnit.SECONDS));
      }
      return out;
    } finally {
      pool.shutdownNow();
    }
  }
}
