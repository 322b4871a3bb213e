package io.traceharness.apm;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.opentelemetry.proto.common.v1.AnyValue;
import java.util.List;

/**
 * Attributes no convention reads become labels (elastic/apm-data input/otlp/metadata.go
 * {@code setLabel}): strings and booleans in {@code labels}, numbers in {@code numeric_labels},
 * arrays by the type of their first element; maps and bytes are dropped.
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

  private static void array(ObjectNode doc, String key, List<AnyValue> values) {
    if (values.isEmpty()) {
      return;
    }
    boolean numeric = values.get(0).hasIntValue() || values.get(0).hasDoubleValue();
    ArrayNode array = Docs.NODES.arrayNode();
    for (AnyValue e : values) {
      if (numeric && e.hasIntValue()) {
        array.add((double) e.getIntValue());
      } else if (numeric && e.hasDoubleValue()) {
        array.add(e.getDoubleValue());
      } else if (!numeric && e.hasStringValue()) {
        array.add(Docs.truncate(e.getStringValue()));
      } else if (!numeric && e.hasBoolValue()) {
        array.add(Boolean.toString(e.getBoolValue()));
      }
    }
    Docs.labelArray(doc, numeric ? "numeric_labels" : "labels", key, array);
  }
}
