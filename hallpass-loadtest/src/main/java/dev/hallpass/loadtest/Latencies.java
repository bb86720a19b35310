package dev.hallpass.loadtest;

import java.util.Arrays;

/**
 * The latencies of one operation: every sample up to a bound (a run keeps at most {@value
 * #MAX_SAMPLES} per operation, about 16 MB), then only the count.
 */
final class Latencies {
  static final int MAX_SAMPLES = 2_000_000;

  private long[] samples = new long[1024];
  private int size;
  private long count;

  synchronized void add(long nanos) {
    count++;
    if (size == MAX_SAMPLES) {
      return;
    }
    if (size == samples.length) {
      samples = Arrays.copyOf(samples, Math.min(MAX_SAMPLES, samples.length * 2));
    }
    samples[size++] = nanos;
  }

  /** Count and percentiles in milliseconds (nearest-rank). */
  record Summary(long count, double p50Millis, double p99Millis, double maxMillis) {}

  synchronized Summary summary() {
    if (size == 0) {
      return new Summary(count, 0, 0, 0);
    }
    long[] sorted = Arrays.copyOf(samples, size);
    Arrays.sort(sorted);
    return new Summary(
        count, millis(rank(sorted, 0.50)), millis(rank(sorted, 0.99)), millis(sorted[size - 1]));
  }

  private static long rank(long[] sorted, double p) {
    int i = (int) Math.ceil(p * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
  }

  private static double millis(long nanos) {
    return nanos / 1e6;
  }
}
