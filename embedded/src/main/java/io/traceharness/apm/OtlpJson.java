package io.traceharness.apm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * OTLP/JSON differs from proto3 JSON in one way that matters here: trace and span ids are hex
 * strings, not base64. Rewrites them so protobuf's {@code JsonFormat} can read the payload.
 */
final class OtlpJson {

  private static final Set<String> ID_FIELDS = Set.of("traceId", "spanId", "parentSpanId", "trace_id", "span_id",
      "parent_span_id");

  private OtlpJson() {
  }

  static String hexIdsToBase64(byte[] json) throws IOException {
    JsonNode root = Docs.JSON.readTree(json);
    if (root == null) {
      throw new IOException("empty body");
    }
    rewrite(root);
    return Docs.JSON.writeValueAsString(root);
  }

  private static void rewrite(JsonNode node) {
    if (node instanceof ObjectNode object) {
      List<Map.Entry<String, JsonNode>> fields = new ArrayList<>();
      object.fields().forEachRemaining(fields::add);
      for (Map.Entry<String, JsonNode> e : fields) {
        JsonNode v = e.getValue();
        if (ID_FIELDS.contains(e.getKey()) && v.isTextual()) {
          object.put(e.getKey(), toBase64(v.asText()));
        } else {
          rewrite(v);
        }
      }
    } else if (node instanceof ArrayNode array) {
      array.forEach(OtlpJson::rewrite);
    }
  }

  private static String toBase64(String hex) {
    if (hex.isEmpty()) {
      return hex;
    }
    try {
      return Base64.getEncoder().encodeToString(HexFormat.of().parseHex(hex));
    } catch (IllegalArgumentException e) {
      // not hex: leave it for JsonFormat, which reports the bad value
      return hex;
    }
  }
}
