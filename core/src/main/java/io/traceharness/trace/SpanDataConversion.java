package io.traceharness.trace;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.sdk.common.InstrumentationScopeInfo;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.testing.trace.TestSpanData;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.data.StatusData;
import java.time.Instant;

/** {@link SpanNode} to OpenTelemetry {@link SpanData}, for {@code OpenTelemetryAssertions}. */
final class SpanDataConversion {

  static final AttributeKey<String> SERVICE_NAME = AttributeKey.stringKey("service.name");

  private SpanDataConversion() {}

  static SpanData convert(SpanNode n) {
    AttributesBuilder attributes = Attributes.builder();
    n.labels().forEach(attributes::put);
    n.numericLabels().forEach(attributes::put);
    Attributes attrs = attributes.build();
    long start = nanos(n.start());
    SpanContext parent =
        n.parentId()
            .map(p -> SpanContext.create(n.traceId(), p, TraceFlags.getSampled(), TraceState.getDefault()))
            .orElse(SpanContext.getInvalid());
    return TestSpanData.builder()
        .setSpanContext(
            SpanContext.create(n.traceId(), n.spanId(), TraceFlags.getSampled(), TraceState.getDefault()))
        .setParentSpanContext(parent)
        .setResource(Resource.create(Attributes.of(SERVICE_NAME, n.service())))
        .setInstrumentationScopeInfo(InstrumentationScopeInfo.create(n.agentName().orElse("unknown")))
        .setName(n.name())
        .setKind(n.kind().orElseGet(() -> inferKind(n)))
        .setStartEpochNanos(start)
        .setEndEpochNanos(start + n.duration().toNanos())
        .setStatus(status(n.outcome()))
        .setAttributes(attrs)
        .setTotalAttributeCount(attrs.size())
        .setTotalRecordedEvents(0)
        .setTotalRecordedLinks(0)
        .setHasEnded(true)
        .build();
  }

  /**
   * Documents of Elastic agents carry no kind: a transaction serves a request (or consumes a
   * message), an {@code external} span is a client call, a {@code messaging} span sends.
   */
  static SpanKind inferKind(SpanNode n) {
    String type = n.type().orElse("");
    if (n.isTransaction()) {
      return type.equals("messaging") ? SpanKind.CONSUMER : SpanKind.SERVER;
    }
    switch (type) {
      case "external":
      case "db":
        return SpanKind.CLIENT;
      case "messaging":
        return SpanKind.PRODUCER;
      default:
        return SpanKind.INTERNAL;
    }
  }

  private static StatusData status(SpanNode.Outcome outcome) {
    switch (outcome) {
      case SUCCESS:
        return StatusData.ok();
      case FAILURE:
        return StatusData.error();
      default:
        return StatusData.unset();
    }
  }

  private static long nanos(Instant i) {
    return i.getEpochSecond() * 1_000_000_000L + i.getNano();
  }
}
