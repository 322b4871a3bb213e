package io.traceharness.trace;

import com.fasterxml.jackson.databind.JsonNode;
import io.opentelemetry.api.trace.SpanKind;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads Elasticsearch {@code _source} documents of both forms into nodes: the APM form APM Server
 * writes ({@code trace.id}, {@code processor.event}, …) and the OpenTelemetry-native form the
 * collector's elasticsearch exporter writes in otel mode ({@code trace_id}, {@code span_id},
 * {@code kind}, {@code resource.attributes.*}, …). Fields may be nested objects or dotted keys;
 * both are read alike.
 */
final class Documents {

  private Documents() {}

  sealed interface Parsed {
    record Span(SpanNode node) implements Parsed {}

    record Error(String traceId, TraceError error) implements Parsed {}

    record Skipped(String why) implements Parsed {}
  }

  static Parsed parse(JsonNode source) {
    Map<String, JsonNode> f = flatten(source);
    if (f.containsKey("processor.event") || f.containsKey("trace.id")) {
      return apm(f);
    }
    if (f.containsKey("trace_id")) {
      return otel(f);
    }
    return new Parsed.Skipped("neither trace.id nor trace_id");
  }

  private static Parsed apm(Map<String, JsonNode> f) {
    String traceId = text(f, "trace.id");
    if (traceId == null) {
      return new Parsed.Skipped("no trace.id");
    }
    String event = text(f, "processor.event");
    if (event == null) {
      event = f.containsKey("span.name") ? "span" : f.containsKey("transaction.name") ? "transaction" : "";
    }
    Instant start = start(f);
    switch (event) {
      case "error": {
        String message = first(f, "error.exception.message", "error.log.message", "message");
        String type = first(f, "error.exception.type", "error.log.logger_name");
        return new Parsed.Error(
            traceId,
            new TraceError(
                first(f, "error.id"),
                text(f, "parent.id"),
                text(f, "transaction.id"),
                text(f, "service.name"),
                type,
                message,
                start));
      }
      case "transaction":
      case "span": {
        boolean transaction = event.equals("transaction");
        String prefix = transaction ? "transaction." : "span.";
        String spanId = transaction ? first(f, "span.id", "transaction.id") : text(f, "span.id");
        if (spanId == null) {
          return new Parsed.Skipped(event + " without id");
        }
        String type = text(f, prefix + "type");
        String subtype = text(f, "span.subtype");
        if (!transaction && type != null && subtype == null && type.contains(".")) {
          // Elastic agents may send a dotted "external.http"; APM Server splits it the same way.
          String[] parts = type.split("\\.", 3);
          type = parts[0];
          subtype = parts[1];
        }
        Map<String, String> labels = new TreeMap<>();
        Map<String, Double> numeric = new TreeMap<>();
        f.forEach((k, v) -> {
          if (k.startsWith("labels.")) {
            labels.put(k.substring("labels.".length()), v.asText());
          } else if (k.startsWith("numeric_labels.") && v.isNumber()) {
            numeric.put(k.substring("numeric_labels.".length()), v.asDouble());
          }
        });
        Long durationUs = number(f, prefix + "duration.us");
        Duration duration =
            durationUs != null
                ? Duration.ofNanos(durationUs * 1000)
                : nanos(number(f, "event.duration"));
        return new Parsed.Span(
            new SpanNode(
                traceId,
                spanId,
                text(f, "parent.id"),
                transaction ? first(f, "transaction.id", "span.id") : text(f, "transaction.id"),
                transaction,
                text(f, "service.name"),
                text(f, prefix + "name"),
                type,
                subtype,
                kind(text(f, "span.kind")),
                SpanNode.Outcome.parse(text(f, "event.outcome")),
                transaction ? text(f, "transaction.result") : null,
                start,
                duration,
                text(f, "agent.name"),
                labels,
                numeric));
      }
      default:
        return new Parsed.Skipped("processor.event " + event);
    }
  }

  private static Parsed otel(Map<String, JsonNode> f) {
    String traceId = text(f, "trace_id");
    String spanId = text(f, "span_id");
    if (spanId == null || f.containsKey("event_name")) {
      return new Parsed.Skipped("span event or log record");
    }
    String parentId = text(f, "parent_span_id");
    SpanKind kind = kind(text(f, "kind"));
    boolean transaction =
        parentId == null || parentId.isEmpty() || kind == SpanKind.SERVER || kind == SpanKind.CONSUMER;
    Map<String, JsonNode> attributes = new TreeMap<>();
    f.forEach((k, v) -> {
      if (k.startsWith("attributes.")) {
        attributes.put(k.substring("attributes.".length()), v);
      }
    });
    Map<String, String> labels = new TreeMap<>();
    Map<String, Double> numeric = new TreeMap<>();
    attributes.forEach((k, v) -> {
      if (v.isNumber()) {
        numeric.put(k, v.asDouble());
      } else {
        labels.put(k, v.asText());
      }
    });
    String[] typeAndSubtype = otelType(transaction, kind, attributes);
    String sdk = text(f, "resource.attributes.telemetry.sdk.name");
    String language = text(f, "resource.attributes.telemetry.sdk.language");
    String agent = sdk == null ? null : language == null ? sdk : sdk + "/" + language;
    return new Parsed.Span(
        new SpanNode(
            traceId,
            spanId,
            parentId,
            transaction ? spanId : null,
            transaction,
            text(f, "resource.attributes.service.name"),
            text(f, "name"),
            typeAndSubtype[0],
            typeAndSubtype[1],
            kind,
            otelOutcome(text(f, "status.code"), transaction, attributes),
            null,
            start(f),
            nanos(number(f, "duration")),
            agent,
            labels,
            numeric));
  }

  /** APM Server's derivation of type/subtype from OTel attributes, so both forms assert alike. */
  private static String[] otelType(boolean transaction, SpanKind kind, Map<String, JsonNode> attrs) {
    boolean messaging = attrs.keySet().stream().anyMatch(k -> k.startsWith("messaging."));
    boolean http = attrs.keySet().stream().anyMatch(k -> k.startsWith("http.") || k.startsWith("url."));
    boolean rpc = attrs.containsKey("rpc.system");
    if (attrs.containsKey("type")) {
      return new String[] {attrs.get("type").asText(), null};
    }
    if (transaction) {
      return new String[] {messaging ? "messaging" : http || rpc ? "request" : "unknown", null};
    }
    if (attrs.containsKey("db.system")) {
      return new String[] {"db", attrs.get("db.system").asText()};
    }
    if (messaging) {
      JsonNode system = attrs.get("messaging.system");
      return new String[] {"messaging", system == null ? null : system.asText()};
    }
    if (rpc) {
      return new String[] {"external", attrs.get("rpc.system").asText()};
    }
    if (http) {
      return new String[] {"external", "http"};
    }
    if (kind == SpanKind.INTERNAL) {
      return new String[] {"app", "internal"};
    }
    return new String[] {"unknown", null};
  }

  private static SpanNode.Outcome otelOutcome(String code, boolean transaction, Map<String, JsonNode> attrs) {
    if (code != null && !code.equalsIgnoreCase("Unset")) {
      return SpanNode.Outcome.parse(code);
    }
    JsonNode status = attrs.getOrDefault("http.response.status_code", attrs.get("http.status_code"));
    if (status != null && status.asInt() >= (transaction ? 500 : 400)) {
      return SpanNode.Outcome.FAILURE;
    }
    return SpanNode.Outcome.SUCCESS;
  }

  static SpanKind kind(String value) {
    if (value == null) {
      return null;
    }
    String v = value.toUpperCase(Locale.ROOT);
    if (v.startsWith("SPAN_KIND_")) {
      v = v.substring("SPAN_KIND_".length());
    }
    switch (v) {
      case "SERVER":
        return SpanKind.SERVER;
      case "CLIENT":
        return SpanKind.CLIENT;
      case "PRODUCER":
        return SpanKind.PRODUCER;
      case "CONSUMER":
        return SpanKind.CONSUMER;
      case "INTERNAL":
        return SpanKind.INTERNAL;
      default:
        return null;
    }
  }

  /** {@code timestamp.us} when present (exact), else {@code @timestamp} in any form ES accepts. */
  static Instant start(Map<String, JsonNode> f) {
    Long us = number(f, "timestamp.us");
    if (us != null) {
      return Instant.ofEpochSecond(us / 1_000_000, (us % 1_000_000) * 1_000);
    }
    JsonNode ts = f.get("@timestamp");
    if (ts == null || ts.isNull()) {
      return Instant.EPOCH;
    }
    if (ts.isNumber()) {
      return fromEpochMillis(ts.decimalValue());
    }
    String s = ts.asText();
    if (s.matches("\\d+(\\.\\d+)?")) {
      // The otel exporter writes "<epoch millis>.<nanos within the milli>".
      return fromEpochMillis(new BigDecimal(s));
    }
    try {
      return Instant.parse(s);
    } catch (DateTimeParseException e) {
      return java.time.OffsetDateTime.parse(s).toInstant();
    }
  }

  private static Instant fromEpochMillis(BigDecimal millis) {
    BigDecimal nanos = millis.movePointRight(6);
    long total = nanos.longValue();
    return Instant.ofEpochSecond(Math.floorDiv(total, 1_000_000_000L), Math.floorMod(total, 1_000_000_000L));
  }

  private static Duration nanos(Long nanos) {
    return nanos == null ? Duration.ZERO : Duration.ofNanos(nanos);
  }

  static String text(Map<String, JsonNode> f, String key) {
    JsonNode v = f.get(key);
    return v == null || v.isNull() ? null : v.asText();
  }

  static String first(Map<String, JsonNode> f, String... keys) {
    for (String k : keys) {
      String v = text(f, k);
      if (v != null) {
        return v;
      }
    }
    return null;
  }

  private static Long number(Map<String, JsonNode> f, String key) {
    JsonNode v = f.get(key);
    if (v == null || v.isNull()) {
      return null;
    }
    if (v.isNumber()) {
      return v.asLong();
    }
    try {
      return new BigDecimal(v.asText()).longValue();
    } catch (NumberFormatException e) {
      return null;
    }
  }

  /**
   * Dotted paths to leaves: {@code {"trace":{"id":"x"}}} and {@code {"trace.id":"x"}} both give
   * {@code trace.id}. Of an array of objects only the first is kept (APM's {@code error.exception}
   * lists the outermost exception first); arrays of values stay arrays.
   */
  static Map<String, JsonNode> flatten(JsonNode source) {
    Map<String, JsonNode> out = new LinkedHashMap<>();
    flatten("", source, out);
    return out;
  }

  private static void flatten(String prefix, JsonNode node, Map<String, JsonNode> out) {
    if (node.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        flatten(prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey(), e.getValue(), out);
      }
    } else if (node.isArray() && node.size() > 0 && node.get(0).isObject()) {
      flatten(prefix, node.get(0), out);
    } else if (!prefix.isEmpty()) {
      out.put(prefix, node);
    }
  }
}
