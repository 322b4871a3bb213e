package io.traceharness.otlp;

import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import com.google.protobuf.UnknownFieldSet;
import java.util.List;
import java.util.Map;

/**
 * What the collector's and APM Server's Go decoder (pdata) refuses in an OTLP message that
 * protobuf-java parses: a declared field sent with another wire type ("proto: wrong wireType",
 * pdata/internal/generated_proto_*.go) — protobuf-java keeps it as an unknown field — and trace
 * and span ids that are neither empty nor 16/8 bytes (pdata/internal/traceid.go, spanid.go).
 * Both real servers answer such a request as undecodable: HTTP 400, gRPC INTERNAL.
 */
final class PdataRules {

  private PdataRules() {
  }

  /** Null when pdata decodes the message too, else pdata's error message. */
  public static String refusal(Message message) {
    for (Map.Entry<Integer, UnknownFieldSet.Field> e : message.getUnknownFields().asMap().entrySet()) {
      FieldDescriptor declared = message.getDescriptorForType().findFieldByNumber(e.getKey());
      if (declared != null) {
        return "proto: wrong wireType for field " + declared.getJsonName();
      }
    }
    for (Map.Entry<FieldDescriptor, Object> f : message.getAllFields().entrySet()) {
      FieldDescriptor field = f.getKey();
      List<?> values = field.isRepeated() ? (List<?>) f.getValue() : List.of(f.getValue());
      for (Object v : values) {
        String error = v instanceof Message m ? refusal(m) : idRefusal(field, v);
        if (error != null) {
          return error;
        }
      }
    }
    return null;
  }

  private static String idRefusal(FieldDescriptor field, Object value) {
    if (!(value instanceof ByteString id) || id.isEmpty()) {
      return null;
    }
    String name = field.getName();
    if (name.equals("trace_id") && id.size() != 16) {
      return "unmarshal: invalid TraceID length";
    }
    if ((name.equals("span_id") || name.equals("parent_span_id")) && id.size() != 8) {
      return "unmarshal: invalid SpanID length";
    }
    return null;
  }
}
