package io.traceharness.lambda;

import java.time.Duration;
import java.time.Instant;

/**
 * One invocation on its way through an execution environment: what the invoker, the log writer and
 * the pool need to know of it once it ends.
 *
 * @param start when the service accepted it
 */
record Attempt(LambdaFunction function, Instance instance, Call call, Instant start, InvokeOptions options) {

  /**
   * How an attempt ended.
   *
   * @param initDuration how long the environment took to start when this attempt started it, else {@code null}
   * @param initError the init phase's error type when the environment failed to start, else {@code null}
   */
  record Ending(Outcome outcome, Duration initDuration, String initError) {

    static Ending warm(Outcome outcome, Duration initDuration) {
      return new Ending(outcome, initDuration, null);
    }

    static Ending initFailed(Outcome outcome, String initError) {
      return new Ending(outcome, null, initError);
    }

    /** The runtime got the event (its init succeeded). */
    boolean dispatched() {
      return initError == null;
    }

    boolean coldStart() {
      return initDuration != null || initError != null;
    }

    /** The environment can serve another invocation. */
    boolean reusable() {
      return dispatched() && outcome.platformLog() == null;
    }
  }
}
