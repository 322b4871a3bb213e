package io.traceharness.lambda;

import io.traceharness.stack.FunctionSpec;

import java.nio.charset.StandardCharsets;

/**
 * A function deployed through {@link LambdaEmulator#deploy(FunctionSpec)}.
 *
 * <pre>{@code
 * DeployedFunction fn = emulator.deploy(FunctionSpec.nodejs("hello", "index.handler").code(dir).build());
 * InvokeResult r = fn.invoke("{\"name\":\"John\"}");
 * }</pre>
 */
public final class DeployedFunction {

  private final LambdaEmulator emulator;
  private final FunctionSpec spec;
  private final String arn;

  DeployedFunction(LambdaEmulator emulator, FunctionSpec spec, String arn) {
    this.emulator = emulator;
    this.spec = spec;
    this.arn = arn;
  }

  public String name() {
    return spec.name();
  }

  public String arn() {
    return arn;
  }

  public FunctionSpec spec() {
    return spec;
  }

  /** A synchronous invoke ({@code RequestResponse}) with a JSON payload. */
  public InvokeResult invoke(String json) {
    return emulator.invoke(spec.name(), json.getBytes(StandardCharsets.UTF_8), InvokeOptions.defaults());
  }

  /** The function's log as CloudWatch would show it (all its execution environments). */
  public String logs() {
    return emulator.logs(spec.name());
  }

  @Override
  public String toString() {
    return "DeployedFunction[" + arn + "]";
  }
}
