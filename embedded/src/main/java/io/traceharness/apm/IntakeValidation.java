package io.traceharness.apm;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The rules apm-data's intake v2 decoder checks, with its messages (elastic/apm-data v1.22.0
 * {@code input/elasticapm/internal/modeldecoder/v2/model.go} tags, rendered by the generated
 * {@code model_generated.go}; prefixed by {@code modeldecoder.go}'s "validation error: " /
 * "decode error: "). A JSON null counts as unset, as {@code nullable.*.IsSet()} does.
 */
final class IntakeValidation {

  /** {@code patternAlphaNumericExt}. */
  static final Pattern ALPHA_NUMERIC_EXT = Pattern.compile("^[a-zA-Z0-9 _-]+$");
  static final Set<String> OUTCOMES = Set.of("success", "failure", "unknown");
  private static final int MAX_LENGTH = 1024;

  /** Go field names of the decoder's structs, for jsoniter's decode error path. */
  private static final Map<String, String> GO_FIELDS = Map.ofEntries(
      Map.entry("id", "ID"), Map.entry("trace_id", "TraceID"), Map.entry("parent_id", "ParentID"),
      Map.entry("transaction_id", "TransactionID"), Map.entry("name", "Name"), Map.entry("type", "Type"),
      Map.entry("subtype", "Subtype"), Map.entry("action", "Action"), Map.entry("result", "Result"),
      Map.entry("outcome", "Outcome"), Map.entry("culprit", "Culprit"), Map.entry("duration", "Duration"),
      Map.entry("timestamp", "Timestamp"), Map.entry("start", "Start"), Map.entry("sample_rate", "SampleRate"));

  private IntakeValidation() {
  }

  /** A line apm-data refuses, with the message and document of its {@code errors} entry. */
  static final class InvalidEvent extends Exception {
    InvalidEvent(String message) {
      super(message, null, false, false);
    }
  }

  static boolean isSet(JsonNode v) {
    return v != null && !v.isMissingNode() && !v.isNull();
  }

  /** {@code 'field' required}, with the struct path ("transaction: span_count"). */
  static void required(JsonNode parent, String path, String field) throws InvalidEvent {
    if (!isSet(parent == null ? null : parent.get(field))) {
      throw validation(path, "'" + field + "' required");
    }
  }

  static void requiredAnyOf(JsonNode parent, String path, String... fields) throws InvalidEvent {
    for (String f : fields) {
      if (isSet(parent.get(f))) {
        return;
      }
    }
    throw validation(path, "requires at least one of the fields '" + String.join(";", fields) + "'");
  }

  static void maxLength(JsonNode parent, String path, String... fields) throws InvalidEvent {
    for (String f : fields) {
      JsonNode v = parent.get(f);
      if (v != null && v.isTextual() && v.asText().codePointCount(0, v.asText().length()) > MAX_LENGTH) {
        throw validation(path, "'" + f + "': validation rule 'maxLength(1024)' violated");
      }
    }
  }

  static void min(JsonNode parent, String path, String field, double min) throws InvalidEvent {
    JsonNode v = parent.get(field);
    if (v != null && v.isNumber() && v.asDouble() < min) {
      String bound = min == Math.rint(min) ? String.valueOf((long) min) : String.valueOf(min);
      throw validation(path, "'" + field + "': validation rule 'min(" + bound + ")' violated");
    }
  }

  static void outcome(JsonNode parent, String path) throws InvalidEvent {
    JsonNode v = parent.get("outcome");
    if (isSet(v) && !OUTCOMES.contains(v.asText())) {
      throw validation(path, "'outcome': validation rule 'enum(enumOutcome)' violated");
    }
  }

  static void pattern(JsonNode parent, String path, String field) throws InvalidEvent {
    JsonNode v = parent.get(field);
    if (isSet(v) && !ALPHA_NUMERIC_EXT.matcher(v.asText()).matches()) {
      throw validation(path, "'" + field + "': validation rule 'pattern(patternAlphaNumericExt)' violated");
    }
  }

  static InvalidEvent validation(String path, String rule) {
    return new InvalidEvent("validation error: " + (path.isEmpty() ? "" : path + ": ") + rule);
  }

  /**
   * The decoder reads these with jsoniter's ReadString, which refuses any other JSON type: the
   * whole event is a decode error ("v2.transactionRoot.Transaction: v2.transaction.ID: ReadString:
   * expects \" or n, but found 1"), never a value converted to text.
   */
  static void strings(JsonNode event, String goType, String... fields) throws InvalidEvent {
    for (String field : fields) {
      JsonNode v = event.get(field);
      if (v != null && !v.isTextual() && !v.isNull()) {
        throw decode(goType, field, "ReadString: expects \" or n, but found " + firstChar(v));
      }
    }
  }

  /** Numbers read with jsoniter's ReadFloat64 / ReadInt: a string or object is a decode error. */
  static void numbers(JsonNode event, String goType, String... fields) throws InvalidEvent {
    for (String field : fields) {
      JsonNode v = event.get(field);
      if (v != null && !v.isNumber() && !v.isNull()) {
        throw decode(goType, field, "ReadFloat64: unexpected character: " + firstChar(v));
      }
    }
  }

  private static InvalidEvent decode(String goType, String field, String detail) {
    String root = "v2." + goType + "Root." + Character.toUpperCase(goType.charAt(0)) + goType.substring(1);
    String goField = GO_FIELDS.getOrDefault(field, field);
    return new InvalidEvent("decode error: data read error: " + root + ": v2." + goType + "." + goField + ": " + detail);
  }

  private static String firstChar(JsonNode v) {
    String s = v.isTextual() ? "\"" : v.toString();
    return s.isEmpty() ? "" : s.substring(0, 1).toLowerCase(Locale.ROOT);
  }
}
