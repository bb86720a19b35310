package dev.hallpass.loadtest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hallpass.loadtest.FakeTarget.Fault;
import dev.hallpass.loadtest.Tally.Event;
import dev.hallpass.loadtest.Tally.Failure;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import org.junit.jupiter.api.Test;

/**
 * The driver's checks against an in-memory target on a simulated clock (no sleeping, no servers): a
 * target that follows the rules passes; one that breaks a rule on purpose makes the run fail with
 * that failure named. This is how we know the load test can fail.
 */
class BrowserChecksTest {
  private static final long VALIDITY = 3_000;
  private static final long GRACE = 3_000;
  private static final int BROWSERS = 30;
  private static final int STEPS = 6_000;

  /** Runs the browsers step by step, moving the clock to each browser's next step. */
  private static Tally simulate(Fault fault) throws InterruptedException {
    long[] clock = {0};
    FakeTarget target = new FakeTarget(() -> clock[0], VALIDITY, GRACE, fault);
    Tally tally = new Tally();
    Mix mix = Mix.standard(Duration.ofMillis(500), Duration.ofMillis(GRACE));
    List<Browser> browsers = new ArrayList<>();
    PriorityQueue<long[]> next = new PriorityQueue<>((a, b) -> Long.compare(a[0], b[0]));
    for (int i = 0; i < BROWSERS; i++) {
      Browser b = new Browser(i, target, tally, mix, 42 + i, () -> clock[0], Runnable::run);
      browsers.add(b);
      next.add(new long[] {b.initialPause(), i});
    }
    for (int s = 0; s < STEPS; s++) {
      long[] due = next.poll();
      clock[0] = due[0];
      long pause = browsers.get((int) due[1]).step();
      next.add(new long[] {due[0] + pause, due[1]});
    }
    for (Browser b : browsers) {
      b.finalCheck();
    }
    return tally;
  }

  @Test
  void aTargetThatFollowsTheRules_passes_andTheMixDidEverything() throws Exception {
    Tally t = simulate(Fault.NONE);

    Verdict v = Verdict.of(t);
    assertThat(v.problems()).isEmpty();
    assertThat(v.passed()).isTrue();
    for (Event e : Event.values()) {
      assertThat(t.events(e)).as(e.name()).isPositive();
    }
  }

  @Test
  void aTheftVerdictOnARetryAfterALostAnswer_failsTheRun() throws Exception {
    Tally t = simulate(Fault.THEFT_ON_LATE_RETRY);

    assertThat(t.failures(Failure.FALSE_THEFT)).isPositive();
    assertThat(Verdict.of(t).passed()).isFalse();
    assertThat(Verdict.of(t).problems()).anyMatch(p -> p.contains("FALSE_THEFT"));
    assertThat(t.examples()).anyMatch(x -> x.contains("retry after a lost answer"));
  }

  @Test
  void http500Answers_failTheRun() throws Exception {
    Tally t = simulate(Fault.SERVER_ERROR_EVERY_50TH_CALL);

    assertThat(t.failures(Failure.SERVER_ERROR)).isPositive();
    assertThat(Verdict.of(t).problems()).anyMatch(p -> p.contains("HTTP 5xx"));
  }

  @Test
  void aLostDataUpdate_failsTheRun() throws Exception {
    Tally t = simulate(Fault.DROPS_EVERY_10TH_UPDATE);

    assertThat(t.failures(Failure.LOST_UPDATE)).isPositive();
    assertThat(Verdict.of(t).problems()).anyMatch(p -> p.contains("LOST_UPDATE"));
  }

  @Test
  void aSessionAliveAfterSignOut_failsTheRun() throws Exception {
    Tally t = simulate(Fault.KEEPS_SESSIONS_AFTER_SIGN_OUT);

    assertThat(t.failures(Failure.NOT_SIGNED_OUT)).isPositive();
    assertThat(Verdict.of(t).passed()).isFalse();
  }

  @Test
  void racingTabsGivenDifferentChildren_failTheRun() throws Exception {
    Tally t = simulate(Fault.NEW_CHILD_WITHIN_GRACE);

    assertThat(t.failures(Failure.TABS_DIVERGED)).isPositive();
    assertThat(t.failures(Failure.WRONG_RULE)).as("a new child within grace").isPositive();
    assertThat(Verdict.of(t).passed()).isFalse();
  }

  @Test
  void aSessionLostWhileSignedIn_failsTheRun() throws Exception {
    Tally t = simulate(Fault.FORGETS_SESSIONS);

    assertThat(t.failures(Failure.LOST_SESSION)).isPositive();
    assertThat(Verdict.of(t).passed()).isFalse();
  }
}
