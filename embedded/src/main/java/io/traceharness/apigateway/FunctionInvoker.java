package io.traceharness.apigateway;

import io.traceharness.lambda.LambdaEmulator;

/**
 * What the gateway needs from the Lambda service: a synchronous (RequestResponse) invoke and the
 * function's tracing mode. The stack adapts its Lambda emulator to this interface, so the gateway
 * can be tested (and reused) without one.
 *
 * <pre>{@code
 * FunctionInvoker invoker = new FunctionInvoker() {
 *   public FunctionResult invoke(String fn, byte[] payload, String xray) {
 *     return FunctionResult.success("{\"statusCode\":200,\"body\":\"pong\"}".getBytes(UTF_8));
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
   * @return the function's answer; a function error, and a refusal by the Lambda service
   *     (throttling, unknown function), are results, not exceptions
   */
  FunctionResult invoke(String functionName, byte[] payload, String xrayTraceHeader);

  /** True when the function's tracing mode is {@code Active}. */
  boolean activeTracing(String functionName);

  /**
   * Invokes functions deployed on the embedded Lambda service (RequestResponse, the X-Ray header
   * passed on as the upstream trace header); a refused invoke (throttled, unknown function) is a
   * {@linkplain FunctionResult#refused() refused} result.
   */
  static FunctionInvoker lambda(LambdaEmulator lambda) {
    return new LambdaEmulatorInvoker(lambda);
  }

  /**
   * The answer of an invoke.
   *
   * @param payload the response payload (for a function error, Lambda's error payload; for a refusal,
   *     the service's error body)
   * @param functionError {@code Unhandled} or {@code Handled} as in {@code X-Amz-Function-Error}, or
   *     {@code null} when the function succeeded
   * @param serviceError the Lambda service's error type ({@code TooManyRequestsException},
   *     {@code ResourceNotFoundException}…) when it refused to run the function, else {@code null}
   */
  record FunctionResult(byte[] payload, String functionError, String serviceError) {

    public static FunctionResult success(byte[] payload) {
      return new FunctionResult(payload, null, null);
    }

    public static FunctionResult error(String functionError, byte[] payload) {
      return new FunctionResult(payload, functionError, null);
    }

    /** The Lambda API rejected the invocation: the function did not run. */
    public static FunctionResult refusal(String serviceError, byte[] body) {
      return new FunctionResult(body, null, serviceError);
    }

    /** The function ran and failed. */
    public boolean failed() {
      return functionError != null;
    }

    /** The Lambda service refused to run the function. */
    public boolean refused() {
      return serviceError != null;
    }
  }
}
