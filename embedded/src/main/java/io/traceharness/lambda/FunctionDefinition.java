package io.traceharness.lambda;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a {@code CreateFunction} asks the Lambda service for: the function's name, runtime, handler,
 * code, environment, limits, tracing mode and layers. It is the caller's side of a function;
 * {@link FunctionConfig} is the service's (with ARN, state, code hash and revision). Stack-level
 * choices (an OpenTelemetry layer to attach, API Gateway routes) are not the Lambda service's
 * business and live in the stack's {@code FunctionSpec}.
 *
 * <pre>{@code
 * DeployedFunction fn = lambda.deploy(FunctionDefinition.nodejs("consumer", "handler.producer")
 *     .code(Path.of("functions/target/node-functions.zip"))
 *     .env("OTEL_PROPAGATORS", "tracecontext")
 *     .timeout(Duration.ofSeconds(10))
 *     .build());
 * }</pre>
 *
 * @param runtime {@code java11}, {@code java17}, {@code java21}, {@code nodejs18.x}, {@code nodejs20.x},
 *     {@code nodejs22.x}
 * @param handler {@code my.pkg.Handler::handleRequest} (Java) or {@code file.export} (Node)
 * @param code a Lambda zip, or a directory laid out as {@code /var/task} (zipped on deploy); {@code null}
 *     when the code comes separately, as the control plane's {@code ZipFile}
 * @param environment the function's own variables
 * @param timeout invocation timeout (Lambda's default is 3 s)
 * @param memoryMb memory size (Lambda's default is 128 MB)
 * @param tracingMode {@code Active} or {@code PassThrough}
 * @param layers layer version ARNs, in order
 * @param reservedConcurrency reserved concurrent executions, or {@code null} for none
 * @param role execution role ARN, or {@code null} for the emulator's default
 * @param description free text, empty when not given
 */
public record FunctionDefinition(String name, String runtime, String handler, Path code,
    Map<String, String> environment, Duration timeout, int memoryMb, String tracingMode, List<String> layers,
    Integer reservedConcurrency, String role, String description) {

  public FunctionDefinition {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(timeout, "timeout");
    Objects.requireNonNull(tracingMode, "tracingMode");
    environment = Map.copyOf(environment);
    layers = List.copyOf(layers);
    description = description == null ? "" : description;
  }

  public static Builder builder(String name) {
    return new Builder(name);
  }

  /** A {@code nodejs20.x} function. */
  public static Builder nodejs(String name, String handler) {
    return new Builder(name).runtime("nodejs20.x").handler(handler);
  }

  /** A {@code java21} function. */
  public static Builder java(String name, String handler) {
    return new Builder(name).runtime("java21").handler(handler);
  }

  public boolean activeTracing() {
    return "Active".equals(tracingMode);
  }

  public Builder toBuilder() {
    Builder b = new Builder(name).runtime(runtime).handler(handler).code(code).env(environment).timeout(timeout)
        .memoryMb(memoryMb).tracingMode(tracingMode).role(role).description(description);
    layers.forEach(b::layer);
    b.reservedConcurrency = reservedConcurrency;
    return b;
  }

  /** Mutable builder with Lambda's defaults (128 MB, 3 s, {@code PassThrough}); not thread-safe. */
  public static final class Builder {
    private final String name;
    private String runtime = "nodejs20.x";
    private String handler;
    private Path code;
    private final Map<String, String> env = new LinkedHashMap<>();
    private Duration timeout = Duration.ofSeconds(3);
    private int memoryMb = 128;
    private String tracingMode = "PassThrough";
    private final List<String> layers = new ArrayList<>();
    private Integer reservedConcurrency;
    private String role;
    private String description = "";

    private Builder(String name) {
      this.name = Objects.requireNonNull(name, "name");
    }

    public Builder runtime(String runtime) {
      this.runtime = runtime;
      return this;
    }

    public Builder handler(String handler) {
      this.handler = handler;
      return this;
    }

    /** A Lambda zip, or a directory laid out as {@code /var/task} (zipped on deploy). */
    public Builder code(Path zipOrDir) {
      this.code = zipOrDir;
      return this;
    }

    public Builder env(String key, String value) {
      env.put(key, value);
      return this;
    }

    public Builder env(Map<String, String> values) {
      env.putAll(values);
      return this;
    }

    public Builder timeout(Duration timeout) {
      this.timeout = timeout;
      return this;
    }

    public Builder memoryMb(int memoryMb) {
      this.memoryMb = memoryMb;
      return this;
    }

    /** {@code TracingConfig} {@code Active} instead of {@code PassThrough}. */
    public Builder activeTracing(boolean active) {
      return tracingMode(active ? "Active" : "PassThrough");
    }

    /** {@code Active} or {@code PassThrough}. */
    public Builder tracingMode(String mode) {
      this.tracingMode = mode;
      return this;
    }

    /** Appends a layer version ARN (as returned by {@code PublishLayerVersion}). */
    public Builder layer(String layerVersionArn) {
      layers.add(layerVersionArn);
      return this;
    }

    public Builder layers(List<String> layerVersionArns) {
      layers.addAll(layerVersionArns);
      return this;
    }

    public Builder reservedConcurrency(int reserved) {
      this.reservedConcurrency = reserved;
      return this;
    }

    public Builder role(String roleArn) {
      this.role = roleArn;
      return this;
    }

    public Builder description(String description) {
      this.description = description;
      return this;
    }

    public String name() {
      return name;
    }

    public FunctionDefinition build() {
      return new FunctionDefinition(name, runtime, handler, code, env, timeout, memoryMb, tracingMode, layers,
          reservedConcurrency, role, description);
    }
  }
}
