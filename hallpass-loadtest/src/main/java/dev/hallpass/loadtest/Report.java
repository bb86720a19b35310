package dev.hallpass.loadtest;

import dev.hallpass.loadtest.Tally.Event;
import dev.hallpass.loadtest.Tally.Failure;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;

/**
 * One target's result, and its Markdown report: throughput, latency per operation, every pass
 * criterion with its count, what the mix did, and the verdict.
 *
 * @param serverTheftCount the server's own {@code hallpass_token_thefts_detected_total} at the end,
 *     or -1 where there is none (the demo)
 */
record Report(
    String target,
    LoadOptions options,
    LoadRun.Outcome outcome,
    Tally tally,
    long serverTheftCount,
    Verdict verdict) {

  String markdown() {
    StringBuilder sb = new StringBuilder();
    sb.append("### ").append(target).append(": ").append(verdict.passed() ? "PASS" : "FAIL");
    sb.append("\n\n");
    sb.append(options.browsers())
        .append(" browsers, ")
        .append(seconds(outcome.measured()))
        .append(" s measured");
    if (!options.warmup().isZero()) {
      sb.append(" after a ").append(seconds(options.warmup())).append(" s warm-up");
    }
    sb.append(", access tokens valid ")
        .append(options.accessTokenValidity().toSeconds())
        .append(" s (refresh grace ")
        .append(options.grace().toSeconds())
        .append(" s), think time ")
        .append(options.thinkTime().toMillis())
        .append(" ms, ")
        .append(options.threads())
        .append(" driver threads, PostgreSQL; driver, target and database on one machine ")
        .append("(2 noisy cores).\n\n");

    Map<String, Latencies.Summary> ops = tally.latencySummaries();
    long calls = ops.values().stream().mapToLong(Latencies.Summary::count).sum();
    double secs = outcome.measured().toNanos() / 1e9;
    sb.append(
        String.format(
            Locale.ROOT,
            "Throughput: %d HTTP calls in %.1f s = **%.0f calls/s** (2 noisy cores); %d browser"
                + " steps in all (warm-up included)%s.%n%n",
            calls,
            secs,
            calls / secs,
            outcome.steps(),
            outcome.stepLimitReached() ? " (stopped by --max-steps)" : ""));
    sb.append("| operation | calls | calls/s | p50 ms | p99 ms | max ms |\n");
    sb.append("|---|---:|---:|---:|---:|---:|\n");
    ops.forEach(
        (op, s) ->
            sb.append(
                String.format(
                    Locale.ROOT,
                    "| %s | %d | %.1f | %.2f | %.2f | %.1f |%n",
                    op,
                    s.count(),
                    s.count() / secs,
                    s.p50Millis(),
                    s.p99Millis(),
                    s.maxMillis())));
    sb.append("\n| pass criterion (must be 0) | count |\n|---|---:|\n");
    for (Failure f : Failure.values()) {
      sb.append("| ").append(f.meaning).append(" | ").append(tally.failures(f)).append(" |\n");
    }
    if (serverTheftCount >= 0) {
      sb.append("| the server's own theft counter (`hallpass_token_thefts_detected_total`) | ")
          .append(serverTheftCount)
          .append(" |\n");
    }
    sb.append("\nWhat the mix did (each must be above 0): ");
    String sep = "";
    for (Event e : Event.values()) {
      sb.append(sep).append(e.name().toLowerCase(Locale.ROOT)).append(' ').append(tally.events(e));
      sep = ", ";
    }
    sb.append(".\n");
    if (!verdict.passed()) {
      sb.append("\nProblems:\n");
      verdict.problems().forEach(p -> sb.append("- ").append(p).append('\n'));
      if (!tally.examples().isEmpty()) {
        sb.append("\nFirst failures:\n");
        tally.examples().forEach(x -> sb.append("- ").append(x).append('\n'));
      }
    }
    return sb.toString();
  }

  private static String seconds(Duration d) {
    return String.format(Locale.ROOT, "%.1f", d.toNanos() / 1e9);
  }
}
