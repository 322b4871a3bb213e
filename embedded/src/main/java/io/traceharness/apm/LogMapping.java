package io.traceharness.apm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * OTLP log records → log documents in the service's {@code logs-apm.app.*} data stream, or errors
 * when they carry an exception (elastic/apm-data v1.22.0 input/otlp/logs.go
 * {@code convertResourceLogs}, {@code convertLogRecord}). APM Server writes no
 * {@code processor.event}, no {@code timestamp.us} and no {@code event.kind} for a plain log.
 */
final class LogMapping {

  private LogMapping() {
  }

  static List<ApmDocument> translate(ObjectNode observer, ExportLogsServiceRequest request) {
    List<ApmDocument> out = new ArrayList<>();
    for (ResourceLogs rl : request.getResourceLogsList()) {
      ObjectNode base = ResourceMapping.base(observer, rl.getResource());
      for (ScopeLogs sl : rl.getScopeLogsList()) {
        for (LogRecord record : sl.getLogRecordsList()) {
          out.add(convert(record, sl, base));
        }
      }
    }
    return out;
  }

  private static ApmDocument convert(LogRecord record, ScopeLogs sl, ObjectNode base) {
    ObjectNode doc = base.deepCopy();
    TraceMapping.scope(sl.getScope(), doc);
    long time = record.getTimeUnixNano() != 0 ? record.getTimeUnixNano() : record.getObservedTimeUnixNano();
    Docs.timestamp(doc, time);
    doc.remove("timestamp");
    if (record.getSeverityNumberValue() != 0) {
      Docs.put(doc, "event.severity", (long) record.getSeverityNumberValue());
    }
    Docs.put(doc, "log.level", record.getSeverityText());
    AnyValue body = record.getBody();
    if (body.getValueCase() != AnyValue.ValueCase.VALUE_NOT_SET) {
      Docs.put(doc, "message", asString(body));
      if (body.hasKvlistValue()) {
        body.getKvlistValue().getValuesList().forEach(kv -> Labels.set(doc, kv.getKey(), kv.getValue()));
      }
    }
    if (!record.getTraceId().isEmpty()) {
      Docs.put(doc, "trace.id", OtlpIds.hex(record.getTraceId()));
    }
    if (!record.getSpanId().isEmpty()) {
      Docs.put(doc, "span.id", OtlpIds.hex(record.getSpanId()));
    }
    List<KeyValue> exceptionAttributes = new ArrayList<>();
    String eventName = "";
    String eventDomain = "";
    for (KeyValue kv : record.getAttributesList()) {
      String s = kv.getValue().getStringValue();
      switch (kv.getKey()) {
        case "exception.message", "exception.stacktrace", "exception.type", "exception.escaped" ->
            exceptionAttributes.add(kv);
        case "event.name" -> eventName = s;
        case "event.domain" -> eventDomain = s;
        case "session.id" -> Docs.replace(doc, "session.id", s);
        case "network.connection.type" -> Docs.replace(doc, "network.connection.type", s);
        case "data_stream.dataset", "data_stream.namespace" -> DataStreams.override(doc, kv.getKey(), s);
        default -> Labels.set(doc, kv.getKey(), kv.getValue());
      }
    }
    boolean error = ExceptionMapping.translate(exceptionAttributes, doc,
        doc.path("service").path("language").path("name").asText("")) != null;
    if ((eventDomain.equals("device") && !eventName.isEmpty()) || eventName.startsWith("device.")) {
      Docs.put(doc, "event.category", "device");
      String action = eventName.startsWith("device.") ? eventName.substring("device.".length()) : eventName;
      if (action.equals("crash")) {
        Docs.put(doc, "error.type", "crash");
        error = true;
      } else {
        Docs.put(doc, "event.kind", "event");
        Docs.put(doc, "event.action", action);
      }
    }
    if (error) {
      Docs.put(doc, "event.kind", "event");
      Docs.put(doc, "event.type", "error");
      Docs.timestamp(doc, time);
      Docs.put(doc, "processor.event", "error");
      DataStreams.route(doc, "logs", "apm.error", true);
    } else {
      DataStreams.route(doc, "logs", "apm.app." + Docs.normalizeForDataset(doc.path("service").path("name").asText()),
          false);
    }
    return new ApmDocument(Docs.dataStreamName(doc), doc);
  }

  /** pcommon {@code Value.AsString}: maps and arrays as JSON, bytes as base64. */
  private static String asString(AnyValue v) {
    return switch (v.getValueCase()) {
      case STRING_VALUE -> v.getStringValue();
      case BOOL_VALUE -> Boolean.toString(v.getBoolValue());
      case INT_VALUE -> Long.toString(v.getIntValue());
      case DOUBLE_VALUE -> new BigDecimal(Double.toString(v.getDoubleValue())).stripTrailingZeros().toPlainString();
      case BYTES_VALUE -> Base64.getEncoder().encodeToString(v.getBytesValue().toByteArray());
      default -> json(v).toString();
    };
  }

  private static JsonNode json(AnyValue v) {
    return switch (v.getValueCase()) {
      case STRING_VALUE -> Docs.NODES.textNode(v.getStringValue());
      case BOOL_VALUE -> Docs.NODES.booleanNode(v.getBoolValue());
      case INT_VALUE -> Docs.NODES.numberNode(v.getIntValue());
      case DOUBLE_VALUE -> Docs.NODES.numberNode(v.getDoubleValue());
      case BYTES_VALUE -> Docs.NODES.textNode(Base64.getEncoder().encodeToString(v.getBytesValue().toByteArray()));
      case ARRAY_VALUE -> {
        var array = Docs.NODES.arrayNode();
        v.getArrayValue().getValuesList().forEach(e -> array.add(json(e)));
        yield array;
      }
      case KVLIST_VALUE -> {
        ObjectNode object = Docs.object();
        v.getKvlistValue().getValuesList().forEach(kv -> object.set(kv.getKey(), json(kv.getValue())));
        yield object;
      }
      default -> Docs.NODES.nullNode();
    };
  }
}
