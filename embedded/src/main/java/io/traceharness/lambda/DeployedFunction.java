package io.traceharness.lambda;

import java.nio.charset.StandardCharsets;

/**
 * The Lambda service's handle on a function deployed through
 * {@link LambdaEmulator#deploy(FunctionDefinition)}: invoke it, read its log. (A function deployed
 * on a whole stack, with its API Gateway URLs, is the stack's {@code Deployment}.)
 *
 * <pre>{@code
 * DeployedFunction fn = emulator.deploy(FunctionDefinition.nodejs("hello", "index.handler").code(dir).build());
 * InvokeResult r = fn.invoke("{\"name\":\"John\"}");
 * }</pre>
 */
public final class DeployedFunction {

  private final LambdaEmulator emulator;
  private final FunctionDefinition definition;
  private final String arn;

  DeployedFunction(LambdaEmulator emulator, FunctionDefinition definition, String arn) {
    this.emulator = emulator;
    this.definition = definition;
    this.arn = arn;
  }

  public String name() {
    return definition.name();
  }

  public String arn() {
    return arn;
  }

  public FunctionDefinition definition() {
    return definition;
  }

  /** A synchronous invoke ({@code RequestResponse}) with a JSON payload. */
  public InvokeResult invoke(String json) {
    return emulator.invoke(definition.name(), json.getBytes(StandardCharsets.UTF_8), InvokeOptions.defaults());
  }

  /** The function's log as CloudWatch would show it (all its execution environments). */
  public String logs() {
    return emulator.logs(definition.name());
  }

  @Override
  public String toString() {
    return "DeployedFunction[" + arn + "]";
  }
}
