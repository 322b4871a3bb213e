package io.traceharness.stack;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What to deploy on a stack: a function's name, runtime, handler, code (a zip or a directory laid out
 * as {@code /var/task}), environment, limits, tracing mode and layers, and the stack-level choices
 * around it (the OpenTelemetry layer, API Gateway routes).
 *
 * <pre>{@code
 * FunctionSpec spec = FunctionSpec.nodejs("consumer", "handler.producer")
 *     .code(Path.of("functions/target/node-functions.zip"))
 *     .env("OTEL_PROPAGATORS", "tracecontext")
 *     .timeout(Duration.ofSeconds(10))
 *     .build();
 * Deployment fn = stack.deploy(spec);
 * }</pre>
 *
 * <p>{@code otelLayer} and {@code routes} are the stack's business: it attaches the OpenTelemetry
 * layer and wires the API Gateway routes; each backend maps the rest to its Lambda service's own
 * function definition.
 *
 * @param name function name
 * @param runtime Lambda runtime identifier: {@code java11}, {@code java17}, {@code java21}, {@code nodejs18.x},
 *     {@code nodejs20.x}, {@code nodejs22.x}
 * @param handler {@code my.pkg.Handler::handleRequest} (Java) or {@code file.export} (Node)
 * @param code a Lambda zip, or a directory zipped on deploy
 * @param env the function's own environment variables
 * @param timeout invocation timeout (Lambda's default is 3 s)
 * @param memoryMb memory size (Lambda's default is 128 MB)
 * @param activeTracing {@code TracingConfig} {@code Active} instead of {@code PassThrough}
 * @param layers layer version ARNs, in order
 * @param reservedConcurrency reserved concurrent executions, or {@code null} for none
 * @param otelLayer whether the stack attaches its OpenTelemetry layer
 * @param routes API Gateway routes the stack wires to this function
 */
public record FunctionSpec(String name, String runtime, String handler, Path code, Map<String, String> env,
    Duration timeout, int memoryMb, boolean activeTracing, List<String> layers, Integer reservedConcurrency,
    boolean otelLayer, List<HttpRoute> routes) {

  public FunctionSpec {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(runtime, "runtime");
    Objects.requireNonNull(handler, "handler");
    Objects.requireNonNull(timeout, "timeout");
    env = Map.copyOf(env);
    layers = List.copyOf(layers);
    routes = List.copyOf(routes);
  }

  /**
   * An API Gateway route, e.g. {@code GET /ping}, on a REST API (payload format 1.0) or an HTTP API
   * (2.0). A REST route's {@code stage} is the first segment of its URL ({@code null}: the stack's
   * default stage); an HTTP API serves its {@code $default} stage, which adds no segment.
   */
  public record HttpRoute(String method, String path, Api api, String stage) {
    public HttpRoute {
      Objects.requireNonNull(method, "method");
      Objects.requireNonNull(path, "path");
      Objects.requireNonNull(api, "api");
      if (api == Api.HTTP && stage != null) {
        throw new IllegalArgumentException("an HTTP API route is served on the $default stage; got stage " + stage);
      }
    }

    /** A REST API route on the stack's default stage. */
    public HttpRoute(String method, String path) {
      this(method, path, Api.REST, null);
    }
  }

  /** The kind of API Gateway API a route belongs to. */
  public enum Api {
    /** REST API, Lambda proxy integration with payload format 1.0 (Serverless {@code http}, SAM {@code Api}). */
    REST,
    /** HTTP API, payload format 2.0 (Serverless {@code httpApi}, SAM {@code HttpApi}). */
    HTTP
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

  public Builder toBuilder() {
    Builder b = new Builder(name).runtime(runtime).handler(handler).code(code).env(env).timeout(timeout)
        .memoryMb(memoryMb).activeTracing(activeTracing).otelLayer(otelLayer);
    layers.forEach(b::layer);
    routes.forEach(b::route);
    if (reservedConcurrency != null) {
      b.reservedConcurrency(reservedConcurrency);
    }
    return b;
  }

  /** Mutable builder; not thread-safe. */
  public static final class Builder {
    private final String name;
    private String runtime = "nodejs20.x";
    private String handler;
    private Path code;
    private final Map<String, String> env = new LinkedHashMap<>();
    private Duration timeout = Duration.ofSeconds(3);
    private int memoryMb = 128;
    private boolean activeTracing;
    private final List<String> layers = new ArrayList<>();
    private Integer reservedConcurrency;
    private boolean otelLayer;
    private final List<HttpRoute> routes = new ArrayList<>();

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

    public Builder activeTracing(boolean active) {
      this.activeTracing = active;
      return this;
    }

    /** Appends a layer version ARN (as returned by {@code PublishLayerVersion}). */
    public Builder layer(String layerVersionArn) {
      layers.add(layerVersionArn);
      return this;
    }

    public Builder reservedConcurrency(int reserved) {
      this.reservedConcurrency = reserved;
      return this;
    }

    public Builder otelLayer() {
      return otelLayer(true);
    }

    public Builder otelLayer(boolean attach) {
      this.otelLayer = attach;
      return this;
    }

    /** Routes {@code method path} of the stack's API Gateway (REST API, default stage) to this function. */
    public Builder http(String method, String path) {
      routes.add(new HttpRoute(method, path));
      return this;
    }

    /** Routes {@code method path} of an HTTP API (payload format 2.0, {@code $default} stage) to this function. */
    public Builder httpApi(String method, String path) {
      routes.add(new HttpRoute(method, path, Api.HTTP, null));
      return this;
    }

    /** Adds a route as it is. */
    public Builder route(HttpRoute route) {
      routes.add(route);
      return this;
    }

    /** Replaces the layer version ARNs. */
    public Builder layers(List<String> layerVersionArns) {
      layers.clear();
      layers.addAll(layerVersionArns);
      return this;
    }

    public String name() {
      return name;
    }

    public FunctionSpec build() {
      if (handler == null) {
        throw new IllegalStateException("function " + name + " has no handler");
      }
      return new FunctionSpec(name, runtime, handler, code, env, timeout, memoryMb, activeTracing, layers,
          reservedConcurrency, otelLayer, routes);
    }
  }
}
