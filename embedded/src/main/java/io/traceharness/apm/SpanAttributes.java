package io.traceharness.apm;

import io.opentelemetry.proto.common.v1.AnyValue.ValueCase;
import io.opentelemetry.proto.common.v1.KeyValue;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/**
 * A span's attributes, looked up the way apm-data's attribute loop in {@code TranslateTransaction}
 * and {@code TranslateSpan} (elastic/apm-data input/otlp/traces.go) reads them: a key counts only
 * with the value type its convention expects, and when several attributes give the same field the
 * last one wins.
 */
record SpanAttributes(List<KeyValue> list) {

  SpanAttributes {
    list = List.copyOf(list);
  }

  KeyValue last(Predicate<KeyValue> matching) {
    for (int i = list.size() - 1; i >= 0; i--) {
      if (matching.test(list.get(i))) {
        return list.get(i);
      }
    }
    return null;
  }

  boolean any(Predicate<KeyValue> matching) {
    return list.stream().anyMatch(matching);
  }

  /** The last string value among the keys, truncated as APM Server truncates keyword fields. */
  String string(Set<String> keys) {
    KeyValue kv = last(isString(keys));
    return kv == null ? null : Docs.truncate(kv.getValue().getStringValue());
  }

  String string(String key) {
    return string(Set.of(key));
  }

  /**
   * The last non-empty string value among the keys: what a field written once per attribute keeps,
   * since an empty value writes nothing.
   */
  String field(Set<String> keys) {
    KeyValue kv = last(isString(keys).and(v -> !v.getValue().getStringValue().isEmpty()));
    return kv == null ? null : Docs.truncate(kv.getValue().getStringValue());
  }

  String field(String key) {
    return field(Set.of(key));
  }

  /** The last integer value among the keys, or null. */
  Long integer(Set<String> keys) {
    KeyValue kv = last(isInt(keys));
    return kv == null ? null : kv.getValue().getIntValue();
  }

  long integer(String key, long absent) {
    Long value = integer(Set.of(key));
    return value == null ? absent : value;
  }

  static Predicate<KeyValue> isString(Set<String> keys) {
    return kv -> kv.getValue().getValueCase() == ValueCase.STRING_VALUE && keys.contains(kv.getKey());
  }

  static Predicate<KeyValue> isInt(Set<String> keys) {
    return kv -> kv.getValue().getValueCase() == ValueCase.INT_VALUE && keys.contains(kv.getKey());
  }

  static Predicate<KeyValue> isBool(Set<String> keys) {
    return kv -> kv.getValue().getValueCase() == ValueCase.BOOL_VALUE && keys.contains(kv.getKey());
  }
}
