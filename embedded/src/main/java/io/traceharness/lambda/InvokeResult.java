package io.traceharness.lambda;

import java.nio.charset.StandardCharsets;

/**
 * What {@code Invoke} answered.
 *
 * <p>A function error is {@code statusCode} 200 with {@link #functionError()} {@code "Unhandled"} and
 * Lambda's error document as payload, exactly as the service answers; {@link #serviceError()} is set
 * only when the service itself refused the call (404, 409, 413, 429…), with AWS's error body as
 * payload.
 *
 * <pre>{@code
 * InvokeResult r = emulator.invoke("consumer", "{}".getBytes(UTF_8), InvokeOptions.defaults());
 * if (r.functionError() == null) { String json = r.payloadAsString(); }
 * }</pre>
 *
 * @param functionError {@code Unhandled}, or {@code null}
 * @param logTail the invocation's log tail (decoded text) when asked for, else {@code null}
 * @param serviceError AWS error type ({@code TooManyRequestsException}…) when the service refused, else {@code null}
 */
public record InvokeResult(int statusCode, byte[] payload, String functionError, String logTail, String requestId,
    String executedVersion, String serviceError) {

  public String payloadAsString() {
    return new String(payload, StandardCharsets.UTF_8);
  }

  public boolean isFunctionError() {
    return functionError != null;
  }

  @Override
  public String toString() {
    return "InvokeResult[" + statusCode + (functionError != null ? " " + functionError : "")
        + (serviceError != null ? " " + serviceError : "") + " requestId=" + requestId + " payload="
        + (payload.length > 500 ? payloadAsString().substring(0, 500) + "…" : payloadAsString()) + "]";
  }
}
