package io.traceharness.apm;

import static io.traceharness.apm.IntakeContext.text;
import static io.traceharness.apm.IntakeValidation.isSet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.traceharness.apm.IntakeValidation.InvalidEvent;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * An intake v2 transaction → its {@code traces-apm} document, as elastic/apm-data v1.22.0
 * {@code input/elasticapm/internal/modeldecoder/v2/decoder.go} mapToTransactionModel maps it
 * (page, marks and user experience included), after its generated validation rules.
 */
final class IntakeTransactions {

  private IntakeTransactions() {
  }

  static void map(JsonNode t, ObjectNode doc, long receivedNanos) throws InvalidEvent {
    String path = "transaction";
    IntakeValidation.strings(t, "transaction", "trace_id", "id", "parent_id", "name", "type", "result", "outcome");
    IntakeValidation.numbers(t, "transaction", "duration", "timestamp", "sample_rate");
    IntakeValidation.maxLength(t, path, "trace_id");
    IntakeValidation.required(t, path, "trace_id");
    IntakeValidation.maxLength(t, path, "id");
    IntakeValidation.required(t, path, "id");
    IntakeValidation.maxLength(t, path, "parent_id", "name", "type");
    IntakeValidation.required(t, path, "type");
    IntakeValidation.maxLength(t, path, "result");
    IntakeValidation.outcome(t, path);
    IntakeValidation.required(t, path, "span_count");
    IntakeValidation.required(t.get("span_count"), path + ": span_count", "started");
    IntakeValidation.required(t, path, "duration");
    IntakeValidation.min(t, path, "duration", 0);

    JsonNode context = t.path("context");
    IntakeContext.service(doc, context.path("service"));
    IntakeContext.user(doc, context.path("user"));
    IntakeContext.faas(doc, t.get("faas"));
    IntakeContext.cloudOrigin(doc, context.path("cloud"));
    if (context.path("custom").isObject() && !context.get("custom").isEmpty()) {
      Docs.putNode(doc, "transaction.custom", context.get("custom").deepCopy());
    }
    IntakeContext.labels(doc, context.path("tags"));
    IntakeContext.message(doc, "transaction", context.get("message"));
    IntakeContext.request(doc, context.get("request"));
    IntakeContext.response(doc, context.get("response"));
    IntakeContext.page(doc, context.path("page"), context.path("request").has("url"));
    Docs.duration(doc, "transaction", IntakeEvents.durationNanos(t));
    Docs.put(doc, "transaction.id", text(t, "id"));
    Docs.put(doc, "span.id", text(t, "id"));
    marks(doc, t.path("marks"));
    Docs.put(doc, "transaction.name", text(t, "name"));
    String outcome = text(t, "outcome");
    if (outcome == null) {
      JsonNode status = context.path("response").path("status_code");
      outcome = status.isNumber() ? (status.asInt() >= 500 ? "failure" : "success") : "unknown";
    }
    Docs.outcome(doc, outcome);
    Docs.put(doc, "parent.id", text(t, "parent_id"));
    Docs.put(doc, "transaction.result", text(t, "result"));
    Docs.put(doc, "transaction.sampled", !t.path("sampled").isBoolean() || t.get("sampled").asBoolean());
    Docs.put(doc, "transaction.representative_count", IntakeEvents.representativeCount(t));
    JsonNode session = t.path("session");
    if (isSet(session.get("id"))) {
      Docs.put(doc, "session.id", text(session, "id"));
      Docs.put(doc, "session.sequence", session.path("sequence").asLong());
    }
    JsonNode spanCount = t.path("span_count");
    if (spanCount.path("dropped").isNumber()) {
      Docs.put(doc, "transaction.span_count.dropped", spanCount.get("dropped").asLong());
    }
    Docs.put(doc, "transaction.span_count.started", spanCount.path("started").asLong());
    IntakeEvents.timestamp(doc, t, receivedNanos);
    Docs.put(doc, "trace.id", text(t, "trace_id"));
    Docs.put(doc, "transaction.type", text(t, "type"));
    experience(doc, t.path("experience"));
    IntakeEvents.otel(doc, t.path("otel"), "transaction");
    IntakeEvents.links(doc, t.path("links"));
    Docs.dataStream(doc, "traces", "apm");
  }

  private static void marks(ObjectNode doc, JsonNode marks) {
    if (!marks.isObject()) {
      return;
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = marks.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> group = it.next();
      if (group.getValue().isObject() && !group.getValue().isEmpty()) {
        for (Iterator<Map.Entry<String, JsonNode>> m = group.getValue().fields(); m.hasNext(); ) {
          Map.Entry<String, JsonNode> mark = m.next();
          if (mark.getValue().isNumber()) {
            ObjectNode marksNode = Docs.obj(doc, "transaction.marks");
            ObjectNode groupNode = marksNode.get(group.getKey()) instanceof ObjectNode g ? g : marksNode.putObject(group.getKey());
            groupNode.put(mark.getKey(), mark.getValue().asDouble());
          }
        }
      }
    }
  }

  /** User experience: unset metrics are -1 in the model and left out of the document. */
  private static void experience(ObjectNode doc, JsonNode x) {
    if (!x.isObject()) {
      return;
    }
    for (String f : List.of("cls", "fid", "tbt")) {
      if (x.path(f).isNumber()) {
        Docs.put(doc, "transaction.experience." + f, x.get(f).asDouble());
      }
    }
    JsonNode longtask = x.path("longtask");
    if (longtask.isObject()) {
      Docs.put(doc, "transaction.experience.longtask.count", longtask.path("count").asLong());
      Docs.put(doc, "transaction.experience.longtask.sum", longtask.path("sum").asDouble());
      Docs.put(doc, "transaction.experience.longtask.max", longtask.path("max").asDouble());
    }
  }
}
