package io.traceharness.apm;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A document's {@code _source} as dotted keys, each with the list of its values, the shape of
 * Elasticsearch's {@code fields} answer (which APM Server's {@code systemtest/approvals} use):
 * objects are walked, arrays of objects merge their leaves ({@code span.links.trace.id: [a, b]}),
 * and values are canonical so {@code 1} and {@code 1.0} compare equal.
 */
final class StoredFields {

  private StoredFields() {
  }

  /** Dotted key → values, sorted by key; nulls and empty objects leave no key, as in ES. */
  static Map<String, List<Object>> flatten(JsonNode source) {
    Map<String, List<Object>> out = new TreeMap<>();
    walk("", source, out);
    return out;
  }

  private static void walk(String prefix, JsonNode node, Map<String, List<Object>> out) {
    if (node == null || node.isNull() || node.isMissingNode()) {
      return;
    }
    if (node.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        walk(prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey(), e.getValue(), out);
      }
    } else if (node.isArray()) {
      for (JsonNode element : node) {
        walk(prefix, element, out);
      }
    } else {
      out.computeIfAbsent(prefix, k -> new ArrayList<>()).add(canonical(node));
    }
  }

  /** Strings stay strings, booleans booleans; numbers become plain decimal strings tagged as numbers. */
  static Object canonical(JsonNode value) {
    if (value.isNumber()) {
      return new Num(value.decimalValue());
    }
    if (value.isBoolean()) {
      return value.booleanValue();
    }
    return value.asText();
  }

  /** Expected values written in Java: numbers, booleans, strings, or lists of them. */
  static List<Object> canonical(Object expected) {
    List<Object> values = new ArrayList<>();
    if (expected instanceof List<?> list) {
      for (Object o : list) {
        values.addAll(canonical(o));
      }
    } else if (expected instanceof Number n) {
      values.add(new Num(new BigDecimal(n.toString())));
    } else if (expected instanceof Boolean || expected instanceof String) {
      values.add(expected);
    } else {
      throw new IllegalArgumentException("unsupported expected value " + expected + " (" + expected.getClass() + ")");
    }
    return values;
  }

  /** A JSON number, equal to any other with the same value whatever its scale ({@code 1} = {@code 1.0}). */
  record Num(String plain) {
    Num(BigDecimal value) {
      this(value.signum() == 0 ? "0" : value.stripTrailingZeros().toPlainString());
    }

    @Override
    public String toString() {
      return plain;
    }
  }

  /** One value list as a line, strings quoted so {@code "1"} and {@code 1} differ in the diff. */
  static String render(List<Object> values) {
    List<String> parts = new ArrayList<>();
    for (Object v : values) {
      parts.add(v instanceof String s ? '"' + s + '"' : String.valueOf(v));
    }
    return parts.size() == 1 ? parts.get(0) : parts.toString();
  }
}
