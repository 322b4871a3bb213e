package io.traceharness.apm;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Locale;

/**
 * {@code data_stream.dataset}/{@code data_stream.namespace} attributes (on a resource, a scope, a
 * span or a span event) choose the data stream, sanitised (elastic/apm-data v1.22.0
 * input/otlp/metadata.go {@code sanitizeDataStreamDataset}, {@code sanitizeDataStreamNamespace});
 * the routing keeps what they chose except for errors, which always go to {@code apm.error}
 * (model/modelprocessor/datastream.go {@code SetDataStream}).
 */
final class DataStreams {

  private static final String DATASET_RESERVED = "-\\/*?\"<>| ,#:";
  private static final String NAMESPACE_RESERVED = "\\/*?\"<>| ,#:";
  private static final int MAX_BYTES = 100;

  private DataStreams() {
  }

  static boolean isAttribute(String key) {
    return key.equals("data_stream.dataset") || key.equals("data_stream.namespace");
  }

  static void override(ObjectNode doc, String key, String value) {
    boolean dataset = key.equals("data_stream.dataset");
    String sanitized = sanitize(value, dataset ? DATASET_RESERVED : NAMESPACE_RESERVED);
    Docs.obj(doc, "data_stream").put(dataset ? "dataset" : "namespace", sanitized);
  }

  /** Sets type, dataset (unless an attribute chose one, or {@code force}) and namespace. */
  static void route(ObjectNode doc, String type, String dataset, boolean force) {
    ObjectNode ds = Docs.obj(doc, "data_stream");
    String chosenDataset = ds.path("dataset").asText("");
    String chosenNamespace = ds.path("namespace").asText("");
    ds.removeAll();
    ds.put("type", type);
    ds.put("dataset", force || chosenDataset.isEmpty() ? dataset : chosenDataset);
    ds.put("namespace", chosenNamespace.isEmpty() ? "default" : chosenNamespace);
  }

  private static String sanitize(String field, String reserved) {
    StringBuilder b = new StringBuilder();
    field.codePoints().forEach(c -> {
      if (reserved.indexOf(c) >= 0) {
        b.append('_');
      } else {
        b.append(new String(Character.toChars(c)).toLowerCase(Locale.ROOT));
      }
    });
    byte[] bytes = b.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
    return bytes.length > MAX_BYTES ? new String(bytes, 0, MAX_BYTES, java.nio.charset.StandardCharsets.UTF_8) : b.toString();
  }
}
