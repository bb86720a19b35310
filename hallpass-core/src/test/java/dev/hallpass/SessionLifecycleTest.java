package dev.hallpass;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hallpass.HallpassException.Type;
import dev.hallpass.SessionEvent.Created;
import dev.hallpass.SessionEvent.Refreshed;
import dev.hallpass.SessionEvent.RevokeReason;
import dev.hallpass.SessionEvent.Revoked;
import dev.hallpass.SessionEvent.VerificationFailed;
import dev.hallpass.SessionEvent.VerificationFailure;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Client metadata, the inactivity and absolute timeouts, and listener events, in memory. */
class SessionLifecycleTest {
  private static final Instant START = Instant.parse("2026-01-01T00:00:00Z");
  private static final ClientInfo LAPTOP = new ClientInfo("203.0.113.7", "Firefox/140");
  private static final ClientInfo PHONE = new ClientInfo("2001:db8::1", "Safari/19 (iPhone)");

  private TestClock clock;
  private final List<SessionEvent> events = new CopyOnWriteArrayList<>();
  private final List<Hallpass> engines = new ArrayList<>();

  @BeforeEach
  void start() {
    clock = new TestClock(START);
  }

  @AfterEach
  void stop() {
    engines.forEach(Hallpass::close);
  }

  private Hallpass engine(Consumer<Hallpass.Builder> settings) {
    Hallpass.Builder b =
        Hallpass.builder()
            .store(SessionStores.inMemory(clock))
            .clock(clock)
            .accessTokenValidity(Duration.ofMinutes(10))
            .refreshTokenValidity(Duration.ofDays(30))
            .disableBackgroundCleanup()
            .listener(events::add);
    settings.accept(b);
    Hallpass h = b.build();
    engines.add(h);
    return h;
  }

  private static Session refresh(Hallpass h, Session s, ClientInfo c) {
    return h.refreshSession(s.getTokens().getRefreshToken(), null, true, c);
  }

  private static void assertError(Type type, Runnable call) {
    assertThatThrownBy(call::run)
        .isInstanceOfSatisfying(
            HallpassException.class, e -> assertThat(e.getType()).isEqualTo(type));
  }

  private <E> List<E> eventsOf(Class<E> type) {
    return events.stream().filter(type::isInstance).map(type::cast).toList();
  }

  // ---------------------------------------------------------------- metadata

  @Test
  void listing_withMetadataRecording_showsCreationAndLastRefreshClients() {
    Hallpass h = engine(b -> b.recordClientMetadata(true));
    Session laptop = h.createNewSession("alice", null, null, LAPTOP);
    clock.advance(Duration.ofMinutes(1));
    Session phone = h.createNewSession("alice", null, null, PHONE);
    clock.advance(Duration.ofMinutes(1));
    refresh(h, laptop, PHONE);

    List<SessionSummary> list = h.getAllSessionsForUser("alice");

    assertThat(list)
        .extracting(SessionSummary::handle)
        .containsExactly(laptop.getHandle(), phone.getHandle());
    SessionSummary first = list.get(0);
    assertThat(first.createdAt()).isEqualTo(START);
    assertThat(first.createdIp()).isEqualTo("203.0.113.7");
    assertThat(first.createdUserAgent()).isEqualTo("Firefox/140");
    assertThat(first.lastRefreshedAt()).isEqualTo(START.plus(Duration.ofMinutes(2)));
    assertThat(first.lastIp()).isEqualTo("2001:db8::1");
    assertThat(first.lastUserAgent()).isEqualTo("Safari/19 (iPhone)");
    assertThat(list.get(1).lastRefreshedAt()).isNull();
    assertThat(list.get(1).lastActiveAt()).isEqualTo(START.plus(Duration.ofMinutes(1)));
    assertThat(first.toString()).doesNotContain("203.0.113.7").doesNotContain("Firefox");
  }

  @Test
  void listing_withMetadataRecordingOff_storesNoIpOrUserAgent() {
    Hallpass h = engine(b -> {});
    Session s = h.createNewSession("alice", null, null, LAPTOP);
    refresh(h, s, LAPTOP);

    SessionSummary only = h.getAllSessionsForUser("alice").get(0);
    assertThat(only.createdIp()).isNull();
    assertThat(only.createdUserAgent()).isNull();
    assertThat(only.lastIp()).isNull();
    assertThat(only.lastUserAgent()).isNull();
    assertThat(only.lastRefreshedAt()).isNotNull();
  }

  @Test
  void clientInfo_boundsValues_andDropsImplausibleAddresses() {
    assertThat(new ClientInfo("1.2.3.4, 5.6.7.8", null).ip()).isNull();
    assertThat(new ClientInfo("<script>", null).ip()).isNull();
    assertThat(new ClientInfo("x".repeat(46), null).ip()).isNull();
    assertThat(new ClientInfo(" 10.0.0.1 ", null).ip()).isEqualTo("10.0.0.1");
    assertThat(new ClientInfo(null, "a".repeat(5000)).userAgent()).hasSize(512);
    assertThat(new ClientInfo(null, "evil\r\nSet-Cookie: x").userAgent())
        .isEqualTo("evilSet-Cookie: x");
    assertThat(new ClientInfo(null, "\u0000").userAgent()).isNull();
  }

  // ---------------------------------------------------------------- timeouts

  @Test
  void refresh_afterInactivityTimeout_isUnauthorised_deletesSession_andReportsIdle() {
    Hallpass h = engine(b -> b.inactivityTimeout(Duration.ofHours(1)));
    Session s = h.createNewSession("alice", null, null, LAPTOP);
    clock.advance(Duration.ofMinutes(59));
    Session r = refresh(h, s, LAPTOP); // activity: the hour starts again
    clock.advance(Duration.ofMinutes(59));
    Session r2 = refresh(h, r, LAPTOP);
    clock.advance(Duration.ofHours(1));

    assertError(Type.UNAUTHORISED, () -> refresh(h, r2, LAPTOP));

    assertThat(h.getAllSessionHandlesForUser("alice")).isEmpty();
    assertThat(eventsOf(Revoked.class))
        .containsExactly(new Revoked("alice", s.getHandle(), RevokeReason.IDLE_TIMEOUT, LAPTOP));
    assertError(Type.UNAUTHORISED, () -> refresh(h, r2, LAPTOP));
    assertThat(eventsOf(Revoked.class)).hasSize(1);
  }

  @Test
  void refresh_afterAbsoluteTimeout_isUnauthorised_evenWhenRefreshedOften() {
    Hallpass h = engine(b -> b.absoluteTimeout(Duration.ofHours(8)));
    Session s = h.createNewSession("alice", null, null, LAPTOP);
    for (int i = 0; i < 7; i++) {
      clock.advance(Duration.ofHours(1));
      s = refresh(h, s, LAPTOP);
    }
    assertThat(s.getTokens().getRefreshTokenExpiry()).isEqualTo(START.plus(Duration.ofHours(8)));
    clock.advance(Duration.ofHours(1));
    Session last = s;

    assertError(Type.UNAUTHORISED, () -> refresh(h, last, LAPTOP));

    assertThat(eventsOf(Revoked.class))
        .containsExactly(
            new Revoked("alice", last.getHandle(), RevokeReason.ABSOLUTE_TIMEOUT, LAPTOP));
    assertThat(h.getAllSessionHandlesForUser("alice")).isEmpty();
  }

  @Test
  void refresh_afterRefreshTokenValidity_reportsExpired() {
    Hallpass h =
        engine(b -> b.inactivityTimeout(Duration.ofDays(10)).absoluteTimeout(Duration.ofDays(60)));
    Session s = h.createNewSession("alice", null, null, LAPTOP);
    clock.advance(Duration.ofDays(9));
    Session r = refresh(h, s, LAPTOP);
    clock.advance(Duration.ofDays(10));

    assertError(Type.UNAUTHORISED, () -> refresh(h, r, LAPTOP));

    assertThat(eventsOf(Revoked.class))
        .extracting(Revoked::reason)
        .containsExactly(RevokeReason.IDLE_TIMEOUT);
    Hallpass plain = engine(b -> {});
    Session p = plain.createNewSession("bob", null, null, ClientInfo.UNKNOWN);
    clock.advance(Duration.ofDays(30));
    assertError(Type.UNAUTHORISED, () -> refresh(plain, p, ClientInfo.UNKNOWN));
    assertThat(eventsOf(Revoked.class))
        .extracting(Revoked::reason)
        .containsExactly(RevokeReason.IDLE_TIMEOUT, RevokeReason.EXPIRED);
  }

  @Test
  void builder_rejectsTimeoutsThatConflict() {
    Hallpass.Builder b =
        Hallpass.builder()
            .store(SessionStores.inMemory())
            .accessTokenValidity(Duration.ofMinutes(10))
            .refreshTokenValidity(Duration.ofDays(1));
    assertThatThrownBy(() -> b.inactivityTimeout(Duration.ofMillis(1500)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("inactivityTimeout");
    assertThatThrownBy(() -> b.absoluteTimeout(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("absoluteTimeout");
    b.inactivityTimeout(Duration.ofDays(2));
    assertThatThrownBy(b::build)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("inactivityTimeout")
        .hasMessageContaining("refreshTokenValidity");
    b.inactivityTimeout(Duration.ofMinutes(10));
    assertThatThrownBy(b::build)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("inactivityTimeout")
        .hasMessageContaining("accessTokenValidity");
    b.inactivityTimeout(Duration.ofHours(1)).absoluteTimeout(Duration.ofMinutes(5));
    assertThatThrownBy(b::build)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("absoluteTimeout")
        .hasMessageContaining("accessTokenValidity");
  }

  // ---------------------------------------------------------------- events

  @Test
  void events_forCreateRefreshSignOutAndAppRevocation_areDeliveredOnceEach() {
    Hallpass h = engine(b -> {});
    Session s = h.createNewSession("alice", null, null, LAPTOP);
    Session r = refresh(h, s, PHONE);
    refresh(h, s, PHONE); // within grace: the same child again, no second refresh
    Session other = h.createNewSession("alice", null, null, PHONE);
    Session third = h.createNewSession("bob", null, null, PHONE);
    h.getSession(r.getAccessToken(), null, false).revokeSession();
    h.revokeSession(other.getHandle());
    h.revokeSession(other.getHandle()); // already gone: no event
    h.revokeAllSessionsForUser("bob");

    assertThat(events)
        .containsExactly(
            new Created("alice", s.getHandle(), LAPTOP),
            new Refreshed("alice", s.getHandle(), PHONE),
            new Created("alice", other.getHandle(), PHONE),
            new Created("bob", third.getHandle(), PHONE),
            new Revoked("alice", s.getHandle(), RevokeReason.SIGN_OUT, ClientInfo.UNKNOWN),
            new Revoked(
                "alice", other.getHandle(), RevokeReason.REVOKED_BY_APP, ClientInfo.UNKNOWN),
            new Revoked("bob", third.getHandle(), RevokeReason.REVOKED_BY_APP, ClientInfo.UNKNOWN));
  }

  @Test
  void theft_isReportedOnce_withUserHandleAndTheThiefsClient() {
    Hallpass h = engine(b -> {});
    Session s = h.createNewSession("alice", null, null, LAPTOP);
    clock.advance(Duration.ofMinutes(1));
    Session r = refresh(h, s, LAPTOP);
    h.getSession(r.getAccessToken(), null, false); // the client uses the new token
    clock.advance(Duration.ofMinutes(1)); // past the grace period
    ClientInfo thief = new ClientInfo("198.51.100.66", "curl/8");

    assertError(Type.TOKEN_THEFT_DETECTED, () -> refresh(h, s, thief));
    assertError(Type.UNAUTHORISED, () -> refresh(h, s, thief));
    assertError(Type.UNAUTHORISED, () -> refresh(h, r, LAPTOP));

    assertThat(eventsOf(Revoked.class))
        .containsExactly(new Revoked("alice", s.getHandle(), RevokeReason.THEFT_DETECTED, thief));
  }

  @Test
  void racingRefreshes_ofOneToken_reportOneRefresh_andRacingReplaysOneTheft() throws Exception {
    Hallpass h = engine(b -> {});
    Session s = h.createNewSession("alice", null, null, LAPTOP);
    race(16, () -> refresh(h, s, LAPTOP));
    assertThat(eventsOf(Refreshed.class)).hasSize(1);

    Session r = refresh(h, s, LAPTOP); // within grace: the same child
    h.getSession(r.getAccessToken(), null, false); // used: the parent is now theft after grace
    clock.advance(Duration.ofMinutes(1));
    race(16, () -> refresh(h, s, LAPTOP));
    assertThat(eventsOf(Revoked.class))
        .extracting(Revoked::reason)
        .containsExactly(RevokeReason.THEFT_DETECTED);
  }

  private static void race(int threads, Runnable call) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      CountDownLatch go = new CountDownLatch(1);
      List<Future<?>> futures = new ArrayList<>();
      for (int i = 0; i < threads; i++) {
        futures.add(
            pool.submit(
                () -> {
                  go.await();
                  try {
                    call.run();
                  } catch (HallpassException e) {
                    // Theft or unauthorised for the losers, counted by the events; anything else
                    // (a GENERAL_ERROR) fails the race.
                    if (e.getType() == HallpassException.Type.GENERAL_ERROR) {
                      throw e;
                    }
                  }
                  return null;
                }));
      }
      go.countDown();
      for (Future<?> f : futures) {
        f.get(10, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void throwingListener_neverBreaksTheFlow_andOthersStillHear() {
    List<SessionEvent> heard = new ArrayList<>();
    Hallpass h =
        engine(
            b ->
                b.listener(
                        e -> {
                          throw new IllegalStateException("listener bug");
                        })
                    .listener(heard::add));
    Session s = h.createNewSession("alice", Map.of(), Map.of(), LAPTOP);
    Session r = refresh(h, s, LAPTOP);
    h.getSession(r.getAccessToken(), null, false).revokeSession();

    assertThat(heard).hasSize(3);
    assertThat(events).hasSize(3);
  }

  @Test
  void verificationFailures_areReportedByReason() {
    Hallpass h = engine(b -> b.antiCsrf(true));
    Session s = h.createNewSession("alice", null, null, LAPTOP);
    assertError(Type.UNAUTHORISED, () -> h.getSession(null, null, true));
    assertError(Type.UNAUTHORISED, () -> h.getSession("not.a.token", null, true));
    assertError(Type.TRY_REFRESH_TOKEN, () -> h.getSession(s.getAccessToken(), "wrong", true));
    clock.advance(Duration.ofMinutes(11));
    assertError(
        Type.TRY_REFRESH_TOKEN,
        () -> h.getSession(s.getAccessToken(), s.getTokens().getAntiCsrfToken(), true));

    assertThat(eventsOf(VerificationFailed.class))
        .extracting(VerificationFailed::reason)
        .containsExactly(
            VerificationFailure.MISSING,
            VerificationFailure.INVALID,
            VerificationFailure.ANTI_CSRF,
            VerificationFailure.EXPIRED);
  }
}
