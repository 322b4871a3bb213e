package io.traceharness.collector;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.ByteString;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The {@code elasticsearch} exporter's {@code otel} mapping mode: one document per span, span event and log
 * record, field for field as {@code internal/serializer/otelserializer} ({@code traces.go}, {@code logs.go},
 * {@code common.go}) and {@code internal/serializer/map.go} write them.
 *
 * <ul>
 *   <li>{@code @timestamp} (and {@code observed_timestamp}) is a string, epoch milliseconds, a dot, and the
 *       nanoseconds within that millisecond, unpadded ({@code "1705314600000.0"}, {@code "1705314600001.5"} for 5 ns
 *       past): Elasticsearch's {@code epoch_millis} parser reads the part after the dot as nanoseconds of the milli.
 *   <li>ids as lower-case hex, left out when all zero; {@code kind} and {@code status.code} as pdata spells
 *       them ({@code Server}, {@code Unspecified}, {@code Ok}, {@code Error}; an unset status code is left out);
 *       {@code duration} in nanoseconds.
 *   <li>attributes keep their type (strings, integers, doubles, booleans, nested maps, arrays; bytes as hex);
 *       the routing and hint attributes ({@code data_stream.*}, {@code elasticsearch.mapping.hints},
 *       {@code elastic.mapping.mode}, {@code elasticsearch.document_id}, {@code elasticsearch.ingest_pipeline},
 *       {@code elasticsearch.index}) are left out; {@code *geo.location.lat}/{@code lon} pairs become one
 *       {@code geo.location} {@code [lon, lat]}.
 *   <li>zero counts and empty strings are left out; {@code links} is always there (maybe empty), as is
 *       {@code status}.
 * </ul>
 */
final class OtelDocumentEncoder {

  static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  static final String MAPPING_HINTS = "elasticsearch.mapping.hints";
  static final String MAPPING_MODE = "elastic.mapping.mode";
  static final String DOCUMENT_ID = "elasticsearch.document_id";
  static final String DOCUMENT_PIPELINE = "elasticsearch.ingest_pipeline";

  private static final Set<String> EXCLUDED = Set.of(DocumentRouter.DATA_STREAM_TYPE,
      DocumentRouter.DATA_STREAM_DATASET, DocumentRouter.DATA_STREAM_NAMESPACE, MAPPING_HINTS, MAPPING_MODE,
      DOCUMENT_ID, DOCUMENT_PIPELINE, DocumentRouter.INDEX_ATTRIBUTE);
  private static final HexFormat HEX = HexFormat.of();
  private static final String[] KINDS = {"Unspecified", "Internal", "Server", "Client", "Producer", "Consumer"};
  /**
   * The status codes as the serializer's own tests expect them (otelserializer/traces_test.go "unset status
   * code": {@code "status": {}}): an unset code is left out.
   */
  private static final String[] STATUS_CODES = {"", "Ok", "Error"};

  private OtelDocumentEncoder() {
  }

  /** traces.go {@code SerializeSpan}. */
  static ObjectNode span(Resource resource, String resourceSchemaUrl, InstrumentationScope scope,
      String scopeSchemaUrl, Span span, DocumentRouter.Index index) {
    ObjectNode doc = NODES.objectNode();
    doc.put("@timestamp", timestamp(span.getStartTimeUnixNano()));
    dataStream(doc, index);
    id(doc, "trace_id", span.getTraceId());
    id(doc, "span_id", span.getSpanId());
    string(doc, "trace_state", span.getTraceState());
    id(doc, "parent_span_id", span.getParentSpanId());
    string(doc, "name", span.getName());
    string(doc, "kind", kind(span.getKindValue()));
    doc.put("duration", unsigned(span.getEndTimeUnixNano() - span.getStartTimeUnixNano()));
    attributes(doc, span.getAttributesList());
    count(doc, "dropped_attributes_count", span.getDroppedAttributesCount());
    count(doc, "dropped_events_count", span.getDroppedEventsCount());
    ArrayNode links = doc.putArray("links");
    for (Span.Link link : span.getLinksList()) {
      ObjectNode l = links.addObject();
      id(l, "trace_id", link.getTraceId());
      id(l, "span_id", link.getSpanId());
      string(l, "trace_state", link.getTraceState());
      attributes(l, link.getAttributesList());
      count(l, "dropped_attributes_count", link.getDroppedAttributesCount());
    }
    count(doc, "dropped_links_count", span.getDroppedLinksCount());
    ObjectNode status = doc.putObject("status");
    string(status, "message", span.getStatus().getMessage());
    string(status, "code", statusCode(span.getStatus()));
    resource(doc, resource, resourceSchemaUrl);
    scope(doc, scope, scopeSchemaUrl);
    return doc;
  }

  /**
   * traces.go {@code SerializeSpanEvent}: a log document with the event's time, the span's ids, the event
   * name as {@code event_name} and as the {@code event.name} attribute.
   */
  static ObjectNode spanEvent(Resource resource, String resourceSchemaUrl, InstrumentationScope scope,
      String scopeSchemaUrl, Span span, Span.Event event, DocumentRouter.Index index) {
    ObjectNode doc = NODES.objectNode();
    doc.put("@timestamp", timestamp(event.getTimeUnixNano()));
    dataStream(doc, index);
    id(doc, "trace_id", span.getTraceId());
    id(doc, "span_id", span.getSpanId());
    count(doc, "dropped_attributes_count", event.getDroppedAttributesCount());
    string(doc, "event_name", event.getName());
    List<KeyValue> attributes = event.getAttributesList();
    if (!event.getName().isEmpty()) {
      attributes = put(attributes, "event.name", AnyValue.newBuilder().setStringValue(event.getName()).build());
    }
    attributes(doc, attributes);
    resource(doc, resource, resourceSchemaUrl);
    scope(doc, scope, scopeSchemaUrl);
    return doc;
  }

  /** logs.go {@code SerializeLog}. */
  static ObjectNode log(Resource resource, String resourceSchemaUrl, InstrumentationScope scope,
      String scopeSchemaUrl, LogRecord record, DocumentRouter.Index index) {
    ObjectNode doc = NODES.objectNode();
    long ts = record.getTimeUnixNano() != 0 ? record.getTimeUnixNano() : record.getObservedTimeUnixNano();
    doc.put("@timestamp", timestamp(ts));
    doc.put("observed_timestamp", timestamp(record.getObservedTimeUnixNano()));
    dataStream(doc, index);
    string(doc, "severity_text", record.getSeverityText());
    count(doc, "severity_number", record.getSeverityNumberValue());
    id(doc, "trace_id", record.getTraceId());
    id(doc, "span_id", record.getSpanId());
    attributes(doc, record.getAttributesList());
    count(doc, "dropped_attributes_count", record.getDroppedAttributesCount());
    if (!record.getEventName().isEmpty()) {
      doc.put("event_name", record.getEventName());
    } else {
      for (KeyValue kv : record.getAttributesList()) {
        if (kv.getKey().equals("event.name") && kv.getValue().hasStringValue()
            && !kv.getValue().getStringValue().isEmpty()) {
          doc.put("event_name", kv.getValue().getStringValue());
          break;
        }
      }
    }
    resource(doc, resource, resourceSchemaUrl);
    scope(doc, scope, scopeSchemaUrl);
    body(doc, record.getBody());
    return doc;
  }

  /** logs.go {@code writeLogBody}: {@code body.text} for scalars, {@code body.structured} for maps and lists of maps. */
  private static void body(ObjectNode doc, AnyValue body) {
    if (body.getValueCase() == AnyValue.ValueCase.VALUE_NOT_SET) {
      return;
    }
    ObjectNode b = doc.putObject("body");
    switch (body.getValueCase()) {
      case KVLIST_VALUE -> b.set("structured", value(body));
      case ARRAY_VALUE -> {
        boolean allMaps = body.getArrayValue().getValuesList().stream().allMatch(AnyValue::hasKvlistValue);
        if (allMaps) {
          b.set("structured", value(body));
        } else {
          b.putObject("structured").set("value", value(body));
        }
      }
      default -> b.set("text", value(body));
    }
  }

  static void dataStream(ObjectNode doc, DocumentRouter.Index index) {
    if (!index.isDataStream()) {
      return;
    }
    ObjectNode ds = doc.putObject("data_stream");
    string(ds, "type", index.type());
    string(ds, "dataset", index.dataset());
    string(ds, "namespace", index.namespace());
  }

  private static void resource(ObjectNode doc, Resource resource, String schemaUrl) {
    ObjectNode r = doc.putObject("resource");
    string(r, "schema_url", schemaUrl);
    attributes(r, resource.getAttributesList());
    count(r, "dropped_attributes_count", resource.getDroppedAttributesCount());
  }

  private static void scope(ObjectNode doc, InstrumentationScope scope, String schemaUrl) {
    ObjectNode s = doc.putObject("scope");
    string(s, "schema_url", schemaUrl);
    string(s, "name", scope.getName());
    string(s, "version", scope.getVersion());
    attributes(s, scope.getAttributesList());
    count(s, "dropped_attributes_count", scope.getDroppedAttributesCount());
  }

  /** common.go {@code writeAttributes}: nothing for no attributes; routing keys left out; geo pairs merged. */
  private static void attributes(ObjectNode doc, List<KeyValue> attributes) {
    if (attributes.isEmpty()) {
      return;
    }
    ObjectNode a = doc.putObject("attributes");
    Map<String, double[]> geo = new LinkedHashMap<>();
    for (KeyValue kv : attributes) {
      String k = kv.getKey();
      if (EXCLUDED.contains(k)) {
        continue;
      }
      if (kv.getValue().hasDoubleValue() && isGeo(k)) {
        String prefix = k.substring(0, k.length() - "geo.location.lat".length());
        double[] g = geo.computeIfAbsent(prefix, p -> new double[] {Double.NaN, Double.NaN});
        g[k.endsWith(".lon") ? 0 : 1] = kv.getValue().getDoubleValue();
        continue;
      }
      a.set(k, value(kv.getValue()));
    }
    geo.forEach((prefix, g) -> {
      if (!Double.isNaN(g[0]) && !Double.isNaN(g[1])) {
        a.putArray(prefix + "geo.location").add(g[0]).add(g[1]);
      } else if (!Double.isNaN(g[0])) {
        a.put(prefix + "geo.location.lon", g[0]);
      } else {
        a.put(prefix + "geo.location.lat", g[1]);
      }
    });
  }

  private static boolean isGeo(String k) {
    return k.equals("geo.location.lat") || k.equals("geo.location.lon") || k.endsWith(".geo.location.lat")
        || k.endsWith(".geo.location.lon");
  }

  /** map.go {@code WriteValue}: the JSON form of an attribute value; bytes as hex, no value as null. */
  static JsonNode value(AnyValue v) {
    return switch (v.getValueCase()) {
      case STRING_VALUE -> NODES.textNode(v.getStringValue());
      case BOOL_VALUE -> NODES.booleanNode(v.getBoolValue());
      case INT_VALUE -> NODES.numberNode(v.getIntValue());
      case DOUBLE_VALUE -> NODES.numberNode(v.getDoubleValue());
      case BYTES_VALUE -> NODES.textNode(HEX.formatHex(v.getBytesValue().toByteArray()));
      case KVLIST_VALUE -> {
        ObjectNode o = NODES.objectNode();
        for (KeyValue kv : v.getKvlistValue().getValuesList()) {
          o.set(kv.getKey(), value(kv.getValue()));
        }
        yield o;
      }
      case ARRAY_VALUE -> {
        ArrayNode a = NODES.arrayNode();
        for (AnyValue e : v.getArrayValue().getValuesList()) {
          a.add(value(e));
        }
        yield a;
      }
      default -> NODES.nullNode();
    };
  }

  /** A copy of {@code attributes} with {@code key} set (in place when present, else last), as pdata {@code PutStr}. */
  static List<KeyValue> put(List<KeyValue> attributes, String key, AnyValue value) {
    List<KeyValue> out = new ArrayList<>(attributes.size() + 1);
    boolean replaced = false;
    for (KeyValue kv : attributes) {
      if (kv.getKey().equals(key)) {
        out.add(KeyValue.newBuilder().setKey(key).setValue(value).build());
        replaced = true;
      } else {
        out.add(kv);
      }
    }
    if (!replaced) {
      out.add(KeyValue.newBuilder().setKey(key).setValue(value).build());
    }
    return out;
  }

  /** common.go {@code writeTimestampField}: {@code <millis>.<nanos of the milli>}, unsigned. */
  static String timestamp(long unixNano) {
    BigInteger n = new BigInteger(Long.toUnsignedString(unixNano));
    BigInteger[] qr = n.divideAndRemainder(BigInteger.valueOf(1_000_000));
    return qr[0] + "." + qr[1];
  }

  /** pdata {@code SpanKind.String}. */
  static String kind(int kind) {
    return kind >= 0 && kind < KINDS.length ? KINDS[kind] : "";
  }

  /** pdata {@code StatusCode.String}, but nothing for unset (see {@link #STATUS_CODES}). */
  static String statusCode(Status status) {
    int c = status.getCodeValue();
    return c >= 0 && c < STATUS_CODES.length ? STATUS_CODES[c] : "";
  }

  static void id(ObjectNode doc, String key, ByteString id) {
    if (id.isEmpty() || id.toByteArray().length == 0 || allZero(id)) {
      return;
    }
    doc.put(key, HEX.formatHex(id.toByteArray()));
  }

  private static boolean allZero(ByteString id) {
    for (int i = 0; i < id.size(); i++) {
      if (id.byteAt(i) != 0) {
        return false;
      }
    }
    return true;
  }

  static void string(ObjectNode doc, String key, String value) {
    if (value != null && !value.isEmpty()) {
      doc.put(key, value);
    }
  }

  static void count(ObjectNode doc, String key, long value) {
    if (value != 0) {
      doc.put(key, value);
    }
  }

  private static JsonNode unsigned(long value) {
    return value >= 0 ? NODES.numberNode(value) : NODES.numberNode(new BigInteger(Long.toUnsignedString(value)));
  }
}
