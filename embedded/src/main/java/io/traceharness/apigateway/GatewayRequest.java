package io.traceharness.apigateway;

import java.time.Duration;
import java.time.Instant;

/**
 * One request the gateway answered, as seen on the wire: what a broken trace is diagnosed from
 * (did the caller send a {@code traceparent}? which X-Ray header did the gateway add?).
 *
 * @param scheme {@code https} or {@code http}: how the caller reached the gateway
 * @param route the matched resource ({@code /items/{proxy+}}), or {@code null} when none matched
 * @param function the function invoked, or {@code null} when none was
 * @param traceparent the caller's {@code traceparent}, passed through unchanged
 * @param tracestate the caller's {@code tracestate}, passed through unchanged
 * @param xAmznTraceId the {@code X-Amzn-Trace-Id} the function saw (added under Active tracing)
 */
public record GatewayRequest(
    String requestId,
    Instant time,
    String scheme,
    String method,
    String path,
    String route,
    String function,
    String traceparent,
    String tracestate,
    String xAmznTraceId,
    int status,
    Duration latency) {
}
