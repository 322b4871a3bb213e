package io.traceharness.apm;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import java.util.ArrayList;
import java.util.List;

/**
 * OTLP spans → one transaction or span document each, followed by a document per span event
 * (elastic/apm-data input/otlp/traces.go {@code convertResourceSpans}, {@code convertSpan},
 * {@code translateSpanLinks}, {@code spanStatusOutcome}). A root, server or consumer span is a
 * transaction: apm-data assumes message consumption is mostly passive.
 */
final class TraceMapping {

  private TraceMapping() {
  }

  static List<ApmDocument> translate(ObjectNode observer, ExportTraceServiceRequest request) {
    List<ApmDocument> out = new ArrayList<>();
    for (ResourceSpans rs : request.getResourceSpansList()) {
      ObjectNode base = ResourceMapping.base(observer, rs.getResource());
      for (ScopeSpans ss : rs.getScopeSpansList()) {
        for (Span span : ss.getSpansList()) {
          convertSpan(span, ss.getScope(), base, out);
        }
      }
    }
    return out;
  }

  private static void convertSpan(Span span, InstrumentationScope scope, ObjectNode base, List<ApmDocument> out) {
    boolean root = span.getParentSpanId().isEmpty();
    String spanId = OtlpIds.hex(span.getSpanId());
    boolean transaction = root || span.getKind() == Span.SpanKind.SPAN_KIND_SERVER
        || span.getKind() == Span.SpanKind.SPAN_KIND_CONSUMER;
    ObjectNode doc = base.deepCopy();
    Docs.timestamp(doc, span.getStartTimeUnixNano());
    Docs.put(doc, "trace.id", OtlpIds.hex(span.getTraceId()));
    if (!root) {
      Docs.put(doc, "parent.id", OtlpIds.hex(span.getParentSpanId()));
    }
    long duration = Math.max(0, span.getEndTimeUnixNano() - span.getStartTimeUnixNano());
    String outcome;
    if (transaction) {
      Docs.put(doc, "processor.event", "transaction");
      Docs.put(doc, "transaction.id", spanId);
      Docs.put(doc, "span.id", spanId);
      Docs.put(doc, "transaction.name", span.getName());
      Docs.put(doc, "transaction.sampled", true);
      Docs.put(doc, "transaction.representative_count", 1.0);
      Docs.duration(doc, "transaction", duration);
      outcome = TransactionMapping.translate(span, scope, doc, statusOutcome(span.getStatus()));
    } else {
      Docs.put(doc, "processor.event", "span");
      Docs.put(doc, "span.id", spanId);
      Docs.put(doc, "span.name", span.getName());
      Docs.put(doc, "span.representative_count", 1.0);
      Docs.duration(doc, "span", duration);
      outcome = SpanMapping.translate(span, doc, statusOutcome(span.getStatus()));
    }
    Docs.dataStream(doc, "traces", "apm");
    Docs.outcome(doc, outcome);
    links(span, doc);
    out.add(new ApmDocument(Docs.dataStreamName(doc), doc));
    for (Span.Event event : span.getEventsList()) {
      out.add(SpanEventMapping.translate(event, doc, base, transaction));
    }
  }

  private static void links(Span span, ObjectNode doc) {
    if (span.getLinksCount() > 0) {
      ArrayNode links = Docs.obj(doc, "span").putArray("links");
      for (Span.Link link : span.getLinksList()) {
        links.addObject().put("trace.id", OtlpIds.hex(link.getTraceId())).put("span.id", OtlpIds.hex(link.getSpanId()));
      }
    }
  }

  private static String statusOutcome(Status status) {
    return switch (status.getCode()) {
      case STATUS_CODE_OK -> "success";
      case STATUS_CODE_ERROR -> "failure";
      default -> "unknown";
    };
  }
}
