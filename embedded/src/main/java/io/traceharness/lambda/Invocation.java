package io.traceharness.lambda;

import java.time.Duration;
import java.time.Instant;

/**
 * One invocation as the service saw it, kept for diagnosis ({@link LambdaEmulator#invocations()}).
 *
 * <pre>{@code
 * lambda.invocations().stream().filter(i -> i.function().equals("producer"))
 *     .forEach(i -> System.out.println(i.requestId() + " " + i.traceHeader() + " " + i.errorType()));
 * }</pre>
 *
 * @param traceHeader the X-Ray header given to the runtime ({@code Lambda-Runtime-Trace-Id})
 * @param clientContext the client context JSON given to the runtime, or {@code null}
 * @param errorType the function error type ({@code Runtime.ExitError}, {@code Sandbox.Timedout}, the
 *     handler's exception type…), or {@code null} on success
 * @param initDuration the instance's init duration when this invocation started it, else {@code null}
 */
public record Invocation(String function, String requestId, String instanceId, Instant start, Instant end,
    Duration duration, String traceHeader, String clientContext, String errorType, Duration initDuration) {

  public boolean coldStart() {
    return initDuration != null;
  }
}
