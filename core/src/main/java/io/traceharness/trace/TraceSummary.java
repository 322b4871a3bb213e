package io.traceharness.trace;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

/**
 * One line of a list of traces: where it starts, which services it crosses, how big and long it
 * is, and whether its spans hang together ({@link Status}).
 *
 * <pre>{@code
 * for (TraceSummary t : traces.recent(20, TraceFilter.all())) {
 *   System.out.println(t.traceId() + " " + t.rootService() + " " + t.rootName() + " " + t.status());
 * }
 * }</pre>
 *
 * @param rootService the service of the earliest top-level span (the root in a healthy trace)
 * @param rootName the name of that span
 * @param services service names, in order of first appearance
 * @param spanCount transactions and spans
 * @param errorCount error documents
 * @param start the earliest start of any span
 * @param duration from the earliest start to the latest end
 * @param anomalies one sentence per anomaly ({@link Anomaly#description()})
 */
public record TraceSummary(String traceId, String rootService, String rootName, List<String> services, int spanCount,
    int errorCount, Instant start, Duration duration, Status status, List<String> anomalies) {

  /** Whether a trace's spans hang together, from its {@link Trace#anomalies()}. */
  public enum Status {
    /** One root, no orphan, no other anomaly. */
    CONNECTED,
    /** Several roots, no root at all (a cycle) or orphans: the trace is cut in pieces. */
    BROKEN,
    /** Connected, but with clock skew or duplicate ids: drawn oddly, not cut. */
    ANOMALIES;

    /** The status of {@code trace}. */
    public static Status of(Trace trace) {
      if (!trace.isComplete()) {
        return BROKEN;
      }
      return trace.anomalies().isEmpty() ? CONNECTED : ANOMALIES;
    }

    /** {@code connected}, {@code broken} or {@code anomalies}, as a query parameter names it. */
    public String id() {
      return name().toLowerCase(Locale.ROOT);
    }

    /**
     * The status named {@code id} (case-insensitive).
     *
     * @throws IllegalArgumentException for another name, listing the known ones
     */
    public static Status parse(String id) {
      for (Status s : values()) {
        if (s.id().equalsIgnoreCase(id.trim())) {
          return s;
        }
      }
      throw new IllegalArgumentException("unknown trace status '" + id + "': use connected, broken or anomalies");
    }
  }

  public TraceSummary {
    services = List.copyOf(services);
    anomalies = List.copyOf(anomalies);
  }

  /** The summary of a trace; an empty trace has no root, no start and a zero duration. */
  public static TraceSummary of(Trace trace) {
    SpanNode first = trace.topLevel().isEmpty() ? null : trace.topLevel().get(0);
    return new TraceSummary(trace.traceId(), first == null ? null : first.service(), first == null ? null : first.name(),
        List.copyOf(trace.services()), trace.size(), trace.errors().size(), trace.start().orElse(null),
        trace.duration(), Status.of(trace), trace.anomalies().stream().map(Anomaly::description).toList());
  }
}
