package io.traceharness.diagnosis;

import io.traceharness.diagnosis.Diagnosis.Finding;
import io.traceharness.diagnosis.Diagnosis.Kind;
import io.traceharness.trace.SpanNode;
import io.traceharness.trace.Trace;
import io.traceharness.trace.XRayTraceHeader;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Findings of trace context propagation: where an expected service's transaction went when it is in
 * another trace, read from the requests API Gateway saw ({@code traceparent}, {@code X-Amzn-Trace-Id}),
 * the invocations' X-Ray headers and the functions' {@code OTEL_PROPAGATORS}; and the parsing of those
 * headers.
 */
final class PropagationFindings {

  private final DiagnosisContext context;
  private final Evidence ev;
  private final Trace trace;
  private final List<Finding> findings;
  /** Other trace → the service first explained as having gone there. */
  private final Map<String, String> explainedTraces = new LinkedHashMap<>();

  PropagationFindings(DiagnosisContext context) {
    this.context = context;
    this.ev = context.evidence();
    this.trace = context.trace();
    this.findings = context.findings();
  }

  /**
   * Explains an expected service that this trace lacks but another trace holds: the X-Ray header won
   * ({@link Kind#XRAY_REPLACED_CONTEXT}), the request carried no {@code traceparent}
   * ({@link Kind#NO_TRACEPARENT}), or the context was lost otherwise ({@link Kind#CONTEXT_LOST}); false when
   * no other trace holds it.
   */
  boolean explainMoved(String service) {
    Set<String> present = trace.services();
    String function = context.serviceToFunction(service);
    List<Evidence.GatewayRequest> requests = context.requestsFor(function);
    // a trace that also holds a service this one has (its own client, say) is another run of the
    // same flow, not where ours went: clients calling the functions around the same time each
    // leave one; a split-off piece holds only services this trace lacks
    List<Trace> elsewhere = ev.otherTraces.values().stream()
        .filter(t -> t.services().contains(service) && Collections.disjoint(t.services(), present)).toList();
    List<Evidence.Invocation> invocations = context.invocationsFor(function);
    if (elsewhere.isEmpty()) {
      return false;
    }
    Trace other = namedByOurRequest(elsewhere, requests).orElse(elsewhere.get(0));
    SpanNode tx = other.spans().stream().filter(s -> s.service().equals(service) && s.isTransaction())
        .findFirst().orElse(other.spans().get(0));
    String earlier = explainedTraces.get(other.traceId());
    if (earlier != null) {
      findings.add(new Finding(Kind.CONTEXT_LOST, service + "'s transaction " + tx.describe() + " followed "
          + earlier + " into trace " + other.traceId(), service, null, tx.spanId(), null, other.traceId(), null,
          List.of()));
      return true;
    }
    explainedTraces.put(other.traceId(), service);
    Set<String> xrayIds = new LinkedHashSet<>();
    String xrayHeader = null;
    for (Evidence.Invocation inv : invocations) {
      if (xrayRootAsW3c(inv.xrayTraceHeader()).isPresent()) {
        xrayIds.add(xrayRootAsW3c(inv.xrayTraceHeader()).get());
        xrayHeader = xrayHeader == null ? inv.xrayTraceHeader() : xrayHeader;
      }
    }
    for (Evidence.GatewayRequest r : requests) {
      if (xrayRootAsW3c(r.xAmznTraceId()).isPresent()) {
        xrayIds.add(xrayRootAsW3c(r.xAmznTraceId()).get());
        xrayHeader = xrayHeader == null ? r.xAmznTraceId() : xrayHeader;
      }
    }
    Optional<Evidence.GatewayRequest> withOurContext = requests.stream()
        .filter(r -> traceparentTraceId(r.traceparent()).map(trace.traceId()::equals).orElse(false))
        .findFirst();
    Optional<Evidence.GatewayRequest> bare = requests.stream()
        .filter(r -> r.traceparent() == null || r.traceparent().isBlank()).findFirst();
    Evidence.FunctionFacts facts = ev.functions.get(function);
    if (xrayIds.contains(other.traceId())) {
      StringBuilder m = new StringBuilder(service + "'s transaction " + tx.describe() + " is in trace "
          + other.traceId() + ", not " + trace.traceId() + ": ");
      withOurContext.ifPresent(r -> m.append(r.method()).append(' ').append(r.path())
          .append(" carried traceparent ").append(r.traceparent()).append(", but "));
      m.append("Active tracing is on");
      if (facts != null && facts.propagators() != null) {
        m.append(" and OTEL_PROPAGATORS=").append(facts.propagators());
      }
      m.append(", so the X-Ray header (").append(xrayHeader)
          .append(") supplied the parent and won over W3C trace context")
          .append(xrayPrecedence(facts == null ? null : facts.propagators()))
          .append("; the trace splits in two. Turn Active tracing off, or set OTEL_PROPAGATORS=tracecontext");
      findings.add(new Finding(Kind.XRAY_REPLACED_CONTEXT, m.toString(), service, function, tx.spanId(), null,
          other.traceId(), null, List.of()));
    } else if (bare.isPresent()) {
      Evidence.GatewayRequest r = bare.get();
      findings.add(new Finding(Kind.NO_TRACEPARENT, service + " started a new trace " + other.traceId()
          + " with root " + tx.describe() + ": " + r.method() + " " + r.path()
          + " reached API Gateway without a traceparent header at " + r.at()
          + "; the caller did not propagate trace context", service, r.function(), tx.spanId(), null,
          other.traceId(), null, List.of()));
    } else {
      findings.add(new Finding(Kind.CONTEXT_LOST, service + "'s transaction " + tx.describe() + " is in trace "
          + other.traceId() + ", not " + trace.traceId()
          + (withOurContext.isPresent() ? " although " + withOurContext.get().method() + " "
          + withOurContext.get().path() + " carried traceparent " + withOurContext.get().traceparent()
          + ": the function's propagators did not extract it" : ""),
          service, withOurContext.map(Evidence.GatewayRequest::function).orElse(null), tx.spanId(), null,
          other.traceId(), null, List.of()));
    }
    return true;
  }

  /**
   * Of the traces holding a missing service, the one named by the X-Ray header of a request that
   * carried this trace's {@code traceparent}: the same functions may have run for other callers
   * around the same time (a warm-up, another test), and only that header ties one of their traces
   * to this request.
   */
  private Optional<Trace> namedByOurRequest(List<Trace> candidates, List<Evidence.GatewayRequest> requests) {
    Set<String> named = new LinkedHashSet<>();
    for (Evidence.GatewayRequest r : requests) {
      if (traceparentTraceId(r.traceparent()).map(trace.traceId()::equals).orElse(false)) {
        xrayRootAsW3c(r.xAmznTraceId()).ifPresent(named::add);
      }
    }
    return candidates.stream().filter(t -> named.contains(t.traceId())).findFirst();
  }

  /**
   * Why the X-Ray context beat {@code traceparent}, from the order of {@code OTEL_PROPAGATORS}: a
   * composite propagator extracts in list order, each propagator over the previous one's result, so
   * the last one that finds a context supplies the parent (opentelemetry-js {@code CompositePropagator},
   * opentelemetry-java {@code MultiTextMapPropagator}). {@code xray} and {@code xray-lambda} both take
   * the event's {@code X-Amzn-Trace-Id} when it has a parent; {@code xray-lambda} reads
   * {@code _X_AMZN_TRACE_ID} only when nothing was extracted before it (propagator-aws-xray-lambda
   * {@code AWSXRayLambdaPropagator}, opentelemetry-java-contrib {@code AwsXrayLambdaPropagator}).
   * Empty when the list is unknown or explains nothing.
   */
  static String xrayPrecedence(String propagators) {
    if (propagators == null || propagators.isBlank()) {
      return "";
    }
    List<String> names = new ArrayList<>();
    for (String n : propagators.split(",")) {
      names.add(n.trim().toLowerCase(Locale.ROOT));
    }
    int xray = Math.max(names.lastIndexOf("xray"), names.lastIndexOf("xray-lambda"));
    if (xray < 0) {
      return "";
    }
    String name = names.get(xray);
    int tracecontext = names.lastIndexOf("tracecontext");
    if (tracecontext < 0) {
      return " (" + name + " is the only trace context propagator listed)";
    }
    if (tracecontext > xray) {
      return "";
    }
    return " (" + name + " comes after tracecontext, so the X-Ray context it extracted replaced the traceparent's:"
        + " the last propagator that finds a context wins; listing tracecontext last keeps the caller's trace)";
  }

  /** W3C trace id of an X-Ray trace header ({@code Root=1-5759e988-bd862e3fe1be46a994272793;…}). */
  static Optional<String> xrayRootAsW3c(String header) {
    return XRayTraceHeader.parse(header).w3cTraceId();
  }

  /** Trace id of a W3C {@code traceparent}, empty when absent or malformed. */
  static Optional<String> traceparentTraceId(String traceparent) {
    if (traceparent == null) {
      return Optional.empty();
    }
    String[] p = traceparent.trim().split("-");
    return p.length >= 4 && p[1].length() == 32 ? Optional.of(p[1].toLowerCase(Locale.ROOT)) : Optional.empty();
  }

  /** Parent span id of a W3C {@code traceparent}. */
  static Optional<String> traceparentSpanId(String traceparent) {
    if (traceparent == null) {
      return Optional.empty();
    }
    String[] p = traceparent.trim().split("-");
    return p.length >= 4 && p[2].length() == 16 ? Optional.of(p[2].toLowerCase(Locale.ROOT)) : Optional.empty();
  }
}
