package io.traceharness.apigateway;

import io.traceharness.lambda.FunctionConfig;
import io.traceharness.lambda.InvokeOptions;
import io.traceharness.lambda.InvokeResult;
import io.traceharness.lambda.LambdaEmulator;

/**
 * Invokes through the embedded Lambda service, as API Gateway's Lambda integration calls Invoke. The
 * one adapter between the two: the embedded stack uses it too.
 */
final class LambdaEmulatorInvoker implements FunctionInvoker {

  private final LambdaEmulator lambda;

  LambdaEmulatorInvoker(LambdaEmulator lambda) {
    this.lambda = lambda;
  }

  @Override
  public FunctionResult invoke(String functionName, byte[] payload, String xrayTraceHeader) {
    InvokeResult r = lambda.invoke(functionName, payload,
        InvokeOptions.builder().traceHeader(xrayTraceHeader).build());
    if (r.serviceError() != null) {
      return FunctionResult.refusal(r.serviceError(), r.payload());
    }
    return r.isFunctionError() ? FunctionResult.error(r.functionError(), r.payload()) : FunctionResult.success(r.payload());
  }

  @Override
  public boolean activeTracing(String functionName) {
    return lambda.function(functionName).map(FunctionConfig::activeTracing).orElse(false);
  }
}
