package io.traceharness.apm;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.Span;
import java.util.List;
import java.util.Set;

/**
 * Span events: an {@code exception} event with a type or message becomes an error document in the
 * context of its span or transaction, any other event a log document (elastic/apm-data
 * input/otlp/traces.go {@code convertSpanEvent}, {@code setErrorContext}, {@code setLogContext};
 * exceptions.go {@code convertOpenTelemetryExceptionSpanEvent}).
 */
final class SpanEventMapping {

  private SpanEventMapping() {
  }

  static ApmDocument translate(Span.Event event, ObjectNode parent, ObjectNode base, boolean parentIsTransaction) {
    ObjectNode doc = base.deepCopy();
    Docs.timestamp(doc, event.getTimeUnixNano());
    Docs.put(doc, "trace.id", parent.path("trace").path("id").asText());
    String parentId = parentIsTransaction ? parent.path("transaction").path("id").asText()
        : parent.path("span").path("id").asText();
    if (event.getName().equals("exception")) {
      ExceptionEvent exception = ExceptionEvent.of(event.getAttributesList());
      if (exception.message() != null || exception.type() != null) {
        return error(exception, doc, parent, parentId, parentIsTransaction);
      }
    }
    return log(event, doc, parentId, parentIsTransaction);
  }

  /**
   * The {@code exception.*} attributes of an event; the others become labels of the error. Values
   * are read whatever their type, as protobuf's accessors give them.
   */
  private record ExceptionEvent(String message, String type, String stacktrace, boolean escaped, ObjectNode labels) {

    private static final Set<String> KEYS = Set.of("exception.message", "exception.type", "exception.stacktrace",
        "exception.escaped");

    static ExceptionEvent of(List<KeyValue> attributes) {
      SpanAttributes a = new SpanAttributes(attributes);
      ObjectNode labels = Docs.object();
      attributes.stream().filter(kv -> !KEYS.contains(kv.getKey()))
          .forEach(kv -> Labels.set(labels, kv.getKey(), kv.getValue()));
      AnyValue escaped = value(a, "exception.escaped");
      return new ExceptionEvent(string(a, "exception.message"), string(a, "exception.type"),
          string(a, "exception.stacktrace"), escaped != null && escaped.getBoolValue(), labels);
    }

    private static AnyValue value(SpanAttributes a, String key) {
      KeyValue kv = a.last(v -> v.getKey().equals(key));
      return kv == null ? null : kv.getValue();
    }

    private static String string(SpanAttributes a, String key) {
      AnyValue v = value(a, key);
      return v == null ? null : v.getStringValue();
    }
  }

  private static ApmDocument error(ExceptionEvent exception, ObjectNode doc, ObjectNode parent, String parentId,
      boolean parentIsTransaction) {
    for (String field : List.of("labels", "numeric_labels")) {
      if (exception.labels().has(field)) {
        Docs.obj(doc, field).setAll((ObjectNode) exception.labels().get(field));
      }
    }
    Docs.put(doc, "processor.event", "error");
    Docs.put(doc, "error.id", OtlpIds.random(16));
    ObjectNode e = Docs.obj(doc, "error").putArray("exception").addObject();
    if (exception.message() != null) {
      e.put("message", exception.message());
    }
    if (exception.type() != null) {
      e.put("type", exception.type());
    }
    e.put("handled", !exception.escaped());
    if (exception.stacktrace() != null) {
      Docs.put(doc, "error.stack_trace", exception.stacktrace());
    }
    // setErrorContext: an error carries its parent's request
    for (String field : List.of("http", "url")) {
      if (parent.has(field)) {
        doc.set(field, parent.get(field).deepCopy());
      }
    }
    if (parentIsTransaction) {
      Docs.put(doc, "transaction.id", parentId);
      Docs.put(doc, "transaction.sampled", true);
      Docs.put(doc, "transaction.type", parent.path("transaction").path("type").asText());
      Docs.put(doc, "span.id", parentId);
    }
    Docs.put(doc, "parent.id", parentId);
    Docs.dataStream(doc, "logs", "apm.error");
    return new ApmDocument(Docs.dataStreamName(doc), doc);
  }

  private static ApmDocument log(Span.Event event, ObjectNode doc, String parentId, boolean parentIsTransaction) {
    Docs.put(doc, "processor.event", "log");
    Docs.put(doc, "event.kind", "event");
    Docs.put(doc, "message", event.getName());
    if (parentIsTransaction) {
      Docs.put(doc, "transaction.id", parentId);
    }
    Docs.put(doc, "span.id", parentId);
    for (KeyValue kv : event.getAttributesList()) {
      Labels.set(doc, kv.getKey(), kv.getValue());
    }
    Docs.dataStream(doc, "logs", "apm.app." + Docs.normalizeForDataset(doc.path("service").path("name").asText()));
    return new ApmDocument(Docs.dataStreamName(doc), doc);
  }
}
