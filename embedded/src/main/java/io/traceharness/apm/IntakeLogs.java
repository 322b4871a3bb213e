package io.traceharness.apm;

import static io.traceharness.apm.IntakeContext.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.traceharness.apm.IntakeValidation.InvalidEvent;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/**
 * An intake v2 log → its {@code logs-apm.app} document, as elastic/apm-data v1.22.0
 * {@code input/elasticapm/internal/modeldecoder/v2/decoder.go} mapToLogModel maps it (ECS fields
 * nested or flat).
 */
final class IntakeLogs {

  private IntakeLogs() {
  }

  private static final DateTimeFormatter LOG_TIMESTAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss[.SSS]XX");

  static void map(JsonNode l, ObjectNode doc, long receivedNanos) throws InvalidEvent {
    IntakeValidation.strings(l, "log", "message");
    JsonNode ts = l.get("@timestamp");
    long nanos = receivedNanos;
    if (ts != null && ts.isNumber() && ts.asLong() > 0) {
      nanos = ts.asLong() * 1_000;
    } else if (ts != null && ts.isTextual()) {
      try {
        OffsetDateTime t = OffsetDateTime.parse(ts.asText(), LOG_TIMESTAMP);
        nanos = t.toEpochSecond() * 1_000_000_000L + t.getNano();
      } catch (DateTimeParseException e) {
        nanos = receivedNanos;
      }
    }
    doc.put("@timestamp", Docs.formatTimestamp(nanos));
    Docs.put(doc, "message", text(l, "message"));
    Docs.put(doc, "event.kind", "event");
    Docs.put(doc, "log.level", flatOrNested(l, "log.level", "log", "level"));
    Docs.put(doc, "log.logger", flatOrNested(l, "log.logger", "log", "logger"));
    Docs.put(doc, "trace.id", flatOrNested(l, "trace.id", "trace", "id"));
    Docs.put(doc, "transaction.id", flatOrNested(l, "transaction.id", "transaction", "id"));
    Docs.put(doc, "span.id", flatOrNested(l, "span.id", "span", "id"));
    Docs.put(doc, "process.thread.name", text(l.path("process").path("thread"), "name") != null
        ? text(l.path("process").path("thread"), "name") : text(l, "process.thread.name"));
    Docs.put(doc, "service.name", flatOrNested(l, "service.name", "service", "name"));
    Docs.put(doc, "service.version", flatOrNested(l, "service.version", "service", "version"));
    Docs.put(doc, "service.environment", flatOrNested(l, "service.environment", "service", "environment"));
    Docs.put(doc, "event.dataset", text(l, "event.dataset"));
    IntakeContext.faas(doc, l.get("faas"));
    IntakeContext.labels(doc, l.path("labels"));
    Docs.dataStream(doc, "logs", "apm.app." + Docs.normalizeForDataset(doc.path("service").path("name").asText()));
  }

  /** ECS log fields, nested ({@code log: {level}}) winning over flat ({@code "log.level"}). */
  private static String flatOrNested(JsonNode l, String flat, String object, String field) {
    String nested = text(l.path(object), field);
    return nested != null ? nested : text(l, flat);
  }
}
