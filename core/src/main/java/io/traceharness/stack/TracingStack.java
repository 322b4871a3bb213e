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

  /** How the functions' telemetry reaches Elasticsearch: through APM Server (the default) or not. */
  default TelemetryPath path() {
    return TelemetryPath.APM;
  }

  /** Where the running components answer. */
  Endpoints endpoints();

  /**
   * Deploys a function through the Lambda API and wires its API Gateway routes. With
   * {@code otelLayer()} the runtime's OpenTelemetry layer is attached.
   */
  Deployment deploy(FunctionSpec spec);

  /**
   * Deploys a project as its descriptor says ({@code serverless.yml} or a SAM template): publishes
   * the project's own layers through the Lambda API, then deploys each function with its routes.
   * What the harness does not run is logged as one warning each and kept in
   * {@link ProjectDeployment#warnings()}.
   *
   * <pre>{@code
   * ProjectDeployment app = stack.deploy(Project.sam(Path.of("template.yaml")));
   * Clients.java().post(app.url("OrderFunction"), "{}");
   * }</pre>
   *
   * @throws IllegalArgumentException for a descriptor that cannot be deployed, naming the file, the key and the line
   */
  default ProjectDeployment deploy(Project project) {
    ProjectPlan plan = ProjectReader.discovered().read(project);
    org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(TracingStack.class);
    plan.warnings().forEach(w -> log.warn("{}: {}", plan.descriptor().getFileName(), w));
    java.util.Map<String, String> layerArns = new java.util.HashMap<>();
    for (ProjectPlan.Layer layer : plan.layers()) {
      byte[] zip;
      try {
        zip = java.nio.file.Files.readAllBytes(layer.zip());
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException("cannot read layer " + layer.id() + " at " + layer.zip(), e);
      }
      String arn = lambdaClient().publishLayerVersion(b -> b.layerName(layer.name())
          .description(plan.name() + " " + layer.id()).compatibleRuntimesWithStrings(layer.compatibleRuntimes())
          .content(c -> c.zipFile(software.amazon.awssdk.core.SdkBytes.fromByteArray(zip)))).layerVersionArn();
      layerArns.put(layer.id(), arn);
    }
    java.util.Map<String, Deployment> deployed = new java.util.LinkedHashMap<>();
    for (java.util.Map.Entry<String, FunctionSpec> f : plan.functions().entrySet()) {
      FunctionSpec spec = f.getValue();
      java.util.List<String> layers = spec.layers().stream().map(l -> {
        String id = ProjectPlan.layerIdOf(l);
        if (id == null) {
          return l;
        }
        String arn = layerArns.get(id);
        if (arn == null) {
          throw new IllegalArgumentException(plan.descriptor().getFileName() + ": function " + spec.name()
              + " uses layer " + id + ", which the project does not define");
        }
        return arn;
      }).toList();
      deployed.put(f.getKey(), deploy(spec.toBuilder().layers(layers).build()));
    }
    return new ProjectDeployment(plan, deployed);
  }

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
