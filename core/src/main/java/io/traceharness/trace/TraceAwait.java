package io.traceharness.trace;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

/**
 * How {@link Traces} waits for a trace: reads it until a condition holds and no new document arrived
 * for the quiet period (spans of one trace arrive from several exporters, in batches), through
 * Awaitility; on timeout the failure names what was awaited, how many reads were made, and the last
 * state's waterfall.
 */
final class TraceAwait {

  private final Function<String, Trace> read;
  private final Duration timeout;
  private final Duration pollInterval;
  private final Duration quietPeriod;

  TraceAwait(Function<String, Trace> read, Duration timeout, Duration pollInterval, Duration quietPeriod) {
    this.read = read;
    this.timeout = timeout;
    this.pollInterval = pollInterval;
    this.quietPeriod = quietPeriod;
  }

  /** See {@link Traces#await(String, Predicate)}. */
  Trace await(String traceId, Predicate<? super Trace> condition) {
    Objects.requireNonNull(condition, "condition");
    String what = TraceConditions.describe(condition);
    Poll poll = new Poll(traceId, condition);
    try {
      Trace trace = Awaitility.await("trace " + traceId + " to " + what)
          .atMost(timeout)
          .pollDelay(Duration.ZERO)
          .pollInterval(pollInterval)
          .pollInSameThread()
          .until(poll::next, Objects::nonNull);
      SeenTraces.seen(trace, SeenTraces.AWAITED);
      return trace;
    } catch (ConditionTimeoutException e) {
      SeenTraces.seen(poll.last.get(), SeenTraces.AWAIT_TIMED_OUT);
      AssertionError failure = new AssertionError(poll.timeoutMessage(what), e);
      if (poll.lastError.get() != null) {
        failure.addSuppressed(poll.lastError.get());
      }
      throw failure;
    }
  }

  /** See {@link Traces#awaitSatisfying(String, Consumer)}. */
  Trace awaitSatisfying(String traceId, Consumer<? super Trace> assertion) {
    Objects.requireNonNull(assertion, "assertion");
    Predicate<Trace> passes = TraceConditions.named("satisfy the given assertions", t -> {
      try {
        assertion.accept(t);
        return true;
      } catch (AssertionError e) {
        return false;
      }
    });
    try {
      return await(traceId, passes);
    } catch (AssertionError timeout) {
      Trace last = read.apply(traceId);
      SeenTraces.seen(last, SeenTraces.AWAIT_TIMED_OUT);
      try {
        assertion.accept(last);
      } catch (AssertionError real) {
        AssertionError failure = new AssertionError(
            "Trace " + traceId + " did not satisfy the assertions within " + Waterfall.duration(this.timeout)
                + ":\n" + real.getMessage(), real);
        throw failure;
      }
      return last;
    }
  }

  /** One await's state: the last read, and since when it has not changed. */
  private final class Poll {
    private final String traceId;
    private final Predicate<? super Trace> condition;
    private final AtomicReference<Trace> last = new AtomicReference<>();
    private final AtomicReference<RuntimeException> lastError = new AtomicReference<>();
    private final AtomicInteger polls = new AtomicInteger();
    private boolean held;
    private int stableCount = -1;
    private long stableSince;

    Poll(String traceId, Predicate<? super Trace> condition) {
      this.traceId = traceId;
      this.condition = condition;
    }

    Trace next() {
      polls.incrementAndGet();
      Trace trace;
      try {
        trace = read.apply(traceId);
      } catch (RuntimeException e) {
        lastError.set(e);
        return null;
      }
      last.set(trace);
      held = condition.test(trace);
      int count = trace.size() + trace.errors().size();
      long now = System.nanoTime();
      if (!held) {
        stableCount = -1;
        return null;
      }
      if (count != stableCount) {
        stableCount = count;
        stableSince = now;
      }
      return now - stableSince >= quietPeriod.toNanos() ? trace : null;
    }

    String timeoutMessage(String what) {
      Trace trace = last.get();
      StringBuilder sb = new StringBuilder("Timed out after ").append(Waterfall.duration(timeout))
          .append(" waiting for trace ").append(traceId).append(" to ").append(what);
      if (held) {
        sb.append(": the condition held, but documents were still arriving (quiet period ")
            .append(Waterfall.duration(quietPeriod)).append(")");
      }
      sb.append(" (").append(polls.get()).append(polls.get() == 1 ? " read" : " reads");
      if (lastError.get() != null) {
        sb.append(", last read failed: ").append(lastError.get());
      }
      sb.append(").\nLast state:\n");
      sb.append(trace == null ? "(no successful read)\n" : trace.waterfall());
      return sb.toString();
    }
  }
}
