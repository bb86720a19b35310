package dev.hallpass.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hallpass.ClientInfo;
import dev.hallpass.Hallpass;
import dev.hallpass.HallpassException;
import dev.hallpass.Session;
import dev.hallpass.SessionStores;
import dev.hallpass.testkit.MutableClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Meter values after a scripted sequence of session calls. */
class HallpassMetricsTest {
  private final MutableClock clock = new MutableClock(Instant.parse("2026-03-01T00:00:00Z"));
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final HallpassMetrics metrics = HallpassMetrics.on(registry);
  private final Hallpass hallpass =
      Hallpass.builder()
          .store(metrics.timed(SessionStores.inMemory(clock)))
          .listener(metrics.listener())
          .clock(clock)
          .accessTokenValidity(Duration.ofMinutes(10))
          .refreshTokenValidity(Duration.ofDays(1))
          .inactivityTimeout(Duration.ofHours(1))
          .disableBackgroundCleanup()
          .build();

  @AfterEach
  void close() {
    hallpass.close();
  }

  private double counter(String name, String... tags) {
    var c = registry.find(name).tags(tags).counter();
    return c == null ? -1 : c.count();
  }

  private long storeCalls(String operation, String outcome) {
    var t =
        registry
            .find(HallpassMetrics.STORE_CALLS)
            .tags("operation", operation, "outcome", outcome)
            .timer();
    return t == null ? 0 : t.count();
  }

  private Session refresh(Session s) {
    return hallpass.refreshSession(s.getTokens().getRefreshToken(), null, true, ClientInfo.UNKNOWN);
  }

  @Test
  void scriptedSequence_countsEveryEventOnce_andTimesTheStoreCalls() {
    assertThat(counter(HallpassMetrics.CREATED)).isZero(); // registered before the first event

    Session a = hallpass.createNewSession("alice", null, null);
    Session b = hallpass.createNewSession("bob", null, null);
    Session c = hallpass.createNewSession("carol", null, null);
    Session a1 = refresh(a);
    refresh(a); // the same child within grace: not a second refresh
    hallpass.getSession(a1.getAccessToken(), null, false); // confirms a1
    clock.advance(Duration.ofMinutes(1));
    assertThatThrownBy(() -> refresh(a)).isInstanceOf(HallpassException.class); // theft
    hallpass.getSession(b.getAccessToken(), null, false).revokeSession(); // sign-out
    assertThatThrownBy(() -> hallpass.getSession(null, null, false))
        .isInstanceOf(HallpassException.class);
    assertThatThrownBy(() -> hallpass.getSession("x.y.z", null, false))
        .isInstanceOf(HallpassException.class);
    clock.advance(Duration.ofHours(2));
    assertThatThrownBy(() -> hallpass.getSession(c.getAccessToken(), null, false))
        .isInstanceOf(HallpassException.class); // access token expired
    assertThatThrownBy(() -> refresh(c)).isInstanceOf(HallpassException.class); // idle
    hallpass.createNewSession("dave", null, null);
    hallpass.revokeAllSessionsForUser("dave");

    assertThat(counter(HallpassMetrics.CREATED)).isEqualTo(4);
    assertThat(counter(HallpassMetrics.REFRESHED)).isEqualTo(1);
    assertThat(counter(HallpassMetrics.THEFTS)).isEqualTo(1);
    assertThat(counter(HallpassMetrics.REVOKED, "reason", "theft_detected")).isEqualTo(1);
    assertThat(counter(HallpassMetrics.REVOKED, "reason", "sign_out")).isEqualTo(1);
    assertThat(counter(HallpassMetrics.REVOKED, "reason", "idle_timeout")).isEqualTo(1);
    assertThat(counter(HallpassMetrics.REVOKED, "reason", "revoked_by_app")).isEqualTo(1);
    assertThat(counter(HallpassMetrics.REVOKED, "reason", "expired")).isZero();
    assertThat(counter(HallpassMetrics.REVOKED, "reason", "absolute_timeout")).isZero();
    assertThat(counter(HallpassMetrics.VERIFICATION_FAILURES, "reason", "missing")).isEqualTo(1);
    assertThat(counter(HallpassMetrics.VERIFICATION_FAILURES, "reason", "invalid")).isEqualTo(1);
    assertThat(counter(HallpassMetrics.VERIFICATION_FAILURES, "reason", "expired")).isEqualTo(1);
    assertThat(counter(HallpassMetrics.VERIFICATION_FAILURES, "reason", "anti_csrf")).isZero();
    assertThat(storeCalls("insertSession", "success")).isEqualTo(4);
    // a (x3), c (idle): four refresh transactions
    assertThat(storeCalls("lockAndDecide", "success")).isEqualTo(4);
    assertThat(storeCalls("confirmRefreshToken", "success")).isEqualTo(1);
    assertThat(storeCalls("deleteSessionsOfUser", "success")).isEqualTo(1);
  }

  @Test
  void failingStoreCall_isTimedAsError_andStillThrows() {
    hallpass.close();
    assertThatThrownBy(() -> hallpass.createNewSession("alice", null, null))
        .isInstanceOf(HallpassException.class);
    assertThat(storeCalls("insertSession", "error")).isEqualTo(1);
  }
}
