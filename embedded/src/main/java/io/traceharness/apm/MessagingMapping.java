package io.traceharness.apm;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.Span;
import java.util.Set;

/**
 * The messaging semantic conventions ({@code messaging.*}, {@code message_bus.destination}): a
 * consumer transaction's queue, a producer span's type, action and destination (elastic/apm-data
 * input/otlp/traces.go, the {@code isMessaging} branches of {@code TranslateTransaction} and
 * {@code TranslateSpan}).
 */
final class MessagingMapping {

  private static final Set<String> DESTINATION = Set.of("message_bus.destination", "messaging.destination");
  private static final Set<String> SPAN_STRINGS = Set.of("message_bus.destination", "messaging.destination",
      "messaging.operation", "messaging.system");

  private MessagingMapping() {
  }

  static boolean readsOnTransaction(KeyValue kv) {
    return SpanAttributes.isString(DESTINATION).test(kv);
  }

  static boolean readsOnSpan(KeyValue kv) {
    return SpanAttributes.isString(SPAN_STRINGS).test(kv);
  }

  /** The queue a transaction consumed from. */
  record Received(boolean present, String queue) {

    static Received of(SpanAttributes a) {
      return new Received(a.any(SpanAttributes.isString(DESTINATION)), a.field(DESTINATION));
    }

    void writeTo(ObjectNode doc) {
      Docs.put(doc, "transaction.message.queue.name", queue);
    }
  }

  /**
   * A message a span sent or received. {@code messaging.temp_destination} is read here and kept as
   * a label too, as apm-data does.
   */
  record Message(boolean present, String system, String operation, String queue, boolean temporaryQueue) {

    static Message of(SpanAttributes a) {
      KeyValue temporary = a.last(SpanAttributes.isBool(Set.of("messaging.temp_destination")));
      return new Message(a.any(SpanAttributes.isString(SPAN_STRINGS)), a.string("messaging.system"),
          a.string("messaging.operation"), a.string(DESTINATION),
          temporary != null && temporary.getValue().getBoolValue());
    }

    void writeTo(ObjectNode doc) {
      Docs.put(doc, "span.message.queue.name", queue);
    }

    /**
     * A producer without an operation sends; the queue names the target unless it is temporary, and
     * is appended to the destination resource.
     */
    SpanTarget target(NetMapping.Peer peer, Span.SpanKind kind) {
      String action = operation == null && kind == Span.SpanKind.SPAN_KIND_PRODUCER ? "send" : operation;
      boolean named = system != null && peer.service() == null;
      String resource = named ? system : peer.resource();
      if (resource != null && queue != null) {
        resource = resource + "/" + queue;
      }
      return new SpanTarget("messaging", system, action, system != null ? system : "messaging",
          queue != null && !temporaryQueue ? queue : peer.service(), named ? system : peer.service(), resource);
    }
  }
}
