package io.traceharness.apm;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import java.util.ArrayList;
import java.util.List;

/**
 * OTLP spans → one transaction or span document each, followed by a document per span event
 * (elastic/apm-data v1.22.0 input/otlp/traces.go {@code convertResourceSpans}, {@code convertSpan},
 * {@code translateSpanLinks}, {@code spanStatusOutcome},
 * {@code getRepresentativeCountFromTracestateHeader}; metadata.go {@code translateScopeMetadata}).
 * A root, server or consumer span is a transaction: apm-data assumes message consumption is mostly
 * passive.
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
    double representativeCount = representativeCount(span.getTraceState());
    ObjectNode doc = base.deepCopy();
    scope(scope, doc);
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
      if (representativeCount > 0) {
        Docs.put(doc, "transaction.representative_count", representativeCount);
      }
      Docs.duration(doc, "transaction", duration);
      outcome = TransactionMapping.translate(span, doc, statusOutcome(span.getStatus()));
    } else {
      Docs.put(doc, "processor.event", "span");
      Docs.put(doc, "span.id", spanId);
      Docs.put(doc, "span.name", span.getName());
      if (representativeCount > 0) {
        Docs.put(doc, "span.representative_count", representativeCount);
      }
      Docs.duration(doc, "span", duration);
      outcome = SpanMapping.translate(span, doc, statusOutcome(span.getStatus()));
    }
    links(span, doc);
    // span events are cloned from the span before its data stream is routed (convertSpan)
    ObjectNode eventParent = doc.deepCopy();
    DataStreams.route(doc, "traces", "apm", false);
    Docs.outcome(doc, outcome);
    out.add(new ApmDocument(Docs.dataStreamName(doc), doc));
    for (Span.Event event : span.getEventsList()) {
      out.add(SpanEventMapping.translate(event, eventParent, base, transaction));
    }
  }

  /**
   * Scope name and version → {@code service.framework.*}, on every event of the scope; its
   * {@code data_stream.*} attributes choose the data stream.
   */
  static void scope(InstrumentationScope scope, ObjectNode doc) {
    for (KeyValue kv : scope.getAttributesList()) {
      if (DataStreams.isAttribute(kv.getKey())) {
        DataStreams.override(doc, kv.getKey(), kv.getValue().getStringValue());
      }
    }
    if (!scope.getName().isEmpty()) {
      Docs.put(doc, "service.framework.name", scope.getName());
      Docs.put(doc, "service.framework.version", scope.getVersion());
    }
  }

  /**
   * Links as {@code span.links: [{trace: {id}, span: {id}}]}; a link marked {@code elastic.is_child}
   * or {@code is_child} names a child span instead, in {@code child.id}.
   */
  private static void links(Span span, ObjectNode doc) {
    ArrayNode links = Docs.NODES.arrayNode();
    ArrayNode children = Docs.NODES.arrayNode();
    for (Span.Link link : span.getLinksList()) {
      if (isTrue(link.getAttributesList(), "elastic.is_child") || isTrue(link.getAttributesList(), "is_child")) {
        children.add(OtlpIds.hex(link.getSpanId()));
      } else {
        ObjectNode l = links.addObject();
        l.putObject("span").put("id", OtlpIds.hex(link.getSpanId()));
        l.putObject("trace").put("id", OtlpIds.hex(link.getTraceId()));
      }
    }
    if (!links.isEmpty()) {
      Docs.obj(doc, "span").set("links", links);
    }
    if (!children.isEmpty()) {
      Docs.obj(doc, "child").set("id", children);
    }
  }

  /** pcommon.Map.Get finds the first attribute with the key; Bool() of another type is false. */
  private static boolean isTrue(List<KeyValue> attributes, String key) {
    return attributes.stream().filter(kv -> kv.getKey().equals(key)).findFirst()
        .map(kv -> kv.getValue().getBoolValue()).orElse(false);
  }

  /**
   * The adjusted count a {@code tracestate} of {@code ot=p:N} implies: 2^N, 1 without a valid p
   * value, 0 when N exceeds 62 (OpenTelemetry's tracestate probability sampling).
   */
  static double representativeCount(String tracestate) {
    long p = 0;
    String ot = valueForKey(tracestate, "ot", ',', '=');
    if (!ot.isEmpty()) {
      String pValue = valueForKey(ot, "p", ';', ':');
      if (!pValue.isEmpty()) {
        p = parseP(pValue);
      }
    }
    return p > 62 ? 0.0 : Math.pow(2, p);
  }

  /** strconv.ParseUint(s, 10, 6): out of range gives the 6-bit maximum, a syntax error 0. */
  private static long parseP(String s) {
    if (!s.chars().allMatch(Character::isDigit)) {
      return 0;
    }
    try {
      return Math.min(Long.parseLong(s), 63);
    } catch (NumberFormatException e) {
      return 63;
    }
  }

  private static String valueForKey(String s, String key, char separator, char assign) {
    String rest = s;
    while (true) {
      rest = rest.strip();
      if (rest.isEmpty()) {
        return "";
      }
      String kv = rest;
      int sep = rest.indexOf(separator);
      if (sep >= 0) {
        kv = rest.substring(0, sep).strip();
        rest = rest.substring(sep + 1);
      } else {
        rest = "";
      }
      int equal = kv.indexOf(assign);
      if (equal >= 0 && kv.substring(0, equal).equals(key)) {
        return kv.substring(equal + 1);
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
