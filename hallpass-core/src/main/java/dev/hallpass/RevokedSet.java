package dev.hallpass;

import dev.hallpass.spi.RevocationFeed;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The handles of sessions revoked recently, kept current by a store's {@link RevocationFeed}, so
 * that blacklisting needs no store call per request.
 *
 * <p>It is <i>trusted</i> only while the feed is known to have delivered everything: from the
 * completion of a {@link RevocationFeed#revokedSince} read that started after the feed's last
 * {@link RevocationFeed.Listener#onSubscribed()} with no gap since, until the next gap. Until then
 * the engine asks the store on every request, so a lost notification never lets a revoked session
 * in. A handle is remembered for the access-token validity plus {@link #MARGIN} after its
 * revocation: longer, every token of its session has expired anyway.
 */
final class RevokedSet implements RevocationFeed.Listener, AutoCloseable {
  private static final System.Logger LOG = System.getLogger(RevokedSet.class.getName());

  /** Slack for clock differences between processes and the store, in both directions. */
  static final Duration MARGIN = Duration.ofMinutes(1);

  /** Pause before a failed catch-up read is tried again. */
  static final Duration RETRY = Duration.ofSeconds(1);

  private final RevocationFeed feed;
  private final Clock clock;
  private final long keepMillis;
  private final ConcurrentHashMap<String, Long> forgetAt = new ConcurrentHashMap<>();
  private final ScheduledExecutorService worker;
  private final Object lock = new Object();

  private volatile boolean trusted;

  /** Counts gaps: a catch-up read counts only if none happened while it ran. Under lock. */
  private long gaps;

  /** The earliest time (the store's clock, with margin) from which revocations may be missing. */
  private long missingSinceMillis;

  private boolean catchUpQueued;
  private RevocationFeed.Subscription subscription;

  RevokedSet(RevocationFeed feed, Clock clock, Duration accessTokenValidity) {
    this.feed = feed;
    this.clock = clock;
    this.keepMillis = accessTokenValidity.plus(MARGIN).toMillis();
    this.missingSinceMillis = clock.millis() - keepMillis; // at start: the whole window
    this.worker =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "hallpass-revocations");
              t.setDaemon(true);
              return t;
            });
  }

  /** Subscribes; until the first catch-up completes, the set is not trusted. */
  RevokedSet start() {
    long ms = Math.max(1_000, Math.min(60_000, keepMillis / 10));
    worker.scheduleWithFixedDelay(this::forgetExpired, ms, ms, TimeUnit.MILLISECONDS);
    subscription = feed.subscribe(this);
    return this;
  }

  /** Whether the set holds every revocation that can matter now (else ask the store). */
  boolean trusted() {
    return trusted;
  }

  /** Whether the session was revoked recently; only meaningful when {@link #trusted()}. */
  boolean isRevoked(String handle, long nowMillis) {
    Long until = forgetAt.get(handle);
    if (until == null) {
      return false;
    }
    if (until <= nowMillis) {
      forgetAt.remove(handle, until);
      return false;
    }
    return true;
  }

  /** Records a revocation this process made or learned at {@code atMillis}. */
  void revoked(String handle, long atMillis) {
    forgetAt.merge(handle, atMillis + keepMillis, Math::max);
  }

  int size() {
    return forgetAt.size();
  }

  @Override
  public void onRevoked(String handle) {
    revoked(handle, clock.millis());
  }

  @Override
  public void onGap() {
    synchronized (lock) {
      if (trusted) {
        trusted = false;
        missingSinceMillis = clock.millis() - MARGIN.toMillis();
        LOG.log(
            System.Logger.Level.WARNING,
            "the revocation feed may have missed revocations: checking the store on every request"
                + " until it has caught up");
      }
      gaps++;
    }
  }

  @Override
  public void onSubscribed() {
    scheduleCatchUp(0);
  }

  private void scheduleCatchUp(long delayMillis) {
    synchronized (lock) {
      if (catchUpQueued) {
        return;
      }
      catchUpQueued = true;
    }
    try {
      worker.schedule(this::catchUp, delayMillis, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      // closed
    }
  }

  /** Reads the revocations that may have been missed; trusts the set if no gap came meanwhile. */
  private void catchUp() {
    long gen;
    long since;
    synchronized (lock) {
      catchUpQueued = false;
      gen = gaps;
      since = Math.max(missingSinceMillis, clock.millis() - keepMillis);
    }
    Map<String, Instant> missed;
    try {
      missed = feed.revokedSince(Instant.ofEpochMilli(since));
    } catch (RuntimeException e) {
      LOG.log(
          System.Logger.Level.WARNING,
          "cannot read the recent revocations; checking the store on every request, retrying",
          e);
      scheduleCatchUp(RETRY.toMillis());
      return;
    }
    for (Map.Entry<String, Instant> e : missed.entrySet()) {
      revoked(e.getKey(), e.getValue().toEpochMilli());
    }
    synchronized (lock) {
      if (gaps == gen && !trusted) {
        trusted = true;
        LOG.log(System.Logger.Level.DEBUG, "the revocation feed has caught up");
      }
    }
  }

  /** Drops the handles whose tokens have all expired. */
  void forgetExpired() {
    long now = clock.millis();
    forgetAt.values().removeIf(until -> until <= now);
  }

  /** The cut-off for the store's own record: older revocations can no longer matter. */
  Instant forgetBefore() {
    return Instant.ofEpochMilli(clock.millis() - keepMillis);
  }

  @Override
  public void close() {
    worker.shutdownNow();
    if (subscription != null) {
      subscription.close();
    }
  }
}
