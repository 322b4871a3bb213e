package io.traceharness.collector;

import static io.traceharness.collector.GoldenInputs.RESOURCE;
import static io.traceharness.collector.GoldenInputs.SCHEMA;
import static io.traceharness.collector.GoldenInputs.SCOPE;
import static io.traceharness.collector.GoldenInputs.T0;
import static io.traceharness.otlp.OtlpValues.any;
import static io.traceharness.otlp.OtlpValues.id;
import static io.traceharness.otlp.OtlpValues.kv;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import io.traceharness.collector.CollectorConfig.MappingMode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code otel} mapping mode's documents against the real exporter's own evidence, restated here:
 * {@code testdata/golden/otel_traces.json} and {@code otel_logs.json} (inputs as {@code golden_test.go} builds
 * them), and the cases of {@code internal/serializer/otelserializer/traces_test.go} and {@code logs_test.go};
 * routing as {@code data_stream_router.go} decides it.
 */
class ElasticsearchDocumentsTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  static Path tmp;

  static JsonNode json(String text) {
    try {
      return JSON.readTree(text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Written and read back, so numbers compare by value whatever node type built them. */
  static JsonNode roundTrip(JsonNode doc) {
    try {
      return JSON.readTree(JSON.writeValueAsString(doc));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static List<String> fieldNames(JsonNode n) {
    List<String> out = new ArrayList<>();
    n.fieldNames().forEachRemaining(out::add);
    return out;
  }

  private static DocumentRouter.Index generic(String type) {
    return DocumentRouter.Index.dataStream(type, "generic", "default");
  }

  @Test
  void spanAsTheGoldenTraceDocument() {
    Span span = GoldenInputs.span();

    JsonNode doc = roundTrip(OtelDocumentEncoder.span(RESOURCE, SCHEMA, SCOPE, SCHEMA, span,
        generic("traces")));

    assertThat(doc).isEqualTo(json("""
        {
          "@timestamp": "1705314600000.0",
          "data_stream": {"type": "traces", "dataset": "generic", "namespace": "default"},
          "trace_id": "0102030405060708090a0b0c0d0e0f10",
          "span_id": "0102030405060708",
          "parent_span_id": "0001020304050607",
          "name": "GET /api/v1/users",
          "kind": "Server",
          "duration": 150000000,
          "attributes": {
            "http.method": "GET", "http.url": "https://example.com/api/v1/users", "http.status_code": 200,
            "http.target": "/api/v1/users", "http.scheme": "https", "http.host": "example.com",
            "db.system": "postgresql", "db.namespace": "users_db", "db.query.text": "SELECT * FROM users WHERE id = $1"
          },
          "links": [{"trace_id": "100f0e0d0c0b0a090807060504030201", "span_id": "0807060504030201",
                     "attributes": {"link.type": "follows_from"}}],
          "status": {"message": "Success", "code": "Ok"},
          "resource": {
            "schema_url": "https://opentelemetry.io/schemas/1.21.0",
            "attributes": {
              "service.name": "test-service", "service.version": "1.0.0", "service.instance.id": "instance-123",
              "deployment.environment": "production", "host.name": "prod-server-01", "host.arch": "amd64",
              "os.type": "linux", "os.version": "5.15.0", "telemetry.sdk.name": "opentelemetry",
              "telemetry.sdk.language": "go", "telemetry.sdk.version": "1.21.0"
            }
          },
          "scope": {
            "schema_url": "https://opentelemetry.io/schemas/1.21.0",
            "name": "github.com/example/myapp", "version": "1.0.0",
            "attributes": {"scope.attribute": "example-value"}
          }
        }"""));
    assertThat(fieldNames(doc)).containsExactly("@timestamp", "data_stream", "trace_id", "span_id",
        "parent_span_id", "name", "kind", "duration", "attributes", "links", "status", "resource", "scope");
  }

  @Test
  void logAsTheGoldenLogDocument() {
    LogRecord record = GoldenInputs.logRecord();

    JsonNode doc = roundTrip(OtelDocumentEncoder.log(RESOURCE, SCHEMA, SCOPE, SCHEMA, record,
        generic("logs")));

    assertThat(doc.path("@timestamp").asText()).isEqualTo("1705314600000.0");
    assertThat(doc.path("observed_timestamp").asText()).isEqualTo("1705314600001.0");
    assertThat(doc.path("data_stream")).isEqualTo(json("""
        {"type": "logs", "dataset": "generic", "namespace": "default"}"""));
    assertThat(doc.path("severity_text").asText()).isEqualTo("INFO");
    assertThat(doc.path("severity_number").asInt()).isEqualTo(9);
    assertThat(doc.path("attributes")).isEqualTo(json("""
        {"http.method": "GET", "http.status_code": 200, "http.url": "https://example.com/api/v1/users",
         "event.name": "user.login", "user.id": "12345", "success": true, "duration_ms": 45.67}"""));
    assertThat(doc.path("event_name").asText()).isEqualTo("user.login");
    assertThat(doc.path("body")).isEqualTo(json("""
        {"text": "Sample log message with important information"}"""));
    assertThat(fieldNames(doc)).containsExactly("@timestamp", "observed_timestamp", "data_stream", "severity_text",
        "severity_number", "trace_id", "span_id", "attributes", "event_name", "resource", "scope", "body");
  }

  /** traces_test.go "default" and "unset status code". */
  @Test
  void spanNanosecondTimestampsAndTheEmptySpan() {
    Span span = Span.newBuilder().setStartTimeUnixNano(1721314113467654123L).setEndTimeUnixNano(1721314113469654123L)
        .setKind(Span.SpanKind.SPAN_KIND_SERVER)
        .setStatus(Status.newBuilder().setCode(Status.StatusCode.STATUS_CODE_OK).setMessage("Hello")).build();
    Resource resource = Resource.newBuilder().addAttributes(kv("foo", 123)).build();
    InstrumentationScope scope = InstrumentationScope.newBuilder().addAttributes(kv("foo", "bar")).build();
    assertThat(roundTrip(OtelDocumentEncoder.span(resource, "", scope, "", span, DocumentRouter.Index.of(""))))
        .isEqualTo(json("""
            {"@timestamp": "1721314113467.654123", "duration": 2000000, "kind": "Server", "links": [],
             "resource": {"attributes": {"foo": 123}}, "scope": {"attributes": {"foo": "bar"}},
             "status": {"code": "Ok", "message": "Hello"}}"""));

    Span empty = Span.newBuilder().setStatus(Status.newBuilder().setCode(Status.StatusCode.STATUS_CODE_UNSET)).build();
    assertThat(roundTrip(OtelDocumentEncoder.span(Resource.getDefaultInstance(), "",
        InstrumentationScope.getDefaultInstance(), "", empty, DocumentRouter.Index.of("")))).isEqualTo(json("""
            {"@timestamp": "0.0", "duration": 0, "kind": "Unspecified", "links": [], "resource": {}, "scope": {},
             "status": {}}"""));
  }

  @Test
  void spanCountsTraceStateAndErrorStatus() {
    Span span = Span.newBuilder().setTraceId(id("0102030405060708090a0b0c0d0e0f10"))
        .setSpanId(id("0102030405060708")).setTraceState("rojo=00f067aa0ba902b7").setName("work")
        .setKind(Span.SpanKind.SPAN_KIND_CLIENT).setStartTimeUnixNano(T0 + 5).setEndTimeUnixNano(T0 + 1_000_005)
        .setDroppedAttributesCount(1).setDroppedEventsCount(2).setDroppedLinksCount(3)
        .addLinks(Span.Link.newBuilder().setTraceId(id("100f0e0d0c0b0a090807060504030201"))
            .setSpanId(id("0807060504030201")).setTraceState("k=v").setDroppedAttributesCount(4))
        .setStatus(Status.newBuilder().setCode(Status.StatusCode.STATUS_CODE_ERROR).setMessage("boom")).build();
    Resource resource = Resource.newBuilder().setDroppedAttributesCount(5).build();
    InstrumentationScope scope = InstrumentationScope.newBuilder().setName("s").setDroppedAttributesCount(6).build();

    JsonNode doc = roundTrip(OtelDocumentEncoder.span(resource, "", scope, "", span, DocumentRouter.Index.of("x")));

    assertThat(doc.path("@timestamp").asText()).isEqualTo("1705314600000.5");
    assertThat(doc.path("trace_state").asText()).isEqualTo("rojo=00f067aa0ba902b7");
    assertThat(doc.path("kind").asText()).isEqualTo("Client");
    assertThat(doc.path("duration").asLong()).isEqualTo(1_000_000L);
    assertThat(doc.path("dropped_attributes_count").asInt()).isEqualTo(1);
    assertThat(doc.path("dropped_events_count").asInt()).isEqualTo(2);
    assertThat(doc.path("dropped_links_count").asInt()).isEqualTo(3);
    assertThat(doc.path("links")).isEqualTo(json("""
        [{"trace_id": "100f0e0d0c0b0a090807060504030201", "span_id": "0807060504030201", "trace_state": "k=v",
          "dropped_attributes_count": 4}]"""));
    assertThat(doc.path("status")).isEqualTo(json("""
        {"message": "boom", "code": "Error"}"""));
    assertThat(doc.path("resource")).isEqualTo(json("""
        {"dropped_attributes_count": 5}"""));
    assertThat(doc.path("scope")).isEqualTo(json("""
        {"name": "s", "dropped_attributes_count": 6}"""));
    assertThat(doc.has("data_stream")).as("a plain index is no data stream").isFalse();
    assertThat(doc.has("parent_span_id")).as("a root span").isFalse();
  }

  /** logs_test.go "test attributes": types kept, routing attributes left out. */
  @Test
  void attributeTypesAndTheAttributesLeftOut() {
    LogRecord record = LogRecord.newBuilder().setSeverityText("debug")
        .addAttributes(KeyValue.newBuilder().setKey("empty"))
        .addAttributes(kv("data_stream.type", "logs")).addAttributes(kv("string", "foo"))
        .addAttributes(kv("bool", true)).addAttributes(kv("double", 42.0)).addAttributes(kv("int", 42))
        .addAttributes(kv("bytes", new byte[] {42})).addAttributes(kv("elasticsearch.document_id", "my_id"))
        .addAttributes(kv("elasticsearch.mapping.hints", List.of("_doc_count")))
        .addAttributes(kv("slice", List.of(42, "foo")))
        .addAttributes(kv("map_slice", List.of(Map.of("foo.bar", "baz"))))
        .addAttributes(kv("map", Map.of("foo.bar", "baz"))).build();
    Resource resource = Resource.newBuilder().addAttributes(kv("resource_map", Map.of("foo", "bar"))).build();

    String text = OtelDocumentEncoder.log(resource, "", InstrumentationScope.getDefaultInstance(), "", record,
        DocumentRouter.Index.of("")).toString();
    JsonNode doc = json(text);

    assertThat(doc).isEqualTo(json("""
        {"@timestamp": "0.0", "observed_timestamp": "0.0", "severity_text": "debug",
         "resource": {"attributes": {"resource_map": {"foo": "bar"}}}, "scope": {},
         "attributes": {"empty": null, "string": "foo", "bool": true, "double": 42.0, "int": 42, "bytes": "2a",
                        "slice": [42, "foo"], "map_slice": [{"foo.bar": "baz"}], "map": {"foo.bar": "baz"}}}"""));
    assertThat(text).as("a whole double keeps its radix point").contains("\"double\":42.0");
  }

  /** logs_test.go "text body", "map body", and logs.go writeLogBody for lists and scalars. */
  @Test
  void bodies() {
    assertThat(body(any("foo"))).isEqualTo(json("{\"text\": \"foo\"}"));
    assertThat(body(any(Map.of("foo.bar", "baz")))).isEqualTo(json("{\"structured\": {\"foo.bar\": \"baz\"}}"));
    assertThat(body(any(List.of(Map.of("a", 1), Map.of("b", 2)))))
        .isEqualTo(json("{\"structured\": [{\"a\": 1}, {\"b\": 2}]}"));
    assertThat(body(any(List.of(1, "x")))).isEqualTo(json("{\"structured\": {\"value\": [1, \"x\"]}}"));
    assertThat(body(any(7))).isEqualTo(json("{\"text\": 7}"));
    assertThat(body(AnyValue.getDefaultInstance())).isNull();
  }

  private static JsonNode body(AnyValue body) {
    LogRecord record = LogRecord.newBuilder().setBody(body).build();
    return roundTrip(OtelDocumentEncoder.log(Resource.getDefaultInstance(), "",
        InstrumentationScope.getDefaultInstance(), "", record, DocumentRouter.Index.of(""))).get("body");
  }

  /** logs_test.go "geo attributes". */
  @Test
  void geoLocationPairsMerge() {
    LogRecord record = LogRecord.newBuilder()
        .addAttributes(kv("geo.location.lon", 1.1)).addAttributes(kv("geo.location.lat", 2.2))
        .addAttributes(kv("foo.bar.geo.location.lon", 3.3)).addAttributes(kv("foo.bar.geo.location.lat", 4.4))
        .addAttributes(kv("a.geo.location.lon", 5.5)).addAttributes(kv("b.geo.location.lat", 6.6))
        .addAttributes(kv("unrelatedgeo.location.lon", 7.7)).addAttributes(kv("unrelatedgeo.location.lat", 8.8))
        .addAttributes(kv("d", 9.9)).addAttributes(kv("e.geo.location.lon", "foo"))
        .addAttributes(kv("e.geo.location.lat", "bar")).build();
    JsonNode doc = roundTrip(OtelDocumentEncoder.log(Resource.getDefaultInstance(), "",
        InstrumentationScope.getDefaultInstance(), "", record, DocumentRouter.Index.of("")));
    assertThat(doc.get("attributes")).isEqualTo(json("""
        {"geo.location": [1.1, 2.2], "foo.bar.geo.location": [3.3, 4.4], "a.geo.location.lon": 5.5,
         "b.geo.location.lat": 6.6, "unrelatedgeo.location.lon": 7.7, "unrelatedgeo.location.lat": 8.8, "d": 9.9,
         "e.geo.location.lon": "foo", "e.geo.location.lat": "bar"}"""));
  }

  /** logs_test.go "event_name takes precedent over attributes.event.name" and "timestamp"; logs.go observed fallback. */
  @Test
  void eventNameAndTimestamps() {
    LogRecord record = LogRecord.newBuilder().addAttributes(kv("event.name", "foo")).setEventName("bar").build();
    JsonNode doc = roundTrip(OtelDocumentEncoder.log(Resource.getDefaultInstance(), "",
        InstrumentationScope.getDefaultInstance(), "", record, DocumentRouter.Index.of("")));
    assertThat(doc.path("event_name").asText()).isEqualTo("bar");
    assertThat(doc.path("attributes")).isEqualTo(json("{\"event.name\": \"foo\"}"));

    LogRecord timed = LogRecord.newBuilder().setTimeUnixNano(1721314113467654123L).build();
    JsonNode t = roundTrip(OtelDocumentEncoder.log(Resource.getDefaultInstance(), "",
        InstrumentationScope.getDefaultInstance(), "", timed, DocumentRouter.Index.of("")));
    assertThat(t.path("@timestamp").asText()).isEqualTo("1721314113467.654123");
    assertThat(t.path("observed_timestamp").asText()).isEqualTo("0.0");

    LogRecord observedOnly = LogRecord.newBuilder().setObservedTimeUnixNano(T0 + 42).build();
    JsonNode o = roundTrip(OtelDocumentEncoder.log(Resource.getDefaultInstance(), "",
        InstrumentationScope.getDefaultInstance(), "", observedOnly, DocumentRouter.Index.of("")));
    assertThat(o.path("@timestamp").asText()).as("no time: the observed time").isEqualTo("1705314600000.42");
  }

  /** traces.go SerializeSpanEvent; exporter.go pushSpanEvent routes it as a log by the event's attributes. */
  @Test
  void spanEventsAreLogDocumentsInLogsDataStreams() {
    Span span = Span.newBuilder().setTraceId(id("0102030405060708090a0b0c0d0e0f10"))
        .setSpanId(id("0102030405060708")).setName("parent").setStartTimeUnixNano(T0).setEndTimeUnixNano(T0 + 10)
        .addAttributes(kv("data_stream.dataset", "spans"))
        .addEvents(Span.Event.newBuilder().setTimeUnixNano(T0 + 3).setName("exception")
            .addAttributes(kv("exception.type", "java.lang.IllegalStateException"))
            .addAttributes(kv("data_stream.namespace", "prod")).setDroppedAttributesCount(2))
        .build();
    ExportTraceServiceRequest request = ExportTraceServiceRequest.newBuilder().addResourceSpans(
        ResourceSpans.newBuilder().setResource(Resource.newBuilder().addAttributes(kv("service.name", "svc")))
            .addScopeSpans(ScopeSpans.newBuilder().setScope(InstrumentationScope.newBuilder().setName("lib"))
                .addSpans(span))).build();

    List<ElasticsearchSender.Document> docs = sender(MappingMode.OTEL, "", "").documents(Signal.TRACES, request);

    assertThat(docs).extracting(ElasticsearchSender.Document::index)
        .containsExactly("traces-spans.otel-default", "logs-generic.otel-prod");
    assertThat(roundTrip(docs.get(1).source())).isEqualTo(json("""
        {"@timestamp": "1705314600000.3",
         "data_stream": {"type": "logs", "dataset": "generic.otel", "namespace": "prod"},
         "trace_id": "0102030405060708090a0b0c0d0e0f10", "span_id": "0102030405060708",
         "dropped_attributes_count": 2, "event_name": "exception",
         "attributes": {"exception.type": "java.lang.IllegalStateException", "event.name": "exception"},
         "resource": {"attributes": {"service.name": "svc"}}, "scope": {"name": "lib"}}"""));
  }

  @Test
  void routingPrecedenceRecordThenScopeThenResource() {
    Resource resource = Resource.newBuilder().addAttributes(kv("data_stream.dataset", "res"))
        .addAttributes(kv("data_stream.namespace", "resns")).build();
    InstrumentationScope scope = InstrumentationScope.newBuilder().addAttributes(kv("data_stream.dataset", "scp"))
        .build();
    DocumentRouter router = new DocumentRouter(MappingMode.OTEL, "");

    assertThat(router.route("logs", resource, scope, List.of(kv("data_stream.dataset", "rec"))).index())
        .isEqualTo("logs-rec.otel-resns");
    assertThat(router.route("logs", resource, scope, List.of()).index()).isEqualTo("logs-scp.otel-resns");
    assertThat(router.route("logs", resource, InstrumentationScope.getDefaultInstance(), List.of()).index())
        .isEqualTo("logs-res.otel-resns");
    assertThat(router.route("traces", Resource.getDefaultInstance(), InstrumentationScope.getDefaultInstance(),
        List.of()).index()).isEqualTo("traces-generic.otel-default");
    assertThat(new DocumentRouter(MappingMode.ECS, "").route("traces", Resource.getDefaultInstance(),
        InstrumentationScope.getDefaultInstance(), List.of()).index()).as("no .otel outside otel mode")
        .isEqualTo("traces-generic-default");
  }

  @Test
  void routingByIndexAttributeReceiverScopeAndStaticIndex() {
    DocumentRouter router = new DocumentRouter(MappingMode.OTEL, "");
    DocumentRouter.Index byAttribute = router.route("logs", Resource.newBuilder()
        .addAttributes(kv("elasticsearch.index", "my-index")).build(), InstrumentationScope.getDefaultInstance(),
        List.of(kv("data_stream.dataset", "ignored")));
    assertThat(byAttribute.index()).isEqualTo("my-index");
    assertThat(byAttribute.isDataStream()).isFalse();

    InstrumentationScope hostmetrics = InstrumentationScope.newBuilder().setName(
        "github.com/open-telemetry/opentelemetry-collector-contrib/receiver/hostmetricsreceiver/internal/scraper/cpuscraper")
        .build();
    assertThat(router.route("metrics", Resource.getDefaultInstance(), hostmetrics, List.of()).index())
        .isEqualTo("metrics-hostmetricsreceiver.otel-default");

    assertThat(router.route("logs", Resource.getDefaultInstance(), InstrumentationScope.getDefaultInstance(),
        List.of(kv("data_stream.dataset", "My-App/x"), kv("data_stream.namespace", "Team A,B"))).index())
        .as("data_stream_router.go sanitizeDataStreamField").isEqualTo("logs-my_app_x.otel-team_a_b");

    assertThat(new DocumentRouter(MappingMode.OTEL, "static-logs").route("logs", Resource.getDefaultInstance(),
        InstrumentationScope.getDefaultInstance(), List.of(kv("data_stream.dataset", "x"))))
        .isEqualTo(DocumentRouter.Index.of("static-logs"));
  }

  @Test
  void logsWithDynamicIdAndPipelineAndTheBulkBody() {
    ExportLogsServiceRequest request = ExportLogsServiceRequest.newBuilder().addResourceLogs(ResourceLogs.newBuilder()
        .addScopeLogs(ScopeLogs.newBuilder().addLogRecords(LogRecord.newBuilder().setBody(any("hello"))
            .addAttributes(kv("elasticsearch.document_id", "doc-1"))
            .addAttributes(kv("elasticsearch.ingest_pipeline", "p1"))))).build();
    ElasticsearchSender plain = sender(MappingMode.OTEL, "", "");
    List<ElasticsearchSender.Document> docs = plain.documents(Signal.LOGS, request);
    assertThat(docs.get(0).id()).as("logs_dynamic_id off").isNull();

    String body = new String(ElasticsearchSender.bulkBody(docs), StandardCharsets.UTF_8);
    String[] lines = body.split("\n");
    assertThat(lines).hasSize(2);
    assertThat(json(lines[0])).isEqualTo(json("{\"create\": {\"_index\": \"logs-generic.otel-default\"}}"));
    assertThat(json(lines[1]).path("attributes")).as("both attributes left out of a written attributes object")
        .isEqualTo(json("{}"));
    assertThat(body).endsWith("\n");
  }

  static ElasticsearchSender sender(MappingMode mode, String tracesIndex, String logsIndex) {
    return sender(mode, tracesIndex, logsIndex, tmp);
  }

  static ElasticsearchSender sender(MappingMode mode, String tracesIndex, String logsIndex, Path dir) {
    CollectorConfig.ElasticsearchSpec spec = new CollectorConfig.ElasticsearchSpec("elasticsearch",
        List.of(java.net.URI.create("http://127.0.0.1:9")), "", "", "", Map.of(),
        new CollectorConfig.TlsSpec(false, null), false, java.time.Duration.ofSeconds(5), mode, logsIndex,
        tracesIndex, "", "", false, false, null,
        new CollectorConfig.ElasticsearchRetrySpec(true, 0, java.time.Duration.ofMillis(10),
            java.time.Duration.ofMillis(50), List.of(429)),
        new CollectorConfig.QueueSpec(false, 1, 1), List.of());
    return new ElasticsearchSender(spec, "traces", new CollectorLog(dir.resolve("collector.log")), new FailureLog(10));
  }
}
