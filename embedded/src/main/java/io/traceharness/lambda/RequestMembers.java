package io.traceharness.lambda;

import com.fasterxml.jackson.databind.JsonNode;
import com.linecorp.armeria.common.AggregatedHttpRequest;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** How Lambda's REST API reads a request's JSON body and its members, refusing bad ones as Lambda does. */
final class RequestMembers {

  private RequestMembers() {
  }

  static JsonNode body(AggregatedHttpRequest req) {
    try {
      String s = req.contentUtf8();
      return s.isBlank() ? Json.MAPPER.createObjectNode() : Json.MAPPER.readTree(s);
    } catch (IOException e) {
      throw new ServiceException(400, "InvalidRequestContentException", "Could not parse request body into json: "
          + e.getMessage());
    }
  }

  /**
   * An Integer member as the REST-JSON deserializer reads it: absent or null is the default; any
   * other JSON type is a SerializationException before validation runs. "STRING_VALUE can not be
   * converted to an Integer" is the message Lambda gives for a string (aarondfrancis/sidecar#28);
   * the other token names follow the same pattern. A whole number beyond int is clamped, so
   * validation refuses it with the bound it broke.
   */
  static int integer(JsonNode body, String member, int absent) {
    JsonNode v = body.get(member);
    if (v == null || v.isNull()) {
      return absent;
    }
    if (v.isIntegralNumber()) {
      return v.canConvertToInt() ? v.intValue() : v.asLong() < 0 ? Integer.MIN_VALUE : Integer.MAX_VALUE;
    }
    String token = v.isTextual() ? "STRING_VALUE" : v.isArray() ? "START_ARRAY" : v.isObject() ? "START_OBJECT"
        : v.isBoolean() ? (v.booleanValue() ? "TRUE_VALUE" : "FALSE_VALUE") : "DECIMAL_VALUE";
    throw ServiceException.serialization(token + " can not be converted to an Integer");
  }

  static byte[] zipFile(JsonNode code) {
    if (!code.hasNonNull("ZipFile")) {
      if (code.has("S3Bucket") || code.has("ImageUri")) {
        throw ServiceException.invalid("This emulator accepts code as ZipFile bytes only");
      }
      throw ServiceException.invalid("Please provide a source for function code.");
    }
    return decode(code.get("ZipFile").asText());
  }

  static byte[] decode(String b64) {
    try {
      return Base64.getDecoder().decode(b64);
    } catch (IllegalArgumentException e) {
      throw ServiceException.invalid("Could not unzip uploaded file. Please check your file, then try to upload again.");
    }
  }

  static Map<String, String> env(JsonNode b) {
    Map<String, String> m = new LinkedHashMap<>();
    b.path("Environment").path("Variables").fields().forEachRemaining(e -> m.put(e.getKey(), e.getValue().asText()));
    return m;
  }

  static List<String> strings(JsonNode arr) {
    List<String> l = new ArrayList<>();
    arr.forEach(n -> l.add(n.asText()));
    return l;
  }

  static String text(JsonNode b, String field) {
    JsonNode n = b.get(field);
    return n == null || n.isNull() ? null : n.asText();
  }
}
