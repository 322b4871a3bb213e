package io.traceharness.apm;

import static io.traceharness.apm.IntakeContext.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.traceharness.apm.IntakeValidation.InvalidEvent;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * An intake v2 metricset → its {@code metrics-apm} document, as elastic/apm-data v1.22.0
 * {@code input/elasticapm/internal/modeldecoder/v2/decoder.go} mapToMetricsetModel maps it, its
 * samples stored as Elasticsearch's {@code metrics-apm@pipeline.yaml} stores them.
 */
final class IntakeMetricsets {

  private IntakeMetricsets() {
  }

  static void map(JsonNode m, ObjectNode doc, long receivedNanos) throws InvalidEvent {
    IntakeValidation.required(m, "metricset", "samples");
    for (Iterator<Map.Entry<String, JsonNode>> it = m.get("samples").fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> sample = it.next();
      if (sample.getKey().contains("*") || sample.getKey().contains("\"")) {
        throw IntakeValidation.validation("metricset", "'samples': validation rule 'patternKeys(patternNoAsteriskQuote)' violated");
      }
      IntakeValidation.requiredAnyOf(sample.getValue(), "metricset: samples", "value", "values");
    }
    // modeljson writes timestamp.us for transactions, spans and errors only
    JsonNode ts = m.get("timestamp");
    doc.put("@timestamp", Docs.formatTimestamp(ts != null && ts.isNumber() && ts.asLong() > 0 ? ts.asLong() * 1_000 : receivedNanos));
    JsonNode faas = m.get("faas");
    IntakeContext.faas(doc, faas);
    IntakeContext.labels(doc, m.path("tags"));
    JsonNode transaction = m.path("transaction");
    Docs.put(doc, "transaction.name", text(transaction, "name"));
    Docs.put(doc, "transaction.type", text(transaction, "type"));
    JsonNode span = m.path("span");
    Docs.put(doc, "span.type", text(span, "type"));
    Docs.put(doc, "span.subtype", text(span, "subtype"));
    JsonNode service = m.path("service");
    Docs.put(doc, "service.name", text(service, "name"));
    Docs.put(doc, "service.version", text(service, "version"));
    List<String> names = new ArrayList<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = m.get("samples").fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> sample = it.next();
      names.add(sample.getKey());
      sample(doc, sample.getKey(), sample.getValue());
    }
    // mapToMetricsetModel: breakdown metrics (with transaction/span) are "span_breakdown", others "app"
    boolean breakdown = transaction.isObject() || span.isObject();
    Docs.put(doc, "metricset.name", text(m, "name") != null ? text(m, "name") : breakdown ? "span_breakdown" : "app");
    String serviceName = doc.path("service").path("name").asText();
    boolean internal = breakdown || serviceName.isEmpty() || InternalMetrics.allInternal(names);
    Docs.dataStream(doc, "metrics", internal ? "apm.internal" : "apm.app." + Docs.normalizeForDataset(serviceName));
  }

  /**
   * A sample as metrics-apm@pipeline.yaml stores it: {@code ctx.put(name, …)}, a top-level key that
   * keeps its dots, holding the value or a histogram's values and counts.
   */
  private static void sample(ObjectNode doc, String name, JsonNode sample) {
    if (sample.has("values")) {
      ObjectNode h = Docs.object();
      h.set("values", sample.get("values"));
      h.set("counts", sample.path("counts"));
      doc.set(name, h);
    } else if (sample.path("value").isNumber()) {
      doc.set(name, sample.get("value"));
    }
  }
}
