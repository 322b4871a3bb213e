package io.traceharness.trace;

import io.opentelemetry.api.trace.SpanKind;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One transaction or span of a {@link Trace}, as Elasticsearch stores it, linked to its parent and
 * children.
 *
 * <p>A node is read-only: its tree links are fixed when the {@link Trace} is built.
 *
 * <pre>{@code
 * SpanNode root = trace.roots().get(0);
 * root.service();                 // "java-client"
 * root.children().get(0).name();  // "client-request"
 * }</pre>
 */
public final class SpanNode {

  /** How a transaction or span ended, from {@code event.outcome} or the OTel status. */
  public enum Outcome {
    SUCCESS,
    FAILURE,
    UNKNOWN;

    static Outcome parse(String value) {
      if (value == null) {
        return UNKNOWN;
      }
      switch (value.toLowerCase(java.util.Locale.ROOT)) {
        case "success":
        case "ok":
          return SUCCESS;
        case "failure":
        case "error":
          return FAILURE;
        default:
          return UNKNOWN;
      }
    }
  }

  static final Comparator<SpanNode> BY_START =
      Comparator.comparing(SpanNode::start).thenComparing(SpanNode::spanId);

  private final String traceId;
  private final String spanId;
  private final String parentId;
  private final String transactionId;
  private final boolean transaction;
  private final String service;
  private final String name;
  private final String type;
  private final String subtype;
  private final SpanKind kind;
  private final Outcome outcome;
  private final String result;
  private final Instant start;
  private final Duration duration;
  private final String agentName;
  private final Map<String, String> labels;
  private final Map<String, Double> numericLabels;

  // Tree links, set once by TreeBuilder before the Trace is handed out.
  private SpanNode parent;
  private Trace trace;
  private List<SpanNode> children = new ArrayList<>();

  SpanNode(
      String traceId,
      String spanId,
      String parentId,
      String transactionId,
      boolean transaction,
      String service,
      String name,
      String type,
      String subtype,
      SpanKind kind,
      Outcome outcome,
      String result,
      Instant start,
      Duration duration,
      String agentName,
      Map<String, String> labels,
      Map<String, Double> numericLabels) {
    this.traceId = Objects.requireNonNull(traceId, "traceId");
    this.spanId = Objects.requireNonNull(spanId, "spanId");
    this.parentId = emptyToNull(parentId);
    this.transactionId = emptyToNull(transactionId);
    this.transaction = transaction;
    this.service = service == null ? "unknown" : service;
    this.name = name == null ? "" : name;
    this.type = emptyToNull(type);
    this.subtype = emptyToNull(subtype);
    this.kind = kind;
    this.outcome = outcome == null ? Outcome.UNKNOWN : outcome;
    this.result = emptyToNull(result);
    this.start = Objects.requireNonNull(start, "start");
    this.duration = duration == null ? Duration.ZERO : duration;
    this.agentName = emptyToNull(agentName);
    this.labels = Map.copyOf(labels);
    this.numericLabels = Map.copyOf(numericLabels);
  }

  /** Hex trace id ({@code trace.id}). */
  public String traceId() {
    return traceId;
  }

  /** Hex span id ({@code span.id}; for a transaction also its {@code transaction.id}). */
  public String spanId() {
    return spanId;
  }

  /** The {@code parent.id} the document names, empty for a root. */
  public Optional<String> parentId() {
    return Optional.ofNullable(parentId);
  }

  /**
   * The {@code transaction.id}: a transaction's own id, or for spans of Elastic agents the id of
   * the transaction they belong to. Spans that came through OTLP carry none.
   */
  public Optional<String> transactionId() {
    return Optional.ofNullable(transactionId);
  }

  /** Whether Elastic stored this as a transaction ({@code processor.event: transaction}). */
  public boolean isTransaction() {
    return transaction;
  }

  /** Whether Elastic stored this as a span ({@code processor.event: span}). */
  public boolean isSpan() {
    return !transaction;
  }

  /** {@code service.name} of the service that reported it. */
  public String service() {
    return service;
  }

  /** {@code transaction.name} or {@code span.name}. */
  public String name() {
    return name;
  }

  /** {@code transaction.type} or {@code span.type}, e.g. {@code request}, {@code external}. */
  public Optional<String> type() {
    return Optional.ofNullable(type);
  }

  /** {@code span.subtype}, e.g. {@code http}. */
  public Optional<String> subtype() {
    return Optional.ofNullable(subtype);
  }

  /** The OpenTelemetry span kind where the document carries one ({@code span.kind} or {@code kind}). */
  public Optional<SpanKind> kind() {
    return Optional.ofNullable(kind);
  }

  /** {@code event.outcome}, or the OTel status of an OTel-native document. */
  public Outcome outcome() {
    return outcome;
  }

  /** {@code transaction.result}, e.g. {@code HTTP 2xx}. */
  public Optional<String> result() {
    return Optional.ofNullable(result);
  }

  /** Start, with microsecond precision. */
  public Instant start() {
    return start;
  }

  /** Duration, with microsecond precision. */
  public Duration duration() {
    return duration;
  }

  /** {@code start() + duration()}. */
  public Instant end() {
    return start.plus(duration);
  }

  /** {@code agent.name}, e.g. {@code java} or {@code opentelemetry/nodejs}. */
  public Optional<String> agentName() {
    return Optional.ofNullable(agentName);
  }

  /** {@code labels.*}: string and boolean attributes. */
  public Map<String, String> labels() {
    return labels;
  }

  /** {@code numeric_labels.*}: numeric attributes. */
  public Map<String, Double> numericLabels() {
    return numericLabels;
  }

  /**
   * The node whose span id is this node's {@code parent.id}; empty for roots, orphans and the
   * node where a cycle was cut.
   */
  public Optional<SpanNode> parent() {
    return Optional.ofNullable(parent);
  }

  /** Children, ordered by start. */
  public List<SpanNode> children() {
    return children;
  }

  /** Number of ancestors reachable through {@link #parent()}. */
  public int depth() {
    int depth = 0;
    for (SpanNode p = parent; p != null; p = p.parent) {
      depth++;
    }
    return depth;
  }

  /** This node and all its descendants, depth first, children by start. */
  public List<SpanNode> subtree() {
    List<SpanNode> out = new ArrayList<>();
    collect(this, out);
    return Collections.unmodifiableList(out);
  }

  private static void collect(SpanNode node, List<SpanNode> out) {
    out.add(node);
    for (SpanNode child : node.children) {
      collect(child, out);
    }
  }

  /** {@code transaction request} or {@code span external/http}. */
  public String typeLabel() {
    StringBuilder sb = new StringBuilder(transaction ? "transaction" : "span");
    if (type != null) {
      sb.append(' ').append(type);
      if (subtype != null) {
        sb.append('/').append(subtype);
      }
    }
    return sb.toString();
  }

  /** {@code [GET /ping] (service consumer, id 0a33…)}: how failure messages name a span. */
  public String describe() {
    return "[" + name + "] (service " + service + ", id " + spanId + ")";
  }

  void link(SpanNode parent) {
    this.parent = parent;
    parent.children.add(this);
  }

  void attach(Trace trace) {
    this.trace = trace;
  }

  /** The trace this node belongs to. */
  public Trace trace() {
    return trace;
  }

  void freeze() {
    children.sort(BY_START);
    children = Collections.unmodifiableList(children);
  }

  @Override
  public String toString() {
    return describe();
  }

  private static String emptyToNull(String s) {
    return s == null || s.isEmpty() ? null : s;
  }
}
