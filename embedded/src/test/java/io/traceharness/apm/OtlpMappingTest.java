package io.traceharness.apm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.ByteString;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Span.SpanKind;
import io.opentelemetry.proto.trace.v1.Status;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/** One OTLP span in, the fields APM Server writes out (elastic/apm-data input/otlp/traces.go). */
class OtlpMappingTest {

  static final String TRACE = "0af7651916cd43dd8448eb211c80319c";
  static final String SPAN = "b7ad6b7169203331";
  static final String PARENT = "00f067aa0ba902b7";
  static final long START = 1_700_000_000_123_456_789L;

  private final OtlpMapper mapper = new OtlpMapper(Docs.object().put("type", "apm-server").put("version", "8.19.21"));

  static KeyValue attr(String k, Object v) {
    AnyValue.Builder b = AnyValue.newBuilder();
    if (v instanceof String s) {
      b.setStringValue(s);
    } else if (v instanceof Long l) {
      b.setIntValue(l);
    } else if (v instanceof Integer i) {
      b.setIntValue(i);
    } else if (v instanceof Boolean z) {
      b.setBoolValue(z);
    } else if (v instanceof Double d) {
      b.setDoubleValue(d);
    }
    return KeyValue.newBuilder().setKey(k).setValue(b).build();
  }

  static Span.Builder span(SpanKind kind, boolean withParent, Object... attrs) {
    Span.Builder s = Span.newBuilder()
        .setTraceId(ByteString.copyFrom(HexFormat.of().parseHex(TRACE)))
        .setSpanId(ByteString.copyFrom(HexFormat.of().parseHex(SPAN)))
        .setName("op").setKind(kind)
        .setStartTimeUnixNano(START).setEndTimeUnixNano(START + 2_500_000);
    if (withParent) {
      s.setParentSpanId(ByteString.copyFrom(HexFormat.of().parseHex(PARENT)));
    }
    for (int i = 0; i < attrs.length; i += 2) {
      s.addAttributes(attr((String) attrs[i], attrs[i + 1]));
    }
    return s;
  }

  static Resource resource(Object... attrs) {
    Resource.Builder r = Resource.newBuilder();
    for (int i = 0; i < attrs.length; i += 2) {
      r.addAttributes(attr((String) attrs[i], attrs[i + 1]));
    }
    return r.build();
  }

  List<ApmDocument> map(Resource resource, Span span) {
    return mapper.traces(ExportTraceServiceRequest.newBuilder().addResourceSpans(ResourceSpans.newBuilder()
        .setResource(resource)
        .addScopeSpans(ScopeSpans.newBuilder()
            .setScope(InstrumentationScope.newBuilder().setName("io.opentelemetry.aws-lambda-core-1.0").setVersion("2.33.1"))
            .addSpans(span))).build());
  }

  static String field(JsonNode doc, String dotted) {
    JsonNode n = doc;
    for (String p : dotted.split("\\.")) {
      n = n.path(p);
    }
    return n.isMissingNode() ? null : n.asText();
  }

  static Map<String, String> expect(String... kv) {
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put(kv[i], kv[i + 1]);
    }
    return m;
  }

  static Stream<Arguments> spans() {
    return Stream.of(
        Arguments.of("root INTERNAL span is a transaction", span(SpanKind.SPAN_KIND_INTERNAL, false),
            expect("processor.event", "transaction", "transaction.id", SPAN, "span.id", SPAN, "parent.id", null,
                "transaction.type", "unknown", "transaction.name", "op", "event.outcome", "unknown",
                "data_stream.dataset", "apm", "data_stream.type", "traces")),
        Arguments.of("SERVER span with a parent is a transaction", span(SpanKind.SPAN_KIND_SERVER, true,
                "http.request.method", "GET", "http.response.status_code", 200L, "url.full", "https://api.example.com/ping?x=1"),
            expect("processor.event", "transaction", "parent.id", PARENT, "transaction.type", "request",
                "transaction.result", "HTTP 2xx", "event.outcome", "success", "http.request.method", "GET",
                "http.response.status_code", "200", "url.domain", "api.example.com", "url.path", "/ping")),
        Arguments.of("CONSUMER span is a messaging transaction", span(SpanKind.SPAN_KIND_CONSUMER, true,
                "messaging.destination", "orders"),
            expect("processor.event", "transaction", "transaction.type", "messaging")),
        Arguments.of("type attribute wins", span(SpanKind.SPAN_KIND_SERVER, false, "type", "lambda", "http.method", "GET"),
            expect("transaction.type", "lambda")),
        Arguments.of("HTTP 5xx server fails", span(SpanKind.SPAN_KIND_SERVER, false, "http.status_code", 503L),
            expect("transaction.result", "HTTP 5xx", "event.outcome", "failure", "event.success_count", null)),
        Arguments.of("gRPC status code names the result", span(SpanKind.SPAN_KIND_SERVER, false, "rpc.system", "grpc",
                "rpc.grpc.status_code", 5L),
            expect("transaction.type", "request", "transaction.result", "NotFound")),
        Arguments.of("span status gives the result", span(SpanKind.SPAN_KIND_SERVER, false)
                .setStatus(Status.newBuilder().setCode(Status.StatusCode.STATUS_CODE_ERROR)),
            expect("transaction.result", "Error", "event.outcome", "failure")),
        Arguments.of("CLIENT HTTP span is external/http", span(SpanKind.SPAN_KIND_CLIENT, true,
                "http.request.method", "GET", "url.full", "http://consumer.local:8080/ping", "http.response.status_code", 404L),
            expect("processor.event", "span", "span.id", SPAN, "transaction.id", null, "parent.id", PARENT,
                "span.type", "external", "span.subtype", "http", "event.outcome", "failure",
                "span.destination.service.resource", "consumer.local:8080",
                "span.destination.service.name", "http://consumer.local:8080", "span.destination.service.type", "external",
                "service.target.type", "http", "service.target.name", "consumer.local:8080",
                "destination.address", "consumer.local", "destination.port", "8080",
                "url.original", "http://consumer.local:8080/ping")),
        Arguments.of("default port is added to the resource", span(SpanKind.SPAN_KIND_CLIENT, true,
                "http.method", "GET", "http.url", "https://example.com/a"),
            expect("span.destination.service.resource", "example.com:443", "service.target.name", "example.com:443",
                "destination.port", "443")),
        Arguments.of("db span", span(SpanKind.SPAN_KIND_CLIENT, true, "db.system", "postgresql", "db.name", "shop",
                "db.statement", "select 1"),
            expect("span.type", "db", "span.subtype", "postgresql", "span.db.statement", "select 1",
                "service.target.type", "postgresql", "service.target.name", "shop",
                "span.destination.service.resource", "postgresql")),
        Arguments.of("messaging producer span", span(SpanKind.SPAN_KIND_PRODUCER, true, "messaging.system", "kafka",
                "messaging.destination", "orders"),
            expect("span.type", "messaging", "span.subtype", "kafka", "span.action", "send",
                "span.destination.service.resource", "kafka/orders", "service.target.name", "orders")),
        Arguments.of("rpc client span", span(SpanKind.SPAN_KIND_CLIENT, true, "rpc.system", "grpc",
                "rpc.service", "Greeter", "net.peer.name", "svc", "net.peer.port", 50051L),
            expect("span.type", "external", "span.subtype", "grpc", "service.target.type", "grpc",
                "service.target.name", "Greeter", "span.destination.service.resource", "svc:50051")),
        Arguments.of("internal child span is app/internal", span(SpanKind.SPAN_KIND_INTERNAL, true),
            expect("span.type", "app", "span.subtype", "internal", "span.name", "op")),
        Arguments.of("unspecified child span is unknown", span(SpanKind.SPAN_KIND_UNSPECIFIED, true),
            expect("span.type", "unknown", "span.subtype", null)),
        Arguments.of("attributes become labels with dots as underscores", span(SpanKind.SPAN_KIND_SERVER, false,
                "faas.trigger", "http", "cold.start", true, "retry.count", 3L, "ratio", 0.5),
            expect("labels.faas_trigger", "http", "labels.cold_start", "true", "numeric_labels.retry_count", "3.0",
                "numeric_labels.ratio", "0.5")),
        Arguments.of("times and durations", span(SpanKind.SPAN_KIND_INTERNAL, true),
            expect("@timestamp", "2023-11-14T22:13:20.123Z", "timestamp.us", "1700000000123456",
                "event.duration", "2500000", "span.duration.us", null)),
        Arguments.of("transaction duration", span(SpanKind.SPAN_KIND_SERVER, false),
            expect("event.duration", "2500000", "transaction.duration.us", null, "span.duration", null)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("spans")
  void mapsSpan(String description, Span.Builder span, Map<String, String> expected) {
    List<ApmDocument> docs = map(resource("service.name", "producer"), span.build());
    JsonNode doc = docs.get(0).source();
    expected.forEach((k, v) -> assertThat(field(doc, k)).as("%s in %s", k, doc).isEqualTo(v));
  }

  @Test
  void resourceGivesServiceAgentAndCloud() {
    JsonNode doc = map(resource("service.name", "my.svc/1", "service.version", "1.2", "service.instance.id", "i-1",
        "deployment.environment", "prod", "telemetry.sdk.name", "opentelemetry", "telemetry.sdk.language", "nodejs",
        "telemetry.sdk.version", "1.30.0", "cloud.provider", "aws", "cloud.region", "eu-west-1",
        "cloud.platform", "aws_lambda", "faas.name", "producer", "host.name", "h1"),
        span(SpanKind.SPAN_KIND_SERVER, false).build()).get(0).source();
    assertThat(field(doc, "service.name")).isEqualTo("my_svc_1");
    assertThat(field(doc, "service.version")).isEqualTo("1.2");
    assertThat(field(doc, "service.node.name")).isEqualTo("i-1");
    assertThat(field(doc, "service.environment")).isEqualTo("prod");
    assertThat(field(doc, "agent.name")).isEqualTo("opentelemetry/nodejs");
    assertThat(field(doc, "agent.version")).isEqualTo("1.30.0");
    assertThat(field(doc, "service.language.name")).isEqualTo("nodejs");
    assertThat(field(doc, "cloud.provider")).isEqualTo("aws");
    assertThat(field(doc, "cloud.region")).isEqualTo("eu-west-1");
    assertThat(field(doc, "cloud.service.name")).isEqualTo("aws_lambda");
    assertThat(field(doc, "labels.faas_name")).isEqualTo("producer");
    assertThat(field(doc, "host.hostname")).isEqualTo("h1");
    assertThat(field(doc, "service.framework.name")).isEqualTo("io.opentelemetry.aws-lambda-core-1.0");
    assertThat(field(doc, "observer.type")).isEqualTo("apm-server");
  }

  @Test
  void missingServiceNameIsUnknown() {
    JsonNode doc = map(resource(), span(SpanKind.SPAN_KIND_SERVER, false).build()).get(0).source();
    assertThat(field(doc, "service.name")).isEqualTo("unknown");
    assertThat(field(doc, "agent.name")).isEqualTo("otlp/unknown");
  }

  @Test
  void exceptionEventBecomesAnErrorAndOtherEventsLogs() {
    Span s = span(SpanKind.SPAN_KIND_SERVER, false)
        .addEvents(Span.Event.newBuilder().setName("exception").setTimeUnixNano(START + 1000)
            .addAttributes(attr("exception.type", "java.lang.IllegalStateException"))
            .addAttributes(attr("exception.message", "boom"))
            .addAttributes(attr("exception.escaped", true)))
        .addEvents(Span.Event.newBuilder().setName("cache miss").setTimeUnixNano(START + 2000)
            .addAttributes(attr("cache.key", "k1")))
        .build();
    List<ApmDocument> docs = map(resource("service.name", "Producer-Fn"), s);
    assertThat(docs).extracting(ApmDocument::dataStream)
        .containsExactly("traces-apm-default", "logs-apm.error-default", "logs-apm.app.producer_fn-default");
    JsonNode error = docs.get(1).source();
    assertThat(field(error, "processor.event")).isEqualTo("error");
    assertThat(error.path("error").path("exception").get(0).path("type").asText()).isEqualTo("java.lang.IllegalStateException");
    assertThat(error.path("error").path("exception").get(0).path("message").asText()).isEqualTo("boom");
    assertThat(error.path("error").path("exception").get(0).path("handled").asBoolean()).isFalse();
    assertThat(field(error, "trace.id")).isEqualTo(TRACE);
    assertThat(field(error, "transaction.id")).isEqualTo(SPAN);
    assertThat(field(error, "parent.id")).isEqualTo(SPAN);
    assertThat(field(error, "error.id")).hasSize(32);
    JsonNode log = docs.get(2).source();
    assertThat(field(log, "processor.event")).isEqualTo("log");
    assertThat(field(log, "message")).isEqualTo("cache miss");
    assertThat(field(log, "labels.cache_key")).isEqualTo("k1");
    assertThat(field(log, "span.id")).isEqualTo(SPAN);
  }
}
