package io.traceharness.diagnosis;

import io.traceharness.diagnosis.Diagnosis.Finding;
import io.traceharness.diagnosis.Diagnosis.Kind;
import io.traceharness.trace.Trace;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * Findings of the pipeline from a function to Elasticsearch: export failures of the layer's or the
 * stack's collector (with what a TLS error means for the config), functions that failed, and components
 * stopped while the trace was made.
 */
final class PipelineFindings {

  private final DiagnosisContext context;
  private final Evidence ev;
  private final Trace trace;
  private final List<Finding> findings;

  PipelineFindings(DiagnosisContext context) {
    this.context = context;
    this.ev = context.evidence();
    this.trace = context.trace();
    this.findings = context.findings();
  }

  /**
   * Explains an expected service that no trace holds: its collector could not export
   * ({@link Kind#EXPORT_FAILED}), or nothing seen explains it ({@link Kind#MISSING_SERVICE}).
   */
  void explainAbsent(String service) {
    String function = context.serviceToFunction(service);
    List<Evidence.Invocation> invocations = context.invocationsFor(function);
    List<Evidence.ExportFailure> failures = context.failuresInWindow(function);
    if (!failures.isEmpty()) {
      Evidence.ExportFailure last = failures.get(failures.size() - 1);
      String ran = invocations.isEmpty() ? "" : " although it ran (request id " + invocations.get(0).requestId() + ")";
      findings.add(new Finding(Kind.EXPORT_FAILED, "no span of " + service + " arrived" + ran + ": "
          + describeFailure(last, failures.size()), service, last.function(), null, null, null,
          invocations.isEmpty() ? null : invocations.get(0).requestId(), List.of()));
    } else if (!invocations.isEmpty()) {
      Evidence.FunctionFacts facts = ev.functions.get(function);
      String layer = facts != null && !facts.otelLayer() ? "; it has no OpenTelemetry layer" : "";
      findings.add(new Finding(Kind.MISSING_SERVICE, service + " ran (request id " + invocations.get(0).requestId()
          + ") but none of its spans reached Elasticsearch" + layer, service, function, null, null, null,
          invocations.get(0).requestId(), List.of()));
    } else {
      findings.add(new Finding(Kind.MISSING_SERVICE, service + " has no span in trace " + trace.traceId()
          + " and was not invoked in the trace's time window", service, null, null, null, null, null, List.of()));
    }
  }

  void functionErrors() {
    for (Evidence.Invocation inv : ev.invocations) {
      if (inv.errorType() != null && context.inWindow(inv.start())) {
        findings.add(new Finding(Kind.FUNCTION_ERROR, inv.function() + " failed with " + inv.errorType()
            + " (request id " + inv.requestId() + ")", null, inv.function(), null, null, null, inv.requestId(),
            List.of()));
      }
    }
  }

  /** Outages that overlap the trace's window, whether or not anything went missing. */
  void outages() {
    for (Evidence.Outage o : ev.outages) {
      Instant end = o.to() == null ? Instant.MAX : o.to();
      if (end.isBefore(context.from()) || o.from().isAfter(context.to())) {
        continue;
      }
      String until = o.to() == null ? "and is still down" : "to " + o.to() + " (" + Duration.between(o.from(), o.to())
          .toMillis() + " ms)";
      findings.add(new Finding(Kind.COMPONENT_DOWN, o.component() + (o.function() != null ? " of " + o.function() : "")
          + " was stopped from " + o.from() + " " + until + ", while this trace was made: what was sent to it then"
          + " was refused" + (o.dropped() == null || o.dropped().isBlank() ? "" : "; " + o.dropped()), null,
          o.function(), null, null, null, null, List.of()));
    }
  }

  static String describeFailure(Evidence.ExportFailure f, int count) {
    return (f.function() != null ? f.function() + "'s layer collector" : "the collector") + " could not export to "
        + f.exporter() + " (" + count + " failure" + (count == 1 ? "" : "s") + "; last: " + f.message() + ")"
        + cause(f.message());
  }

  /**
   * What a TLS failure means for the config. The wording is Go's: crypto/tls conn.go ("first record
   * does not look like a TLS handshake"), net/http transport.go ("server gave HTTP response to HTTPS
   * client"), crypto/x509 ("certificate signed by unknown authority"); grpc-go when a plaintext client
   * meets a TLS server ("connection closed before server preface received"). The otlp exporter uses TLS
   * unless tls.insecure is set (opentelemetry-collector config/configgrpc/configgrpc.go).
   */
  static String cause(String error) {
    if (error == null) {
      return "";
    }
    if (error.contains("first record does not look like a TLS handshake")
        || error.contains("server gave HTTP response to HTTPS client")) {
      return ": the otlp exporter uses TLS by default; the endpoint speaks plaintext: set tls.insecure: true or"
          + " serve TLS";
    }
    if (error.contains("certificate signed by unknown authority")) {
      return ": the endpoint's certificate is not signed by an authority the collector trusts: set tls.ca_file"
          + " to its CA, or serve a publicly trusted certificate";
    }
    if (error.contains("connection closed before server preface received")) {
      return ": the exporter speaks plaintext (tls.insecure: true); the endpoint may expect TLS: remove"
          + " tls.insecure or use its plaintext port";
    }
    return "";
  }
}
