package io.traceharness.collector;

import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.traceharness.collector.CollectorConfig.MappingMode;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where the {@code elasticsearch} exporter writes one document, as {@code data_stream_router.go} decides it:
 * a static index when {@code <signal>_index} is configured; otherwise the {@code elasticsearch.index}
 * attribute, else the data stream {@code <type>-<dataset>-<namespace>} from the {@code data_stream.dataset}
 * and {@code data_stream.namespace} attributes (record, then scope, then resource attributes: the first that
 * has the key wins), defaults {@code generic} and {@code default}, the receiver named in the scope name as
 * dataset when none is set, {@code .otel} appended to the dataset in otel mode, both sanitized. Span events
 * go to {@code logs} data streams, routed by the event's own attributes.
 */
final class DocumentRouter {

  static final String DATA_STREAM_TYPE = "data_stream.type";
  static final String DATA_STREAM_DATASET = "data_stream.dataset";
  static final String DATA_STREAM_NAMESPACE = "data_stream.namespace";
  static final String INDEX_ATTRIBUTE = "elasticsearch.index";

  private static final Pattern RECEIVER = Pattern.compile("/receiver/(\\w*receiver)");
  private static final int MAX_DATA_STREAM_BYTES = 100;
  private static final String DISALLOWED_NAMESPACE = "\\/*?\"<>| ,#:";
  private static final String DISALLOWED_DATASET = "-\\/*?\"<>| ,#:";

  /** An index name, and the data stream it is when all three parts are set ({@code internal/elasticsearch/index.go}). */
  record Index(String index, String type, String dataset, String namespace) {
    static Index of(String index) {
      return new Index(index, "", "", "");
    }

    static Index dataStream(String type, String dataset, String namespace) {
      return new Index(type + "-" + dataset + "-" + namespace, type, dataset, namespace);
    }

    boolean isDataStream() {
      return !type.isEmpty() && !dataset.isEmpty() && !namespace.isEmpty();
    }
  }

  private final MappingMode mode;
  private final String staticIndex;

  /** @param staticIndex the configured {@code <signal>_index}; empty for dynamic routing */
  DocumentRouter(MappingMode mode, String staticIndex) {
    this.mode = mode;
    this.staticIndex = staticIndex == null ? "" : staticIndex;
  }

  Index route(String type, Resource resource, InstrumentationScope scope, List<KeyValue> recordAttributes) {
    if (!staticIndex.isEmpty()) {
      return Index.of(staticIndex);
    }
    List<KeyValue> scopeAttributes = scope.getAttributesList();
    List<KeyValue> resourceAttributes = resource.getAttributesList();
    Optional<String> esIndex = fromAttributes(INDEX_ATTRIBUTE, recordAttributes, scopeAttributes, resourceAttributes);
    if (esIndex.isPresent()) {
      return Index.of(esIndex.get());
    }
    Optional<String> ds = fromAttributes(DATA_STREAM_DATASET, recordAttributes, scopeAttributes, resourceAttributes);
    String dataset = ds.orElse("generic");
    String namespace = fromAttributes(DATA_STREAM_NAMESPACE, recordAttributes, scopeAttributes, resourceAttributes)
        .orElse("default");
    if (ds.isEmpty()) {
      Matcher m = RECEIVER.matcher(scope.getName());
      if (m.find()) {
        dataset = m.group(1);
      }
    }
    String suffix = mode == MappingMode.OTEL ? ".otel" : "";
    return Index.dataStream(type, sanitize(dataset, DISALLOWED_DATASET, suffix),
        sanitize(namespace, DISALLOWED_NAMESPACE, ""));
  }

  /** The first of the maps that has {@code key}, its value as a string (pdata {@code Value.AsString}). */
  @SafeVarargs
  static Optional<String> fromAttributes(String key, List<KeyValue>... maps) {
    for (List<KeyValue> map : maps) {
      for (KeyValue kv : map) {
        if (kv.getKey().equals(key)) {
          return Optional.of(asString(kv.getValue()));
        }
      }
    }
    return Optional.empty();
  }

  /** data_stream_router.go {@code sanitizeDataStreamField}: disallowed runes to {@code _}, lower case, at most 100 bytes. */
  static String sanitize(String field, String disallowed, String suffix) {
    StringBuilder b = new StringBuilder(field.length());
    field.codePoints().forEach(cp -> {
      if (disallowed.indexOf(cp) >= 0) {
        b.append('_');
      } else {
        b.appendCodePoint(Character.toLowerCase(cp));
      }
    });
    String out = b.toString();
    byte[] bytes = out.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    int max = MAX_DATA_STREAM_BYTES - suffix.length();
    if (bytes.length > max) {
      out = new String(bytes, 0, max, java.nio.charset.StandardCharsets.UTF_8);
    }
    return out + suffix;
  }

  /** pdata {@code Value.AsString} for the values routing reads. */
  static String asString(AnyValue v) {
    return switch (v.getValueCase()) {
      case STRING_VALUE -> v.getStringValue();
      case BOOL_VALUE -> Boolean.toString(v.getBoolValue());
      case INT_VALUE -> Long.toString(v.getIntValue());
      case DOUBLE_VALUE -> formatDouble(v.getDoubleValue());
      case BYTES_VALUE -> java.util.Base64.getEncoder().encodeToString(v.getBytesValue().toByteArray());
      case KVLIST_VALUE, ARRAY_VALUE -> OtelDocumentEncoder.value(v).toString();
      default -> "";
    };
  }

  private static String formatDouble(double d) {
    if (d == Math.rint(d) && !Double.isInfinite(d) && Math.abs(d) < 1e21) {
      return Long.toString((long) d);
    }
    return Double.toString(d).toLowerCase(Locale.ROOT);
  }
}
