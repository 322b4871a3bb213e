package io.traceharness.apm;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.opentelemetry.proto.trace.v1.Span;

/**
 * The messaging conventions on a span ({@code messaging.system},
 * {@code messaging.destination[.name]}, {@code messaging.operation[.type]},
 * {@code message_bus.destination}): type messaging, the system as subtype, the operation as action,
 * the queue as target (elastic/apm-data v1.22.0 input/otlp/traces.go, the {@code messaging.*}
 * cases and the {@code isMessaging} branch of {@code TranslateSpan}).
 */
final class MessagingMapping {

  boolean present;
  String system = "";
  String operation = "";
  String queue = "";
  boolean temporaryQueue;

  /** String attributes; {@code messaging.operation.name} is kept as a label as well. */
  boolean read(String key, String s, ObjectNode doc) {
    switch (key) {
      case "messaging.destination", "messaging.destination.name", "message_bus.destination" -> queue = s;
      case "messaging.operation", "messaging.operation.type" -> operation = s;
      case "messaging.operation.name" -> Docs.label(doc, key, s);
      case "messaging.system" -> system = s;
      default -> {
        return false;
      }
    }
    present = true;
    return true;
  }

  void writeTo(ObjectNode doc) {
    Docs.put(doc, "span.message.queue.name", queue);
  }

  /**
   * A producer without an operation sends; the queue names the target unless it is temporary, and
   * is appended to the destination resource.
   */
  void target(SpanTarget t, Span.SpanKind kind) {
    t.type = "messaging";
    t.subtype = system;
    t.action = operation.isEmpty() && kind == Span.SpanKind.SPAN_KIND_PRODUCER ? "send" : operation;
    t.targetType = t.type;
    if (!system.isEmpty()) {
      t.targetType = system;
      if (t.destinationName.isEmpty()) {
        t.destinationName = system;
        t.destinationResource = system;
      }
    }
    if (!t.destinationResource.isEmpty() && !queue.isEmpty()) {
      t.destinationResource = t.destinationResource + "/" + queue;
    }
    if (!queue.isEmpty() && !temporaryQueue) {
      t.targetName = queue;
    }
  }
}
