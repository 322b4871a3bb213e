package io.traceharness.trace;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.Map;

/**
 * A log record correlated with a trace: a document of a {@code logs-*} data stream (errors aside)
 * that carries the trace's id, in APM form ({@code trace.id}, {@code message}, {@code log.level})
 * or OpenTelemetry-native form ({@code trace_id}, {@code body.text}, {@code severity_text}).
 *
 * <pre>{@code
 * traces.logs(traceId).forEach(l -> System.out.println(l.timestamp() + " " + l.service() + " " + l.message()));
 * }</pre>
 *
 * @param level the log level or severity text, or {@code null}
 * @param spanId the span the record was written in, or {@code null}
 * @param dataStream the data stream it is stored in, e.g. {@code logs-apm.app.producer-default}
 * @param document the whole {@code _source}
 */
public record TraceLog(Instant timestamp, String service, String level, String message, String spanId,
    String dataStream, JsonNode document) {

  static TraceLog of(JsonNode source) {
    Map<String, JsonNode> f = Documents.flatten(source);
    String type = Documents.text(f, "data_stream.type");
    String dataset = Documents.text(f, "data_stream.dataset");
    String namespace = Documents.text(f, "data_stream.namespace");
    String stream = type == null || dataset == null ? null : type + "-" + dataset + "-" + (namespace == null ? "default" : namespace);
    String message = Documents.first(f, "message", "body.text", "body.structured", "event_name", "span_event.name");
    return new TraceLog(Documents.start(f),
        Documents.first(f, "service.name", "resource.attributes.service.name"),
        Documents.first(f, "log.level", "severity_text"),
        message == null ? source.toString() : message,
        Documents.first(f, "span.id", "span_id"),
        stream, source);
  }
}
