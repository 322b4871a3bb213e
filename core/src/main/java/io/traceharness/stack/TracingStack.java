package io.traceharness.stack;

import io.traceharness.diagnosis.Diagnosis;
import io.traceharness.diagnosis.Evidence;
import io.traceharness.trace.Traces;
import java.util.List;
import software.amazon.awssdk.services.lambda.LambdaClient;

/**
 * What a test sees of the tracing stack: the endpoints of Elasticsearch, APM Server, the collector,
 * the Lambda API and API Gateway, whichever backend runs them (embedded or containers).
 *
 * <p>Choose the backend with {@code -Dtraceharness.stack=embedded|containers} (or the
 * {@code TRACEHARNESS_STACK} environment variable); nothing else in a test depends on it. Backends
 * are found by name ({@link TracingStackProvider}, {@link Backends}).
 */
public interface TracingStack extends AutoCloseable {

  /** The backend's name, as {@link TracingStackProvider#name()}: {@code embedded}, {@code containers}. */
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
   * missing services ended up in, and what this backend saw ({@link #collectEvidence}).
   *
   * @param expectedServices the services the trace should hold, client first
   */
  default Diagnosis diagnose(String traceId, List<String> expectedServices) {
    return Diagnosis.collect(traces(), traceId, expectedServices, this::collectEvidence);
  }

  /**
   * Adds what this backend saw to the evidence of a diagnosis: API Gateway requests, invocations,
   * collector export failures, how functions were deployed. Nothing by default.
   */
  default void collectEvidence(Evidence.Builder evidence) {
  }

  /** Log files of the components, for failure reports. */
  List<ComponentLog> logs();

  /** Stops every component and child process. Idempotent. */
  @Override
  void close();

  /** The configured backend: {@code -Dtraceharness.stack}, else {@code $TRACEHARNESS_STACK}, else {@code embedded}. */
  static String configuredBackend() {
    return Backends.configuredName();
  }

  /** Why the configured backend cannot run on this machine, or {@code null} when it can. */
  static String unavailableReason() {
    return Backends.discovered().provider(configuredBackend()).unavailableReason();
  }

  /** Starts the configured backend. */
  static TracingStack start() {
    return Backends.discovered().provider(configuredBackend()).start();
  }
}
