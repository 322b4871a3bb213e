package io.traceharness.diagnosis;

import io.traceharness.trace.Trace;
import io.traceharness.trace.TraceLog;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What the harness saw around one trace: the trace itself, what API Gateway and the Lambda service
 * received, what the layers' collectors failed to export, how the functions were configured, the
 * trace's logs, and the other traces in which the expected services' transactions ended up.
 *
 * <pre>{@code
 * Evidence evidence = Evidence.builder(trace)
 *     .expectServices("java-client", "producer", "consumer")
 *     .gatewayRequest(new Evidence.GatewayRequest(at, "POST", "/produce", "producer", traceparent, null, 200))
 *     .build();
 * Diagnosis d = Diagnosis.of(evidence);
 * }</pre>
 */
public final class Evidence {

  /** A request API Gateway routed to a function, with the tracing headers it carried. */
  public record GatewayRequest(Instant at, String method, String path, String function, String traceparent,
      String xAmznTraceId, int status) {
  }

  /** An invocation as the Lambda service ran it: the X-Ray header it handed the runtime, the error if any. */
  public record Invocation(Instant start, String function, String requestId, String xrayTraceHeader,
      String errorType) {
  }

  /** A failed export from a function's layer collector (or the stack's collector when function is null). */
  public record ExportFailure(Instant at, String function, String exporter, String message) {
  }

  /**
   * A time a component of the pipeline was stopped (a collector restarted, say): whatever was sent
   * to it meanwhile was refused, so spans of that window may be missing.
   *
   * @param function the function whose layer collector it was; null for the stack's own components
   * @param to when it ran again; null while it is still down
   * @param dropped what it says it dropped, e.g. "3 spans still queued at stop"
   */
  public record Outage(String component, String function, Instant from, Instant to, String dropped) {
  }

  /** How a function was deployed, as far as tracing goes. */
  public record FunctionFacts(String name, String serviceName, boolean activeTracing, String propagators,
      boolean otelLayer) {
  }

  /**
   * A span its function's SDK ended before the execution environment froze but exported only after
   * a later invocation thawed it: the freeze held it.
   *
   * @param ended when the span ended (its end time)
   * @param exported when the first collector received it
   * @param frozenFrom when the environment froze, after the span ended
   * @param thawedAt when the next event thawed the environment, before the span was exported
   */
  public record LateExport(String function, String instanceId, String traceId, String spanId, String spanName,
      Instant ended, Instant exported, Instant frozenFrom, Instant thawedAt) {
  }

  /**
   * An execution environment's Shutdown phase, and the invocations it had run whose spans never
   * reached a collector (none of their spans, the invocation's own {@code faas.invocation_id}
   * included, was received by then or since).
   *
   * @param reason {@code spindown}, {@code timeout} or {@code failure}, as extensions read it
   * @param unexported request ids of the invocations whose spans never left it; empty when every one
   *     was exported or the function has no OpenTelemetry layer (its SDK names no invocation)
   */
  public record EnvironmentShutdown(String function, String instanceId, Instant at, String reason,
      List<String> unexported) {

    public EnvironmentShutdown {
      unexported = List.copyOf(unexported);
    }
  }

  /**
   * An invocation the runtime had answered that ran to the function's timeout because these
   * extensions never asked for their next event.
   */
  public record ExtensionTimeout(String function, String instanceId, String requestId, List<String> extensions,
      Instant at, java.time.Duration timeout) {

    public ExtensionTimeout {
      extensions = List.copyOf(extensions);
    }
  }

  final Trace trace;
  final List<String> expectedServices;
  final List<GatewayRequest> gatewayRequests;
  final List<Invocation> invocations;
  final List<ExportFailure> exportFailures;
  final Map<String, FunctionFacts> functions;
  final Map<String, Trace> otherTraces;
  final List<Outage> outages;
  final List<TraceLog> logs;
  final List<LateExport> lateExports;
  final List<EnvironmentShutdown> shutdowns;
  final List<ExtensionTimeout> extensionTimeouts;

  private Evidence(Builder b) {
    this.trace = b.trace;
    this.expectedServices = List.copyOf(b.expectedServices);
    this.gatewayRequests = List.copyOf(b.gatewayRequests);
    this.invocations = List.copyOf(b.invocations);
    this.exportFailures = List.copyOf(b.exportFailures);
    this.functions = Map.copyOf(b.functions);
    this.otherTraces = Map.copyOf(b.otherTraces);
    this.outages = List.copyOf(b.outages);
    this.logs = List.copyOf(b.logs);
    this.lateExports = List.copyOf(b.lateExports);
    this.shutdowns = List.copyOf(b.shutdowns);
    this.extensionTimeouts = List.copyOf(b.extensionTimeouts);
  }

  public static Builder builder(Trace trace) {
    return new Builder(trace);
  }

  public Trace trace() {
    return trace;
  }

  public List<String> expectedServices() {
    return expectedServices;
  }

  public static final class Builder {
    private final Trace trace;
    private final List<String> expectedServices = new ArrayList<>();
    private final List<GatewayRequest> gatewayRequests = new ArrayList<>();
    private final List<Invocation> invocations = new ArrayList<>();
    private final List<ExportFailure> exportFailures = new ArrayList<>();
    private final Map<String, FunctionFacts> functions = new LinkedHashMap<>();
    private final Map<String, Trace> otherTraces = new LinkedHashMap<>();
    private final List<Outage> outages = new ArrayList<>();
    private final List<TraceLog> logs = new ArrayList<>();
    private final List<LateExport> lateExports = new ArrayList<>();
    private final List<EnvironmentShutdown> shutdowns = new ArrayList<>();
    private final List<ExtensionTimeout> extensionTimeouts = new ArrayList<>();

    private Builder(Trace trace) {
      this.trace = Objects.requireNonNull(trace, "trace");
    }

    /** The services the trace should hold, in call order (client first). */
    public Builder expectServices(String... services) {
      expectedServices.addAll(List.of(services));
      return this;
    }

    public Builder expectServices(List<String> services) {
      expectedServices.addAll(services);
      return this;
    }

    public Builder gatewayRequest(GatewayRequest request) {
      gatewayRequests.add(request);
      return this;
    }

    public Builder gatewayRequests(List<GatewayRequest> requests) {
      gatewayRequests.addAll(requests);
      return this;
    }

    public Builder invocation(Invocation invocation) {
      invocations.add(invocation);
      return this;
    }

    public Builder invocations(List<Invocation> list) {
      invocations.addAll(list);
      return this;
    }

    public Builder exportFailure(ExportFailure failure) {
      exportFailures.add(failure);
      return this;
    }

    public Builder exportFailures(List<ExportFailure> list) {
      exportFailures.addAll(list);
      return this;
    }

    public Builder outage(Outage outage) {
      outages.add(outage);
      return this;
    }

    public Builder lateExport(LateExport late) {
      lateExports.add(late);
      return this;
    }

    public Builder environmentShutdown(EnvironmentShutdown shutdown) {
      shutdowns.add(shutdown);
      return this;
    }

    public Builder extensionTimeout(ExtensionTimeout timeout) {
      extensionTimeouts.add(timeout);
      return this;
    }

    public Builder function(FunctionFacts facts) {
      functions.put(facts.name(), facts);
      return this;
    }

    /**
     * The trace's logs as {@code Traces.logs(Trace)} reads them: records carrying its id and its
     * functions' lines written during its invocations.
     */
    public Builder logs(List<TraceLog> records) {
      logs.addAll(records);
      return this;
    }

    /** A trace, other than the one diagnosed, that holds a transaction of an expected service. */
    public Builder otherTrace(Trace other) {
      if (!other.traceId().equals(trace.traceId())) {
        otherTraces.put(other.traceId(), other);
      }
      return this;
    }

    public Evidence build() {
      return new Evidence(this);
    }
  }
}
