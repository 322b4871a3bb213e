package io.traceharness.trace;

/**
 * Which traces {@link Traces#recent(int, TraceFilter)} lists: those a service took part in, those
 * of a status, or all. Immutable; {@code service(…)} and {@code status(…)} return a copy.
 *
 * <pre>{@code
 * List<TraceSummary> broken = traces.recent(20, TraceFilter.all().service("producer").status(TraceSummary.Status.BROKEN));
 * }</pre>
 *
 * @param service a {@code service.name} the trace must hold, or {@code null} for any
 * @param status the status the trace must have, or {@code null} for any
 */
public record TraceFilter(String service, TraceSummary.Status status) {

  public TraceFilter {
    if (service != null && service.isBlank()) {
      service = null;
    }
  }

  /** Every trace. */
  public static TraceFilter all() {
    return new TraceFilter(null, null);
  }

  /** A copy that keeps the traces {@code service} took part in ({@code null}: any). */
  public TraceFilter service(String service) {
    return new TraceFilter(service, status);
  }

  /** A copy that keeps the traces of {@code status} ({@code null}: any). */
  public TraceFilter status(TraceSummary.Status status) {
    return new TraceFilter(service, status);
  }

  boolean accepts(TraceSummary summary) {
    return (service == null || summary.services().contains(service)) && (status == null || summary.status() == status);
  }
}
