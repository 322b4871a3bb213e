package io.traceharness.lambda;

import java.time.Duration;
import java.util.Arrays;

/**
 * What freezing costs: each sample is one freeze (stopping the process groups, pausing the hook's
 * collector) plus the thaw that follows it. The last 10,000 samples are kept.
 */
public final class FreezeStats {

  private static final int CAPACITY = 10_000;
  private final long[] samples = new long[CAPACITY];
  private long count;

  synchronized void record(long nanos) {
    samples[(int) (count++ % CAPACITY)] = nanos;
  }

  /** How many freeze–thaw cycles ran. */
  public synchronized long count() {
    return count;
  }

  /** The cost at this percentile (0–100) of the kept samples, or zero when there are none. */
  public synchronized Duration percentile(double p) {
    int n = (int) Math.min(count, CAPACITY);
    if (n == 0) {
      return Duration.ZERO;
    }
    long[] sorted = Arrays.copyOf(samples, n);
    Arrays.sort(sorted);
    int i = (int) Math.min(n - 1, Math.max(0, Math.ceil(p / 100 * n) - 1));
    return Duration.ofNanos(sorted[i]);
  }
}
