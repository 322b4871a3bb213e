package io.traceharness.otlp;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.ArrayValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.common.v1.KeyValueList;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/** OTLP values, attributes and ids for the tests that build OTLP requests by hand. */
public final class OtlpValues {

  private OtlpValues() {
  }

  /** The OTLP value of a Java one: strings, integers, doubles, booleans, bytes, lists and maps of them. */
  public static AnyValue any(Object v) {
    AnyValue.Builder b = AnyValue.newBuilder();
    if (v instanceof AnyValue a) {
      return a;
    } else if (v instanceof String s) {
      b.setStringValue(s);
    } else if (v instanceof Long l) {
      b.setIntValue(l);
    } else if (v instanceof Integer i) {
      b.setIntValue(i);
    } else if (v instanceof Boolean z) {
      b.setBoolValue(z);
    } else if (v instanceof Double d) {
      b.setDoubleValue(d);
    } else if (v instanceof byte[] bytes) {
      b.setBytesValue(ByteString.copyFrom(bytes));
    } else if (v instanceof List<?> list) {
      ArrayValue.Builder array = ArrayValue.newBuilder();
      list.forEach(e -> array.addValues(any(e)));
      b.setArrayValue(array);
    } else if (v instanceof Map<?, ?> map) {
      KeyValueList.Builder kvs = KeyValueList.newBuilder();
      map.forEach((k, e) -> kvs.addValues(kv((String) k, e)));
      b.setKvlistValue(kvs);
    } else {
      throw new IllegalArgumentException("no AnyValue for " + v);
    }
    return b.build();
  }

  public static KeyValue kv(String key, Object value) {
    return KeyValue.newBuilder().setKey(key).setValue(any(value)).build();
  }

  /** Attributes from alternating keys and values. */
  public static List<KeyValue> attrs(Object... keysAndValues) {
    List<KeyValue> out = new ArrayList<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      out.add(kv((String) keysAndValues[i], keysAndValues[i + 1]));
    }
    return out;
  }

  /** A trace or span id from its hex form. */
  public static ByteString id(String hex) {
    return ByteString.copyFrom(HexFormat.of().parseHex(hex));
  }
}
