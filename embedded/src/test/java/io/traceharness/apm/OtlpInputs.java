package io.traceharness.apm;

import static io.traceharness.otlp.OtlpValues.attrs;
import static io.traceharness.otlp.OtlpValues.id;

import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Span.SpanKind;

/** The OTLP span, resource and scope the mapping tests vary: one trace, one span, one parent, one start. */
final class OtlpInputs {

  static final String TRACE = "0af7651916cd43dd8448eb211c80319c";
  static final String SPAN = "b7ad6b7169203331";
  static final String PARENT = "00f067aa0ba902b7";
  static final long START = 1_700_000_000_123_456_789L;

  private OtlpInputs() {
  }

  /** Span {@code op} of 2.5 ms with the given attributes (alternating keys and values), a child of PARENT if asked. */
  static Span.Builder span(SpanKind kind, boolean child, Object... keysAndValues) {
    Span.Builder s = Span.newBuilder().setTraceId(id(TRACE)).setSpanId(id(SPAN)).setName("op").setKind(kind)
        .setStartTimeUnixNano(START).setEndTimeUnixNano(START + 2_500_000).addAllAttributes(attrs(keysAndValues));
    if (child) {
      s.setParentSpanId(id(PARENT));
    }
    return s;
  }

  static Resource resource(Object... keysAndValues) {
    return Resource.newBuilder().addAllAttributes(attrs(keysAndValues)).build();
  }

  /** The Java agent's Lambda instrumentation scope. */
  static InstrumentationScope scope() {
    return InstrumentationScope.newBuilder().setName("io.opentelemetry.aws-lambda-core-1.0").setVersion("2.33.1").build();
  }
}
