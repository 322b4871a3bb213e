package io.traceharness.apm;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.Span;
import java.util.List;

/**
 * Span events, cloned from their span or transaction (elastic/apm-data v1.22.0
 * input/otlp/traces.go {@code convertSpan}, {@code convertSpanEvent}, {@code setErrorContext},
 * {@code setLogContext}): an {@code exception} event with a type or message becomes an error
 * ({@link ExceptionMapping}), any other event a log. The clone keeps the parent's trace, request,
 * URL, service and framework; it loses the parent's own ids, outcome, duration, target,
 * destination and span labels (only the resource's labels stay).
 */
final class SpanEventMapping {

  private SpanEventMapping() {
  }

  static ApmDocument translate(Span.Event event, ObjectNode parent, ObjectNode base, boolean parentIsTransaction) {
    ObjectNode doc = clone(parent, base);
    Docs.timestamp(doc, event.getTimeUnixNano());
    String parentId = parentIsTransaction ? parent.path("transaction").path("id").asText()
        : parent.path("span").path("id").asText();
    if (event.getName().equals("exception")) {
      ObjectNode error = ExceptionMapping.translate(event.getAttributesList(), doc,
          parent.path("service").path("language").path("name").asText(""));
      if (error != null) {
        return error(doc, parent, parentId, parentIsTransaction);
      }
    }
    return log(event, doc, parentId, parentIsTransaction);
  }

  private static ObjectNode clone(ObjectNode parent, ObjectNode base) {
    ObjectNode doc = parent.deepCopy();
    // child.id stays: convertSpanEvent clears Transaction, Span, ParentId, Event, Destination, but
    // not ChildIds
    for (String field : List.of("transaction", "span", "parent", "event", "destination", "labels",
        "numeric_labels", "processor")) {
      doc.remove(field);
    }
    if (doc.path("service").isObject()) {
      ((ObjectNode) doc.get("service")).remove(List.of("target", "origin"));
    }
    for (String field : List.of("labels", "numeric_labels")) {
      if (base.has(field)) {
        doc.set(field, base.get(field).deepCopy());
      }
    }
    return doc;
  }

  private static ApmDocument error(ObjectNode doc, ObjectNode parent, String parentId, boolean parentIsTransaction) {
    Docs.put(doc, "processor.event", "error");
    if (parentIsTransaction) {
      Docs.put(doc, "transaction.id", parentId);
      Docs.put(doc, "transaction.sampled", parent.path("transaction").path("sampled").asBoolean());
      Docs.put(doc, "transaction.type", parent.path("transaction").path("type").asText());
      Docs.put(doc, "span.id", parentId);
    }
    Docs.put(doc, "parent.id", parentId);
    DataStreams.route(doc, "logs", "apm.error", true);
    return new ApmDocument(Docs.dataStreamName(doc), doc);
  }

  /**
   * A log: {@code event.kind: event}, the event's name as message, its attributes as labels. APM
   * Server writes {@code timestamp.us} only for transactions, spans and errors
   * (model/modeljson/apmevent.pb.json.go), and no {@code processor.event} for logs.
   */
  private static ApmDocument log(Span.Event event, ObjectNode doc, String parentId, boolean parentIsTransaction) {
    doc.remove("timestamp");
    Docs.put(doc, "event.kind", "event");
    Docs.put(doc, "message", event.getName());
    if (parentIsTransaction) {
      Docs.put(doc, "transaction.id", parentId);
    }
    Docs.put(doc, "span.id", parentId);
    for (KeyValue kv : event.getAttributesList()) {
      AnyValue v = kv.getValue();
      if (DataStreams.isAttribute(kv.getKey())) {
        DataStreams.override(doc, kv.getKey(), v.getStringValue());
      } else {
        Labels.set(doc, kv.getKey(), v);
      }
    }
    DataStreams.route(doc, "logs", "apm.app." + Docs.normalizeForDataset(doc.path("service").path("name").asText()),
        false);
    return new ApmDocument(Docs.dataStreamName(doc), doc);
  }
}
