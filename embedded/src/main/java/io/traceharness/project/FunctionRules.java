package io.traceharness.project;

import io.traceharness.lambda.LambdaEmulator;
import io.traceharness.stack.FunctionSpec;
import io.traceharness.stack.ProjectPlan;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** The rules both descriptors share: which runtimes Lambda takes, and what a function's layers become. */
final class FunctionRules {

  static final String HARNESS_WRAPPER = "/opt/otel-handler";

  private FunctionRules() {
  }

  /** Refuses a runtime as CreateFunction would, with the descriptor's place and what runs here. */
  static String runtime(Path file, YNode at, String runtime) {
    if (runtime == null || runtime.isBlank()) {
      throw new DescriptorException(file, at, "no runtime; supported: " + LambdaEmulator.supportedRuntimes());
    }
    String refusal = LambdaEmulator.deprecatedRuntimeMessage(runtime);
    if (refusal != null) {
      throw new DescriptorException(file, at, "InvalidParameterValueException: " + refusal
          + " Supported runtimes here: " + LambdaEmulator.supportedRuntimes());
    }
    if (!LambdaEmulator.supportedRuntimes().contains(runtime)) {
      throw new DescriptorException(file, at, "runtime " + runtime + " is not one the harness runs; supported: "
          + LambdaEmulator.supportedRuntimes());
    }
    return runtime;
  }

  /**
   * Puts the function's layers on the spec: the project's own as references, known OpenTelemetry
   * layers as the harness's layer with the real layer's defaults.
   *
   * @param entries resolved layer entries: ARNs or {@link ProjectPlan#layerRef(String)}
   * @param env the function's environment, completed with the layer's defaults
   */
  static void layers(Path file, String function, String runtime, List<YNode> entries, FunctionSpec.Builder spec,
      Map<String, String> env, List<String> warnings) {
    for (YNode entry : entries) {
      String value = entry.text();
      if (value == null) {
        throw new DescriptorException(file, entry, "a layer must be an ARN or a reference to a layer of the project");
      }
      if (ProjectPlan.layerIdOf(value) != null) {
        spec.layer(value);
        continue;
      }
      KnownLayers.Family family;
      try {
        family = KnownLayers.of(value);
      } catch (IllegalArgumentException e) {
        throw new DescriptorException(file, entry, e.getMessage(), e);
      }
      switch (family.provides()) {
        case COLLECTOR -> {
          // the stack starts the collector the function's environment names; nothing else to attach
        }
        case NODEJS, JAVA_AGENT -> {
          boolean java = runtime.startsWith("java");
          if (java != (family.provides() == KnownLayers.Provides.JAVA_AGENT)) {
            throw new DescriptorException(file, entry, "layer " + value + " (" + family.description()
                + ") does not fit runtime " + runtime);
          }
          spec.otelLayer(true);
          family.defaults().forEach(env::putIfAbsent);
          String wrapper = env.get("AWS_LAMBDA_EXEC_WRAPPER");
          if (wrapper == null) {
            warnings.add("function " + function + ": layer " + family.description() + " is attached but"
                + " AWS_LAMBDA_EXEC_WRAPPER is not set, so on AWS it would not instrument the function; the harness"
                + " sets " + family.wrapper() + " so the trace can be checked — set it in the descriptor");
          } else if (wrapper.equals(family.wrapper()) && !wrapper.equals(HARNESS_WRAPPER)) {
            env.put("AWS_LAMBDA_EXEC_WRAPPER", HARNESS_WRAPPER);
          }
        }
        default -> throw new IllegalStateException(family.provides().toString());
      }
    }
  }
}
