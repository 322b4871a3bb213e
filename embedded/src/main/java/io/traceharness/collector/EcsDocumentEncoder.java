package io.traceharness.collector;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The {@code elasticsearch} exporter's {@code ecs} mapping mode for spans and log records, as its
 * {@code ecsModeEncoder} writes them (the encoder file with {@code resourceAttrsConversionMap}, semconv v1.38
 * names) over {@code internal/objmodel}: resource, scope and record attributes are renamed to ECS fields by
 * conversion tables, everything else kept under its own name at the top level, then the flat keys are
 * de-duplicated (the last value wins) and de-dotted into nested objects. Spans get {@code trace.id},
 * {@code span.id}, {@code span.name}, {@code parent.id}, {@code event.outcome}, {@code span.links},
 * {@code span.kind} (upper case) and no duration; span events get no document of their own.
 */
final class EcsDocumentEncoder {

  private static final DateTimeFormatter TS = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSSSS'Z'")
      .withZone(ZoneOffset.UTC);
  private static final HexFormat HEX = HexFormat.of();

  /** A conversion: the ECS name, whether the original is kept too, whether it yields to an existing target. */
  private record Conversion(String to, boolean skip, boolean preserveOriginal, boolean skipIfExists) {
    static Conversion to(String to) {
      return new Conversion(to, false, false, false);
    }

    static Conversion skipped() {
      return new Conversion("", true, false, false);
    }
  }

  private static final Map<String, Conversion> RESOURCE = Map.ofEntries(
      Map.entry("service.instance.id", Conversion.to("service.node.name")),
      Map.entry("deployment.environment", Conversion.to("service.environment")),
      Map.entry("deployment.environment.name", Conversion.to("service.environment")),
      Map.entry("telemetry.sdk.name", Conversion.skipped()),
      Map.entry("telemetry.sdk.language", Conversion.skipped()),
      Map.entry("telemetry.sdk.version", Conversion.skipped()),
      Map.entry("telemetry.distro.name", Conversion.skipped()),
      Map.entry("telemetry.distro.version", Conversion.skipped()),
      Map.entry("cloud.platform", Conversion.to("cloud.service.name")),
      Map.entry("container.image.tags", Conversion.to("container.image.tag")),
      Map.entry("host.name", new Conversion("host.hostname", false, true, true)),
      Map.entry("host.arch", Conversion.to("host.architecture")),
      Map.entry("process.parent_pid", Conversion.to("process.parent.pid")),
      Map.entry("process.executable.name", Conversion.to("process.title")),
      Map.entry("process.executable.path", Conversion.to("process.executable")),
      Map.entry("process.command_line", Conversion.to("process.args")),
      Map.entry("process.runtime.name", Conversion.to("service.runtime.name")),
      Map.entry("process.runtime.version", Conversion.to("service.runtime.version")),
      Map.entry("os.name", Conversion.to("host.os.name")),
      Map.entry("os.type", Conversion.to("host.os.platform")),
      Map.entry("os.description", Conversion.to("host.os.full")),
      Map.entry("os.version", Conversion.to("host.os.version")),
      Map.entry("client.address", Conversion.to("client.ip")),
      Map.entry("source.address", Conversion.to("source.ip")),
      Map.entry("k8s.deployment.name", Conversion.to("kubernetes.deployment.name")),
      Map.entry("k8s.namespace.name", Conversion.to("kubernetes.namespace")),
      Map.entry("k8s.node.name", Conversion.to("kubernetes.node.name")),
      Map.entry("k8s.pod.name", Conversion.to("kubernetes.pod.name")),
      Map.entry("k8s.pod.uid", Conversion.to("kubernetes.pod.uid")),
      Map.entry("k8s.job.name", Conversion.to("kubernetes.job.name")),
      Map.entry("k8s.cronjob.name", Conversion.to("kubernetes.cronjob.name")),
      Map.entry("k8s.statefulset.name", Conversion.to("kubernetes.statefulset.name")),
      Map.entry("k8s.replicaset.name", Conversion.to("kubernetes.replicaset.name")),
      Map.entry("k8s.daemonset.name", Conversion.to("kubernetes.daemonset.name")),
      Map.entry("k8s.container.name", Conversion.to("kubernetes.container.name")),
      Map.entry("k8s.cluster.name", Conversion.to("orchestrator.cluster.name")),
      Map.entry("faas.instance", Conversion.to("faas.id")),
      Map.entry("faas.trigger", Conversion.to("faas.trigger.type")));

  private static final Map<String, Conversion> LOG_RECORD = Map.of(
      "event.name", Conversion.to("event.action"),
      "exception.message", Conversion.to("error.message"),
      "exception.stacktrace", Conversion.to("error.stacktrace"),
      "exception.type", Conversion.to("error.type"),
      "exception.escaped", Conversion.to("event.error.exception.handled"),
      "http.response.body.size", Conversion.to("http.response.encoded_body_size"));

  private EcsDocumentEncoder() {
  }

  /** {@code ecsModeEncoder.encodeSpan}. */
  static ObjectNode span(Resource resource, InstrumentationScope scope, Span span, DocumentRouter.Index index) {
    Flat doc = new Flat();
    doc.attributes(resource.getAttributesList(), RESOURCE);
    doc.attributes(scope.getAttributesList(), Map.of());
    boolean transaction = span.getAttributesList().stream().anyMatch(kv -> kv.getKey().equals("processor.event")
        && kv.getValue().getStringValue().equals("transaction"));
    Map<String, Conversion> spanConversions = Map.of(
        "messaging.destination.name", Conversion.to(transaction ? "transaction.message.queue.name"
            : "span.message.queue.name"),
        "messaging.operation.name", Conversion.to("span.action"),
        "db.system", Conversion.to("span.db.type"),
        "db.namespace", Conversion.to("span.db.instance"),
        "db.query.text", Conversion.to("span.db.statement"),
        "http.response.body.size", Conversion.to("http.response.encoded_body_size"));
    doc.attributes(span.getAttributesList(), spanConversions);
    hostOsType(doc, resource);
    dataStream(doc, index);
    doc.put("@timestamp", OtelDocumentEncoder.NODES.textNode(timestamp(span.getStartTimeUnixNano())));
    doc.id("trace.id", span.getTraceId());
    doc.id("span.id", span.getSpanId());
    doc.string("span.name", span.getName());
    doc.id("parent.id", span.getParentSpanId());
    if (span.getStatus().getCode() == Status.StatusCode.STATUS_CODE_OK) {
      doc.string("event.outcome", "success");
    } else if (span.getStatus().getCode() == Status.StatusCode.STATUS_CODE_ERROR) {
      doc.string("event.outcome", "failure");
    }
    if (span.getLinksCount() > 0) {
      ArrayNode links = OtelDocumentEncoder.NODES.arrayNode();
      for (Span.Link link : span.getLinksList()) {
        ObjectNode l = links.addObject();
        l.putObject("trace").put("id", HEX.formatHex(link.getTraceId().toByteArray()));
        l.putObject("span").put("id", HEX.formatHex(link.getSpanId().toByteArray()));
      }
      doc.put("span.links", links);
    }
    String kind = switch (span.getKind()) {
      case SPAN_KIND_INTERNAL -> "INTERNAL";
      case SPAN_KIND_SERVER -> "SERVER";
      case SPAN_KIND_CLIENT -> "CLIENT";
      case SPAN_KIND_PRODUCER -> "PRODUCER";
      case SPAN_KIND_CONSUMER -> "CONSUMER";
      default -> "";
    };
    doc.string("span.kind", kind);
    return doc.toObject();
  }

  /** Span events: the ecs encoder writes none ({@code nopSpanEventEncoder}). */
  static ObjectNode spanEvent(Resource resource, InstrumentationScope scope, Span span, Span.Event event,
      DocumentRouter.Index index) {
    return null;
  }

  /** {@code ecsModeEncoder.encodeLog}. */
  static ObjectNode log(Resource resource, InstrumentationScope scope, LogRecord record, DocumentRouter.Index index) {
    Flat doc = new Flat();
    doc.attributes(resource.getAttributesList(), RESOURCE);
    doc.attributes(scope.getAttributesList(), Map.of());
    doc.attributes(record.getAttributesList(), LOG_RECORD);
    dataStream(doc, index);
    agentName(doc, resource);
    agentVersion(doc, resource);
    hostOsType(doc, resource);
    long ts = record.getTimeUnixNano() != 0 ? record.getTimeUnixNano() : record.getObservedTimeUnixNano();
    doc.put("@timestamp", OtelDocumentEncoder.NODES.textNode(timestamp(ts)));
    doc.id("trace.id", record.getTraceId());
    doc.id("span.id", record.getSpanId());
    if (record.getSeverityNumberValue() != 0) {
      doc.put("event.severity", OtelDocumentEncoder.NODES.numberNode(record.getSeverityNumberValue()));
    }
    doc.string("log.level", record.getSeverityText());
    if (record.getBody().hasStringValue()) {
      doc.put("message", OtelDocumentEncoder.NODES.textNode(record.getBody().getStringValue()));
    }
    return doc.toObject();
  }

  private static void dataStream(Flat doc, DocumentRouter.Index index) {
    if (index.isDataStream()) {
      doc.string("data_stream.type", index.type());
      doc.string("data_stream.dataset", index.dataset());
      doc.string("data_stream.namespace", index.namespace());
    }
  }

  /** {@code encodeLogAgentNameECSMode}: {@code otlp}, or {@code <sdk>/<language>[/<distro>]}. */
  private static void agentName(Flat doc, Resource resource) {
    List<KeyValue> attrs = resource.getAttributesList();
    String sdk = DocumentRouter.fromAttributes("telemetry.sdk.name", attrs).orElse("otlp");
    String language = DocumentRouter.fromAttributes("telemetry.sdk.language", attrs).orElse("");
    String distro = DocumentRouter.fromAttributes("telemetry.distro.name", attrs).orElse("");
    if (!distro.isEmpty() && language.isEmpty()) {
      language = "unknown";
    }
    String name = sdk;
    if (!distro.isEmpty()) {
      name = sdk + "/" + language + "/" + distro;
    } else if (!language.isEmpty()) {
      name = sdk + "/" + language;
    }
    doc.string("agent.name", name);
  }

  /** {@code encodeLogAgentVersionECSMode}: the distro version, else the SDK version. */
  private static void agentVersion(Flat doc, Resource resource) {
    List<KeyValue> attrs = resource.getAttributesList();
    DocumentRouter.fromAttributes("telemetry.distro.version", attrs)
        .or(() -> DocumentRouter.fromAttributes("telemetry.sdk.version", attrs))
        .ifPresent(v -> doc.string("agent.version", v));
  }

  /** {@code encodeHostOsTypeECSMode}: linux, windows, macos, unix, android or ios; nothing otherwise. */
  private static void hostOsType(Flat doc, Resource resource) {
    List<KeyValue> attrs = resource.getAttributesList();
    String type = switch (DocumentRouter.fromAttributes("os.type", attrs).orElse("")) {
      case "windows", "linux" -> DocumentRouter.fromAttributes("os.type", attrs).get();
      case "darwin" -> "macos";
      case "aix", "hpux", "solaris" -> "unix";
      default -> "";
    };
    switch (DocumentRouter.fromAttributes("os.name", attrs).orElse("")) {
      case "Android" -> type = "android";
      case "iOS" -> type = "ios";
      default -> {
      }
    }
    doc.string("host.os.type", type);
  }

  /** objmodel's timestamp layout: {@code 2006-01-02T15:04:05.000000000Z}. */
  static String timestamp(long unixNano) {
    return TS.format(Instant.ofEpochSecond(Math.floorDiv(unixNano, 1_000_000_000L),
        Math.floorMod(unixNano, 1_000_000_000L)));
  }

  /** objmodel's flat document: keys with dots, maps flattened, de-duplicated and de-dotted on output. */
  private static final class Flat {
    private final List<Map.Entry<String, JsonNode>> fields = new ArrayList<>();

    void put(String key, JsonNode value) {
      fields.add(Map.entry(key, value));
    }

    void string(String key, String value) {
      if (value != null && !value.isEmpty()) {
        put(key, OtelDocumentEncoder.NODES.textNode(value));
      }
    }

    void id(String key, com.google.protobuf.ByteString id) {
      if (!id.isEmpty()) {
        put(key, OtelDocumentEncoder.NODES.textNode(HEX.formatHex(id.toByteArray())));
      }
    }

    /** objmodel {@code AddAttribute}: a map value adds one field per entry under {@code key.}. */
    void attribute(String key, AnyValue v) {
      if (v.hasKvlistValue()) {
        for (KeyValue kv : v.getKvlistValue().getValuesList()) {
          attribute(key + "." + kv.getKey(), kv.getValue());
        }
        return;
      }
      if (v.getValueCase() == AnyValue.ValueCase.VALUE_NOT_SET) {
        return;
      }
      put(key, OtelDocumentEncoder.value(v));
    }

    /** {@code encodeAttributesECSMode}. */
    void attributes(List<KeyValue> attrs, Map<String, Conversion> conversions) {
      for (KeyValue kv : attrs) {
        Conversion c = conversions.get(kv.getKey());
        if (c == null) {
          attribute(kv.getKey(), kv.getValue());
          continue;
        }
        if (c.skip()) {
          continue;
        }
        if (!c.skipIfExists() || attrs.stream().noneMatch(o -> o.getKey().equals(c.to()))) {
          attribute(c.to(), kv.getValue());
        }
        if (c.preserveOriginal()) {
          attribute(kv.getKey(), kv.getValue());
        }
      }
    }

    /**
     * objmodel {@code Dedup} then {@code Serialize} with dedot: sorted keys, the last of equal keys wins, a value
     * whose key is also a prefix of other keys moves to {@code <key>.value}, dots become nested objects.
     */
    ObjectNode toObject() {
      TreeMap<String, JsonNode> sorted = new TreeMap<>();
      for (Map.Entry<String, JsonNode> e : fields) {
        sorted.put(e.getKey(), e.getValue());
      }
      TreeMap<String, JsonNode> deduped = new TreeMap<>();
      for (Map.Entry<String, JsonNode> e : sorted.entrySet()) {
        String k = e.getKey();
        String next = sorted.higherKey(k);
        boolean prefix = next != null && next.startsWith(k + ".");
        deduped.put(prefix && !e.getValue().isObject() ? k + ".value" : k, e.getValue());
      }
      ObjectNode root = OtelDocumentEncoder.NODES.objectNode();
      for (Map.Entry<String, JsonNode> e : deduped.entrySet()) {
        String[] parts = e.getKey().split("\\.", -1);
        ObjectNode node = root;
        for (int i = 0; i < parts.length - 1; i++) {
          JsonNode child = node.get(parts[i]);
          node = child instanceof ObjectNode o ? o : node.putObject(parts[i]);
        }
        node.set(parts[parts.length - 1], e.getValue());
      }
      return root;
    }
  }
}
