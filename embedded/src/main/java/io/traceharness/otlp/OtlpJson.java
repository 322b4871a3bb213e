package io.traceharness.otlp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import java.io.IOException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

/**
 * OTLP/JSON ⇄ protobuf. OTLP/JSON is the proto3 JSON mapping with the deviations the OTLP
 * specification lists (opentelemetry-proto {@code docs/specification.md}, "JSON Protobuf
 * Encoding"): trace and span ids are hex strings, not base64; enum values are written as integers
 * (either form is read); receivers ignore unknown fields.
 */
public final class OtlpJson {

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final Set<String> ID_FIELDS = Set.of("traceId", "spanId", "parentSpanId", "trace_id", "span_id",
      "parent_span_id");
  private static final JsonFormat.Parser PARSER = JsonFormat.parser().ignoringUnknownFields();
  private static final JsonFormat.Printer PRINTER = JsonFormat.printer().omittingInsignificantWhitespace()
      .printingEnumsAsInts();

  private OtlpJson() {
  }

  /** Reads OTLP/JSON into {@code into}; an empty body leaves it unchanged. */
  public static void merge(byte[] json, Message.Builder into) throws InvalidProtocolBufferException {
    JsonNode tree;
    try {
      tree = MAPPER.readTree(json);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new InvalidProtocolBufferException("invalid JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new InvalidProtocolBufferException("invalid JSON: " + e.getMessage());
    }
    if (tree == null || tree.isMissingNode()) {
      return;
    }
    rewriteIds(tree, true);
    PARSER.merge(tree.toString(), into);
  }

  /** OTLP/JSON of an OTLP message (hex ids, enums as integers). */
  public static String print(Message message) {
    try {
      JsonNode tree = MAPPER.readTree(PRINTER.print(message));
      rewriteIds(tree, false);
      return MAPPER.writeValueAsString(tree);
    } catch (IOException e) {
      throw new IllegalStateException("cannot print " + message.getDescriptorForType().getName() + " as JSON", e);
    }
  }

  /** Plain protobuf JSON (no id rewriting) for messages that hold no ids, such as google.rpc.Status. */
  static String printPlain(Message message) {
    try {
      return PRINTER.print(message);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void rewriteIds(JsonNode node, boolean hexToBase64) throws InvalidProtocolBufferException {
    if (node instanceof ObjectNode obj) {
      Iterator<Map.Entry<String, JsonNode>> fields = obj.fields();
      while (fields.hasNext()) {
        Map.Entry<String, JsonNode> f = fields.next();
        if (ID_FIELDS.contains(f.getKey()) && f.getValue().isTextual()) {
          f.setValue(new TextNode(convert(f.getValue().asText(), f.getKey(), hexToBase64)));
        } else {
          rewriteIds(f.getValue(), hexToBase64);
        }
      }
    } else if (node instanceof ArrayNode arr) {
      for (JsonNode n : arr) {
        rewriteIds(n, hexToBase64);
      }
    }
  }

  private static String convert(String value, String field, boolean hexToBase64) throws InvalidProtocolBufferException {
    if (value.isEmpty()) {
      return value;
    }
    if (!hexToBase64) {
      return HexFormat.of().formatHex(Base64.getDecoder().decode(value));
    }
    try {
      return Base64.getEncoder().encodeToString(HexFormat.of().parseHex(value));
    } catch (IllegalArgumentException e) {
      throw new InvalidProtocolBufferException("invalid " + field + " \"" + value + "\": expected a hex string");
    }
  }
}
