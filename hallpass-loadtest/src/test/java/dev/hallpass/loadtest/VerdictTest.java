package dev.hallpass.loadtest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hallpass.loadtest.Tally.Event;
import dev.hallpass.loadtest.Tally.Failure;
import java.util.EnumMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class VerdictTest {

  private static Map<Event, Long> everyEventOnce() {
    Map<Event, Long> m = new EnumMap<>(Event.class);
    for (Event e : Event.values()) {
      m.put(e, 1L);
    }
    return m;
  }

  private static Map<Failure, Long> none() {
    Map<Failure, Long> m = new EnumMap<>(Failure.class);
    for (Failure f : Failure.values()) {
      m.put(f, 0L);
    }
    return m;
  }

  @Test
  void noFailures_andTheWholeMix_passes() {
    assertThat(Verdict.of(none(), everyEventOnce()).passed()).isTrue();
  }

  @Test
  void eachFailureKind_aloneFailsTheRun_namingIt() {
    for (Failure f : Failure.values()) {
      Map<Failure, Long> failures = none();
      failures.put(f, 1L);

      Verdict v = Verdict.of(failures, everyEventOnce());

      assertThat(v.passed()).as(f.name()).isFalse();
      assertThat(v.problems()).as(f.name()).singleElement().asString().contains(f.name());
    }
  }

  @Test
  void aMixPartThatNeverHappened_failsTheRun() {
    Map<Event, Long> events = everyEventOnce();
    events.put(Event.TAB_RACES, 0L);

    Verdict v = Verdict.of(none(), events);

    assertThat(v.passed()).isFalse();
    assertThat(v.problems()).singleElement().asString().contains("TAB_RACES");
  }

  @Test
  void theServersOwnTheftCount_isAFalseTheft() {
    Tally t = new Tally();
    t.fail(Failure.FALSE_THEFT, 3, "the server counted 3 theft verdicts");

    assertThat(t.failures(Failure.FALSE_THEFT)).isEqualTo(3);
    assertThat(t.examples()).containsExactly("FALSE_THEFT: the server counted 3 theft verdicts");
  }
}
