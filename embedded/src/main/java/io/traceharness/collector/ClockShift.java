package io.traceharness.collector;

import com.google.protobuf.Message;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.time.Duration;

/**
 * Shifts every span's timestamps (start, end, events) by a fixed amount before the rest of the
 * pipeline, as if the host that recorded them had a clock running ahead or behind: how the harness
 * reproduces the post's screenshot of a child drawn outside its parent. Not a component of the
 * real collector; set through {@link EmbeddedCollector.Builder#clockSkew(Duration)}.
 */
final class ClockShift implements SignalConsumer {

  private final long shiftNanos;
  private final SignalConsumer next;

  ClockShift(Duration shift, SignalConsumer next) {
    this.shiftNanos = shift.toNanos();
    this.next = next;
  }

  @Override
  public void consume(Message request) throws ConsumeException {
    next.consume(request instanceof ExportTraceServiceRequest traces ? shift(traces) : request);
  }

  @Override
  public void flush() {
    next.flush();
  }

  ExportTraceServiceRequest shift(ExportTraceServiceRequest request) {
    ExportTraceServiceRequest.Builder out = request.toBuilder();
    for (ResourceSpans.Builder rs : out.getResourceSpansBuilderList()) {
      for (ScopeSpans.Builder ss : rs.getScopeSpansBuilderList()) {
        for (Span.Builder span : ss.getSpansBuilderList()) {
          span.setStartTimeUnixNano(span.getStartTimeUnixNano() + shiftNanos);
          span.setEndTimeUnixNano(span.getEndTimeUnixNano() + shiftNanos);
          for (Span.Event.Builder event : span.getEventsBuilderList()) {
            event.setTimeUnixNano(event.getTimeUnixNano() + shiftNanos);
          }
        }
      }
    }
    return out.build();
  }
}
