package dev.hallpass.loadtest;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The pass criteria, applied to one run's counts: zero of every {@link Tally.Failure} (5xx, false
 * theft verdicts, lost sessions, lost updates, ...), and every part of the mix happened at least
 * once, so that a run that did nothing cannot pass.
 *
 * @param problems one line per broken criterion; empty when the run passed
 */
record Verdict(List<String> problems) {

  Verdict {
    problems = List.copyOf(problems);
  }

  boolean passed() {
    return problems.isEmpty();
  }

  static Verdict of(Map<Tally.Failure, Long> failures, Map<Tally.Event, Long> events) {
    List<String> problems = new ArrayList<>();
    for (Tally.Failure f : Tally.Failure.values()) {
      long n = failures.getOrDefault(f, 0L);
      if (n != 0) {
        problems.add(n + " " + f.meaning + " (" + f + ")");
      }
    }
    for (Tally.Event e : Tally.Event.values()) {
      if (events.getOrDefault(e, 0L) == 0) {
        problems.add("the mix never did " + e + ": the run proves nothing about it");
      }
    }
    return new Verdict(problems);
  }

  static Verdict of(Tally tally) {
    return of(tally.failureCounts(), tally.eventCounts());
  }
}
