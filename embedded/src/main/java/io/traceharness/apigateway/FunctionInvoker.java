package io.traceharness.apigateway;

import io.traceharness.lambda.LambdaEmulator;

/**
 * What the gateway needs from the Lambda service: a synchronous (RequestResponse) invoke and the
 * function's tracing mode. The stack adapts its Lambda emulator to this interface, so the gateway
 * can be tested (and reused) without one.
 *
 * <pre>{@code
 * FunctionInvoker invoker = new FunctionInvoker() {
 *   public InvokeResult invoke(String fn, byte[] payload, String xray) {
 *     return InvokeResult.success("{\"statusCode\":200,\"body\":\"pong\"}".getBytes(UTF_8));
 *   }
 *   public boolean activeTracing(String fn) {
 *     return false;
 *   }
 * };
 * }</pre>
 */
public interface FunctionInvoker {

  /**
   * Invokes {@code functionName} with the proxy event as payload.
   *
   * @param xrayTraceHeader the {@code X-Amzn-Trace-Id} value Lambda hands to the runtime, or
   *     {@code null} when the function does not use Active tracing
   * @return the function's answer; a function error is a result, not an exception
   */
  InvokeResult invoke(String functionName, byte[] payload, String xrayTraceHeader);

  /** True when the function's tracing mode is {@code Active}. */
  boolean activeTracing(String functionName);

  /**
   * Invokes functions deployed on the embedded Lambda service (RequestResponse, the X-Ray header
   * passed on as the upstream trace header); a refused invoke (throttled, unknown function) is an
   * integration failure.
   */
  static FunctionInvoker lambda(LambdaEmulator lambda) {
    return new LambdaEmulatorInvoker(lambda);
  }

  /**
   * The answer of an invoke.
   *
   * @param payload the response payload (for a function error, Lambda's error payload)
   * @param functionError {@code Unhandled} or {@code Handled} as in {@code X-Amz-Function-Error}, or
   *     {@code null} when the function succeeded
   */
  record InvokeResult(byte[] payload, String functionError) {

    public static InvokeResult success(byte[] payload) {
      return new InvokeResult(payload, null);
    }

    public static InvokeResult error(String functionError, byte[] payload) {
      return new InvokeResult(payload, functionError);
    }

    public boolean failed() {
      return functionError != null;
    }
  }
}
