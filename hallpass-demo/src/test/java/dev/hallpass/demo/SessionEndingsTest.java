package dev.hallpass.demo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hallpass.demo.SessionEndings.Reason;
import dev.hallpass.testkit.MutableClock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** What the demo remembers about how sessions ended, without a server. */
class SessionEndingsTest {
  private final MutableClock clock = new MutableClock(Instant.parse("2030-01-01T00:00:00Z"));
  private final SessionEndings endings = new SessionEndings(clock);

  @Test
  void aSessionIsExpiredFromItsExpiryOn_andARefreshMovesTheExpiry() {
    endings.issued("h", clock.instant().plusSeconds(60));
    clock.advance(Duration.ofSeconds(59));
    assertThat(endings.why("h")).isEqualTo(Reason.UNKNOWN);

    endings.issued("h", clock.instant().plusSeconds(60));
    clock.advance(Duration.ofSeconds(59));
    assertThat(endings.why("h")).as("refreshed a second before").isEqualTo(Reason.UNKNOWN);
    clock.advance(Duration.ofSeconds(1));
    assertThat(endings.why("h")).isEqualTo(Reason.EXPIRED);
  }

  @Test
  void aRecordedEnding_winsOverTheExpiry() {
    endings.issued("stolen", clock.instant().plusSeconds(60));
    endings.issued("elsewhere", clock.instant().plusSeconds(60));
    endings.ended("stolen", Reason.TOKEN_THEFT);
    endings.ended("elsewhere", Reason.SIGNED_OUT_ELSEWHERE);
    clock.advance(Duration.ofHours(1));

    assertThat(endings.why("stolen")).isEqualTo(Reason.TOKEN_THEFT);
    assertThat(endings.why("elsewhere")).isEqualTo(Reason.SIGNED_OUT_ELSEWHERE);
    assertThat(Reason.SIGNED_OUT_ELSEWHERE.wireName()).isEqualTo("signed-out-elsewhere");
  }

  @Test
  void memoryIsBounded_theLeastRecentlyIssuedAreForgottenFirst() {
    Instant expiry = clock.instant().plusSeconds(60);
    for (int i = 0; i <= SessionEndings.MAX_ENTRIES; i++) {
      endings.issued("h" + i, expiry);
      endings.ended("e" + i, Reason.SIGNED_OUT_ELSEWHERE);
    }
    clock.advance(Duration.ofMinutes(2));

    assertThat(endings.why("h0")).isEqualTo(Reason.UNKNOWN);
    assertThat(endings.why("h1")).isEqualTo(Reason.EXPIRED);
    assertThat(endings.why("e0")).isEqualTo(Reason.UNKNOWN);
    assertThat(endings.why("e" + SessionEndings.MAX_ENTRIES))
        .isEqualTo(Reason.SIGNED_OUT_ELSEWHERE);
  }
}
