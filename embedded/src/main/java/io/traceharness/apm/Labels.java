package io.traceharness.apm;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.opentelemetry.proto.common.v1.AnyValue;
import java.util.List;

/**
 * Attributes no convention reads become labels (elastic/apm-data input/otlp/metadata.go
 * {@code setLabel}): strings and booleans in {@code labels}, numbers in {@code numeric_labels},
 * arrays by the type of their first element; maps and bytes are dropped (v1.22.0).
 */
final class Labels {

  private Labels() {
  }

  static void set(ObjectNode doc, String key, AnyValue v) {
    switch (v.getValueCase()) {
      case STRING_VALUE -> Docs.label(doc, key, Docs.truncate(v.getStringValue()));
      case BOOL_VALUE -> Docs.label(doc, key, Boolean.toString(v.getBoolValue()));
      case INT_VALUE -> Docs.numericLabel(doc, key, v.getIntValue());
      case DOUBLE_VALUE -> Docs.numericLabel(doc, key, v.getDoubleValue());
      case ARRAY_VALUE -> array(doc, key, v.getArrayValue().getValuesList());
      default -> { }
    }
  }

  /** Only the elements of the first element's type are kept; booleans become strings. */
  private static void array(ObjectNode doc, String key, List<AnyValue> values) {
    if (values.isEmpty()) {
      return;
    }
    AnyValue.ValueCase type = values.get(0).getValueCase();
    ArrayNode array = Docs.NODES.arrayNode();
    for (AnyValue e : values) {
      if (e.getValueCase() != type) {
        continue;
      }
      switch (type) {
        case STRING_VALUE -> array.add(Docs.truncate(e.getStringValue()));
        case BOOL_VALUE -> array.add(Boolean.toString(e.getBoolValue()));
        case INT_VALUE -> array.add((double) e.getIntValue());
        case DOUBLE_VALUE -> array.add(e.getDoubleValue());
        default -> {
          return;
        }
      }
    }
    boolean numeric = type == AnyValue.ValueCase.INT_VALUE || type == AnyValue.ValueCase.DOUBLE_VALUE;
    Docs.labelArray(doc, numeric ? "numeric_labels" : "labels", key, array);
  }
}
