package io.traceharness.trace;

import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * Something wrong with the shape of a {@link Trace}: what a broken propagation, a lost export or
 * a skewed clock leaves behind in Elasticsearch. Each names the span ids involved.
 *
 * <pre>{@code
 * for (Anomaly a : trace.anomalies()) {
 *   log.warn(a.description());
 * }
 * }</pre>
 */
public sealed interface Anomaly {

  /** The ids of the spans involved. */
  List<String> spanIds();

  /** One sentence for people, naming the spans and what is wrong. */
  String description();

  /** More than one document without {@code parent.id}: the trace was cut in pieces. */
  record MultipleRoots(List<SpanNode> roots) implements Anomaly {
    public MultipleRoots {
      roots = List.copyOf(roots);
    }

    @Override
    public List<String> spanIds() {
      return roots.stream().map(SpanNode::spanId).toList();
    }

    @Override
    public String description() {
      StringBuilder sb = new StringBuilder(roots.size() + " roots (documents without parent.id): ");
      for (int i = 0; i < roots.size(); i++) {
        sb.append(i == 0 ? "" : ", ").append(roots.get(i).describe());
      }
      return sb.append("; a trace has one root, so the context was not propagated to the others")
          .toString();
    }
  }

  /** A document whose {@code parent.id} no document of the trace has. */
  record Orphan(SpanNode span, String missingParentId) implements Anomaly {
    @Override
    public List<String> spanIds() {
      return List.of(span.spanId(), missingParentId);
    }

    @Override
    public String description() {
      return "orphan: span " + span.describe() + " has parent.id " + missingParentId
          + ", which no document of the trace has (parent not exported, not yet indexed, or"
          + " from another trace)";
    }
  }

  /** Several documents with the same span id. */
  record DuplicateId(String spanId, List<SpanNode> spans) implements Anomaly {
    public DuplicateId {
      spans = List.copyOf(spans);
    }

    @Override
    public List<String> spanIds() {
      return List.of(spanId);
    }

    @Override
    public String description() {
      StringBuilder sb =
          new StringBuilder("duplicate id: " + spans.size() + " documents have span id " + spanId + ": ");
      for (int i = 0; i < spans.size(); i++) {
        sb.append(i == 0 ? "" : ", ").append('[').append(spans.get(i).name()).append("] (service ")
            .append(spans.get(i).service()).append(')');
      }
      return sb.append(" (reported twice, or two spans created with one id)").toString();
    }
  }

  /** Documents whose {@code parent.id} links form a loop, so none of them reaches a root. */
  record Cycle(List<SpanNode> spans) implements Anomaly {
    public Cycle {
      spans = List.copyOf(spans);
    }

    @Override
    public List<String> spanIds() {
      return spans.stream().map(SpanNode::spanId).toList();
    }

    @Override
    public String description() {
      StringBuilder sb = new StringBuilder("cycle: ");
      for (SpanNode s : spans) {
        sb.append(s.describe()).append(" -> ");
      }
      return sb.append(spans.get(0).spanId()).append(" (parent.id links loop back)").toString();
    }
  }

  /**
   * A child that starts before its parent starts or ends after its parent ends: the clocks of two
   * hosts disagree, or the child was recorded asynchronously.
   */
  record ClockSkew(SpanNode child, SpanNode parent, Duration startsEarlyBy, Duration endsLateBy)
      implements Anomaly {
    @Override
    public List<String> spanIds() {
      return List.of(child.spanId(), parent.spanId());
    }

    /** The larger of the two overhangs. */
    public Duration amount() {
      return startsEarlyBy.compareTo(endsLateBy) >= 0 ? startsEarlyBy : endsLateBy;
    }

    @Override
    public String description() {
      StringBuilder sb = new StringBuilder("clock skew: span " + child.describe());
      if (!startsEarlyBy.isZero()) {
        sb.append(" starts ").append(millis(startsEarlyBy)).append(" before");
      }
      if (!endsLateBy.isZero()) {
        sb.append(startsEarlyBy.isZero() ? "" : " and").append(" ends ").append(millis(endsLateBy))
            .append(" after");
      }
      return sb.append(" its parent ").append(parent.describe()).toString();
    }
  }

  static String millis(Duration d) {
    return String.format(Locale.ROOT, "%.3f ms", d.toNanos() / 1_000_000.0);
  }
}
