package io.traceharness.collector;

import static io.traceharness.collector.ElasticsearchDocumentsTest.json;
import static io.traceharness.collector.ElasticsearchDocumentsTest.roundTrip;
import static io.traceharness.collector.GoldenInputs.RESOURCE;
import static io.traceharness.collector.GoldenInputs.SCOPE;
import static io.traceharness.otlp.OtlpValues.id;
import static io.traceharness.otlp.OtlpValues.kv;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import io.traceharness.collector.CollectorConfig.MappingMode;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code ecs} mapping mode against {@code testdata/golden/ecs_traces.json} and {@code ecs_logs.json} (inputs as
 * {@code golden_test.go} builds them). The encoder read here (the one with {@code resourceAttrsConversionMap} on
 * semconv v1.38 names) and those golden files disagree on three fields, asserted as the encoder writes them:
 * it skips {@code telemetry.sdk.*} (the golden files show {@code service.language.*}), adds {@code host.os.type}
 * from {@code os.type}, and gives logs {@code agent.name}/{@code agent.version}.
 */
class EcsDocumentsTest {

  @TempDir
  Path tmp;

  @Test
  void spanAsTheGoldenEcsTraceDocument() {
    Span span = GoldenInputs.span();

    JsonNode doc = roundTrip(EcsDocumentEncoder.span(RESOURCE, SCOPE, span,
        DocumentRouter.Index.dataStream("traces", "generic", "default")));

    ObjectNode golden = (ObjectNode) json("""
        {
          "@timestamp": "2024-01-15T10:30:00.000000000Z",
          "data_stream": {"dataset": "generic", "namespace": "default", "type": "traces"},
          "event": {"outcome": "success"},
          "host": {"architecture": "amd64", "hostname": "prod-server-01", "name": "prod-server-01",
                   "os": {"platform": "linux", "version": "5.15.0"}},
          "http": {"host": "example.com", "method": "GET", "scheme": "https", "status_code": 200,
                   "target": "/api/v1/users", "url": "https://example.com/api/v1/users"},
          "parent": {"id": "0001020304050607"},
          "scope": {"attribute": "example-value"},
          "service": {"environment": "production", "language": {"name": "go", "version": "1.21.0"},
                      "name": "test-service", "node": {"name": "instance-123"}, "version": "1.0.0"},
          "span": {"db": {"instance": "users_db", "statement": "SELECT * FROM users WHERE id = $1",
                          "type": "postgresql"},
                   "id": "0102030405060708", "kind": "SERVER",
                   "links": [{"span": {"id": "0807060504030201"}, "trace": {"id": "100f0e0d0c0b0a090807060504030201"}}],
                   "name": "GET /api/v1/users"},
          "trace": {"id": "0102030405060708090a0b0c0d0e0f10"}
        }""");
    // the encoder's own differences from the golden file (see the class comment)
    ((ObjectNode) golden.get("service")).remove("language");
    ((ObjectNode) golden.get("host").get("os")).put("type", "linux");
    assertThat(doc).isEqualTo(golden);
  }

  @Test
  void logAsTheGoldenEcsLogDocument() {
    LogRecord record = GoldenInputs.logRecord();

    JsonNode doc = roundTrip(EcsDocumentEncoder.log(RESOURCE, SCOPE, record,
        DocumentRouter.Index.dataStream("logs", "generic", "default")));

    ObjectNode golden = (ObjectNode) json("""
        {
          "@timestamp": "2024-01-15T10:30:00.000000000Z",
          "data_stream": {"dataset": "generic", "namespace": "default", "type": "logs"},
          "duration_ms": 45.67,
          "event": {"action": "user.login", "severity": 9},
          "host": {"architecture": "amd64", "hostname": "prod-server-01", "name": "prod-server-01",
                   "os": {"platform": "linux", "version": "5.15.0"}},
          "http": {"method": "GET", "status_code": 200, "url": "https://example.com/api/v1/users"},
          "log": {"level": "INFO"},
          "message": "Sample log message with important information",
          "scope": {"attribute": "example-value"},
          "service": {"environment": "production", "language": {"name": "go", "version": "1.21.0"},
                      "name": "test-service", "node": {"name": "instance-123"}, "version": "1.0.0"},
          "span": {"id": "0102030405060708"},
          "success": true,
          "trace": {"id": "0102030405060708090a0b0c0d0e0f10"},
          "user": {"id": "12345"}
        }""");
    ((ObjectNode) golden.get("service")).remove("language");
    ((ObjectNode) golden.get("host").get("os")).put("type", "linux");
    golden.putObject("agent").put("name", "opentelemetry/go").put("version", "1.21.0");
    assertThat(doc).isEqualTo(golden);
  }

  @Test
  void errorStatusMapsAndConflictingKeysMoveToValue() {
    Span span = Span.newBuilder().setTraceId(id("0102030405060708090a0b0c0d0e0f10"))
        .setSpanId(id("0102030405060708")).setName("x").setKind(Span.SpanKind.SPAN_KIND_INTERNAL)
        .addAttributes(kv("a", "top")).addAttributes(kv("a.b", "nested"))
        .addAttributes(kv("m", Map.of("k", 1)))
        .setStatus(Status.newBuilder().setCode(Status.StatusCode.STATUS_CODE_ERROR)).build();
    JsonNode doc = roundTrip(EcsDocumentEncoder.span(Resource.getDefaultInstance(),
        InstrumentationScope.getDefaultInstance(), span, DocumentRouter.Index.of("idx")));
    assertThat(doc.path("event").path("outcome").asText()).isEqualTo("failure");
    assertThat(doc.path("span").path("kind").asText()).isEqualTo("INTERNAL");
    assertThat(doc.path("a")).as("objmodel Dedup: a value under a prefix of other keys").isEqualTo(json("""
        {"value": "top", "b": "nested"}"""));
    assertThat(doc.path("m")).isEqualTo(json("{\"k\": 1}"));
    assertThat(doc.has("data_stream")).isFalse();
    assertThat(doc.has("duration")).isFalse();
  }

  @Test
  void ecsModeWritesNoSpanEventDocumentsAndNoOtelSuffix() {
    Span span = Span.newBuilder().setTraceId(id("0102030405060708090a0b0c0d0e0f10"))
        .setSpanId(id("0102030405060708")).setName("x")
        .addEvents(Span.Event.newBuilder().setName("exception")).build();
    ExportTraceServiceRequest request = ExportTraceServiceRequest.newBuilder().addResourceSpans(ResourceSpans
        .newBuilder().addScopeSpans(ScopeSpans.newBuilder().addSpans(span))).build();
    assertThat(ElasticsearchDocumentsTest.sender(MappingMode.ECS, "", "", tmp).documents(Signal.TRACES, request))
        .extracting(ElasticsearchSender.Document::index).containsExactly("traces-generic-default");
  }
}
