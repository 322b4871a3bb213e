package io.traceharness.apm;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import java.util.Set;

/**
 * The transaction fields of a root, server or consumer span (elastic/apm-data
 * input/otlp/traces.go {@code TranslateTransaction}, with {@code spanStatusResult} and
 * {@code translateScopeMetadata}): each convention reads the attributes it knows, the type and
 * result follow from which conventions apply, and every attribute none reads becomes a label.
 */
final class TransactionMapping {

  private static final Set<String> OWN_STRINGS = Set.of("type", "session.id", "service.version");

  private TransactionMapping() {
  }

  /** Writes the transaction's fields into {@code doc} and returns the outcome they imply. */
  static String translate(Span span, InstrumentationScope scope, ObjectNode doc, String statusOutcome) {
    SpanAttributes attributes = new SpanAttributes(span.getAttributesList());
    HttpMapping.Server http = HttpMapping.Server.of(attributes);
    RpcMapping.Served rpc = RpcMapping.Served.of(attributes);
    MessagingMapping.Received messaging = MessagingMapping.Received.of(attributes);

    http.writeTo(doc);
    NetMapping.Source.of(attributes).writeTo(doc);
    messaging.writeTo(doc);
    Docs.put(doc, "session.id", attributes.field("session.id"));
    Docs.put(doc, "service.version", attributes.field("service.version"));
    for (KeyValue kv : attributes.list()) {
      if (!reads(kv)) {
        Labels.set(doc, kv.getKey(), kv.getValue());
      }
    }

    String type = attributes.string("type");
    if (type == null || type.isEmpty()) {
      type = messaging.present() ? "messaging" : http.present() || rpc.present() ? "request" : "unknown";
    }
    Docs.put(doc, "transaction.type", type);
    String outcome = statusOutcome;
    String result = rpc.result();
    if (http.present()) {
      outcome = http.outcome(statusOutcome);
      if (result == null) {
        result = http.result();
      }
      http.writeUrlTo(doc, NetMapping.LocalHost.of(attributes), doc.path("host").path("hostname").asText(null));
    }
    if (doc.has("source") && !doc.has("client")) {
      doc.set("client", doc.get("source").deepCopy());
    }
    Docs.put(doc, "transaction.result", result != null ? result : statusResult(span.getStatus()));
    if (!scope.getName().isEmpty()) {
      Docs.put(doc, "service.framework.name", scope.getName());
      Docs.put(doc, "service.framework.version", scope.getVersion());
    }
    return outcome;
  }

  private static boolean reads(KeyValue kv) {
    return HttpMapping.readsOnTransaction(kv) || NetMapping.readsOnTransaction(kv)
        || MessagingMapping.readsOnTransaction(kv) || RpcMapping.readsOnTransaction(kv)
        || SpanAttributes.isString(OWN_STRINGS).test(kv);
  }

  private static String statusResult(Status status) {
    return switch (status.getCode()) {
      case STATUS_CODE_OK -> "Success";
      case STATUS_CODE_ERROR -> "Error";
      default -> null;
    };
  }
}
