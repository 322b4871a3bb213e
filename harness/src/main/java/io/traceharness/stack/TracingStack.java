package io.traceharness.stack;

import java.util.List;
import java.util.Locale;

/**
 * What a test sees of the tracing stack: the endpoints of Elasticsearch, APM Server, the collector,
 * the Lambda API and API Gateway, whichever backend runs them (embedded or containers).
 *
 * <p>Choose the backend with {@code -Dtraceharness.stack=embedded|containers} (or the
 * {@code TRACEHARNESS_STACK} environment variable); nothing else in a test depends on it.
 */
public interface TracingStack extends AutoCloseable {

  /** {@code embedded} or {@code containers}. */
  String backend();

  /** Where the running components answer. */
  Endpoints endpoints();

  /** Log files of the components, for failure reports. */
  List<ComponentLog> logs();

  /** Stops every component and child process. Idempotent. */
  @Override
  void close();

  /** The configured backend: {@code -Dtraceharness.stack}, else {@code $TRACEHARNESS_STACK}, else {@code embedded}. */
  static String configuredBackend() {
    String value = System.getProperty("traceharness.stack");
    if (value == null || value.isBlank()) {
      value = System.getenv("TRACEHARNESS_STACK");
    }
    value = value == null || value.isBlank() ? "embedded" : value.trim().toLowerCase(Locale.ROOT);
    if (!value.equals("embedded") && !value.equals("containers")) {
      throw new IllegalArgumentException("traceharness.stack=" + value + ": expected embedded or containers");
    }
    return value;
  }

  /** Why the configured backend cannot run on this machine, or {@code null} when it can. */
  static String unavailableReason() {
    return null;
  }

  /** Starts the configured backend. */
  static TracingStack start() {
    throw new IllegalStateException("no backend yet");
  }
}
