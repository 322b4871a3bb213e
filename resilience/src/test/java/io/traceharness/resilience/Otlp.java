package io.traceharness.resilience;

import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.UnknownFieldSet;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** OTLP requests, valid and broken, and what the real Go decoder (pdata) makes of raw bytes. */
final class Otlp {

  static final String SERVICE = "malformed-otlp";

  private Otlp() {
  }

  static String hex(Random r, int bytes) {
    byte[] b = new byte[bytes];
    r.nextBytes(b);
    b[0] |= 1; // never all zero: an all-zero id is "empty" to pdata
    return HexFormat.of().formatHex(b);
  }

  static ExportTraceServiceRequest request(String traceIdHex, String spanIdHex, String name) {
    return request(HexFormat.of().parseHex(traceIdHex), HexFormat.of().parseHex(spanIdHex), name);
  }

  static ExportTraceServiceRequest request(byte[] traceId, byte[] spanId, String name) {
    long now = System.currentTimeMillis() * 1_000_000L;
    Span span = Span.newBuilder().setTraceId(ByteString.copyFrom(traceId)).setSpanId(ByteString.copyFrom(spanId))
        .setName(name).setKind(Span.SpanKind.SPAN_KIND_SERVER).setStartTimeUnixNano(now - 1_000_000)
        .setEndTimeUnixNano(now).build();
    Resource resource = Resource.newBuilder().addAttributes(KeyValue.newBuilder().setKey("service.name")
        .setValue(AnyValue.newBuilder().setStringValue(SERVICE))).build();
    return ExportTraceServiceRequest.newBuilder().addResourceSpans(ResourceSpans.newBuilder().setResource(resource)
        .addScopeSpans(ScopeSpans.newBuilder().addSpans(span))).build();
  }

  static String json(String traceIdHex, String spanIdHex, String name) {
    long now = System.currentTimeMillis() * 1_000_000L;
    return "{\"resourceSpans\":[{\"resource\":{\"attributes\":[{\"key\":\"service.name\",\"value\":{\"stringValue\":\""
        + SERVICE + "\"}}]},\"scopeSpans\":[{\"spans\":[{\"traceId\":\"" + traceIdHex + "\",\"spanId\":\"" + spanIdHex
        + "\",\"name\":\"" + name + "\",\"kind\":2,\"startTimeUnixNano\":\"" + (now - 1_000_000)
        + "\",\"endTimeUnixNano\":\"" + now + "\"}]}]}]}";
  }

  /**
   * Whether the collector's decoder accepts these bytes as an ExportTraceServiceRequest: TRUE,
   * FALSE, or null when protobuf-java and Go's pdata may disagree (the case is then not used).
   * pdata (pdata/internal/generated_proto_*.go) refuses a known field with the wrong wire type,
   * where protobuf-java keeps it as an unknown field; it refuses trace and span ids that are neither
   * empty nor 16/8 bytes (pdata/internal/traceid.go, spanid.go); it does not check UTF-8, where
   * protobuf-java does.
   */
  static Boolean goAccepts(byte[] bytes) {
    ExportTraceServiceRequest req;
    try {
      req = ExportTraceServiceRequest.parseFrom(bytes);
    } catch (InvalidProtocolBufferException e) {
      return e.getMessage() != null && e.getMessage().contains("UTF-8") ? null : Boolean.FALSE;
    }
    Boolean unknown = unknownFieldsVerdict(req);
    if (unknown != Boolean.TRUE) {
      return unknown;
    }
    return idsHaveValidLengths(req);
  }

  static boolean idsHaveValidLengths(ExportTraceServiceRequest req) {
    for (ResourceSpans rs : req.getResourceSpansList()) {
      for (ScopeSpans ss : rs.getScopeSpansList()) {
        for (Span s : ss.getSpansList()) {
          if (!okId(s.getTraceId(), 16) || !okId(s.getSpanId(), 8) || !okId(s.getParentSpanId(), 8)) {
            return false;
          }
          for (Span.Link l : s.getLinksList()) {
            if (!okId(l.getTraceId(), 16) || !okId(l.getSpanId(), 8)) {
              return false;
            }
          }
        }
      }
    }
    return true;
  }

  private static boolean okId(ByteString id, int size) {
    return id.isEmpty() || id.size() == size;
  }

  /** FALSE when a declared field arrived with the wrong wire type, null for groups, else TRUE. */
  private static Boolean unknownFieldsVerdict(Message m) {
    for (Map.Entry<Integer, UnknownFieldSet.Field> e : m.getUnknownFields().asMap().entrySet()) {
      if (!e.getValue().getGroupList().isEmpty()) {
        return null;
      }
      if (m.getDescriptorForType().findFieldByNumber(e.getKey()) != null) {
        return Boolean.FALSE;
      }
    }
    for (Map.Entry<FieldDescriptor, Object> f : m.getAllFields().entrySet()) {
      if (f.getKey().getJavaType() != FieldDescriptor.JavaType.MESSAGE) {
        continue;
      }
      List<?> values = f.getKey().isRepeated() ? (List<?>) f.getValue() : List.of(f.getValue());
      for (Object v : values) {
        Boolean verdict = unknownFieldsVerdict((Message) v);
        if (verdict != Boolean.TRUE) {
          return verdict;
        }
      }
    }
    return Boolean.TRUE;
  }
}
