package io.traceharness.apm;

import static io.traceharness.apm.OtlpInputs.PARENT;
import static io.traceharness.apm.OtlpInputs.SPAN;
import static io.traceharness.apm.OtlpInputs.START;
import static io.traceharness.apm.OtlpInputs.TRACE;
import static io.traceharness.apm.OtlpInputs.resource;
import static io.traceharness.apm.OtlpInputs.scope;
import static io.traceharness.apm.OtlpInputs.span;
import static io.traceharness.otlp.OtlpValues.kv;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.ByteString;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
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

  private final OtlpMapper mapper = new OtlpMapper(Docs.object().put("type", "apm-server").put("version", "8.19.21"));

  List<ApmDocument> map(Resource resource, Span span) {
    return mapper.traces(ExportTraceServiceRequest.newBuilder().addResourceSpans(ResourceSpans.newBuilder()
        .setResource(resource)
        .addScopeSpans(ScopeSpans.newBuilder()
            .setScope(scope())
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
        // apm-data v1.22.0 traces.go, end of TranslateTransaction: an undecided outcome is a success
        Arguments.of("root INTERNAL span is a transaction", span(SpanKind.SPAN_KIND_INTERNAL, false),
            expect("processor.event", "transaction", "transaction.id", SPAN, "span.id", SPAN, "parent.id", null,
                "transaction.type", "unknown", "transaction.name", "op", "event.outcome", "success",
                "transaction.result", "Success",
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
    // metadata.go: "otlp" without an SDK name, no language suffix without a language
    assertThat(field(doc, "agent.name")).isEqualTo("otlp");
    assertThat(field(doc, "service.language.name")).isEqualTo("unknown");
  }

  @Test
  void exceptionEventBecomesAnErrorAndOtherEventsLogs() {
    Span s = span(SpanKind.SPAN_KIND_SERVER, false)
        .addEvents(Span.Event.newBuilder().setName("exception").setTimeUnixNano(START + 1000)
            .addAttributes(kv("exception.type", "java.lang.IllegalStateException"))
            .addAttributes(kv("exception.message", "boom"))
            .addAttributes(kv("exception.escaped", true)))
        .addEvents(Span.Event.newBuilder().setName("cache miss").setTimeUnixNano(START + 2000)
            .addAttributes(kv("cache.key", "k1")))
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
    // APM Server writes neither processor.event nor timestamp.us for a log (modeljson/apmevent.pb.json.go)
    assertThat(field(log, "processor.event")).isNull();
    assertThat(field(log, "timestamp.us")).isNull();
    assertThat(field(log, "service.framework.name")).isEqualTo("io.opentelemetry.aws-lambda-core-1.0");
    assertThat(field(log, "message")).isEqualTo("cache miss");
    assertThat(field(log, "labels.cache_key")).isEqualTo("k1");
    assertThat(field(log, "span.id")).isEqualTo(SPAN);
  }

  /** apm-data v1.22.0 traces.go TranslateTransaction with model/modelpb/url.go ParseURL. */
  @Test
  void stableHttpServerConventionsBuildTheUrl() {
    JsonNode doc = map(resource("service.name", "s", "host.name", "ignored-host"), span(SpanKind.SPAN_KIND_SERVER, true,
        "http.request.method", "GET", "url.path", "/ping", "url.query", "a=1", "url.scheme", "https",
        "server.address", "api.example.com", "server.port", 8443L, "client.address", "10.0.0.9", "client.port", 50000L,
        "user_agent.original", "curl/8").build()).get(0).source();
    assertThat(field(doc, "url.original")).isEqualTo("/ping?a=1");
    assertThat(field(doc, "url.full")).isEqualTo("https://api.example.com:8443/ping?a=1");
    assertThat(field(doc, "url.domain")).isEqualTo("api.example.com");
    assertThat(field(doc, "url.port")).isEqualTo("8443");
    assertThat(field(doc, "source.domain")).isEqualTo("10.0.0.9");
    assertThat(field(doc, "client.port")).isEqualTo("50000");
    assertThat(field(doc, "user_agent.original")).isEqualTo("curl/8");
    assertThat(doc.path("labels").has("url_path")).isFalse();
    assertThat(field(doc, "event.outcome")).isEqualTo("success");
    assertThat(field(doc, "transaction.result")).isEqualTo("Success");
  }

  /** apm-data v1.22.0 traces.go: messaging keys make a messaging transaction and a messaging span. */
  @Test
  void stableMessagingConventions() {
    JsonNode tx = map(resource(), span(SpanKind.SPAN_KIND_CONSUMER, true, "messaging.system", "aws_sqs",
        "messaging.destination.name", "orders", "messaging.operation.type", "process").build()).get(0).source();
    assertThat(field(tx, "transaction.type")).isEqualTo("messaging");
    assertThat(field(tx, "transaction.message.queue.name")).isEqualTo("orders");
    assertThat(field(tx, "labels.messaging_system")).isEqualTo("aws_sqs");
    JsonNode sp = map(resource(), span(SpanKind.SPAN_KIND_PRODUCER, true, "messaging.system", "aws_sqs",
        "messaging.destination.name", "orders").build()).get(0).source();
    assertThat(field(sp, "span.type")).isEqualTo("messaging");
    assertThat(field(sp, "span.subtype")).isEqualTo("aws_sqs");
    assertThat(field(sp, "span.action")).isEqualTo("send");
    assertThat(field(sp, "span.destination.service.resource")).isEqualTo("aws_sqs/orders");
    assertThat(field(sp, "service.target.type")).isEqualTo("aws_sqs");
    assertThat(field(sp, "service.target.name")).isEqualTo("orders");
  }

  /** apm-data v1.22.0 traces.go TranslateSpan: db.query.text, db.namespace, network.peer.address, gen_ai.system. */
  @Test
  void stableDbAndGenAiConventions() {
    JsonNode db = map(resource(), span(SpanKind.SPAN_KIND_CLIENT, true, "db.system", "postgresql",
        "db.query.text", "SELECT 1", "db.namespace", "shop", "network.peer.address", "10.1.1.1", "server.port", 5432L)
        .build()).get(0).source();
    assertThat(field(db, "span.db.statement")).isEqualTo("SELECT 1");
    assertThat(field(db, "service.target.name")).isEqualTo("shop");
    assertThat(field(db, "destination.address")).isEqualTo("10.1.1.1");
    assertThat(field(db, "destination.port")).isEqualTo("5432");
    JsonNode ai = map(resource(), span(SpanKind.SPAN_KIND_CLIENT, true, "gen_ai.system", "openai").build())
        .get(0).source();
    assertThat(field(ai, "span.type")).isEqualTo("genai");
    assertThat(field(ai, "span.subtype")).isEqualTo("openai");
    assertThat(field(ai, "service.target.type")).isEqualTo("genai");
  }

  /** apm-data v1.22.0 metadata.go translateResourceMetadata; modelprocessor hostname.go, nodename.go. */
  @Test
  void resourceMetadata() {
    JsonNode doc = map(resource("service.name", "s", "telemetry.sdk.name", "opentelemetry",
        "telemetry.sdk.language", "java", "telemetry.sdk.version", "1.40.0", "telemetry.distro.name", "elastic",
        "telemetry.distro.version", "1.2.3", "telemetry.auto.version", "2.6.0", "os.type", "Linux", "os.name", "Ubuntu",
        "process.executable.path", "/usr/bin/java", "process.owner", "app", "container.id", "c1",
        "container.image.name", "img", "host.name", "h1"), span(SpanKind.SPAN_KIND_SERVER, false).build())
        .get(0).source();
    assertThat(field(doc, "agent.name")).isEqualTo("opentelemetry/java/elastic");
    assertThat(field(doc, "agent.version")).isEqualTo("1.2.3");
    assertThat(field(doc, "labels.telemetry_auto_version")).isEqualTo("2.6.0");
    assertThat(field(doc, "host.os.platform")).isEqualTo("linux");
    assertThat(field(doc, "host.os.type")).isEqualTo("linux");
    assertThat(field(doc, "host.os.name")).isEqualTo("Ubuntu");
    assertThat(field(doc, "process.executable")).isEqualTo("/usr/bin/java");
    assertThat(field(doc, "user.name")).isEqualTo("app");
    assertThat(field(doc, "container.image.name")).isEqualTo("img");
    assertThat(field(doc, "host.name")).isEqualTo("h1");
    assertThat(field(doc, "service.node.name")).isEqualTo("c1");
  }

  /** apm-data v1.22.0 traces.go translateSpanLinks, getRepresentativeCountFromTracestateHeader. */
  @Test
  void linksAndRepresentativeCount() {
    Span.Builder s = span(SpanKind.SPAN_KIND_CLIENT, true).setTraceState("ot=th:0;p:3,es=s:1")
        .addLinks(Span.Link.newBuilder().setTraceId(ByteString.copyFrom(HexFormat.of().parseHex(TRACE)))
            .setSpanId(ByteString.copyFrom(HexFormat.of().parseHex(PARENT))))
        .addLinks(Span.Link.newBuilder().setTraceId(ByteString.copyFrom(HexFormat.of().parseHex(TRACE)))
            .setSpanId(ByteString.copyFrom(HexFormat.of().parseHex("1111111111111111")))
            .addAttributes(kv("is_child", true)));
    JsonNode doc = map(resource(), s.build()).get(0).source();
    assertThat(doc.path("span").path("links").get(0).path("span").path("id").asText()).isEqualTo(PARENT);
    assertThat(doc.path("span").path("links").get(0).path("trace").path("id").asText()).isEqualTo(TRACE);
    assertThat(doc.path("span").path("links")).hasSize(1);
    assertThat(doc.path("child").path("id").get(0).asText()).isEqualTo("1111111111111111");
    assertThat(field(doc, "span.representative_count")).isEqualTo("8.0");
  }

  /**
   * apm-data v1.22.0 exceptions.go setJavaExceptionStacktrace (its exceptions_test.go input shape),
   * modelprocessor errormessage.go and groupingkey.go.
   */
  @Test
  void javaExceptionStackTraceIsParsedIntoFrames() {
    String trace = "java.lang.RuntimeException: outer\n"
        + "\tat com.example.Handler.handle(Handler.java:42)\n"
        + "\tat java.base/java.lang.Thread.run(Thread.java:833)\n"
        + "Caused by: java.io.IOException: inner\n"
        + "\tat com.example.Io.read(Io.java:7)\n"
        + "\t... 1 more\n";
    Span s = span(SpanKind.SPAN_KIND_SERVER, false)
        .addEvents(Span.Event.newBuilder().setName("exception").setTimeUnixNano(START)
            .addAttributes(kv("exception.type", "java.lang.RuntimeException"))
            .addAttributes(kv("exception.stacktrace", trace)))
        .build();
    JsonNode error = map(resource("telemetry.sdk.language", "java"), s).get(1).source();
    JsonNode exceptions = error.path("error").path("exception");
    assertThat(exceptions).hasSize(2);
    assertThat(exceptions.get(0).path("message").asText()).isEqualTo("[EMPTY]");
    assertThat(exceptions.get(0).path("stacktrace").get(1).path("module").asText()).isEqualTo("java.base");
    assertThat(exceptions.get(0).path("stacktrace").get(0).path("classname").asText()).isEqualTo("com.example.Handler");
    assertThat(exceptions.get(0).path("stacktrace").get(0).path("line").path("number").asInt()).isEqualTo(42);
    assertThat(exceptions.get(1).path("message").asText()).isEqualTo("java.io.IOException: inner");
    assertThat(exceptions.get(1).path("stacktrace")).hasSize(2);
    assertThat(field(error, "error.stack_trace")).isNull();
    assertThat(field(error, "message")).isEqualTo("[EMPTY]");
    assertThat(field(error, "error.grouping_key")).matches("[0-9a-f]{32}");
  }
}
