package io.traceharness.diagnosis;

import io.traceharness.trace.Anomaly;
import io.traceharness.trace.SpanNode;
import io.traceharness.trace.Trace;
import io.traceharness.trace.TraceLog;
import io.traceharness.trace.Traces;
import io.traceharness.trace.XRayTraceHeader;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Says which link of a distributed trace broke and, from what the harness saw, why: a second root
 * because a caller sent no {@code traceparent}; a function whose transaction landed in another trace
 * because, with Active tracing on, the X-Ray header won over W3C trace context; spans that never
 * arrived because a layer's collector could not export; a child drawn outside its parent because
 * two clocks disagree.
 *
 * <pre>{@code
 * Diagnosis d = stack.diagnose(traceId, "java-client", "producer", "consumer");
 * if (!d.isClean()) {
 *   System.out.println(d);   // one line per finding, with the ids involved and the likely cause
 * }
 * }</pre>
 */
public final class Diagnosis {

  /** What kind of break a finding describes. */
  public enum Kind {
    /** A second parentless transaction: the caller passed no trace context. */
    NO_TRACEPARENT,
    /** An expected service's transaction is in another trace because the X-Ray header won. */
    XRAY_REPLACED_CONTEXT,
    /** An expected service's transaction is in another trace for a reason the harness did not see. */
    CONTEXT_LOST,
    /** An expected service sent nothing because its collector could not export. */
    EXPORT_FAILED,
    /** An expected service is absent and nothing the harness saw explains it. */
    MISSING_SERVICE,
    /** A parentless span beyond the first root. */
    EXTRA_ROOT,
    /** A span whose parent no document of the trace has. */
    ORPHAN,
    /** A child drawn outside its parent. The structure is intact. */
    CLOCK_SKEW,
    /** Two documents with one span id. */
    DUPLICATE_ID,
    /** Parent links that go round. */
    CYCLE,
    /** A function invocation that failed. */
    FUNCTION_ERROR,
    /**
     * A component of the pipeline was stopped while the trace was made. Alone it breaks nothing
     * (senders may have retried); beside a missing service it says where the spans went.
     */
    COMPONENT_DOWN,
    /**
     * Spans a function ended before its execution environment froze reached the collector only after
     * the next invocation thawed it. The spans are there; a check made before that invocation missed them.
     */
    EXPORTED_AFTER_THAW,
    /**
     * An expected service's function ran, but its environment was shut down before its SDK exported
     * any span of that invocation.
     */
    LOST_AT_SHUTDOWN,
    /** An invocation ran to the function's timeout because an extension never asked for its next event. */
    EXTENSION_NOT_DONE,
    /**
     * A function logged during the trace's invocations without the trace id: its logs will not link to
     * the trace in Kibana. The trace itself is intact.
     */
    LOGS_UNLINKED;

    /** Whether a finding of this kind is a broken link (the others only explain or qualify). */
    boolean breaks() {
      return this != CLOCK_SKEW && this != COMPONENT_DOWN && this != EXPORTED_AFTER_THAW && this != EXTENSION_NOT_DONE
          && this != LOGS_UNLINKED;
    }
  }

  /**
   * One explained break and what it involves, each by name; a field the kind does not involve is
   * null (for {@code cycle}: empty).
   *
   * @param service the service the break concerns: the new or extra root's, the orphan's, the
   *     skewed child's, the duplicate's, the expected service that is missing or moved, the one whose logs do not link; null for
   *     {@link Kind#CYCLE} and {@link Kind#FUNCTION_ERROR}
   * @param function the Lambda function seen taking part: the one invoked ({@link Kind#FUNCTION_ERROR},
   *     {@link Kind#MISSING_SERVICE} when it ran), the one whose layer collector failed
   *     ({@link Kind#EXPORT_FAILED}, null when the stack's own collector failed), the one a bare or
   *     carrying request went to ({@link Kind#NO_TRACEPARENT}, {@link Kind#CONTEXT_LOST},
   *     {@link Kind#XRAY_REPLACED_CONTEXT}), the one whose lines carry no trace id
   *     ({@link Kind#LOGS_UNLINKED}); otherwise null
   * @param spanId the span the break is about: the root, the orphan, the child drawn outside its
   *     parent, the duplicated id, the first span of a cycle, or the missing service's transaction
   *     in the other trace; null for {@link Kind#EXPORT_FAILED}, {@link Kind#MISSING_SERVICE},
   *     {@link Kind#FUNCTION_ERROR}
   * @param parentId the orphan's missing parent ({@link Kind#ORPHAN}) or the skewed child's parent
   *     ({@link Kind#CLOCK_SKEW}); otherwise null
   * @param otherTraceId the trace the missing service's transaction ended up in
   *     ({@link Kind#XRAY_REPLACED_CONTEXT}, {@link Kind#CONTEXT_LOST}, and {@link Kind#NO_TRACEPARENT}
   *     when the new root is in a trace of its own); otherwise null
   * @param requestId the Lambda request id of the invocation ({@link Kind#FUNCTION_ERROR}, and
   *     {@link Kind#MISSING_SERVICE} or {@link Kind#EXPORT_FAILED} when the function ran, and the invocation
   *     whose lines {@link Kind#LOGS_UNLINKED} quotes); otherwise null
   * @param cycle the span ids of a {@link Kind#CYCLE}, in the order the links go; otherwise empty
   */
  public record Finding(Kind kind, String message, String service, String function, String spanId,
      String parentId, String otherTraceId, String requestId, List<String> cycle) {

    public Finding {
      cycle = List.copyOf(cycle);
    }

    @Override
    public String toString() {
      return kind + ": " + message;
    }
  }

  private static final Duration OTHER_TRACES_BEFORE = Duration.ofSeconds(5);
  private static final Duration OTHER_TRACES_AFTER = Duration.ofSeconds(60);
  private static final Duration BEFORE = Duration.ofSeconds(2);
  private static final Duration AFTER = Duration.ofSeconds(30);

  private final String traceId;
  private final String summary;
  private final List<Finding> findings;

  private Diagnosis(String traceId, String summary, List<Finding> findings) {
    this.traceId = traceId;
    this.summary = summary;
    this.findings = List.copyOf(findings);
  }

  /** Diagnoses the evidence's trace. */
  public static Diagnosis of(Evidence evidence) {
    return new Diagnostician(evidence).run();
  }

  /**
   * Reads the trace, the other traces in which the expected services that it lacks ended up
   * (around its time), adds what {@code backendEvidence} supplies, and diagnoses the lot: what
   * every backend's {@code TracingStack.diagnose} does.
   */
  public static Diagnosis collect(Traces traces, String traceId, List<String> expectedServices,
      Consumer<Evidence.Builder> backendEvidence) {
    Trace trace = traces.read(traceId);
    Evidence.Builder evidence = Evidence.builder(trace).expectServices(expectedServices);
    backendEvidence.accept(evidence);
    collectLogs(traces, trace, evidence);
    Set<String> missing = new LinkedHashSet<>(expectedServices);
    missing.removeAll(trace.services());
    if (!missing.isEmpty()) {
      Instant start = trace.start().orElse(Instant.now().minus(Duration.ofMinutes(5)));
      Set<String> others;
      try {
        others = traces.traceIdsOf(missing, start.minus(OTHER_TRACES_BEFORE),
            start.plus(trace.duration()).plus(OTHER_TRACES_AFTER));
      } catch (UncheckedIOException e) {
        // the diagnosis still has the trace and the backend's evidence; say the rest was unreadable
        others = Set.of();
        evidence.exportFailure(new Evidence.ExportFailure(Instant.now(), null, "trace reader",
            "could not search the traces of " + missing + ": " + e.getCause()));
      }
      for (String otherId : others) {
        if (!otherId.equals(traceId)) {
          evidence.otherTrace(traces.read(otherId));
        }
      }
    }
    return of(evidence.build());
  }

  /** The trace's logs, when it has spans; a failed read is noted and the diagnosis goes on without them. */
  private static void collectLogs(Traces traces, Trace trace, Evidence.Builder evidence) {
    if (trace.isEmpty()) {
      return;
    }
    try {
      evidence.logs(traces.logs(trace));
    } catch (UncheckedIOException | co.elastic.clients.elasticsearch._types.ElasticsearchException e) {
      evidence.exportFailure(new Evidence.ExportFailure(Instant.now(), null, "trace reader",
          "could not read the logs of trace " + trace.traceId() + ": " + e));
    }
  }

  public String traceId() {
    return traceId;
  }

  public List<Finding> findings() {
    return findings;
  }

  /** True when no link is broken. Clock skew or an outage alone does not break a trace and does not count. */
  public boolean isClean() {
    return findings.stream().allMatch(f -> !f.kind().breaks());
  }

  public boolean has(Kind kind) {
    return findings.stream().anyMatch(f -> f.kind() == kind);
  }

  public List<Finding> findings(Kind kind) {
    return findings.stream().filter(f -> f.kind() == kind).toList();
  }

  /** The summary line then one line per finding. */
  public List<String> lines() {
    List<String> lines = new ArrayList<>();
    lines.add(summary);
    findings.forEach(f -> lines.add("- " + f));
    return lines;
  }

  @Override
  public String toString() {
    return String.join("\n", lines());
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

  private static final class Diagnostician {
    private final Evidence ev;
    private final Trace trace;
    private final List<Finding> findings = new ArrayList<>();
    private final Instant from;
    private final Instant to;

    Diagnostician(Evidence ev) {
      this.ev = ev;
      this.trace = ev.trace;
      Instant start = trace.start().orElse(null);
      this.from = start == null ? Instant.MIN : start.minus(BEFORE);
      this.to = start == null ? Instant.MAX : start.plus(trace.duration()).plus(AFTER);
    }

    Diagnosis run() {
      shape();
      missingServices();
      functionErrors();
      outages();
      unlinkedLogs();
      lifecycle();
      return new Diagnosis(trace.traceId(), summary(), findings);
    }

    private void shape() {
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
      Optional<Evidence.GatewayRequest> bare = requestsFor(serviceToFunction(root.service())).stream()
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
          .filter(r -> traceparentSpanId(r.traceparent()).map(parent::equals).orElse(false))
          .findFirst();
      if (carried.isPresent()) {
        why.append("; its parent ").append(parent).append(" is the caller's span sent as traceparent to ")
            .append(carried.get().method()).append(' ').append(carried.get().path())
            .append(", and that span never arrived");
      }
      List<Evidence.ExportFailure> failures = failuresInWindow(null);
      if (!failures.isEmpty()) {
        Evidence.ExportFailure f = failures.get(failures.size() - 1);
        why.append("; ").append(describeFailure(f, failures.size()));
      }
      findings.add(new Finding(Kind.ORPHAN, why.toString(), o.span().service(), null, o.span().spanId(), parent, null,
          null, List.of()));
    }

    private void missingServices() {
      Set<String> present = trace.services();
      Map<String, String> explainedTraces = new LinkedHashMap<>();
      for (String service : ev.expectedServices) {
        if (present.contains(service)) {
          continue;
        }
        String function = serviceToFunction(service);
        List<Evidence.GatewayRequest> requests = requestsFor(function);
        // a trace that also holds a service this one has (its own client, say) is another run of the
        // same flow, not where ours went: clients calling the functions around the same time each
        // leave one; a split-off piece holds only services this trace lacks
        List<Trace> elsewhere = ev.otherTraces.values().stream()
            .filter(t -> t.services().contains(service) && Collections.disjoint(t.services(), present)).toList();
        List<Evidence.Invocation> invocations = invocationsFor(function);
        if (!elsewhere.isEmpty()) {
          Trace other = namedByOurRequest(elsewhere, requests).orElse(elsewhere.get(0));
          SpanNode tx = other.spans().stream().filter(s -> s.service().equals(service) && s.isTransaction())
              .findFirst().orElse(other.spans().get(0));
          String earlier = explainedTraces.get(other.traceId());
          if (earlier != null) {
            findings.add(new Finding(Kind.CONTEXT_LOST, service + "'s transaction " + tx.describe() + " followed "
                + earlier + " into trace " + other.traceId(), service, null, tx.spanId(), null, other.traceId(), null,
                List.of()));
            continue;
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
          continue;
        }
        List<Evidence.ExportFailure> failures = failuresInWindow(function);
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

    private void functionErrors() {
      for (Evidence.Invocation inv : ev.invocations) {
        if (inv.errorType() != null && inWindow(inv.start())) {
          findings.add(new Finding(Kind.FUNCTION_ERROR, inv.function() + " failed with " + inv.errorType()
              + " (request id " + inv.requestId() + ")", null, inv.function(), null, null, null, inv.requestId(),
              List.of()));
        }
      }
    }

    /**
     * Functions whose own lines (not the service's {@code START}/{@code END}/{@code REPORT}) were
     * written during the trace's invocations, none of them carrying the trace id.
     */
    private void unlinkedLogs() {
      Map<String, List<TraceLog>> byFunction = new LinkedHashMap<>();
      for (TraceLog l : ev.logs) {
        String key = l.function() != null ? l.function() : l.service();
        if (key != null && !l.isPlatformLine()) {
          byFunction.computeIfAbsent(key, k -> new ArrayList<>()).add(l);
        }
      }
      byFunction.forEach((function, lines) -> {
        if (lines.stream().anyMatch(l -> l.link() == TraceLog.Link.TRACE_ID)) {
          return;
        }
        TraceLog first = lines.get(0);
        String sample = first.message().strip();
        sample = sample.length() > 120 ? sample.substring(0, 117) + "..." : sample;
        findings.add(new Finding(Kind.LOGS_UNLINKED, function + " wrote " + lines.size() + " log line"
            + (lines.size() == 1 ? "" : "s") + " during its invocation in this trace (request id " + first.requestId()
            + "), none with the trace id (e.g. \"" + sample + "\"): its logs will not link to this trace in Kibana."
            + " Log the active span's trace id (ECS-JSON \"trace.id\", \"span.id\")",
            first.service(), first.function(), null, null, null, first.requestId(), List.of()));
      });
    }

    /** Outages that overlap the trace's window, whether or not anything went missing. */
    private void outages() {
      for (Evidence.Outage o : ev.outages) {
        Instant end = o.to() == null ? Instant.MAX : o.to();
        if (end.isBefore(from) || o.from().isAfter(to)) {
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

    /** What the execution environments' freezes, shutdowns and extensions did to the trace. */
    private void lifecycle() {
      exportedAfterThaw();
      lostAtShutdown();
      extensionsNotDone();
    }

    /** The trace's spans a freeze held back, one finding per freeze. */
    private void exportedAfterThaw() {
      Map<String, List<Evidence.LateExport>> byFreeze = new LinkedHashMap<>();
      ev.lateExports.stream().filter(l -> l.traceId().equals(trace.traceId()))
          .sorted(Comparator.comparing(Evidence.LateExport::ended))
          .forEach(l -> byFreeze.computeIfAbsent(l.instanceId() + "@" + l.frozenFrom(), k -> new ArrayList<>()).add(l));
      for (List<Evidence.LateExport> late : byFreeze.values()) {
        Evidence.LateExport first = late.get(0);
        List<String> spans = late.stream().map(l -> "'" + l.spanName() + "' (" + l.spanId() + ") ended "
            + l.ended() + ", exported " + l.exported() + ", " + Duration.between(l.ended(), l.exported()).toMillis()
            + " ms later").toList();
        String service = trace.span(first.spanId()).map(SpanNode::service).orElse(first.function());
        findings.add(new Finding(Kind.EXPORTED_AFTER_THAW, late.size() + " span" + (late.size() == 1 ? "" : "s") + " of "
            + first.function() + " reached the collector only after the next invocation thawed environment "
            + first.instanceId() + ": " + String.join("; ", spans) + ". The environment was frozen from "
            + first.frozenFrom() + " to " + first.thawedAt() + " ("
            + Duration.between(first.frozenFrom(), first.thawedAt()).toMillis() + " ms): " + first.function()
            + "'s SDK still held them when the invocation ended (its batch was not flushed before the response),"
            + " and Lambda freezes the environment then, as AWS does; they would be lost if it were shut down first."
            + " Flush before the response (the wrapper's force flush, or a simple span processor)",
            service, first.function(), first.spanId(), null, null, null, List.of()));
      }
    }

    /** Expected services missing because their environment was shut down with their spans unexported. */
    private void lostAtShutdown() {
      for (String service : ev.expectedServices) {
        if (trace.services().contains(service)) {
          continue;
        }
        String function = serviceToFunction(service);
        for (Evidence.Invocation inv : invocationsFor(function)) {
          Optional<Evidence.EnvironmentShutdown> lost = ev.shutdowns.stream()
              .filter(s -> s.function().equals(function) && s.unexported().contains(inv.requestId())).findFirst();
          if (lost.isEmpty()) {
            continue;
          }
          Evidence.EnvironmentShutdown s = lost.get();
          findings.removeIf(f -> f.kind() == Kind.MISSING_SERVICE && service.equals(f.service()));
          findings.add(new Finding(Kind.LOST_AT_SHUTDOWN, service + " ran (request id " + inv.requestId()
              + ") but none of its spans reached a collector: environment " + s.instanceId() + " was shut down at "
              + s.at() + " (reason " + s.reason() + ") with the spans of " + s.unexported().size() + " invocation"
              + (s.unexported().size() == 1 ? "" : "s") + " " + s.unexported() + " never exported; its SDK held them"
              + " past the invocation (no flush before the response) and the environment ended before the next"
              + " invocation could thaw it", service, function, null, null, null, inv.requestId(), List.of()));
          break;
        }
      }
    }

    /** Invocations of the trace's time that an extension held open until the function's timeout. */
    private void extensionsNotDone() {
      Set<String> requestIds = new LinkedHashSet<>();
      ev.invocations.stream().filter(i -> inWindow(i.start())).forEach(i -> requestIds.add(i.requestId()));
      for (Evidence.ExtensionTimeout t : ev.extensionTimeouts) {
        if (!requestIds.contains(t.requestId()) && !inWindow(t.at())) {
          continue;
        }
        String names = t.extensions().isEmpty() ? "an extension" : (t.extensions().size() == 1 ? "extension " : "extensions ")
            + String.join(", ", t.extensions());
        findings.add(new Finding(Kind.EXTENSION_NOT_DONE, t.function() + "'s invocation (request id " + t.requestId()
            + ") ran to its timeout of " + t.timeout().toMillis() + " ms although the runtime had answered: " + names
            + " never asked for " + (t.extensions().size() == 1 ? "its" : "their") + " next event (GET"
            + " /2020-01-01/extension/event/next) after INVOKE, and Lambda ends the Invoke phase only when every"
            + " extension has; the duration is billed to the timeout and the environment is shut down (reason timeout)",
            null, t.function(), null, null, null, t.requestId(), List.of()));
      }
    }

    private String summary() {
      if (findings.stream().noneMatch(f -> f.kind().breaks())) {
        return "Trace " + trace.traceId() + " is connected: " + trace.size() + " spans, services " + trace.services()
            + (findings.isEmpty() ? "" : "; no broken link, only what is noted below");
      }
      Set<String> traces = new LinkedHashSet<>();
      traces.add(trace.traceId());
      findings.stream().filter(f -> f.kind() == Kind.XRAY_REPLACED_CONTEXT || f.kind() == Kind.NO_TRACEPARENT
              || f.kind() == Kind.CONTEXT_LOST)
          .map(Finding::otherTraceId).filter(Objects::nonNull).forEach(traces::add);
      int subtrees = Math.max(trace.topLevel().size(), 1) + traces.size() - 1;
      List<String> missing = ev.expectedServices.stream().filter(s -> !trace.services().contains(s)).toList();
      return "Trace " + trace.traceId() + " is broken: " + subtrees + " disconnected subtree" + (subtrees == 1 ? "" : "s")
          + (missing.isEmpty() ? "" : ", missing " + missing) + ", " + findings.size() + " finding"
          + (findings.size() == 1 ? "" : "s");
    }

    private String serviceToFunction(String service) {
      return ev.functions.values().stream().filter(f -> service.equals(f.serviceName())).map(Evidence.FunctionFacts::name)
          .findFirst().orElse(service);
    }

    private List<Evidence.GatewayRequest> requestsFor(String function) {
      return ev.gatewayRequests.stream().filter(r -> function.equals(r.function()))
          .filter(r -> traceparentTraceId(r.traceparent()).map(trace.traceId()::equals).orElse(false) || inWindow(r.at()))
          .toList();
    }

    private List<Evidence.Invocation> invocationsFor(String function) {
      return ev.invocations.stream().filter(i -> function.equals(i.function()) && inWindow(i.start())).toList();
    }

    private List<Evidence.ExportFailure> failuresInWindow(String function) {
      return ev.exportFailures.stream()
          .filter(f -> function == null || function.equals(f.function()) || f.function() == null)
          .filter(f -> inWindow(f.at()))
          .toList();
    }

    private boolean inWindow(Instant at) {
      return at == null || (!at.isBefore(from) && !at.isAfter(to));
    }

    private static String describeFailure(Evidence.ExportFailure f, int count) {
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
}
