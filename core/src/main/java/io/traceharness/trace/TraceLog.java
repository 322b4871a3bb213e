package io.traceharness.trace;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A log record correlated with a trace: a document of a {@code logs-*} data stream (errors aside)
 * that carries the trace's id, in APM form ({@code trace.id}, {@code message}, {@code log.level}),
 * ECS-JSON form as a log shipper leaves it (the same fields), or OpenTelemetry-native form
 * ({@code trace_id}, {@code body.text}, {@code severity_text}); or, read through
 * {@link Traces#logs(Trace)}, a line a Lambda function wrote during one of the trace's invocations
 * without the trace id ({@link Link#REQUEST_ID}).
 *
 * <pre>{@code
 * traces.logs(trace).forEach(l -> System.out.println(l.timestamp() + " " + l.service() + " " + l.message()));
 * }</pre>
 *
 * @param service {@code service.name}; for a function's line without one, the service of the trace's
 *     transaction in whose invocation it was written; else the function's name; else {@code null}
 * @param level the log level or severity text, or {@code null}
 * @param spanId the span the record was written in, or {@code null}
 * @param dataStream the data stream it is stored in, e.g. {@code logs-apm.app.producer-default}
 * @param document the whole {@code _source}
 * @param traceId the trace id the record carries, or {@code null}
 * @param transactionId {@code transaction.id}, or {@code null}
 * @param function the Lambda function that wrote it ({@code faas.name}, else the log group
 *     {@code /aws/lambda/<function>}), or {@code null}
 * @param requestId the Lambda request id of the invocation it was written in ({@code faas.execution},
 *     else a {@code RequestId: } or a Node.js runtime's {@code <time>\t<request id>\t} in the line), or {@code null}
 * @param link how it was found to belong to the trace
 */
public record TraceLog(Instant timestamp, String service, String level, String message, String spanId,
    String dataStream, JsonNode document, String traceId, String transactionId, String function, String requestId,
    Link link) {

  /** How a record belongs to a trace. */
  public enum Link {
    /** It carries the trace id: Kibana shows it with the trace. */
    TRACE_ID,
    /** It carries no trace id (or another one) but was written during an invocation of the trace. */
    REQUEST_ID
  }

  private static final String UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";
  private static final Pattern REQUEST_ID_IN_LINE =
      Pattern.compile("^(?:\\S+\\t(" + UUID + ")\\t|[A-Z_]+ RequestId: (" + UUID + "))");
  private static final Pattern LOG_GROUP = Pattern.compile("^/aws/lambda/(.+)$");
  private static final Pattern PLATFORM_LINE =
      Pattern.compile("^(?:START|END|REPORT|INIT_START|INIT_REPORT|RESTORE_START|RESTORE_REPORT|XRAY|EXTENSION|TELEMETRY)\\b");

  static TraceLog of(JsonNode source) {
    return of(source, Link.TRACE_ID, null);
  }

  static TraceLog of(JsonNode source, Link link, String serviceOfInvocation) {
    Map<String, JsonNode> f = Documents.flatten(source);
    String type = Documents.text(f, "data_stream.type");
    String dataset = Documents.text(f, "data_stream.dataset");
    String namespace = Documents.text(f, "data_stream.namespace");
    String stream = type == null || dataset == null ? null : type + "-" + dataset + "-" + (namespace == null ? "default" : namespace);
    String message = Documents.first(f, "message", "body.text", "body.structured", "event_name", "span_event.name");
    String function = Documents.text(f, "faas.name");
    String group = Documents.text(f, "aws.cloudwatch.log_group");
    if (function == null && group != null) {
      Matcher m = LOG_GROUP.matcher(group);
      function = m.matches() ? m.group(1) : null;
    }
    String requestId = Documents.text(f, "faas.execution");
    if (requestId == null && message != null) {
      Matcher m = REQUEST_ID_IN_LINE.matcher(message);
      requestId = m.find() ? (m.group(1) != null ? m.group(1) : m.group(2)) : null;
    }
    String service = Documents.first(f, "service.name", "resource.attributes.service.name");
    if (service == null) {
      service = serviceOfInvocation != null ? serviceOfInvocation : function;
    }
    return new TraceLog(Documents.start(f), service,
        Documents.first(f, "log.level", "severity_text"),
        message == null ? source.toString() : message,
        Documents.first(f, "span.id", "span_id"),
        stream, source,
        Documents.first(f, "trace.id", "trace_id"),
        Documents.text(f, "transaction.id"),
        function, requestId, link);
  }

  /**
   * Whether the Lambda service wrote this line ({@code START}, {@code END}, {@code REPORT},
   * {@code INIT_START}, {@code XRAY} …) rather than the function: such lines never carry a trace id.
   */
  public boolean isPlatformLine() {
    return message != null && PLATFORM_LINE.matcher(message).find();
  }

  /** One line for people: time, service, level, link, message. */
  public String describe() {
    return timestamp + " " + (service == null ? "?" : service) + (level == null ? "" : " " + level)
        + " [" + (link == Link.TRACE_ID ? "trace.id" : "request " + requestId) + "] " + message.strip();
  }
}
