package io.traceharness.apm;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import java.util.ArrayList;
import java.util.List;

/**
 * OTLP log records → log documents in the service's {@code logs-apm.app.*} data stream
 * (elastic/apm-data input/otlp/logs.go {@code convertResourceLogs}, {@code convertLogRecord}).
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
          ObjectNode doc = base.deepCopy();
          long time = record.getTimeUnixNano() != 0 ? record.getTimeUnixNano() : record.getObservedTimeUnixNano();
          Docs.timestamp(doc, time);
          Docs.put(doc, "processor.event", "log");
          Docs.put(doc, "event.kind", "event");
          if (record.getBody().hasStringValue()) {
            Docs.put(doc, "message", record.getBody().getStringValue());
          }
          Docs.put(doc, "log.level", record.getSeverityText());
          if (record.getSeverityNumberValue() != 0) {
            Docs.put(doc, "event.severity", record.getSeverityNumberValue());
          }
          if (!record.getTraceId().isEmpty()) {
            Docs.put(doc, "trace.id", OtlpIds.hex(record.getTraceId()));
          }
          if (!record.getSpanId().isEmpty()) {
            Docs.put(doc, "span.id", OtlpIds.hex(record.getSpanId()));
          }
          for (KeyValue kv : record.getAttributesList()) {
            Labels.set(doc, kv.getKey(), kv.getValue());
          }
          Docs.dataStream(doc, "logs", "apm.app." + Docs.normalizeForDataset(doc.path("service").path("name").asText()));
          out.add(new ApmDocument(Docs.dataStreamName(doc), doc));
        }
      }
    }
    return out;
  }
}
