package io.traceharness.containers;

import io.traceharness.layers.OtelLayers;
import io.traceharness.stack.FunctionSpec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.testcontainers.utility.DockerImageName;

/**
 * A function to deploy.
 *
 * @param name        function name; also its service name and, for runtimes, its network alias
 * @param runtime     Lambda runtime id: {@code nodejs22.x}, {@code java21}
 * @param handler     {@code module.function} (Node.js) or {@code package.Class::method} (Java)
 * @param code        the deployment zip, or a directory laid out as {@code /var/task}
 * @param environment function environment; wins over the OTLP defaults this stack sets
 * @param timeout     invocation timeout
 * @param memoryMb    memory size in MB
 * @param routes      API Gateway routes in front of it, e.g. {@code GET /ping}; may be empty
 * @param layer       an unpacked layer ({@code OtelLayers.directory(..)}) run through its
 *                    {@code otel-handler} exec wrapper, or {@code null}
 */
record ContainerFunction(String name, String runtime, String handler, Path code,
    Map<String, String> environment, Duration timeout, int memoryMb, List<Route> routes, Path layer) {

  public ContainerFunction {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(runtime, "runtime");
    Objects.requireNonNull(handler, "handler");
    Objects.requireNonNull(code, "code");
    environment = Map.copyOf(environment == null ? Map.of() : environment);
    Objects.requireNonNull(timeout, "timeout");
    routes = List.copyOf(routes);
  }

  /** One route, a 30 s timeout, 512 MB, no layer: the post's functions. */
  public ContainerFunction(String name, String runtime, String handler, Path code, Map<String, String> environment,
      String httpMethod, String path) {
    this(name, runtime, handler, code, environment, Duration.ofSeconds(30), 512,
        List.of(new Route(httpMethod, path)), null);
  }

  /**
   * The function a {@link FunctionSpec} describes, for the containers: its routes and limits;
   * with {@code otelLayer()} the OpenTelemetry layer for its runtime. Layers named by ARN do not
   * exist here and are refused.
   */
  public static ContainerFunction of(FunctionSpec spec) {
    if (!spec.layers().isEmpty()) {
      throw new IllegalArgumentException("function " + spec.name() + " names layers " + spec.layers()
          + ": the containers stack has no layer registry (only otelLayer() is supported)");
    }
    return new ContainerFunction(spec.name(), spec.runtime(), spec.handler(), spec.code(), spec.env(),
        spec.timeout(), spec.memoryMb(),
        spec.routes().stream().map(r -> new Route(r.method(), r.path())).toList(),
        spec.otelLayer() ? OtelLayers.directory(OtelLayers.kindFor(spec.runtime())) : null);
  }

  /** The same function with another environment. */
  public ContainerFunction withEnvironment(Map<String, String> env) {
    return new ContainerFunction(name, runtime, handler, code, env, timeout, memoryMb, routes, layer);
  }

  /**
   * This function with its environment as it must read inside a container: a URL the test got from
   * a deploy (e.g. {@code CONSUMER_API}) points at the test host and is rewritten by {@code prefixes}
   * (host prefix → what containers use instead).
   */
  ContainerFunction internalized(Map<String, String> prefixes) {
    return withEnvironment(internalize(environment, prefixes));
  }

  static Map<String, String> internalize(Map<String, String> environment, Map<String, String> prefixes) {
    Map<String, String> env = new LinkedHashMap<>();
    environment.forEach((key, value) -> {
      String rewritten = value;
      for (Map.Entry<String, String> prefix : prefixes.entrySet()) {
        if (value.equals(prefix.getKey()) || value.startsWith(prefix.getKey() + "/")) {
          rewritten = prefix.getValue() + value.substring(prefix.getKey().length());
          break;
        }
      }
      env.put(key, rewritten);
    });
    return env;
  }

  /** The Lambda base image for this runtime. */
  DockerImageName runtimeImage() {
    if (runtime.startsWith("nodejs")) {
      return ContainerImages.LAMBDA_NODEJS;
    }
    if (runtime.startsWith("java")) {
      return ContainerImages.LAMBDA_JAVA;
    }
    throw new IllegalArgumentException("no Lambda base image pinned for runtime " + runtime
        + " (pinned: nodejs22.x, java21)");
  }

  /**
   * The environment the function runs with: OTLP straight to the collector container (no
   * collector extension: the Telemetry API is missing in LocalStack), the layer's exec wrapper
   * when it has one (found in {@code layerDir}), then its own variables.
   */
  Map<String, String> containerEnvironment(String layerDir) {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("OTEL_EXPORTER_OTLP_ENDPOINT", "http://" + ContainerStack.COLLECTOR_ALIAS + ":" + OtelCollectorContainer.OTLP_HTTP_PORT);
    env.put("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf");
    env.put("OTEL_SERVICE_NAME", name);
    if (layer != null) {
      env.put("AWS_LAMBDA_EXEC_WRAPPER", layerDir + "/otel-handler");
      env.put("TRACEHARNESS_OPT_DIR", layerDir);
    }
    env.putAll(environment);
    return env;
  }

  /** An API Gateway route: {@code GET} and {@code /ping}. */
  public record Route(String method, String path) {
    public Route {
      Objects.requireNonNull(method, "method");
      path = path.startsWith("/") ? path : "/" + path;
    }
  }
}
