package io.traceharness.collector;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * When each span reached the receivers, beside when its sender ended it: the gap is what a frozen
 * Lambda environment held back. The last {@value #CAPACITY} are kept.
 */
final class SpanArrivals {

  static final int CAPACITY = 20_000;
  private final EmbeddedCollector.ReceivedSpan[] ring = new EmbeddedCollector.ReceivedSpan[CAPACITY];
  private long count;

  void record(ExportTraceServiceRequest request) {
    Instant now = Instant.now();
    List<EmbeddedCollector.ReceivedSpan> received = new ArrayList<>();
    for (ResourceSpans rs : request.getResourceSpansList()) {
      String service = stringAttribute(rs.getResource().getAttributesList(), "service.name");
      for (ScopeSpans ss : rs.getScopeSpansList()) {
        for (Span s : ss.getSpansList()) {
          received.add(new EmbeddedCollector.ReceivedSpan(now, hex(s.getTraceId()), hex(s.getSpanId()), s.getName(),
              service, nanos(s.getEndTimeUnixNano()), stringAttribute(s.getAttributesList(), "faas.invocation_id")));
        }
      }
    }
    synchronized (this) {
      for (EmbeddedCollector.ReceivedSpan r : received) {
        ring[(int) (count++ % CAPACITY)] = r;
      }
    }
  }

  /** Oldest first. */
  synchronized List<EmbeddedCollector.ReceivedSpan> snapshot() {
    int n = (int) Math.min(count, CAPACITY);
    List<EmbeddedCollector.ReceivedSpan> out = new ArrayList<>(n);
    for (long i = count - n; i < count; i++) {
      out.add(ring[(int) (i % CAPACITY)]);
    }
    return out;
  }

  private static String stringAttribute(List<KeyValue> attributes, String key) {
    for (KeyValue kv : attributes) {
      if (kv.getKey().equals(key) && kv.getValue().hasStringValue()) {
        return kv.getValue().getStringValue();
      }
    }
    return null;
  }

  private static String hex(ByteString id) {
    return HexFormat.of().formatHex(id.toByteArray());
  }

  private static Instant nanos(long unixNanos) {
    return Instant.ofEpochSecond(0, unixNanos);
  }
}
