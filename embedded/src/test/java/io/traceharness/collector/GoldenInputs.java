package io.traceharness.collector;

import static io.traceharness.otlp.OtlpValues.any;
import static io.traceharness.otlp.OtlpValues.id;
import static io.traceharness.otlp.OtlpValues.kv;

import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;

/**
 * The inputs of the {@code elasticsearch} exporter's golden files ({@code testdata/golden/*.json}) as its
 * {@code golden_test.go} builds them: one resource, one scope, one span and one log record, for every
 * mapping mode's test.
 */
final class GoldenInputs {

  /** 2024-01-15T10:30:00Z, golden_test's sample time. */
  static final long T0 = 1_705_314_600_000_000_000L;
  static final String TRACE_ID = "0102030405060708090a0b0c0d0e0f10";
  static final String SPAN_ID = "0102030405060708";
  static final String SCHEMA = "https://opentelemetry.io/schemas/1.21.0";

  static final Resource RESOURCE = Resource.newBuilder()
      .addAttributes(kv("service.name", "test-service")).addAttributes(kv("service.version", "1.0.0"))
      .addAttributes(kv("service.instance.id", "instance-123"))
      .addAttributes(kv("deployment.environment", "production")).addAttributes(kv("host.name", "prod-server-01"))
      .addAttributes(kv("host.arch", "amd64")).addAttributes(kv("os.type", "linux"))
      .addAttributes(kv("os.version", "5.15.0")).addAttributes(kv("telemetry.sdk.name", "opentelemetry"))
      .addAttributes(kv("telemetry.sdk.language", "go")).addAttributes(kv("telemetry.sdk.version", "1.21.0"))
      .build();
  static final InstrumentationScope SCOPE = InstrumentationScope.newBuilder()
      .setName("github.com/example/myapp").setVersion("1.0.0")
      .addAttributes(kv("scope.attribute", "example-value")).build();

  private GoldenInputs() {
  }

  /** The golden SERVER span: HTTP and DB attributes, a link, status OK. */
  static Span span() {
    return Span.newBuilder().setTraceId(id(TRACE_ID))
        .setSpanId(id(SPAN_ID)).setParentSpanId(id("0001020304050607"))
        .setName("GET /api/v1/users").setKind(Span.SpanKind.SPAN_KIND_SERVER)
        .setStartTimeUnixNano(T0).setEndTimeUnixNano(T0 + 150_000_000L)
        .addAttributes(kv("http.method", "GET")).addAttributes(kv("http.url", "https://example.com/api/v1/users"))
        .addAttributes(kv("http.status_code", 200)).addAttributes(kv("http.target", "/api/v1/users"))
        .addAttributes(kv("http.scheme", "https")).addAttributes(kv("http.host", "example.com"))
        .addAttributes(kv("db.system", "postgresql")).addAttributes(kv("db.namespace", "users_db"))
        .addAttributes(kv("db.query.text", "SELECT * FROM users WHERE id = $1"))
        .addLinks(Span.Link.newBuilder().setTraceId(id("100f0e0d0c0b0a090807060504030201"))
            .setSpanId(id("0807060504030201")).addAttributes(kv("link.type", "follows_from")))
        .setStatus(Status.newBuilder().setCode(Status.StatusCode.STATUS_CODE_OK).setMessage("Success"))
        .build();
  }

  /** The golden INFO log record of that span, with attributes of every scalar type. */
  static LogRecord logRecord() {
    return LogRecord.newBuilder().setTimeUnixNano(T0).setObservedTimeUnixNano(T0 + 1_000_000L)
        .setSeverityText("INFO").setSeverityNumberValue(9)
        .setTraceId(id(TRACE_ID)).setSpanId(id(SPAN_ID))
        .addAttributes(kv("http.method", "GET")).addAttributes(kv("http.status_code", 200))
        .addAttributes(kv("http.url", "https://example.com/api/v1/users"))
        .addAttributes(kv("event.name", "user.login")).addAttributes(kv("user.id", "12345"))
        .addAttributes(kv("success", true)).addAttributes(kv("duration_ms", 45.67))
        .setBody(any("Sample log message with important information")).build();
  }
}
