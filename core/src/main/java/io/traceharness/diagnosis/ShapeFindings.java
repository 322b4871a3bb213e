package io.traceharness.diagnosis;

import io.traceharness.diagnosis.Diagnosis.Finding;
import io.traceharness.diagnosis.Diagnosis.Kind;
import io.traceharness.trace.Anomaly;
import io.traceharness.trace.SpanNode;
import io.traceharness.trace.Trace;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Findings from the trace's own shape ({@link Trace#anomalies()}): a second root ({@link Kind#NO_TRACEPARENT}
 * when a request reached API Gateway without {@code traceparent}, else {@link Kind#EXTRA_ROOT}), an orphan
 * (with the request that carried its parent and the export failures of the time), clock skew, duplicate
 * ids, cycles.
 */
final class ShapeFindings {

  private final DiagnosisContext context;
  private final Evidence ev;
  private final Trace trace;
  private final List<Finding> findings;

  ShapeFindings(DiagnosisContext context) {
    this.context = context;
    this.ev = context.evidence();
    this.trace = context.trace();
    this.findings = context.findings();
  }

  void find() {
    for (Anomaly a : trace.anomalies()) {
      if (a instanceof Anomaly.MultipleRoots m) {
        m.roots().stream().sorted(Comparator.comparing(SpanNode::start)).skip(1).forEach(this::extraRoot);
      } else if (a instanceof Anomaly.Orphan o) {
        orphan(o);
      } else if (a instanceof Anomaly.ClockSkew c) {
        String cause = c.child().service().equals(c.parent().service())
            ? "; both come from " + c.child().service() + ", so no clock is to blame: the parent was ended before its"
                + " child (an invocation span ended when a callback-style handler returned, or async work outlived it)"
            : "; the clocks of " + c.child().service() + " and " + c.parent().service() + " disagree";
        findings.add(new Finding(Kind.CLOCK_SKEW, c.description() + cause + " (the structure is intact)",
            c.child().service(), null, c.child().spanId(), c.parent().spanId(), null, null, List.of()));
      } else if (a instanceof Anomaly.DuplicateId d) {
        findings.add(new Finding(Kind.DUPLICATE_ID, d.description(), trace.span(d.spanId()).map(SpanNode::service)
            .orElse(null), null, d.spanId(), null, null, null, List.of()));
      } else if (a instanceof Anomaly.Cycle c) {
        List<String> cycle = c.spans().stream().map(SpanNode::spanId).toList();
        findings.add(new Finding(Kind.CYCLE, c.description(), null, null, cycle.isEmpty() ? null : cycle.get(0), null,
            null, null, cycle));
      }
    }
  }

  private void extraRoot(SpanNode root) {
    Optional<Evidence.GatewayRequest> bare = context.requestsFor(context.serviceToFunction(root.service())).stream()
        .filter(r -> r.traceparent() == null || r.traceparent().isBlank())
        .findFirst();
    if (bare.isPresent()) {
      Evidence.GatewayRequest r = bare.get();
      findings.add(new Finding(Kind.NO_TRACEPARENT, root.describe() + " is a new root: " + r.method() + " " + r.path()
          + " reached API Gateway without a traceparent header at " + r.at()
          + ", so " + root.service() + " started a trace of its own; the caller did not propagate trace context",
          root.service(), r.function(), root.spanId(), null, null, null, List.of()));
    } else {
      findings.add(new Finding(Kind.EXTRA_ROOT, root.describe() + " is a second root: it has no parent.id, so its"
          + " caller passed no trace context (or the span was started without one)", root.service(), null,
          root.spanId(), null, null, null, List.of()));
    }
  }

  private void orphan(Anomaly.Orphan o) {
    String parent = o.missingParentId();
    StringBuilder why = new StringBuilder(o.description());
    Optional<Evidence.GatewayRequest> carried = ev.gatewayRequests.stream()
        .filter(r -> PropagationFindings.traceparentSpanId(r.traceparent()).map(parent::equals).orElse(false))
        .findFirst();
    if (carried.isPresent()) {
      why.append("; its parent ").append(parent).append(" is the caller's span sent as traceparent to ")
          .append(carried.get().method()).append(' ').append(carried.get().path())
          .append(", and that span never arrived");
    }
    List<Evidence.ExportFailure> failures = context.failuresInWindow(null);
    if (!failures.isEmpty()) {
      Evidence.ExportFailure f = failures.get(failures.size() - 1);
      why.append("; ").append(PipelineFindings.describeFailure(f, failures.size()));
    }
    findings.add(new Finding(Kind.ORPHAN, why.toString(), o.span().service(), null, o.span().spanId(), parent, null,
        null, List.of()));
  }
}
