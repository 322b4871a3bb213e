package io.traceharness.apm;

import static io.traceharness.apm.IntakeContext.text;
import static io.traceharness.apm.IntakeValidation.isSet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.traceharness.apm.IntakeValidation.InvalidEvent;

/**
 * An intake v2 error → its {@code logs-apm.error} document, as elastic/apm-data v1.22.0
 * {@code input/elasticapm/internal/modeldecoder/v2/decoder.go} mapToErrorModel maps it (the
 * exception and its causes flattened as modeljson writes them), after its generated validation rules.
 */
final class IntakeErrors {

  private IntakeErrors() {
  }

  static void map(JsonNode e, ObjectNode doc, long receivedNanos) throws InvalidEvent {
    String path = "error";
    IntakeValidation.requiredAnyOf(e, path, "exception", "log");
    IntakeValidation.strings(e, "errorEvent", "culprit", "id", "parent_id", "trace_id", "transaction_id");
    IntakeValidation.maxLength(e, path, "culprit", "id");
    IntakeValidation.required(e, path, "id");
    requiredIf(e, path, "parent_id", "transaction_id", "trace_id");
    requiredIf(e, path, "trace_id", "transaction_id", "parent_id");
    JsonNode exception = e.get("exception");
    if (isSet(exception)) {
      IntakeValidation.requiredAnyOf(exception, path + ": exception", "message", "type");
    }
    JsonNode log = e.get("log");
    if (isSet(log)) {
      IntakeValidation.required(log, path + ": log", "message");
    }

    JsonNode context = e.path("context");
    IntakeContext.service(doc, context.path("service"));
    IntakeContext.user(doc, context.path("user"));
    IntakeContext.labels(doc, context.path("tags"));
    IntakeContext.request(doc, context.get("request"));
    IntakeContext.response(doc, context.get("response"));
    IntakeContext.page(doc, context.path("page"), context.path("request").has("url"));
    if (context.path("custom").isObject() && !context.get("custom").isEmpty()) {
      Docs.putNode(doc, "error.custom", context.get("custom").deepCopy());
    }
    Docs.put(doc, "error.culprit", text(e, "culprit"));
    if (isSet(exception)) {
      ArrayNode exceptions = Docs.obj(doc, "error").putArray("exception");
      exception(exceptions, exception, -1);
    }
    Docs.put(doc, "error.id", text(e, "id"));
    if (isSet(log)) {
      Docs.put(doc, "error.log.level", text(log, "level") != null ? text(log, "level") : "error");
      Docs.put(doc, "error.log.logger_name", text(log, "logger_name"));
      Docs.put(doc, "error.log.message", text(log, "message"));
      Docs.put(doc, "error.log.param_message", text(log, "param_message"));
      if (log.path("stacktrace").isArray() && !log.get("stacktrace").isEmpty()) {
        Docs.putNode(doc, "error.log.stacktrace", log.get("stacktrace").deepCopy());
      }
    }
    Docs.put(doc, "parent.id", text(e, "parent_id"));
    IntakeEvents.timestamp(doc, e, receivedNanos);
    Docs.put(doc, "trace.id", text(e, "trace_id"));
    if (text(e, "transaction_id") != null) {
      Docs.put(doc, "transaction.id", text(e, "transaction_id"));
      Docs.put(doc, "span.id", text(e, "transaction_id"));
    }
    JsonNode transaction = e.path("transaction");
    if (transaction.isObject()) {
      if (transaction.path("sampled").isBoolean()) {
        Docs.put(doc, "transaction.sampled", transaction.get("sampled").asBoolean());
      }
      Docs.put(doc, "transaction.name", text(transaction, "name"));
      Docs.put(doc, "transaction.type", text(transaction, "type"));
    }
    Docs.dataStream(doc, "logs", "apm.error");
  }

  private static void requiredIf(JsonNode e, String path, String field, String... ifAny) throws InvalidEvent {
    if (isSet(e.get(field))) {
      return;
    }
    for (String other : ifAny) {
      if (isSet(e.get(other))) {
        throw IntakeValidation.validation(path, "'" + field + "' required when '" + other + "' is set");
      }
    }
  }

  /** An exception and its causes, flattened as modeljson writes them: causes name their parent's index. */
  private static void exception(ArrayNode out, JsonNode e, int parent) {
    int index = out.size();
    ObjectNode ex = out.addObject();
    if (isSet(e.get("code"))) {
      ex.put("code", e.get("code").isNumber() ? String.valueOf(e.get("code").asLong()) : e.get("code").asText());
    }
    if (e.path("handled").isBoolean()) {
      ex.put("handled", e.get("handled").asBoolean());
    }
    if (text(e, "message") != null) {
      ex.put("message", text(e, "message"));
    }
    if (text(e, "module") != null) {
      ex.put("module", text(e, "module"));
    }
    if (parent >= 0) {
      ex.put("parent", parent);
    }
    if (e.path("attributes").isObject() && !e.get("attributes").isEmpty()) {
      ex.set("attributes", e.get("attributes").deepCopy());
    }
    if (e.path("stacktrace").isArray() && !e.get("stacktrace").isEmpty()) {
      ex.set("stacktrace", e.get("stacktrace").deepCopy());
    }
    if (text(e, "type") != null) {
      ex.put("type", text(e, "type"));
    }
    for (JsonNode cause : e.path("cause")) {
      exception(out, cause, index);
    }
  }
}
