package io.traceharness.collector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch.core.SearchResponse;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import com.linecorp.armeria.client.WebClient;
import com.linecorp.armeria.common.AggregatedHttpResponse;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.RequestHeaders;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.logs.v1.SeverityNumber;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import io.traceharness.elasticsearch.EmbeddedElasticsearch;
import io.traceharness.trace.SpanNode;
import io.traceharness.trace.Trace;
import io.traceharness.trace.Traces;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Spans and logs through the embedded collector's {@code elasticsearch} exporter (otel mapping mode) into a real
 * Elasticsearch node: the documents land in the {@code traces-generic.otel-default} and
 * {@code logs-generic.otel-default} data streams with the fields the real exporter writes, and core's
 * {@link Traces} reads them back as the right tree.
 */
class ElasticsearchExporterIT {

  private static final ObjectMapper JSON = new ObjectMapper();

  static EmbeddedElasticsearch es;

  @TempDir
  Path tmp;

  EmbeddedCollector collector;

  @BeforeAll
  static void startElasticsearch() {
    es = EmbeddedElasticsearch.builder().heap("256m").build();
    es.start();
  }

  @AfterAll
  static void stopElasticsearch() {
    if (es != null) {
      es.close();
    }
  }

  @AfterEach
  void stopCollector() {
    if (collector != null) {
      collector.close();
    }
  }

  private EmbeddedCollector collector(String exporterBody) {
    collector = EmbeddedCollector.builder()
        .config("receivers:\n  otlp:\n    protocols:\n      http:\n"
            + "exporters:\n  elasticsearch:\n" + exporterBody.indent(4)
            + "service:\n  pipelines:\n"
            + "    traces:\n      receivers: [otlp]\n      exporters: [elasticsearch]\n"
            + "    logs:\n      receivers: [otlp]\n      exporters: [elasticsearch]\n")
        .environment(Map.of("ELASTICSEARCH_URL", es.endpoint().toString()))
        .freePorts(true)
        .shutdownTimeout(Duration.ofSeconds(2))
        .logFile(tmp.resolve("collector.log"))
        .build()
        .start();
    return collector;
  }

  private void post(String path, byte[] body) {
    AggregatedHttpResponse res = WebClient.of().execute(RequestHeaders.builder(HttpMethod.POST,
        collector.otlpHttpEndpoint().resolve(path).toString()).contentType(MediaType.parse("application/x-protobuf"))
        .build(), body).aggregate().join();
    assertThat(res.status().code()).as(res.contentUtf8()).isEqualTo(200);
  }

  private static List<JsonNode> documents(String index, String traceId) {
    ElasticsearchClient client = es.client();
    try {
      client.indices().refresh(r -> r.index(index).ignoreUnavailable(true));
      SearchResponse<JsonNode> res = client.search(s -> s.index(index).ignoreUnavailable(true)
          .query(q -> q.term(t -> t.field("trace_id").value(traceId))).size(100), JsonNode.class);
      return res.hits().hits().stream().map(h -> h.source()).toList();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  void spansEventsAndLogsLandInOtelDataStreamsAndReadBackAsATree() {
    collector("mapping:\n  mode: otel\nretry:\n  initial_interval: 10ms");
    String traceId = Otlp.newTraceId();
    String rootId = Otlp.newSpanId();
    String childId = Otlp.newSpanId();
    long t0 = System.currentTimeMillis() * 1_000_000L + 123_456;
    Resource resource = Resource.newBuilder().addAttributes(Otlp.attr("service.name", "checkout"))
        .addAttributes(Otlp.attr("deployment.environment", "test")).build();
    InstrumentationScope scope = InstrumentationScope.newBuilder().setName("io.example").setVersion("1.0").build();
    Span root = Span.newBuilder().setTraceId(ByteString.fromHex(traceId)).setSpanId(ByteString.fromHex(rootId))
        .setName("GET /cart").setKind(Span.SpanKind.SPAN_KIND_SERVER)
        .setStartTimeUnixNano(t0).setEndTimeUnixNano(t0 + 50_000_000L)
        .addAttributes(Otlp.attr("http.request.method", "GET"))
        .setStatus(Status.newBuilder().setCode(Status.StatusCode.STATUS_CODE_OK)).build();
    Span child = Span.newBuilder().setTraceId(ByteString.fromHex(traceId)).setSpanId(ByteString.fromHex(childId))
        .setParentSpanId(ByteString.fromHex(rootId)).setName("SELECT cart").setKind(Span.SpanKind.SPAN_KIND_CLIENT)
        .setStartTimeUnixNano(t0 + 5_000_000L).setEndTimeUnixNano(t0 + 25_000_000L)
        .addAttributes(Otlp.attr("db.system.name", "postgresql"))
        .addEvents(Span.Event.newBuilder().setName("exception").setTimeUnixNano(t0 + 20_000_000L)
            .addAttributes(Otlp.attr("exception.type", "java.sql.SQLException")))
        .setStatus(Status.newBuilder().setCode(Status.StatusCode.STATUS_CODE_ERROR).setMessage("timeout")).build();
    post("/v1/traces", ExportTraceServiceRequest.newBuilder().addResourceSpans(ResourceSpans.newBuilder()
        .setResource(resource).addScopeSpans(ScopeSpans.newBuilder().setScope(scope).addSpans(root).addSpans(child)))
        .build().toByteArray());
    post("/v1/logs", ExportLogsServiceRequest.newBuilder().addResourceLogs(ResourceLogs.newBuilder()
        .setResource(resource).addScopeLogs(ScopeLogs.newBuilder().setScope(scope).addLogRecords(LogRecord.newBuilder()
            .setTimeUnixNano(t0 + 10_000_000L).setObservedTimeUnixNano(t0 + 11_000_000L)
            .setSeverityNumber(SeverityNumber.SEVERITY_NUMBER_WARN).setSeverityText("WARN")
            .setTraceId(ByteString.fromHex(traceId)).setSpanId(ByteString.fromHex(childId))
            .setBody(AnyValue.newBuilder().setStringValue("cart query slow"))))).build().toByteArray());

    // the export is synchronous (no sending queue by default): the documents are written when the receiver answers
    List<JsonNode> spans = documents("traces-generic.otel-default", traceId);
    assertThat(spans).hasSize(2);
    JsonNode childDoc = spans.stream().filter(d -> d.path("span_id").asText().equals(childId)).findFirst().orElseThrow();
    assertThat(childDoc.path("parent_span_id").asText()).isEqualTo(rootId);
    assertThat(childDoc.path("kind").asText()).isEqualTo("Client");
    assertThat(childDoc.path("duration").asLong()).isEqualTo(20_000_000L);
    assertThat(childDoc.path("status")).isEqualTo(JSON.createObjectNode().put("message", "timeout").put("code", "Error"));
    assertThat(childDoc.path("data_stream").path("dataset").asText()).isEqualTo("generic.otel");
    assertThat(childDoc.path("resource").path("attributes").path("service.name").asText()).isEqualTo("checkout");
    assertThat(childDoc.path("attributes").path("db.system.name").asText()).isEqualTo("postgresql");

    List<JsonNode> logs = documents("logs-generic.otel-default", traceId);
    assertThat(logs).extracting(d -> d.path("event_name").asText()).containsExactlyInAnyOrder("exception", "");
    JsonNode event = logs.stream().filter(d -> d.has("event_name")).findFirst().orElseThrow();
    assertThat(event.path("span_id").asText()).isEqualTo(childId);
    assertThat(event.path("attributes").path("event.name").asText()).isEqualTo("exception");
    JsonNode log = logs.stream().filter(d -> !d.has("event_name")).findFirst().orElseThrow();
    assertThat(log.path("body").path("text").asText()).isEqualTo("cart query slow");
    assertThat(log.path("severity_number").asInt()).isEqualTo(13);

    try (Traces traces = Traces.reader(es.client()).atMost(Duration.ofSeconds(30))) {
      Trace trace = traces.awaitSatisfying(traceId, t -> assertThat(t.size()).isEqualTo(2));
      assertThat(trace.roots()).as(trace.waterfall()).singleElement().satisfies(r -> {
        assertThat(r.name()).isEqualTo("GET /cart");
        assertThat(r.service()).isEqualTo("checkout");
        assertThat(r.isTransaction()).isTrue();
        assertThat(r.children()).extracting(SpanNode::name).containsExactly("SELECT cart");
      });
      assertThat(trace.span(childId).orElseThrow().outcome()).isEqualTo(SpanNode.Outcome.FAILURE);
      assertThat(traces.logs(traceId)).extracting(l -> l.message()).contains("cart query slow");
    }
    assertThat(collector.stats().pipeline("traces").exporter("elasticsearch").sent()).isEqualTo(2);
    assertThat(collector.exportFailures()).isEmpty();
  }

  @Test
  void aDocumentElasticsearchRefusesIsDroppedWithTheExportersLogLine() throws Exception {
    collector("include_source_on_error: false");
    String traceId = Otlp.newTraceId();
    // elasticsearch.index routes to a plain index; otel mode sends require_data_stream=true, so it is refused
    Span refused = Otlp.span(traceId, "refused").toBuilder()
        .addAttributes(Otlp.attr("elasticsearch.index", "not-a-data-stream")).build();
    Span kept = Otlp.span(traceId, "kept");
    post("/v1/traces", ExportTraceServiceRequest.newBuilder().addResourceSpans(ResourceSpans.newBuilder()
        .setResource(Resource.newBuilder().addAttributes(Otlp.attr("service.name", "svc")))
        .addScopeSpans(ScopeSpans.newBuilder().addSpans(refused).addSpans(kept))).build().toByteArray());

    assertThat(documents("traces-generic.otel-default", traceId)).extracting(d -> d.path("name").asText())
        .containsExactly("kept");
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(collector.exportFailures())
        .singleElement().satisfies(f -> {
          assertThat(f.dropped()).isTrue();
          assertThat(f.destination()).isEqualTo("not-a-data-stream");
          assertThat(f.error()).startsWith("failed to index document (");
        }));
    assertThat(java.nio.file.Files.readString(collector.logFile()))
        .contains("failed to index document index=not-a-data-stream error.type=");
  }

  @Test
  void ecsModeWritesDedottedDocumentsThatElasticsearchAccepts() {
    collector("mapping:\n  mode: ecs");
    String traceId = Otlp.newTraceId();
    String spanId = Otlp.newSpanId();
    post("/v1/logs", ExportLogsServiceRequest.newBuilder().addResourceLogs(ResourceLogs.newBuilder()
        .setResource(Resource.newBuilder().addAttributes(Otlp.attr("service.name", "billing"))
            .addAttributes(Otlp.attr("host.name", "box-1")))
        .addScopeLogs(ScopeLogs.newBuilder().addLogRecords(LogRecord.newBuilder()
            .setTimeUnixNano(System.currentTimeMillis() * 1_000_000L).setSeverityText("ERROR")
            .setSeverityNumber(SeverityNumber.SEVERITY_NUMBER_ERROR)
            .setTraceId(ByteString.fromHex(traceId)).setSpanId(ByteString.fromHex(spanId))
            .addAttributes(Otlp.attr("exception.type", "IOException"))
            .setBody(AnyValue.newBuilder().setStringValue("charge failed"))))).build().toByteArray());

    List<JsonNode> docs;
    ElasticsearchClient client = es.client();
    try {
      client.indices().refresh(r -> r.index("logs-generic-default"));
      docs = client.search(s -> s.index("logs-generic-default")
          .query(q -> q.term(t -> t.field("trace.id").value(traceId))), JsonNode.class)
          .hits().hits().stream().map(h -> h.source()).toList();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    assertThat(docs).singleElement().satisfies(d -> {
      assertThat(d.path("message").asText()).isEqualTo("charge failed");
      assertThat(d.path("log").path("level").asText()).isEqualTo("ERROR");
      assertThat(d.path("error").path("type").asText()).isEqualTo("IOException");
      assertThat(d.path("service").path("name").asText()).isEqualTo("billing");
      assertThat(d.path("host").path("hostname").asText()).isEqualTo("box-1");
      assertThat(d.path("span").path("id").asText()).isEqualTo(spanId);
      assertThat(d.path("data_stream").path("dataset").asText()).isEqualTo("generic");
    });
  }
}
