package io.traceharness.collector;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.ByteString;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.ArrayValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.common.v1.KeyValueList;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.logs.v1.SeverityNumber;
import io.opentelemetry.proto.resource.v1.Resource;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Telemetry API events → OTLP log records, as opentelemetry-lambda's {@code telemetryapi} receiver builds
 * them ({@code collector/receiver/telemetryapireceiver/receiver.go}: {@code createLogs},
 * {@code createPlatformMessage}, {@code createPlatformReportMessage}, {@code severityTextToNumber},
 * {@code newTelemetryAPIReceiver} for the resource):
 *
 * <ul>
 *   <li>one resource per batch: {@code faas.invoked_provider=aws}, {@code service.name} (the function's name,
 *       {@code OTEL_SERVICE_NAME} when set, else {@code unknown_service}), {@code faas.name},
 *       {@code service.instance.id} (the collector's own), {@code faas.max_memory}, {@code faas.version},
 *       {@code faas.invoked_region} from the Lambda variables; scope {@value #SCOPE};</li>
 *   <li>each record: attribute {@code type} (the event type), time from the event's {@code time} (a batch
 *       with a time that does not parse is dropped whole), observed time now;</li>
 *   <li>{@code faas.invocation_id}: the record's {@code requestId}, else the request of the last
 *       {@code platform.start} until its {@code platform.runtimeDone};</li>
 *   <li>a JSON record's {@code timestamp} and {@code level} (severity number, and its name as text);
 *       platform events get CloudWatch-like bodies ({@code START RequestId: … Version: …}); other records'
 *       {@code message} is the body and their other fields are attributes; a text record is the body;</li>
 *   <li>{@code platform.report} only with {@code log_report: true}.</li>
 * </ul>
 *
 * <p>Trace and span ids are never set: the real receiver reads none from the lines.
 */
final class TelemetryApiLogs {

  static final String SCOPE = "github.com/open-telemetry/opentelemetry-lambda/collector/receiver/telemetryapi";

  private static final Map<String, SeverityNumber> SEVERITIES = severities();
  private static final Set<String> RESERVED = Set.of("level", "message", "requestId", "timestamp", "type");

  private final Resource resource;
  private final boolean logReport;
  private final boolean managedInstances;
  private String currentRequestId = "";
  private String functionVersion = "";

  TelemetryApiLogs(Map<String, String> env, String serviceInstanceId, boolean logReport) {
    this.resource = resource(env, serviceInstanceId);
    this.logReport = logReport;
    this.managedInstances = "lambda-managed-instances".equals(env.get("AWS_LAMBDA_INITIALIZATION_TYPE"));
  }

  /** The resource {@code newTelemetryAPIReceiver} builds from the extension's environment. */
  static Resource resource(Map<String, String> env, String serviceInstanceId) {
    Map<String, String> attrs = new LinkedHashMap<>();
    attrs.put("faas.invoked_provider", "aws");
    String fn = env.get("AWS_LAMBDA_FUNCTION_NAME");
    if (fn != null) {
      attrs.put("service.name", fn);
      attrs.put("faas.name", fn);
    } else {
      attrs.put("service.name", "unknown_service");
    }
    if (serviceInstanceId != null) {
      attrs.put("service.instance.id", serviceInstanceId);
    }
    if (env.containsKey("OTEL_SERVICE_NAME")) {
      attrs.put("service.name", env.get("OTEL_SERVICE_NAME"));
    }
    putIfSet(attrs, env, "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "faas.max_memory");
    putIfSet(attrs, env, "AWS_LAMBDA_FUNCTION_VERSION", "faas.version");
    putIfSet(attrs, env, "AWS_REGION", "faas.invoked_region");
    Resource.Builder r = Resource.newBuilder();
    attrs.forEach((k, v) -> r.addAttributes(KeyValue.newBuilder().setKey(k)
        .setValue(AnyValue.newBuilder().setStringValue(v))));
    return r.build();
  }

  private static void putIfSet(Map<String, String> attrs, Map<String, String> env, String var, String key) {
    String v = env.get(var);
    if (v != null) {
      attrs.put(key, v);
    }
  }

  /** A fresh {@code service.instance.id}, as the collector gives its own telemetry resource. */
  static String newServiceInstanceId() {
    return UUID.randomUUID().toString();
  }

  /**
   * The log records of one delivered batch (a JSON array of {@code {time, type, record}}).
   *
   * @throws IllegalArgumentException when an event's time or a record's timestamp is not RFC 3339: the real
   *     receiver then drops the batch ("error parsing time")
   */
  synchronized ExportLogsServiceRequest createLogs(JsonNode events, Instant now) {
    ScopeLogs.Builder scope = ScopeLogs.newBuilder().setScope(InstrumentationScope.newBuilder().setName(SCOPE));
    long observed = nanos(now);
    for (JsonNode el : events) {
      String type = el.path("type").asText("");
      if (!logReport && type.equals("platform.report")) {
        continue;
      }
      LogRecord.Builder lr = LogRecord.newBuilder();
      lr.addAttributes(str("type", type));
      lr.setTimeUnixNano(parseTime(el.path("time").asText(""))).setObservedTimeUnixNano(observed);
      JsonNode record = el.get("record");
      if (record != null && record.isObject()) {
        String requestId = record.path("requestId").isTextual() ? record.get("requestId").asText() : "";
        if (!requestId.isEmpty() && type.equals("platform.start")) {
          updateCurrentRequestId(requestId);
        }
        if (requestId.isEmpty()) {
          requestId = currentRequestId();
        }
        if (!requestId.isEmpty()) {
          lr.addAttributes(str("faas.invocation_id", requestId));
          if (type.equals("platform.start")) {
            currentRequestId = requestId;
          }
        }
        if (record.path("timestamp").isTextual()) {
          lr.setTimeUnixNano(parseTime(record.get("timestamp").asText()));
        }
        if (record.path("level").isTextual()) {
          SeverityNumber n = SEVERITIES.getOrDefault(record.get("level").asText().toUpperCase(Locale.ROOT),
              SeverityNumber.SEVERITY_NUMBER_UNSPECIFIED);
          lr.setSeverityNumber(n).setSeverityText(severityName(n));
        }
        if (type.startsWith("platform")) {
          if (type.equals("platform.initStart")) {
            String v = text(record, "functionVersion");
            if (!v.isEmpty()) {
              functionVersion = v;
            }
          } else if (type.equals("platform.start")) {
            String v = text(record, "version");
            if (!v.isEmpty()) {
              functionVersion = v;
            }
          }
          String message = platformMessage(requestId, functionVersion, type, record);
          if (!message.isEmpty()) {
            lr.setBody(AnyValue.newBuilder().setStringValue(message));
          }
        } else if (record.path("message").isTextual()) {
          lr.setBody(AnyValue.newBuilder().setStringValue(record.get("message").asText()));
          for (Iterator<Map.Entry<String, JsonNode>> it = record.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            if (!RESERVED.contains(f.getKey())) {
              lr.addAttributes(KeyValue.newBuilder().setKey(f.getKey()).setValue(raw(f.getValue())));
            }
          }
        }
      } else {
        String requestId = currentRequestId();
        if (!requestId.isEmpty()) {
          lr.addAttributes(str("faas.invocation_id", requestId));
        }
        if (record != null && record.isTextual()) {
          lr.setBody(AnyValue.newBuilder().setStringValue(record.asText()));
        }
      }
      if (type.equals("platform.runtimeDone")) {
        updateCurrentRequestId("");
      }
      scope.addLogRecords(lr);
    }
    return ExportLogsServiceRequest.newBuilder().addResourceLogs(ResourceLogs.newBuilder().setResource(resource)
        .addScopeLogs(scope)).build();
  }

  // Lambda Managed Instances run several requests at once: the receiver keeps no current one there
  private String currentRequestId() {
    return managedInstances ? "" : currentRequestId;
  }

  private void updateCurrentRequestId(String requestId) {
    if (!managedInstances) {
      currentRequestId = requestId;
    }
  }

  /** {@code createPlatformMessage}: the CloudWatch-like line of a platform event, or "" when fields are missing. */
  static String platformMessage(String requestId, String functionVersion, String type, JsonNode record) {
    switch (type) {
      case "platform.start":
        return !requestId.isEmpty() && !functionVersion.isEmpty()
            ? "START RequestId: " + requestId + " Version: " + functionVersion : "";
      case "platform.runtimeDone":
        return !requestId.isEmpty() && !functionVersion.isEmpty()
            ? "END RequestId: " + requestId + " Version: " + functionVersion : "";
      case "platform.report":
        return reportMessage(requestId, record);
      case "platform.initStart":
      case "platform.restoreStart": {
        String v = text(record, "runtimeVersion");
        String arn = text(record, "runtimeVersionArn");
        String prefix = type.equals("platform.initStart") ? "INIT_START" : "RESTORE_START";
        return !v.isEmpty() || !arn.isEmpty() ? prefix + " Runtime Version: " + v + " Runtime Version ARN: " + arn : "";
      }
      case "platform.initRuntimeDone":
      case "platform.restoreRuntimeDone": {
        String status = text(record, "status");
        String prefix = type.equals("platform.initRuntimeDone") ? "INIT_RUNTIME_DONE" : "RESTORE_RUNTIME_DONE";
        return !status.isEmpty() ? prefix + " Status: " + status : "";
      }
      case "platform.initReport": {
        String initType = text(record, "initializationType");
        String phase = text(record, "phase");
        String status = text(record, "status");
        JsonNode d = record.path("metrics").path("durationMs");
        boolean hasDuration = d.isNumber();
        return !initType.isEmpty() || !phase.isEmpty() || !status.isEmpty() || hasDuration
            ? "INIT_REPORT Initialization Type: " + initType + " Phase: " + phase + " Status: " + status
                + " Duration: " + fixed2(hasDuration ? d.asDouble() : 0) + " ms" : "";
      }
      case "platform.restoreReport": {
        String status = text(record, "status");
        JsonNode d = record.path("metrics").path("durationMs");
        return !status.isEmpty() && d.isNumber()
            ? "RESTORE_REPORT Status: " + status + " Duration: " + fixed2(d.asDouble()) + " ms" : "";
      }
      case "platform.telemetrySubscription": {
        String name = text(record, "name");
        return !name.isEmpty() ? "TELEMETRY: " + name + " Subscribed Types: " + goList(record.path("types")) : "";
      }
      case "platform.extension": {
        String name = text(record, "name");
        return !name.isEmpty() ? "EXTENSION Name: " + name + " State: " + text(record, "state") + " Events: "
            + goList(record.path("events")) : "";
      }
      case "platform.logsDropped": {
        JsonNode records = record.path("droppedRecords");
        JsonNode bytes = record.path("droppedBytes");
        String reason = text(record, "reason");
        return records.isNumber() && bytes.isNumber() && !reason.isEmpty()
            ? "LOGS_DROPPED DroppedRecords: " + fixed0(records.asDouble()) + " DroppedBytes: "
                + fixed0(bytes.asDouble()) + " Reason: " + reason : "";
      }
      default:
        return "";
    }
  }

  /** {@code createPlatformReportMessage}: AWS's REPORT line; the status only when it is not success. */
  static String reportMessage(String requestId, JsonNode record) {
    if (requestId.isEmpty()) {
      return "";
    }
    StringBuilder m = new StringBuilder("REPORT RequestId: ").append(requestId);
    JsonNode metrics = record.path("metrics");
    if (!metrics.isObject()) {
      return m.toString();
    }
    if (metrics.path("durationMs").isNumber()) {
      m.append(" Duration: ").append(fixed2(metrics.get("durationMs").asDouble())).append(" ms");
    }
    if (metrics.path("billedDurationMs").isNumber()) {
      m.append(" Billed Duration: ").append(fixed0(metrics.get("billedDurationMs").asDouble())).append(" ms");
    }
    if (metrics.path("memorySizeMB").isNumber()) {
      m.append(" Memory Size: ").append(fixed0(metrics.get("memorySizeMB").asDouble())).append(" MB");
    }
    if (metrics.path("maxMemoryUsedMB").isNumber()) {
      m.append(" Max Memory Used: ").append(fixed0(metrics.get("maxMemoryUsedMB").asDouble())).append(" MB");
    }
    if (metrics.path("initDurationMs").isNumber()) {
      m.append(" Init Duration: ").append(fixed2(metrics.get("initDurationMs").asDouble())).append(" ms");
    }
    String status = record.path("status").isTextual() ? record.get("status").asText() : "success";
    if (!status.equals("success")) {
      m.append(" Status: ").append(status);
    }
    return m.toString();
  }

  /** Go's {@code %v} of a {@code []interface{}} of strings: {@code [INVOKE SHUTDOWN]}. */
  private static String goList(JsonNode array) {
    List<String> items = new ArrayList<>();
    array.forEach(n -> items.add(n.isTextual() ? n.asText() : n.toString()));
    return "[" + String.join(" ", items) + "]";
  }

  private static String fixed2(double v) {
    return String.format(Locale.ROOT, "%.2f", v);
  }

  private static String fixed0(double v) {
    return String.format(Locale.ROOT, "%.0f", v);
  }

  private static String text(JsonNode record, String key) {
    JsonNode v = record.path(key);
    return v.isTextual() ? v.asText() : "";
  }

  /** Go's {@code time.Parse(time.RFC3339, …)}. */
  static long parseTime(String text) {
    try {
      return nanos(OffsetDateTime.parse(text, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant());
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException("parsing time \"" + text + "\" as RFC 3339: " + e.getMessage(), e);
    }
  }

  private static long nanos(Instant t) {
    return t.getEpochSecond() * 1_000_000_000L + t.getNano();
  }

  /** pdata's {@code Value.FromRaw} of a decoded JSON value: numbers are doubles, null an empty value. */
  static AnyValue raw(JsonNode v) {
    AnyValue.Builder b = AnyValue.newBuilder();
    if (v == null || v.isNull()) {
      return b.build();
    }
    if (v.isTextual()) {
      return b.setStringValue(v.asText()).build();
    }
    if (v.isBoolean()) {
      return b.setBoolValue(v.asBoolean()).build();
    }
    if (v.isNumber()) {
      return b.setDoubleValue(v.asDouble()).build();
    }
    if (v.isArray()) {
      ArrayValue.Builder a = ArrayValue.newBuilder();
      v.forEach(item -> a.addValues(raw(item)));
      return b.setArrayValue(a).build();
    }
    if (v.isObject()) {
      KeyValueList.Builder kv = KeyValueList.newBuilder();
      v.fields().forEachRemaining(f -> kv.addValues(KeyValue.newBuilder().setKey(f.getKey()).setValue(raw(f.getValue()))));
      return b.setKvlistValue(kv).build();
    }
    if (v.isBinary()) {
      try {
        return b.setBytesValue(ByteString.copyFrom(v.binaryValue())).build();
      } catch (java.io.IOException e) {
        return b.build();
      }
    }
    return b.setStringValue(v.asText()).build();
  }

  private static KeyValue str(String key, String value) {
    return KeyValue.newBuilder().setKey(key).setValue(AnyValue.newBuilder().setStringValue(value)).build();
  }

  /** pdata's {@code SeverityNumber.String()}: {@code Info}, {@code Warn2}, {@code Unspecified}. */
  static String severityName(SeverityNumber n) {
    if (n == SeverityNumber.SEVERITY_NUMBER_UNSPECIFIED) {
      return "Unspecified";
    }
    String s = n.name().substring("SEVERITY_NUMBER_".length());
    return s.charAt(0) + s.substring(1).toLowerCase(Locale.ROOT);
  }

  /** {@code severityTextToNumber}. */
  private static Map<String, SeverityNumber> severities() {
    Map<String, SeverityNumber> m = new LinkedHashMap<>();
    for (String level : List.of("TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL")) {
      m.put(level, SeverityNumber.valueOf("SEVERITY_NUMBER_" + level));
      for (int i = 2; i <= 4; i++) {
        m.put(level + i, SeverityNumber.valueOf("SEVERITY_NUMBER_" + level + i));
      }
    }
    m.put("CRITICAL", SeverityNumber.SEVERITY_NUMBER_FATAL);
    m.put("ALL", SeverityNumber.SEVERITY_NUMBER_TRACE);
    m.put("WARNING", SeverityNumber.SEVERITY_NUMBER_WARN);
    return Map.copyOf(m);
  }
}
