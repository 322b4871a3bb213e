package io.traceharness.apm;

import static io.traceharness.apm.IntakeContext.text;
import static io.traceharness.apm.IntakeValidation.isSet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.traceharness.apm.IntakeValidation.InvalidEvent;

/**
 * An intake v2 span → its {@code traces-apm} document, as elastic/apm-data v1.22.0
 * {@code input/elasticapm/internal/modeldecoder/v2/decoder.go} mapToSpanModel maps it (HTTP,
 * destination service and composite included), after its generated validation rules.
 */
final class IntakeSpans {

  private IntakeSpans() {
  }

  static void map(JsonNode s, ObjectNode doc, long receivedNanos) throws InvalidEvent {
    String path = "span";
    IntakeValidation.requiredAnyOf(s, path, "start", "timestamp");
    IntakeValidation.strings(s, "span", "id", "trace_id", "action", "name", "outcome", "parent_id", "type", "subtype",
        "transaction_id");
    IntakeValidation.numbers(s, "span", "duration", "start", "timestamp", "sample_rate");
    IntakeValidation.maxLength(s, path, "id");
    IntakeValidation.required(s, path, "id");
    IntakeValidation.maxLength(s, path, "trace_id");
    IntakeValidation.required(s, path, "trace_id");
    IntakeValidation.maxLength(s, path, "action", "name");
    IntakeValidation.required(s, path, "name");
    IntakeValidation.outcome(s, path);
    IntakeValidation.maxLength(s, path, "parent_id");
    IntakeValidation.required(s, path, "parent_id");
    IntakeValidation.maxLength(s, path, "type");
    IntakeValidation.required(s, path, "type");
    IntakeValidation.maxLength(s, path, "subtype", "transaction_id");
    IntakeValidation.required(s, path, "duration");
    IntakeValidation.min(s, path, "duration", 0);

    JsonNode context = s.path("context");
    IntakeContext.service(doc, context.path("service"));
    IntakeContext.labels(doc, context.path("tags"));
    Docs.put(doc, "span.id", text(s, "id"));
    Docs.put(doc, "span.name", text(s, "name"));
    Docs.put(doc, "trace.id", text(s, "trace_id"));
    Docs.put(doc, "parent.id", text(s, "parent_id"));
    Docs.put(doc, "transaction.id", text(s, "transaction_id"));
    String type = text(s, "type");
    String subtype = text(s, "subtype");
    String action = text(s, "action");
    if (subtype == null && action == null) {
      // a dotted type without subtype or action carries both (mapToSpanModel)
      String[] parts = type.split("\\.", 3);
      type = parts[0];
      subtype = parts.length > 1 ? parts[1] : null;
      action = parts.length > 2 ? parts[2] : null;
    }
    Docs.put(doc, "span.type", type);
    Docs.put(doc, "span.subtype", subtype);
    Docs.put(doc, "span.action", action);
    if (s.path("sync").isBoolean()) {
      Docs.put(doc, "span.sync", s.get("sync").asBoolean());
    }
    if (s.path("child_ids").isArray() && !s.get("child_ids").isEmpty()) {
      ArrayNode ids = Docs.obj(doc, "child").putArray("id");
      s.get("child_ids").forEach(v -> ids.add(v.asText()));
    }
    Docs.put(doc, "span.representative_count", IntakeEvents.representativeCount(s));
    Docs.duration(doc, "span", IntakeEvents.durationNanos(s));
    long ts = s.path("timestamp").isNumber() && s.get("timestamp").asLong() > 0 ? s.get("timestamp").asLong() * 1_000
        : receivedNanos + (long) (s.path("start").asDouble() * 1_000_000d);
    Docs.timestamp(doc, ts);
    JsonNode db = context.path("db");
    if (db.isObject()) {
      Docs.put(doc, "span.db.instance", text(db, "instance"));
      Docs.put(doc, "span.db.statement", text(db, "statement"));
      Docs.put(doc, "span.db.type", text(db, "type"));
      Docs.put(doc, "span.db.user.name", text(db, "user"));
      Docs.put(doc, "span.db.link", text(db, "link"));
      if (db.path("rows_affected").isNumber()) {
        Docs.put(doc, "span.db.rows_affected", db.get("rows_affected").asLong());
      }
    }
    Integer status = spanHttp(doc, context.path("http"));
    destination(doc, context.path("destination"), context.path("service").path("target"));
    IntakeContext.message(doc, "span", context.get("message"));
    composite(doc, s.path("composite"));
    String outcome = text(s, "outcome");
    if (outcome == null) {
      outcome = status != null ? (status >= 400 ? "failure" : "success") : "unknown";
    }
    Docs.outcome(doc, outcome);
    IntakeEvents.otel(doc, s.path("otel"), "span");
    IntakeEvents.links(doc, s.path("links"));
    Docs.dataStream(doc, "traces", "apm");
  }

  private static Integer spanHttp(ObjectNode doc, JsonNode http) {
    if (!http.isObject()) {
      return null;
    }
    Docs.put(doc, "http.request.method", text(http, "method"));
    Docs.put(doc, "http.request.id", text(http.path("request"), "id"));
    Docs.put(doc, "url.original", text(http, "url"));
    JsonNode response = http.path("response");
    IntakeContext.response(doc, response);
    Integer status = null;
    if (http.path("status_code").isNumber()) {
      status = http.get("status_code").asInt();
    } else if (response.path("status_code").isNumber()) {
      status = response.get("status_code").asInt();
    }
    if (status != null) {
      Docs.put(doc, "http.response.status_code", status.longValue());
    }
    return status;
  }

  private static void destination(ObjectNode doc, JsonNode destination, JsonNode target) {
    String address = text(destination, "address");
    if (address != null) {
      Docs.put(doc, "destination.address", address);
      // modeljson/destination.pb.json.go: the address as sent when netip parses it; a zero port is left out
      if (IntakeContext.isIp(address)) {
        Docs.put(doc, "destination.ip", address);
      }
    }
    if (destination.path("port").isNumber() && destination.get("port").asLong() != 0) {
      Docs.put(doc, "destination.port", destination.get("port").asLong());
    }
    JsonNode service = destination.path("service");
    if (service.isObject()) {
      Docs.put(doc, "span.destination.service.name", text(service, "name"));
      Docs.put(doc, "span.destination.service.resource", text(service, "resource"));
      Docs.put(doc, "span.destination.service.type", text(service, "type"));
    }
    if (target.isObject() && (isSet(target.get("type")) || isSet(target.get("name")))) {
      Docs.put(doc, "service.target.type", text(target, "type"));
      Docs.put(doc, "service.target.name", text(target, "name"));
    } else if (text(service, "resource") != null) {
      // targetFromDestinationResource: "type/name", else the resource is the name
      String resource = text(service, "resource");
      int slash = resource.indexOf('/');
      if (slash > 0) {
        Docs.put(doc, "service.target.type", resource.substring(0, slash));
        Docs.put(doc, "service.target.name", resource.substring(slash + 1));
      } else {
        Docs.put(doc, "service.target.name", resource);
      }
    }
  }

  private static void composite(ObjectNode doc, JsonNode composite) {
    if (!composite.isObject()) {
      return;
    }
    Docs.put(doc, "span.composite.compression_strategy", text(composite, "compression_strategy"));
    Docs.put(doc, "span.composite.count", composite.path("count").asLong());
    Docs.put(doc, "span.composite.sum.us", (long) (composite.path("sum").asDouble() * 1_000));
  }
}
