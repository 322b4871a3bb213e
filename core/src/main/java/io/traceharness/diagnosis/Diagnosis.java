package io.traceharness.diagnosis;

import io.traceharness.trace.Trace;
import io.traceharness.trace.Traces;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Says which link of a distributed trace broke and, from what the harness saw, why: a second root
 * because a caller sent no {@code traceparent}; a function whose transaction landed in another trace
 * because, with Active tracing on, the X-Ray header won over W3C trace context; spans that never
 * arrived because a layer's collector could not export; a child drawn outside its parent because
 * two clocks disagree.
 *
 * <p>Each family of findings is its own class, run in the order a reader follows them: the trace's shape
 * ({@code ShapeFindings}), where a missing service went ({@code PropagationFindings}: moved to another
 * trace by the X-Ray header or a lost context; else {@code PipelineFindings}: export failures, with
 * failed functions and outages), unlinked logs ({@code LogFindings}), then the Lambda lifecycle
 * ({@code LifecycleFindings}: freezes, shutdowns, extensions, which may replace a missing service's
 * finding with its cause); {@code DiagnosisContext} is the evidence and time window they share.
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
    DiagnosisContext context = new DiagnosisContext(evidence);
    new ShapeFindings(context).find();
    PropagationFindings propagation = new PropagationFindings(context);
    PipelineFindings pipeline = new PipelineFindings(context);
    Set<String> present = context.trace().services();
    for (String service : evidence.expectedServices) {
      if (!present.contains(service) && !propagation.explainMoved(service)) {
        pipeline.explainAbsent(service);
      }
    }
    pipeline.functionErrors();
    pipeline.outages();
    new LogFindings(context).find();
    new LifecycleFindings(context).find();
    return new Diagnosis(context.trace().traceId(), summary(context), context.findings());
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

  /** One line: whether the trace is connected or broken, its span count, services and what is missing. */
  public String summary() {
    return summary;
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

  private static String summary(DiagnosisContext context) {
    Trace trace = context.trace();
    List<Finding> findings = context.findings();
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
    List<String> missing = context.evidence().expectedServices.stream()
        .filter(s -> !trace.services().contains(s)).toList();
    return "Trace " + trace.traceId() + " is broken: " + subtrees + " disconnected subtree" + (subtrees == 1 ? "" : "s")
        + (missing.isEmpty() ? "" : ", missing " + missing) + ", " + findings.size() + " finding"
        + (findings.size() == 1 ? "" : "s");
  }
}
