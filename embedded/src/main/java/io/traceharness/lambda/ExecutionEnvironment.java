package io.traceharness.lambda;

import java.time.Duration;
import java.time.Instant;

/**
 * A live execution environment of a function, as {@link LambdaEmulator#environments()} shows it: a
 * read-only snapshot.
 *
 * <pre>{@code
 * lambda.environments().forEach(e -> System.out.println(e.function() + " " + e.id() + " "
 *     + (e.busy() ? "busy" : "idle") + ", " + e.invocations() + " invocations"));
 * }</pre>
 *
 * @param id the instance id (as {@link Invocation#instanceId()} names it)
 * @param busy whether it is running an invocation now (else idle, kept warm)
 * @param invocations invocations it has served, the cold one included
 * @param initDuration how long its init phase took (the cold start), or {@code null} before it ended
 * @param lastInvocation when its latest invocation started, or {@code null} before the first
 */
public record ExecutionEnvironment(String function, String id, boolean busy, int invocations, Duration initDuration,
    Instant lastInvocation) {
}
