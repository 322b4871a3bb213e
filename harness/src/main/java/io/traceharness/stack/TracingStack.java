package io.traceharness.stack;

import io.traceharness.containers.ContainerStack;
import io.traceharness.diagnosis.Diagnosis;
import io.traceharness.lambda.FunctionSpec;
import io.traceharness.trace.Traces;
import java.util.List;
import software.amazon.awssdk.services.lambda.LambdaClient;
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

  /**
   * Deploys a function through the Lambda API and wires its API Gateway routes. With
   * {@code otelLayer()} the runtime's OpenTelemetry layer is attached.
   */
  Deployment deploy(FunctionSpec spec);

  /** Reads traces from the stack's Elasticsearch. */
  Traces traces();

  /** An AWS SDK Lambda client for the stack's Lambda API. */
  LambdaClient lambdaClient();

  /**
   * Explains which link of a trace is broken and why, from the trace, the other traces its
   * missing services ended up in, and what the stack saw (API Gateway requests, invocations,
   * collector export failures).
   *
   * @param expectedServices the services the trace should hold, client first
   */
  Diagnosis diagnose(String traceId, List<String> expectedServices);

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
    if (configuredBackend().equals("containers") && !ContainerStack.dockerAvailable()) {
      return ContainerStack.SKIP_REASON;
    }
    return null;
  }

  /** Starts the configured backend. */
  static TracingStack start() {
    return configuredBackend().equals("containers") ? ContainerStack.builder().start()
        : EmbeddedStack.builder().build().start();
  }
}
