package io.traceharness.apm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/** Field helpers shared by the OTLP and intake mappings. */
final class Docs {

  static final ObjectMapper JSON = new ObjectMapper();
  static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private static final DateTimeFormatter TIMESTAMP =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

  private Docs() {
  }

  static ObjectNode object() {
    return NODES.objectNode();
  }

  /** The object at a dotted path, created on the way. */
  static ObjectNode obj(ObjectNode root, String dottedPath) {
    ObjectNode node = root;
    for (String part : dottedPath.split("\\.")) {
      JsonNode child = node.get(part);
      if (!(child instanceof ObjectNode)) {
        child = node.putObject(part);
      }
      node = (ObjectNode) child;
    }
    return node;
  }

  static void put(ObjectNode root, String dottedPath, String value) {
    if (value == null || value.isEmpty()) {
      return;
    }
    int dot = dottedPath.lastIndexOf('.');
    (dot < 0 ? root : obj(root, dottedPath.substring(0, dot))).put(dottedPath.substring(dot + 1), value);
  }

  /**
   * Sets the field, or removes it for an empty value: a later attribute overwrites an earlier one in
   * apm-data's loops, and an empty string is not written.
   */
  static void replace(ObjectNode root, String dottedPath, String value) {
    if (value == null || value.isEmpty()) {
      int dot = dottedPath.lastIndexOf('.');
      ObjectNode parent = dot < 0 ? root : obj(root, dottedPath.substring(0, dot));
      parent.remove(dottedPath.substring(dot + 1));
      if (parent.isEmpty() && dot >= 0) {
        prune(root, dottedPath.substring(0, dot));
      }
      return;
    }
    put(root, dottedPath, value);
  }

  private static void prune(ObjectNode root, String dottedPath) {
    int dot = dottedPath.lastIndexOf('.');
    ObjectNode parent = dot < 0 ? root : obj(root, dottedPath.substring(0, dot));
    JsonNode child = parent.get(dottedPath.substring(dot + 1));
    if (child instanceof ObjectNode o && o.isEmpty()) {
      parent.remove(dottedPath.substring(dot + 1));
      if (parent.isEmpty() && dot >= 0) {
        prune(root, dottedPath.substring(0, dot));
      }
    }
  }

  static void put(ObjectNode root, String dottedPath, long value) {
    int dot = dottedPath.lastIndexOf('.');
    (dot < 0 ? root : obj(root, dottedPath.substring(0, dot))).put(dottedPath.substring(dot + 1), value);
  }

  static void put(ObjectNode root, String dottedPath, double value) {
    int dot = dottedPath.lastIndexOf('.');
    (dot < 0 ? root : obj(root, dottedPath.substring(0, dot))).put(dottedPath.substring(dot + 1), value);
  }

  static void put(ObjectNode root, String dottedPath, boolean value) {
    int dot = dottedPath.lastIndexOf('.');
    (dot < 0 ? root : obj(root, dottedPath.substring(0, dot))).put(dottedPath.substring(dot + 1), value);
  }

  static void putNode(ObjectNode root, String dottedPath, JsonNode value) {
    if (value == null || value.isNull() || value.isMissingNode()) {
      return;
    }
    int dot = dottedPath.lastIndexOf('.');
    (dot < 0 ? root : obj(root, dottedPath.substring(0, dot))).set(dottedPath.substring(dot + 1), value);
  }

  /** {@code @timestamp} (millisecond precision, as APM Server renders it) and {@code timestamp.us}. */
  static void timestamp(ObjectNode doc, long epochNanos) {
    doc.put("@timestamp", formatTimestamp(epochNanos));
    put(doc, "timestamp.us", epochNanos / 1_000);
  }

  static String formatTimestamp(long epochNanos) {
    return TIMESTAMP.format(Instant.ofEpochSecond(0, epochNanos));
  }

  /**
   * {@code event.duration} in nanoseconds, all APM Server writes: {@code <event>.duration.us} comes
   * from Elasticsearch's {@code traces-apm@pipeline} ({@link IngestPipelines}).
   */
  static void duration(ObjectNode doc, String event, long nanos) {
    put(doc, "event.duration", nanos);
  }

  /**
   * {@code event.outcome}; {@code event.success_count} is left to Elasticsearch's
   * {@code traces-apm@pipeline} ({@link IngestPipelines}), as APM Server leaves it.
   */
  static void outcome(ObjectNode doc, String outcome) {
    put(doc, "event.outcome", outcome);
  }

  static void dataStream(ObjectNode doc, String type, String dataset) {
    ObjectNode ds = obj(doc, "data_stream");
    ds.put("type", type);
    ds.put("dataset", dataset);
    ds.put("namespace", "default");
  }

  static String dataStreamName(ObjectNode doc) {
    JsonNode ds = doc.path("data_stream");
    return ds.path("type").asText() + "-" + ds.path("dataset").asText() + "-" + ds.path("namespace").asText();
  }

  /** Lower-cased, with characters Elasticsearch forbids in data stream names (and '-') as '_'. */
  static String normalizeForDataset(String serviceName) {
    String s = serviceName == null || serviceName.isEmpty() ? "unknown" : serviceName.toLowerCase(Locale.ROOT);
    StringBuilder b = new StringBuilder(s.length());
    for (char c : s.toCharArray()) {
      b.append("\\/*?\"<>| ,#:-".indexOf(c) >= 0 ? '_' : c);
    }
    return b.toString();
  }

  /** Service names keep {@code [a-zA-Z0-9 _-]}; anything else becomes '_'. */
  static String cleanServiceName(String name) {
    if (name == null || name.isEmpty()) {
      return "unknown";
    }
    StringBuilder b = new StringBuilder(name.length());
    for (char c : name.toCharArray()) {
      boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || c == ' ' || c == '_' || c == '-';
      b.append(ok ? c : '_');
    }
    return b.toString();
  }

  static String labelKey(String key) {
    return key.replace('.', '_');
  }

  static void label(ObjectNode doc, String key, String value) {
    obj(doc, "labels").put(labelKey(key), value);
  }

  static void numericLabel(ObjectNode doc, String key, double value) {
    obj(doc, "numeric_labels").put(labelKey(key), value);
  }

  static void labelArray(ObjectNode doc, String field, String key, ArrayNode values) {
    obj(doc, field).set(labelKey(key), values);
  }

  static String truncate(String s) {
    if (s == null || s.codePointCount(0, s.length()) <= 1024) {
      return s;
    }
    return s.substring(0, s.offsetByCodePoints(0, 1024));
  }
}
