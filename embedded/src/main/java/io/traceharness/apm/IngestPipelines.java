package io.traceharness.apm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.time.Instant;
import java.util.List;

/**
 * What Elasticsearch 8.19's apm-data plugin does to a document between {@code _bulk} and the
 * index, applied here because the integ-test distribution cannot: it has no ingest-common module
 * (no set/remove/rename/user_agent processors) and no painless, so the plugin's pipelines cannot
 * even be installed (only the {@code pipeline} and {@code drop} processors exist). The steps,
 * per elasticsearch {@code x-pack/plugin/apm-data/src/main/resources}:
 *
 * <ul>
 *   <li>{@code index-templates/traces-apm@template.yaml} → final pipeline
 *       {@code ingest-pipelines/traces-apm@pipeline.yaml}: {@code processor.event} (transaction when
 *       {@code transaction.type} is set, else span, never overriding), {@code <event>.duration.us}
 *       from {@code event.duration} (ns, integer division; 0 when absent) unless already there,
 *       {@code event.duration} removed, {@code event.success_count} 0/1 from the outcome and the
 *       representative count on success;</li>
 *   <li>{@code logs-apm.error@default-pipeline.yaml} and {@code logs-apm@pipeline.yaml}:
 *       {@code event.dataset} from {@code data_stream.dataset} when unset;</li>
 *   <li>{@code metrics-apm@pipeline.yaml}: {@code metricset.samples} moved to top-level fields;</li>
 *   <li>{@code apm@pipeline.yaml} (for all): {@code process.ppid} → {@code process.parent.pid},
 *       {@code user_agent.original} parsed ({@link UserAgents}); the geoip step needs a database
 *       this node does not have, so {@code client.geo} is not written;</li>
 *   <li>{@code event.ingested}: the time the document passes through, on every document (8.19;
 *       apm-server {@code systemtest/approvals/TestIntake/*.approved.json} carry it everywhere).</li>
 * </ul>
 *
 * <p>It is idempotent, so documents that already went through it (or a real cluster's pipelines
 * after it) come out the same.
 */
final class IngestPipelines {

  private final Clock clock;

  IngestPipelines(Clock clock) {
    this.clock = clock;
  }

  void apply(List<ApmDocument> documents) {
    for (ApmDocument d : documents) {
      apply(d.source());
    }
  }

  void apply(ObjectNode doc) {
    templateFields(doc);
    String type = doc.path("data_stream").path("type").asText("");
    switch (type) {
      case "traces" -> traces(doc);
      case "logs" -> logs(doc);
      case "metrics" -> metrics(doc);
      default -> {
      }
    }
    apm(doc);
  }

  /**
   * Fields the real index templates provide without a value in the document: the
   * {@code constant_keyword} {@code processor.event} of {@code index-templates/logs-apm.error@template.yaml}
   * (error) and {@code metrics-apm.*@template.yaml} (metric) (application logs have none: apm-server
   * {@code systemtest/approvals/TestIntakeLog/*.approved.json}),
   * and the runtime field {@code error.grouping_name} of {@code component-templates/logs-apm.error@mappings.yaml}
   * (the log message, else the first exception's message). This distribution has neither
   * constant_keyword nor painless, so they are stored; searches and the fields API see the same values.
   */
  static void templateFields(ObjectNode doc) {
    String type = doc.path("data_stream").path("type").asText("");
    String dataset = doc.path("data_stream").path("dataset").asText("");
    if (type.equals("logs") && dataset.equals("apm.error")) {
      Docs.put(doc, "processor.event", "error");
      String name = doc.path("error").path("log").path("message").asText("");
      if (name.isEmpty()) {
        name = doc.path("error").path("exception").path(0).path("message").asText("");
      }
      Docs.put(doc, "error.grouping_name", name);
    } else if (type.equals("metrics") && dataset.startsWith("apm.")) {
      Docs.put(doc, "processor.event", "metric");
    }
  }

  /** traces-apm@pipeline.yaml. */
  static void traces(ObjectNode doc) {
    String event = doc.path("processor").path("event").asText("");
    if (!doc.path("transaction").path("type").isMissingNode() && !doc.path("transaction").path("type").isNull()) {
      event = "transaction";
    } else if (event.isEmpty()) {
      event = "span";
    }
    Docs.put(doc, "processor.event", event);
    JsonNode duration = doc.path(event).path("duration");
    if (duration.isMissingNode() || duration.isNull()) {
      long nanos = doc.path("event").path("duration").asLong(0);
      Docs.put(doc, event + ".duration.us", nanos / 1_000);
    }
    if (doc.get("event") instanceof ObjectNode e) {
      e.remove("duration");
      String outcome = e.path("outcome").asText("");
      if (outcome.equals("failure")) {
        e.put("success_count", 0);
      } else if (outcome.equals("success")) {
        JsonNode representative = doc.path(event).path("representative_count");
        if (representative.isNumber()) {
          e.set("success_count", representative);
        } else {
          e.put("success_count", 1);
        }
      }
    }
  }

  /** logs-apm.error@default-pipeline.yaml, logs-apm@pipeline.yaml. */
  static void logs(ObjectNode doc) {
    String dataset = doc.path("data_stream").path("dataset").asText("");
    if (!dataset.isEmpty() && doc.path("event").path("dataset").isMissingNode()) {
      Docs.put(doc, "event.dataset", dataset);
    }
  }

  /** metrics-apm@pipeline.yaml: samples become top-level metric fields. */
  static void metrics(ObjectNode doc) {
    if (!(doc.get("metricset") instanceof ObjectNode metricset) || !metricset.path("samples").isArray()) {
      return;
    }
    for (JsonNode sample : metricset.get("samples")) {
      String name = sample.path("name").asText();
      String type = sample.path("type").asText("");
      if (type.equals("histogram")) {
        ObjectNode h = Docs.object();
        h.set("values", sample.path("values"));
        h.set("counts", sample.path("counts"));
        doc.set(name, h);
      } else if (type.equals("summary")) {
        ObjectNode s = Docs.object();
        s.set("value_count", sample.path("value_count"));
        s.set("sum", sample.path("sum"));
        doc.set(name, s);
      } else {
        doc.set(name, sample.path("value"));
      }
    }
    metricset.remove("samples");
  }

  /** apm@pipeline.yaml, plus event.ingested. */
  void apm(ObjectNode doc) {
    if (doc.get("process") instanceof ObjectNode process && process.has("ppid")) {
      Docs.putNode(doc, "process.parent.pid", process.remove("ppid"));
    }
    if (doc.get("user_agent") instanceof ObjectNode ua && ua.path("original").isTextual()) {
      UserAgents.parse(ua.get("original").asText(), ua);
    }
    Docs.put(doc, "event.ingested", Instant.now(clock).toString());
  }
}
