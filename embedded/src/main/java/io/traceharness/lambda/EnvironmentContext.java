package io.traceharness.lambda;

import java.nio.file.Path;
import java.util.Map;

/**
 * What a {@link EnvironmentHook} learns about the execution environment about to start.
 *
 * <pre>{@code
 * EnvironmentHook hook = ctx -> ctx.environment().containsKey("OPENTELEMETRY_COLLECTOR_CONFIG_FILE")
 *     ? Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", collectorFor(ctx.functionName()))
 *     : Map.of();
 * }</pre>
 *
 * @param environment the environment the runtime process gets (Lambda's variables and the function's,
 *     {@code /opt/} and {@code /var/task/} already translated to {@link #optDir()} and {@link #taskRoot()})
 * @param taskRoot the directory standing in for {@code /var/task}
 * @param optDir the directory standing in for {@code /opt} (the function's layers, extracted in order)
 * @param instanceId the execution environment's id (also the log stream's suffix)
 */
public record EnvironmentContext(String functionName, String runtime, Map<String, String> environment, Path taskRoot,
    Path optDir, String instanceId) {

  public EnvironmentContext {
    environment = Map.copyOf(environment);
  }
}
