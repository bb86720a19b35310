package dev.hallpass.loadtest;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * Everything one run counts: failures (each one fails the run), events (what the mix did) and the
 * latency of every HTTP call per operation. Thread-safe. Failure descriptions name the browser and
 * the call, never a token.
 */
final class Tally {

  /** What must never happen; any one fails the run. */
  enum Failure {
    SERVER_ERROR("HTTP 5xx answers"),
    FALSE_THEFT("theft verdicts against a legitimate browser (TOKEN_THEFT_DETECTED)"),
    LOST_SESSION("sessions lost (UNAUTHORISED while signed in)"),
    LOST_UPDATE("session-data updates lost (read back older than acknowledged)"),
    NOT_SIGNED_OUT("sessions still alive after sign-out"),
    TABS_DIVERGED("racing tabs given different refresh tokens"),
    WRONG_RULE("lost-answer retries answered against the rotation rules (2 within grace, 3 after)"),
    UNEXPECTED("unexpected answers (4xx, unknown status)"),
    TRANSPORT("transport errors and timeouts");

    final String meaning;

    Failure(String meaning) {
      this.meaning = meaning;
    }
  }

  /** What the mix did; the run fails if one of them never happened (a vacuous pass). */
  enum Event {
    SESSIONS_CREATED,
    PROTECTED_CALLS,
    REFRESHES_ON_EXPIRY,
    TAB_RACES,
    LOST_ANSWERS,
    RETRIES_SAME_CHILD,
    RETRIES_NEW_CHILD,
    DATA_UPDATES,
    DATA_READ_BACKS,
    SIGN_OUTS,
    FINAL_CHECKS
  }

  private static final int MAX_EXAMPLES = 20;

  private final Map<Failure, LongAdder> failures = new EnumMap<>(Failure.class);
  private final Map<Event, LongAdder> events = new EnumMap<>(Event.class);
  private final Map<String, Latencies> latencies = new ConcurrentHashMap<>();
  private final List<String> examples = Collections.synchronizedList(new ArrayList<>());
  private final AtomicInteger exampleSlots = new AtomicInteger(MAX_EXAMPLES);
  // Latencies count only inside the measured window (after the warm-up, before the final checks).
  private volatile boolean measuring = true;

  Tally() {
    for (Failure f : Failure.values()) {
      failures.put(f, new LongAdder());
    }
    for (Event e : Event.values()) {
      events.put(e, new LongAdder());
    }
  }

  void fail(Failure f, String description) {
    failures.get(f).increment();
    if (exampleSlots.getAndDecrement() > 0) {
      examples.add(f + ": " + description);
    }
  }

  /** Adds failures counted elsewhere (e.g. the server's own theft counter). */
  void fail(Failure f, long count, String description) {
    if (count > 0) {
      failures.get(f).add(count - 1);
      fail(f, description);
    }
  }

  void event(Event e) {
    events.get(e).increment();
  }

  void measuring(boolean on) {
    measuring = on;
  }

  /** One HTTP call of {@code operation} took {@code nanos}. */
  void latency(String operation, long nanos) {
    if (measuring) {
      latencies.computeIfAbsent(operation, k -> new Latencies()).add(nanos);
    }
  }

  long failures(Failure f) {
    return failures.get(f).sum();
  }

  long events(Event e) {
    return events.get(e).sum();
  }

  Map<Failure, Long> failureCounts() {
    Map<Failure, Long> m = new EnumMap<>(Failure.class);
    failures.forEach((k, v) -> m.put(k, v.sum()));
    return m;
  }

  Map<Event, Long> eventCounts() {
    Map<Event, Long> m = new EnumMap<>(Event.class);
    events.forEach((k, v) -> m.put(k, v.sum()));
    return m;
  }

  /** Per operation, sorted by name. */
  Map<String, Latencies.Summary> latencySummaries() {
    Map<String, Latencies.Summary> m = new TreeMap<>();
    latencies.forEach((k, v) -> m.put(k, v.summary()));
    return m;
  }

  List<String> examples() {
    synchronized (examples) {
      return List.copyOf(examples);
    }
  }
}
