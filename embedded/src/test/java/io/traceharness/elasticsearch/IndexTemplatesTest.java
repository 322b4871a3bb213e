package io.traceharness.elasticsearch;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class IndexTemplatesTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void everyDataStreamFamilyHasADataStreamTemplateComposedOfItsSchemasMappings() throws Exception {
    List<String> patterns = new ArrayList<>();
    for (String name : IndexTemplates.INDEX_TEMPLATES) {
      JsonNode t = read(name);
      assertThat(t.has("data_stream")).as("%s is a data stream template", name).isTrue();
      if (name.endsWith("-otel")) {
        // otel-data index-templates/*-otel@template.yaml: priority 120, otel@mappings first
        assertThat(t.path("priority").asInt()).as("%s priority", name).isEqualTo(120);
        assertThat(t.path("composed_of").get(0).asText()).isEqualTo("otel@mappings");
        assertThat(t.path("composed_of").toString()).contains(name + "@mappings", "semconv-resource-to-ecs@mappings");
      } else {
        if (!name.equals("logs")) {
          assertThat(t.path("priority").asInt()).as("%s priority", name).isGreaterThanOrEqualTo(150);
        }
        assertThat(t.path("composed_of").get(0).asText()).isEqualTo(IndexTemplates.COMPONENT);
      }
      for (JsonNode c : t.path("composed_of")) {
        boolean optional = t.path("ignore_missing_component_templates").toString().contains("\"" + c.asText() + "\"");
        if (!optional) {
          assertThat(IndexTemplates.COMPONENTS).as("components installed for %s", name).contains(c.asText());
        }
      }
      t.path("index_patterns").forEach(p -> patterns.add(p.asText()));
    }
    assertThat(patterns).containsExactlyInAnyOrder("traces-apm*", "logs-apm.error*", "logs-apm.app*", "metrics-apm*",
        "traces-*.otel-*", "logs-*.otel-*", "metrics-*.otel-*", "logs-*-*");
  }

  @Test
  void otherLogsDataStreamsFallToTheCatchAllLogsTemplateBelowTheApmAndOtelOnes() throws Exception {
    // logs-generic-default (the log forwarder's) matches only logs-*-*, at the stack's logs template priority
    assertThat(read("logs").path("priority").asInt()).isEqualTo(100);
    assertThat(read("logs").path("index_patterns").toString()).isEqualTo("[\"logs-*-*\"]");
    assertThat(read("logs").at("/template/mappings/properties/message/type").asText()).isEqualTo("text");
  }

  @Test
  void apmAndOtelTemplatesDifferInPriorityBecauseTheirPatternsOverlap() throws Exception {
    // logs-apm.error.otel-x matches both logs-apm.error* and logs-*.otel-*: equal priorities are refused
    assertThat(read("logs-apm.error").path("priority").asInt()).isNotEqualTo(read("logs-otel").path("priority").asInt());
    assertThat(read("otel@mappings").at("/template/mappings/properties/@timestamp/type").asText())
        .as("otel mode writes nanosecond timestamps").isEqualTo("date_nanos");
  }

  /**
   * otel-data component-templates/otel@mappings.yaml: attributes, scope attributes and resource
   * attributes are passthrough objects, the more general the higher the priority, so a span
   * attribute {@code attributes.foo} is queryable as {@code foo} and {@code resource.attributes.service.name}
   * as {@code service.name}; traces-otel@mappings.yaml: keyword ids with the ECS names as aliases.
   */
  @Test
  void otelMappingsArePassthroughAttributesKeywordIdsAndNanosecondDurations() throws Exception {
    JsonNode otel = read("otel@mappings").at("/template/mappings");
    assertThat(otel.path("dynamic").asBoolean(true)).isFalse();
    assertThat(otel.at("/properties/attributes/type").asText()).isEqualTo("passthrough");
    assertThat(otel.at("/properties/attributes/priority").asInt()).isEqualTo(20);
    assertThat(otel.at("/properties/scope/properties/attributes/priority").asInt()).isEqualTo(30);
    assertThat(otel.at("/properties/resource/properties/attributes/priority").asInt()).isEqualTo(40);
    assertThat(read("semconv-resource-to-ecs@mappings").at("/template/mappings/properties/resource/properties/attributes/priority")
        .asInt()).as("the same passthrough object: the priorities must agree").isEqualTo(40);

    JsonNode traces = read("traces-otel@mappings").at("/template/mappings/properties");
    for (String id : List.of("trace_id", "span_id", "parent_span_id", "name", "kind", "status")) {
      assertThat(traces.path(id).path("type").asText(traces.path(id).has("properties") ? "object" : ""))
          .as("type of %s", id).isIn("keyword", "object");
    }
    assertThat(traces.at("/trace.id/path").asText()).isEqualTo("trace_id");
    assertThat(traces.at("/parent.id/path").asText()).isEqualTo("parent_span_id");
    assertThat(traces.at("/duration/type").asText()).isEqualTo("long");
    assertThat(traces.at("/duration/meta/unit").asText()).isEqualTo("nanos");
    assertThat(read("logs-otel@mappings").at("/template/mappings/properties/trace.id/path").asText()).isEqualTo("trace_id");
  }

  @Test
  void mappingsTypeTheFieldsTheTraceReaderQueries() throws Exception {
    JsonNode properties = read(IndexTemplates.COMPONENT).path("template").path("mappings").path("properties");

    for (String id : List.of("trace.id", "transaction.id", "span.id", "parent.id", "trace_id", "span_id",
        "parent_span_id", "event.outcome", "processor.event", "service.name", "agent.name", "span.type",
        "span.subtype", "transaction.type", "transaction.name", "transaction.result", "data_stream.type",
        "data_stream.dataset", "data_stream.namespace")) {
      assertThat(properties.path(id).path("type").asText()).as("type of %s", id).isEqualTo("keyword");
    }
    for (String number : List.of("timestamp.us", "transaction.duration.us", "span.duration.us")) {
      assertThat(properties.path(number).path("type").asText()).as("type of %s", number).isEqualTo("long");
    }
    assertThat(properties.path("@timestamp").path("type").asText()).isEqualTo("date");
  }

  @Test
  void labelsAreKeywordsAndNumericLabelsNumbersWhateverTheirName() throws Exception {
    JsonNode dynamic = read(IndexTemplates.COMPONENT).path("template").path("mappings").path("dynamic_templates");

    assertThat(dynamic.get(0).path("labels").path("path_match").asText()).isEqualTo("labels.*");
    assertThat(dynamic.get(0).path("labels").path("mapping").path("type").asText()).isEqualTo("keyword");
    assertThat(dynamic.get(1).path("numeric_labels").path("path_match").asText()).isEqualTo("numeric_labels.*");
    assertThat(dynamic.get(1).path("numeric_labels").path("mapping").path("type").asText()).isEqualTo("double");
  }

  /**
   * elasticsearch x-pack/plugin/apm-data component-templates/apm@mappings.yaml sets date_detection
   * false (a date-looking label would otherwise pin the field to date and refuse later documents);
   * ecs@mappings keeps keywords at ignore_above 1024, so a 100 KB span name is stored, not refused.
   */
  @Test
  void mappingsDetectNoDatesAndIgnoreOverlongKeywordsAsTheApmDataPluginDoes() throws Exception {
    JsonNode mappings = read(IndexTemplates.COMPONENT).path("template").path("mappings");
    assertThat(mappings.path("date_detection").isBoolean()).isTrue();
    assertThat(mappings.path("date_detection").asBoolean(true)).isFalse();
    mappings.path("properties").fields().forEachRemaining(e -> {
      if (e.getValue().path("type").asText().equals("keyword")) {
        assertThat(e.getValue().path("ignore_above").asInt()).as("ignore_above of %s", e.getKey()).isEqualTo(1024);
      }
    });
    // apm@settings.yaml: a malformed value is kept in _source instead of refusing the document
    assertThat(read(IndexTemplates.COMPONENT).at("/template/settings/index/mapping/ignore_malformed").asBoolean())
        .isTrue();
  }

  @Test
  void settingsNeedNoReplicaSoASingleNodeIsGreen() throws Exception {
    JsonNode index = read(IndexTemplates.COMPONENT).path("template").path("settings").path("index");
    assertThat(index.path("number_of_replicas").asInt(-1)).isZero();
  }

  private static JsonNode read(String name) throws Exception {
    try (InputStream in = IndexTemplates.open(name)) {
      return JSON.readTree(in);
    }
  }
}
