package io.traceharness.collector;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;

/** Small OTLP requests for tests. */
final class Otlp {

  private Otlp() {
  }

  static String newTraceId() {
    byte[] b = new byte[16];
    ThreadLocalRandom.current().nextBytes(b);
    return HexFormat.of().formatHex(b);
  }

  static String newSpanId() {
    byte[] b = new byte[8];
    ThreadLocalRandom.current().nextBytes(b);
    return HexFormat.of().formatHex(b);
  }

  static KeyValue attr(String key, String value) {
    return KeyValue.newBuilder().setKey(key).setValue(AnyValue.newBuilder().setStringValue(value)).build();
  }

  static Span span(String traceId, String name) {
    return Span.newBuilder()
        .setTraceId(ByteString.fromHex(traceId))
        .setSpanId(ByteString.fromHex(newSpanId()))
        .setName(name)
        .setKind(Span.SpanKind.SPAN_KIND_SERVER)
        .setStartTimeUnixNano(System.currentTimeMillis() * 1_000_000L)
        .setEndTimeUnixNano(System.currentTimeMillis() * 1_000_000L + 5_000_000L)
        .build();
  }

  /** One resource (service {@code service}) holding {@code n} spans of trace {@code traceId}. */
  static ExportTraceServiceRequest traces(String service, String traceId, int n) {
    ScopeSpans.Builder scope = ScopeSpans.newBuilder();
    for (int i = 0; i < n; i++) {
      scope.addSpans(span(traceId, "span-" + i));
    }
    return ExportTraceServiceRequest.newBuilder()
        .addResourceSpans(ResourceSpans.newBuilder()
            .setResource(Resource.newBuilder().addAttributes(attr("service.name", service)))
            .addScopeSpans(scope))
        .build();
  }
}
