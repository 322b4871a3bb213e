package io.traceharness.apm;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;

/**
 * The transaction fields of a root, server or consumer span (elastic/apm-data v1.22.0
 * input/otlp/traces.go {@code TranslateTransaction}, with {@code spanStatusResult}): one pass over
 * the attributes in order, as apm-data's {@code attributes.Range} makes it, so the last attribute
 * that sets a value wins; then the type, the URL, the outcome and the result follow from which
 * conventions were seen. An outcome no rule decided becomes {@code success} with the result
 * {@code Success}.
 */
final class TransactionMapping {

  private TransactionMapping() {
  }

  /** Writes the transaction's fields into {@code doc} and returns its outcome. */
  static String translate(Span span, ObjectNode doc, String statusOutcome) {
    Seen seen = new Seen();
    HttpMapping.Served http = new HttpMapping.Served();
    for (KeyValue kv : span.getAttributesList()) {
      attribute(kv.getKey(), kv.getValue(), doc, seen, http);
    }

    String type = seen.type;
    if (type == null || type.isEmpty()) {
      type = seen.messaging ? "messaging" : seen.http || seen.rpc ? "request" : "unknown";
    }
    Docs.put(doc, "transaction.type", type);
    String outcome = statusOutcome;
    if (seen.http) {
      http.writeTo(doc);
      if (http.statusCode > 0) {
        if ("unknown".equals(outcome)) {
          outcome = http.statusCode >= 500 ? "failure" : "success";
        }
        if (seen.result == null) {
          seen.result = HttpMapping.result(http.statusCode);
        }
      }
      http.writeUrlTo(doc, doc.path("host").path("hostname").asText(""));
    }
    if (seen.messaging && seen.queue != null) {
      Docs.put(doc, "transaction.message.queue.name", seen.queue);
    }
    if (!doc.has("client") && doc.has("source")) {
      doc.set("client", doc.get("source").deepCopy());
    }
    if (seen.result == null || seen.result.isEmpty()) {
      seen.result = statusResult(span.getStatus());
    }
    if ("unknown".equals(outcome)) {
      outcome = "success";
      if (seen.result == null) {
        seen.result = "Success";
      }
    }
    Docs.put(doc, "transaction.result", seen.result);
    return outcome;
  }

  /** What the attribute loop found out beyond the fields it writes straight away. */
  private static final class Seen {
    boolean http;
    boolean rpc;
    boolean messaging;
    String queue;
    String result;
    String type;
  }

  private static void attribute(String key, AnyValue v, ObjectNode doc, Seen seen, HttpMapping.Served http) {
    switch (v.getValueCase()) {
      case ARRAY_VALUE -> {
        if (key.equals("elastic.profiler_stack_trace_ids")) {
          ArrayNode ids = Docs.obj(doc, "transaction").withArray("profiler_stack_trace_ids");
          v.getArrayValue().getValuesList().stream().filter(AnyValue::hasStringValue)
              .forEach(id -> ids.add(id.getStringValue()));
        } else {
          Labels.set(doc, key, v);
        }
      }
      case INT_VALUE -> intAttribute(key, v, doc, seen, http);
      case KVLIST_VALUE -> { }
      case STRING_VALUE -> stringAttribute(key, v, Docs.truncate(v.getStringValue()), doc, seen, http);
      default -> Labels.set(doc, key, v);
    }
  }

  private static void intAttribute(String key, AnyValue v, ObjectNode doc, Seen seen, HttpMapping.Served http) {
    switch (key) {
      case "http.status_code", "http.response.status_code" -> {
        seen.http = true;
        http.statusCode(v.getIntValue() & 0xffffffffL);
      }
      case "net.peer.port", "client.port" -> Docs.put(doc, "source.port", v.getIntValue() & 0xffffffffL);
      case "net.host.port", "server.port" -> http.netHostPort = v.getIntValue();
      case "rpc.grpc.status_code" -> {
        seen.rpc = true;
        seen.result = RpcMapping.grpcCode(v.getIntValue());
      }
      default -> Labels.set(doc, key, v);
    }
  }

  private static void stringAttribute(String key, AnyValue v, String s, ObjectNode doc, Seen seen,
      HttpMapping.Served http) {
    Boolean httpAttribute = http.read(key, s, doc);
    if (httpAttribute != null) {
      seen.http |= httpAttribute;
      return;
    }
    if (NetMapping.readOnTransaction(key, s, doc, http) || NetMapping.readNetwork(key, s, doc)) {
      return;
    }
    switch (key) {
      case "http.client_ip" -> {
        String ip = Ips.parse(s);
        if (ip != null) {
          Docs.put(doc, "client.ip", ip);
        }
      }
      case "http.user_agent", "user_agent.original" -> Docs.replace(doc, "user_agent.original", s);
      case "messaging.destination", "messaging.destination.name", "message_bus.destination" -> {
        seen.messaging = true;
        seen.queue = s;
      }
      case "messaging.system", "messaging.operation", "messaging.operation.type", "messaging.operation.name" -> {
        seen.messaging = true;
        Labels.set(doc, key, v);
      }
      case "rpc.system", "rpc.grpc.status_code" -> seen.rpc = true;
      case "rpc.service", "rpc.method" -> { }
      case "type" -> seen.type = s;
      case "session.id" -> Docs.replace(doc, "session.id", s);
      case "service.version" -> Docs.replace(doc, "service.version", s);
      case "data_stream.dataset", "data_stream.namespace" -> DataStreams.override(doc, key, v.getStringValue());
      default -> Labels.set(doc, key, v);
    }
  }

  private static String statusResult(Status status) {
    return switch (status.getCode()) {
      case STATUS_CODE_OK -> "Success";
      case STATUS_CODE_ERROR -> "Error";
      default -> null;
    };
  }
}
