package dev.hallpass.loadtest;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs a set of browsers against one target, bounded in time and count: every browser takes steps
 * on a fixed pool of threads (no thread per browser) until the deadline or the step limit, then
 * each signed-in browser makes its final check. A browser that does not come back within the run's
 * hard limit fails the run (TRANSPORT) rather than hang it.
 */
final class LoadRun {

  /** Settings of one run. */
  record Settings(
      int browsers, int threads, Duration warmup, Duration duration, long maxSteps, long seed) {
    Settings {
      if (browsers < 1 || threads < 1 || maxSteps < 1) {
        throw new IllegalArgumentException("browsers, threads and maxSteps must be >= 1");
      }
    }
  }

  /** How long the measured part took, the steps taken and how many were cut by the step limit. */
  record Outcome(Duration measured, long steps, boolean stepLimitReached) {}

  /** After the deadline, how long the in-flight steps and then the final checks may take. */
  static final Duration DRAIN_LIMIT = Duration.ofSeconds(60);

  private LoadRun() {}

  static Outcome run(Settings s, Mix mix, Tally tally, SessionApi api) throws InterruptedException {
    ScheduledThreadPoolExecutor workers = new ScheduledThreadPoolExecutor(s.threads());
    // The second tab of a race runs here, so that a racing pair never waits for a free worker.
    ExecutorService tabs = Executors.newFixedThreadPool(s.threads());
    try {
      List<Browser> browsers = new ArrayList<>();
      for (int i = 0; i < s.browsers(); i++) {
        browsers.add(
            new Browser(
                i, api, tally, mix, s.seed() * 1_000_003L + i, LoadRun::monotonicMillis, tabs));
      }
      long start = System.nanoTime();
      long measureFrom = start + s.warmup().toNanos();
      long deadline = measureFrom + s.duration().toNanos();
      tally.measuring(s.warmup().isZero());
      AtomicLong steps = new AtomicLong();
      CountDownLatch stopped = new CountDownLatch(browsers.size());
      if (!s.warmup().isZero()) {
        workers.schedule(() -> tally.measuring(true), s.warmup().toMillis(), TimeUnit.MILLISECONDS);
      }
      for (Browser b : browsers) {
        workers.schedule(
            new Step(b, workers, deadline, steps, s.maxSteps(), stopped, tally),
            b.initialPause(),
            TimeUnit.MILLISECONDS);
      }
      long limit = deadline - System.nanoTime() + DRAIN_LIMIT.toNanos();
      if (!stopped.await(limit, TimeUnit.NANOSECONDS)) {
        tally.fail(
            Tally.Failure.TRANSPORT,
            stopped.getCount() + " browsers did not finish their step within " + DRAIN_LIMIT);
      }
      long end = Math.min(System.nanoTime(), deadline);
      tally.measuring(false);
      Duration measured = Duration.ofNanos(Math.max(1, end - measureFrom));

      // Final checks, a few browsers at a time, bounded too.
      CountDownLatch checked = new CountDownLatch(browsers.size());
      for (Browser b : browsers) {
        workers.execute(
            () -> {
              try {
                b.finalCheck();
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              } finally {
                checked.countDown();
              }
            });
      }
      if (!checked.await(DRAIN_LIMIT.toSeconds(), TimeUnit.SECONDS)) {
        tally.fail(
            Tally.Failure.TRANSPORT,
            checked.getCount() + " final checks did not finish within " + DRAIN_LIMIT);
      }
      return new Outcome(
          measured, Math.min(steps.get(), s.maxSteps()), steps.get() >= s.maxSteps());
    } finally {
      workers.shutdownNow();
      tabs.shutdownNow();
      workers.awaitTermination(10, TimeUnit.SECONDS);
      tabs.awaitTermination(10, TimeUnit.SECONDS);
    }
  }

  static long monotonicMillis() {
    return System.nanoTime() / 1_000_000;
  }

  /** One browser's next step; reschedules itself until the deadline or the step limit. */
  private static final class Step implements Runnable {
    private final Browser browser;
    private final ScheduledThreadPoolExecutor workers;
    private final long deadline;
    private final AtomicLong steps;
    private final long maxSteps;
    private final CountDownLatch stopped;
    private final Tally tally;

    Step(
        Browser browser,
        ScheduledThreadPoolExecutor workers,
        long deadline,
        AtomicLong steps,
        long maxSteps,
        CountDownLatch stopped,
        Tally tally) {
      this.browser = browser;
      this.workers = workers;
      this.deadline = deadline;
      this.steps = steps;
      this.maxSteps = maxSteps;
      this.stopped = stopped;
      this.tally = tally;
    }

    @Override
    public void run() {
      if (System.nanoTime() >= deadline || steps.incrementAndGet() > maxSteps) {
        stopped.countDown();
        return;
      }
      long pause;
      try {
        pause = browser.step();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        stopped.countDown();
        return;
      } catch (RuntimeException e) {
        // A bug in the driver must not silently stop a browser.
        tally.fail(Tally.Failure.UNEXPECTED, "browser " + browser.id() + ": driver error " + e);
        pause = 100;
      }
      workers.schedule(this, pause, TimeUnit.MILLISECONDS);
    }
  }
}
