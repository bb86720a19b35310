package dev.hallpass;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Signs refreshed access tokens on another thread while the store writes and commits, so that the
 * RSA work overlaps the database round trips instead of following them.
 *
 * <p>Overlap pays only while a core is idle: when as many refreshes are in flight as there are
 * cores, handing the signature over costs more than it hides, so {@link #begin} then declines and
 * the caller signs after the commit. It also declines after {@link #close()}. A begun signature is
 * pure CPU work: discarding it (the transaction failed or was retried) has no effect. Waiting for
 * one is bounded; past the bound the caller signs itself.
 */
final class Signer implements AutoCloseable {
  private static final int CORES = Runtime.getRuntime().availableProcessors();
  private static final long WAIT_SECONDS = 10;

  private final AccessTokens tokens;
  private final ThreadPoolExecutor pool;
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicLong begun = new AtomicLong();

  Signer(AccessTokens tokens) {
    this.tokens = tokens;
    this.pool =
        new ThreadPoolExecutor(
            0,
            CORES,
            30,
            TimeUnit.SECONDS,
            new SynchronousQueue<>(),
            r -> {
              Thread t = new Thread(r, "hallpass-signer");
              t.setDaemon(true);
              return t;
            },
            new ThreadPoolExecutor.AbortPolicy());
  }

  /** Marks a refresh in flight; {@link #exit()} ends it. */
  void enter() {
    inFlight.incrementAndGet();
  }

  void exit() {
    inFlight.decrementAndGet();
  }

  /** Starts signing {@code claims} when a core is free; null when the caller should sign. */
  FutureTask<AccessTokens.Verified> begin(AccessTokens.Claims claims) {
    if (inFlight.get() >= CORES) {
      return null;
    }
    FutureTask<AccessTokens.Verified> task = new FutureTask<>(() -> tokens.sign(claims));
    try {
      pool.execute(task);
      begun.incrementAndGet();
      return task;
    } catch (RejectedExecutionException e) {
      return null; // every signer busy, or closed
    }
  }

  /** The signature {@code begun} produced, or a new one made on this thread. */
  AccessTokens.Verified finish(
      FutureTask<AccessTokens.Verified> begun, AccessTokens.Claims claims) {
    if (begun != null) {
      try {
        return begun.get(WAIT_SECONDS, TimeUnit.SECONDS);
      } catch (ExecutionException e) {
        if (e.getCause() instanceof RuntimeException r) {
          throw r;
        }
        throw HallpassException.generalError("signing failed", e.getCause());
      } catch (TimeoutException e) {
        begun.cancel(false); // sign here instead
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw HallpassException.generalError("interrupted while signing", e);
      }
    }
    return tokens.sign(claims);
  }

  /** How many signatures were started on the pool (tests). */
  long begun() {
    return begun.get();
  }

  /** Accepts no new work; signatures under way finish. */
  @Override
  public void close() {
    pool.shutdown();
  }
}
