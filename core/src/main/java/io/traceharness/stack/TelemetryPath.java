package io.traceharness.stack;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The way the functions' telemetry reaches Elasticsearch. One setting switches it for a whole stack:
 * the builder's {@code path(…)} or {@code -Dtraceharness.path=apm|edot}.
 *
 * <pre>{@code
 * EmbeddedStack.builder().path(TelemetryPath.EDOT).build().start();
 * }</pre>
 *
 * <p>Either way the client's Elastic APM agent speaks intake v2 to APM Server.
 */
public enum TelemetryPath {

  /**
   * The post's path (2021): the collector forwards OTLP to APM Server, which writes APM documents
   * ({@code traces-apm*}). The default.
   */
  APM,

  /**
   * Elastic's Distribution of OpenTelemetry path: the collector's {@code elasticsearch} exporter
   * writes OpenTelemetry-native documents ({@code traces-*.otel-*}) straight to Elasticsearch, with
   * no APM Server between the functions and Elasticsearch.
   */
  EDOT;

  /** System property that chooses the path when a builder does not. */
  public static final String PROPERTY = "traceharness.path";

  /** {@code -Dtraceharness.path}, else {@link #APM}. */
  public static TelemetryPath configured() {
    String value = System.getProperty(PROPERTY);
    return value == null || value.isBlank() ? APM : of(value);
  }

  /**
   * The path named {@code name} ({@code apm} or {@code edot}, any case).
   *
   * @throws IllegalArgumentException naming the valid values
   */
  public static TelemetryPath of(String name) {
    try {
      return valueOf(name.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(PROPERTY + "=" + name + ": unknown telemetry path (valid: "
          + Arrays.stream(values()).map(v -> v.name().toLowerCase(Locale.ROOT)).collect(Collectors.joining(", "))
          + ")", e);
    }
  }
}
