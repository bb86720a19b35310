package dev.hallpass.micrometer;

import dev.hallpass.SessionEvent;
import dev.hallpass.SessionListener;
import dev.hallpass.spi.SessionStore;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Hallpass's meters on a Micrometer {@link MeterRegistry}:
 *
 * <pre>{@code
 * HallpassMetrics metrics = HallpassMetrics.on(registry);
 * Hallpass hallpass = Hallpass.builder()
 *     .store(metrics.timed(JdbcSessionStores.embedded()))
 *     .listener(metrics.listener())
 *     .build();
 * }</pre>
 *
 * <p>Counters (from the engine's {@link SessionEvent}s): {@value #CREATED}, {@value #REFRESHED},
 * {@value #REVOKED} tagged {@code reason} (lower-case {@link SessionEvent.RevokeReason}), {@value
 * #THEFTS} (also counted as a revocation with reason {@code theft_detected}) and {@value
 * #VERIFICATION_FAILURES} tagged {@code reason} (lower-case {@link
 * SessionEvent.VerificationFailure}). Timer {@value #STORE_CALLS} tagged {@code operation} (the
 * {@link SessionStore} method) and {@code outcome} ({@code success} or {@code error}). In
 * Prometheus the names become {@code hallpass_session_creations_total}, ..., {@code
 * hallpass_store_calls_seconds}. Tags never carry a user id, handle, address or token.
 *
 * <p>Guarantees: every meter is registered when this object is made (so a scrape shows zeros before
 * the first event); counting never throws into the engine.
 */
public final class HallpassMetrics {
  /** Sessions created. */
  public static final String CREATED = "hallpass.session.creations";

  /** Refreshes that rotated a refresh token. */
  public static final String REFRESHED = "hallpass.session.refreshes";

  /** Sessions revoked, by reason. */
  public static final String REVOKED = "hallpass.session.revocations";

  /** Refresh-token replays detected (each revoked its session). */
  public static final String THEFTS = "hallpass.token.thefts.detected";

  /** Access tokens refused by {@code getSession}, by reason. */
  public static final String VERIFICATION_FAILURES = "hallpass.session.verification.failures";

  /** Session-store calls, by operation and outcome. */
  public static final String STORE_CALLS = "hallpass.store.calls";

  private final MeterRegistry registry;
  private final Counter created;
  private final Counter refreshed;
  private final Counter thefts;
  private final Map<SessionEvent.RevokeReason, Counter> revoked =
      new EnumMap<>(SessionEvent.RevokeReason.class);
  private final Map<SessionEvent.VerificationFailure, Counter> failures =
      new EnumMap<>(SessionEvent.VerificationFailure.class);
  private final SessionListener listener = this::count;

  private HallpassMetrics(MeterRegistry registry) {
    this.registry = registry;
    created = Counter.builder(CREATED).description("Sessions created").register(registry);
    refreshed =
        Counter.builder(REFRESHED)
            .description("Refreshes that rotated a refresh token")
            .register(registry);
    thefts =
        Counter.builder(THEFTS)
            .description("Refresh-token replays detected (the session was revoked)")
            .register(registry);
    for (SessionEvent.RevokeReason r : SessionEvent.RevokeReason.values()) {
      revoked.put(
          r,
          Counter.builder(REVOKED)
              .description("Sessions revoked, by reason")
              .tag("reason", r.name().toLowerCase(Locale.ROOT))
              .register(registry));
    }
    for (SessionEvent.VerificationFailure f : SessionEvent.VerificationFailure.values()) {
      failures.put(
          f,
          Counter.builder(VERIFICATION_FAILURES)
              .description("Access tokens refused, by reason")
              .tag("reason", f.name().toLowerCase(Locale.ROOT))
              .register(registry));
    }
  }

  /** Registers Hallpass's counters on {@code registry}; timers are added by {@link #timed}. */
  public static HallpassMetrics on(MeterRegistry registry) {
    return new HallpassMetrics(Objects.requireNonNull(registry, "registry"));
  }

  /** The listener that counts events: give it to {@code Hallpass.builder().listener(...)}. */
  public SessionListener listener() {
    return listener;
  }

  /** {@code store} with each call timed into {@value #STORE_CALLS}; behaviour is unchanged. */
  public SessionStore timed(SessionStore store) {
    return new TimedSessionStore(Objects.requireNonNull(store, "store"), registry);
  }

  private void count(SessionEvent event) {
    if (event instanceof SessionEvent.Created) {
      created.increment();
    } else if (event instanceof SessionEvent.Refreshed) {
      refreshed.increment();
    } else if (event instanceof SessionEvent.Revoked r) {
      revoked.get(r.reason()).increment();
      if (r.reason() == SessionEvent.RevokeReason.THEFT_DETECTED) {
        thefts.increment();
      }
    } else if (event instanceof SessionEvent.VerificationFailed f) {
      failures.get(f.reason()).increment();
    }
  }
}
