package io.traceharness.apm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.ByteString;
import com.google.protobuf.Message;
import com.linecorp.armeria.client.grpc.GrpcClients;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.logs.v1.LogsServiceGrpc;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.MetricsServiceGrpc;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.TraceServiceGrpc;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.ArrayValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.logs.v1.SeverityNumber;
import io.opentelemetry.proto.metrics.v1.AggregationTemporality;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.metrics.v1.Sum;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Span.SpanKind;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * OTLP → what a real APM Server 8.19 (apm-data v1.22.0) and Elasticsearch 8.19 store, read back
 * from Elasticsearch, over OTLP/HTTP (protobuf) and OTLP/gRPC. Each rule names the file its facts
 * come from: APM Server's {@code systemtest/approvals/TestOTLP*.approved.json} for the inputs of
 * {@code systemtest/otlp_test.go}, or apm-data's {@code input/otlp/*_test.go} expectations.
 *
 * <p>The real stack's documents include what Elasticsearch's apm-data pipelines and templates add
 * ({@code event.ingested}, {@code event.dataset}, {@code error.grouping_name},
 * {@code *.duration.us}, {@code event.success_count}, the parsed user agent).
 */
@ExtendWith({ConformanceStack.Resolver.class, Conformance.Tally.class})
class OtlpConformanceIT {

  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  enum Transport {
    HTTP, GRPC;

    String group() {
      return this == HTTP ? "OTLP/HTTP" : "OTLP/gRPC";
    }
  }

  private static String hex(int bytes) {
    byte[] b = new byte[bytes];
    ThreadLocalRandom.current().nextBytes(b);
    return HexFormat.of().formatHex(b);
  }

  private static ByteString id(String hex) {
    return ByteString.copyFrom(HexFormat.of().parseHex(hex));
  }

  private static KeyValue kv(String key, AnyValue value) {
    return KeyValue.newBuilder().setKey(key).setValue(value).build();
  }

  private static AnyValue str(String s) {
    return AnyValue.newBuilder().setStringValue(s).build();
  }

  private static AnyValue array(AnyValue... values) {
    return AnyValue.newBuilder().setArrayValue(ArrayValue.newBuilder().addAllValues(List.of(values))).build();
  }

  private static AnyValue bool(boolean b) {
    return AnyValue.newBuilder().setBoolValue(b).build();
  }

  private static AnyValue dbl(double d) {
    return AnyValue.newBuilder().setDoubleValue(d).build();
  }

  private static AnyValue integer(long l) {
    return AnyValue.newBuilder().setIntValue(l).build();
  }

  /** opentelemetry-go's default resource plus systemtest's attributes (otlp_test.go TestOTLPGRPCTraces). */
  private static Resource goResource(String serviceName) {
    return Resource.newBuilder()
        .addAttributes(kv("service.name", str(serviceName)))
        .addAttributes(kv("telemetry.sdk.language", str("go")))
        .addAttributes(kv("telemetry.sdk.name", str("opentelemetry")))
        .addAttributes(kv("telemetry.sdk.version", str("1.28.0")))
        .addAttributes(kv("resource_attribute_array", array(str("a"), str("b"))))
        .addAttributes(kv("resource_attribute_bool", bool(true)))
        .addAttributes(kv("resource_attribute_bool_array", array(bool(true), bool(false))))
        .addAttributes(kv("resource_attribute_float", dbl(123456.789)))
        .addAttributes(kv("resource_attribute_float_array", array(dbl(123456.789), dbl(987654321.123456789))))
        .addAttributes(kv("resource_attribute_int", integer(123456)))
        .build();
  }

  private static void send(ConformanceStack stack, Transport transport, String path, Message request) {
    if (transport == Transport.HTTP) {
      HttpResponse<String> response = postProtobuf(stack, path, request);
      assertThat(response.statusCode()).as("POST %s answer: %s", path, response.body()).isEqualTo(200);
      return;
    }
    String uri = stack.apmServer().endpoint().toString();
    if (request instanceof ExportTraceServiceRequest r) {
      GrpcClients.newClient(uri, TraceServiceGrpc.TraceServiceBlockingStub.class).export(r);
    } else if (request instanceof ExportMetricsServiceRequest r) {
      GrpcClients.newClient(uri, MetricsServiceGrpc.MetricsServiceBlockingStub.class).export(r);
    } else if (request instanceof ExportLogsServiceRequest r) {
      GrpcClients.newClient(uri, LogsServiceGrpc.LogsServiceBlockingStub.class).export(r);
    }
  }

  private static HttpResponse<String> postProtobuf(ConformanceStack stack, String path, Message request) {
    try {
      return HTTP.send(HttpRequest.newBuilder(URI.create(stack.apmServer().endpoint() + path))
          .header("Content-Type", "application/x-protobuf")
          .POST(HttpRequest.BodyPublishers.ofByteArray(request.toByteArray())).build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static final String BASE_LABELS_SOURCE =
      "apm-server 8.19 systemtest/approvals/TestOTLPGRPCTraces.approved.json (input: systemtest/otlp_test.go)";

  private static Conformance.Rule goRule(Transport transport, String serviceName) {
    return Conformance.rule(transport.group(), BASE_LABELS_SOURCE)
        .fields("agent.name", "opentelemetry/go", "agent.version", "1.28.0",
            "labels.resource_attribute_array", List.of("a", "b"),
            "labels.resource_attribute_bool", "true",
            "labels.resource_attribute_bool_array", List.of("true", "false"),
            "numeric_labels.resource_attribute_float", 123456.789,
            "numeric_labels.resource_attribute_float_array", List.of(123456.789, 987654321.123456789),
            "numeric_labels.resource_attribute_int", 123456,
            "observer.type", "apm-server",
            "service.framework.name", "systemtest",
            "service.language.name", "go",
            "service.name", serviceName.replace(':', '_').replace('.', '_'),
            "data_stream.namespace", "default")
        .dynamic("@timestamp", "observer.hostname", "observer.version")
        .dynamic("event.ingested");
  }

  /**
   * One transaction with a 1-year duration, a span event and an exception event
   * (TestOTLPGRPCTraces): three documents.
   */
  @ParameterizedTest
  @EnumSource(Transport.class)
  void transactionWithSpanEventAndException(Transport transport, ConformanceStack stack) {
    String trace = hex(16);
    String span = hex(8);
    String service = "unknown_service:systemtest.test." + transport.name().toLowerCase(Locale.ROOT);
    long start = 123_000_000_456L;
    Span.Builder s = Span.newBuilder().setTraceId(id(trace)).setSpanId(id(span)).setName("operation_name")
        .setKind(SpanKind.SPAN_KIND_INTERNAL).setStartTimeUnixNano(start)
        .setEndTimeUnixNano(start + 365L * 24 * 3600 * 1_000_000_000L)
        .addAttributes(kv("span_attribute_array", array(str("a"), str("b"), str("c"))))
        .addEvents(Span.Event.newBuilder().setName("a_span_event").setTimeUnixNano(start + 1_000_000))
        .addEvents(Span.Event.newBuilder().setName("exception").setTimeUnixNano(start + 2_000_000)
            .addAttributes(kv("exception.type", str("*errors.errorString")))
            .addAttributes(kv("exception.message", str("kablamo")))
            .addAttributes(kv("exception.stacktrace", str("not an actual real stack trace"))));
    send(stack, transport, "/v1/traces", ExportTraceServiceRequest.newBuilder().addResourceSpans(
        ResourceSpans.newBuilder().setResource(goResource(service)).addScopeSpans(ScopeSpans.newBuilder()
            .setScope(InstrumentationScope.newBuilder().setName("systemtest")).addSpans(s))).build());

    List<JsonNode> docs = stack.awaitDocuments("trace.id:" + trace, 3);
    String dataset = "apm.app." + service.replace(':', '_').replace('.', '_');
    JsonNode transaction = only(docs, "traces");
    JsonNode log = only(docs, "logs", dataset);
    JsonNode error = only(docs, "logs", "apm.error");

    goRule(transport, service)
        .fields("data_stream.type", "traces", "data_stream.dataset", "apm",
            "event.outcome", "success", "event.success_count", 1,
            "labels.span_attribute_array", List.of("a", "b", "c"),
            "processor.event", "transaction", "span.id", span, "trace.id", trace, "transaction.id", span,
            "timestamp.us", 123_000_000L,
            "transaction.duration.us", 31_536_000_000_000L, "transaction.name", "operation_name",
            "transaction.representative_count", 1, "transaction.result", "Success",
            "transaction.sampled", true, "transaction.type", "unknown")
        .check(transaction);
    goRule(transport, service)
        .fields("data_stream.type", "logs", "data_stream.dataset", dataset, "event.kind", "event",
            "message", "a_span_event", "span.id", span, "trace.id", trace, "transaction.id", span)
        .field("event.dataset", dataset)
        .check(log);
    goRule(transport, service)
        .fields("data_stream.type", "logs", "data_stream.dataset", "apm.error",
            "error.exception.handled", true, "error.exception.message", "kablamo",
            "error.exception.type", "*errors.errorString", "error.stack_trace", "not an actual real stack trace",
            "message", "kablamo", "parent.id", span, "processor.event", "error", "span.id", span,
            "timestamp.us", 123_002_000L, "trace.id", trace, "transaction.id", span,
            "transaction.sampled", true, "transaction.type", "unknown")
        .dynamic("error.id", "error.grouping_key")
        .fields("error.grouping_name", "kablamo", "event.dataset", "apm.error")
        .check(error);
  }

  /**
   * Stable HTTP semantic conventions on a server span, no span status (apm-data v1.22.0
   * input/otlp/traces_test.go TestHTTPTransactionURL's url.path/url.query/url.scheme cases,
   * TestHTTPTransactionSource, the outcome rule at the end of TranslateTransaction), as the OTel
   * Java agent 2.x emits them for a Lambda behind API Gateway.
   */
  @ParameterizedTest
  @EnumSource(Transport.class)
  void stableHttpServerSpan(Transport transport, ConformanceStack stack) {
    String trace = hex(16);
    String span = hex(8);
    String parent = hex(8);
    Span.Builder s = Span.newBuilder().setTraceId(id(trace)).setSpanId(id(span)).setParentSpanId(id(parent))
        .setName("GET /ping").setKind(SpanKind.SPAN_KIND_SERVER)
        .setStartTimeUnixNano(1_700_000_000_000_000_000L).setEndTimeUnixNano(1_700_000_000_002_000_000L)
        .addAttributes(kv("http.request.method", str("GET")))
        .addAttributes(kv("url.scheme", str("https")))
        .addAttributes(kv("url.path", str("/ping")))
        .addAttributes(kv("url.query", str("q=1")))
        .addAttributes(kv("server.address", str("api.example.com")))
        .addAttributes(kv("http.response.status_code", integer(200)))
        .addAttributes(kv("client.address", str("192.0.2.10")))
        .addAttributes(kv("user_agent.original", str("curl/8.5.0")))
        .addAttributes(kv("faas.trigger", str("http")));
    Resource resource = Resource.newBuilder()
        .addAttributes(kv("service.name", str("ping-fn-" + transport.name().toLowerCase(Locale.ROOT))))
        .addAttributes(kv("telemetry.sdk.name", str("opentelemetry")))
        .addAttributes(kv("telemetry.sdk.language", str("java")))
        .addAttributes(kv("telemetry.sdk.version", str("1.40.0")))
        .addAttributes(kv("telemetry.distro.name", str("opentelemetry-java-instrumentation")))
        .addAttributes(kv("telemetry.distro.version", str("2.6.0")))
        .addAttributes(kv("cloud.provider", str("aws")))
        .addAttributes(kv("cloud.platform", str("aws_lambda")))
        .addAttributes(kv("faas.name", str("ping-fn")))
        .build();
    send(stack, transport, "/v1/traces", ExportTraceServiceRequest.newBuilder().addResourceSpans(
        ResourceSpans.newBuilder().setResource(resource).addScopeSpans(ScopeSpans.newBuilder()
            .setScope(InstrumentationScope.newBuilder().setName("io.opentelemetry.aws-lambda-core-1.0")
                .setVersion("2.6.0-alpha")).addSpans(s))).build());

    JsonNode doc = stack.awaitDocuments("trace.id:" + trace, 1).get(0);
    Conformance.rule(transport.group(), "apm-data v1.22.0 input/otlp/traces.go TranslateTransaction, "
            + "metadata.go translateResourceMetadata, model/modelpb/url.go ParseURL")
        .fields("agent.name", "opentelemetry/java/opentelemetry-java-instrumentation", "agent.version", "2.6.0",
            "cloud.provider", "aws", "cloud.service.name", "aws_lambda", "labels.faas_name", "ping-fn",
            "labels.faas_trigger", "http",
            "client.domain", "192.0.2.10", "source.domain", "192.0.2.10",
            "data_stream.type", "traces", "data_stream.dataset", "apm", "data_stream.namespace", "default",
            "event.outcome", "success", "event.success_count", 1,
            "http.request.method", "GET", "http.response.status_code", 200,
            "observer.type", "apm-server", "parent.id", parent, "processor.event", "transaction",
            "service.framework.name", "io.opentelemetry.aws-lambda-core-1.0",
            "service.framework.version", "2.6.0-alpha", "service.language.name", "java",
            "service.name", "ping-fn-" + transport.name().toLowerCase(Locale.ROOT),
            "span.id", span, "timestamp.us", 1_700_000_000_000_000L, "trace.id", trace,
            "transaction.duration.us", 2000, "transaction.id", span, "transaction.name", "GET /ping",
            "transaction.representative_count", 1, "transaction.result", "HTTP 2xx",
            "transaction.sampled", true, "transaction.type", "request",
            "url.domain", "api.example.com", "url.full", "https://api.example.com/ping?q=1",
            "url.original", "/ping?q=1", "url.path", "/ping", "url.query", "q=1", "url.scheme", "https",
            "user_agent.original", "curl/8.5.0")
        .dynamic("@timestamp", "observer.hostname", "observer.version")
        .dynamic("event.ingested")
        // apm@pipeline's user_agent processor (Elasticsearch's regexes.yml: curl is a known agent, no device)
        .fields("user_agent.name", "curl", "user_agent.version", "8.5.0", "user_agent.device.name", "Other")
        .check(doc);
  }

  /** A log record (TestOTLPGRPCLogs.approved.json; input systemtest/otlp_test.go newLogs). */
  @ParameterizedTest
  @EnumSource(Transport.class)
  void logRecord(Transport transport, ConformanceStack stack) {
    String trace = hex(16);
    String span = hex(8);
    String language = "go" + transport.name().toLowerCase(Locale.ROOT);
    send(stack, transport, "/v1/logs", ExportLogsServiceRequest.newBuilder().addResourceLogs(ResourceLogs.newBuilder()
        .setResource(Resource.newBuilder().addAttributes(kv("telemetry.sdk.language", str(language))))
        .addScopeLogs(ScopeLogs.newBuilder().addLogRecords(LogRecord.newBuilder()
            .setTraceId(id(trace)).setSpanId(id(span)).setSeverityNumber(SeverityNumber.SEVERITY_NUMBER_INFO)
            .setSeverityText("Info").setTimeUnixNano(1_000_000_000L)
            .addAttributes(kv("key", str("value"))).addAttributes(kv("numeric_key", dbl(1234)))
            .setBody(str("a log message"))))).build());

    JsonNode doc = stack.awaitDocuments("trace.id:" + trace, 1).get(0);
    Conformance.rule(transport.group(), "apm-server 8.19 systemtest/approvals/TestOTLPGRPCLogs.approved.json")
        .fields("agent.name", "otlp/" + language, "agent.version", "unknown",
            "data_stream.type", "logs", "data_stream.dataset", "apm.app.unknown", "data_stream.namespace", "default",
            "event.severity", 9, "labels.key", "value", "log.level", "Info", "message", "a log message",
            "numeric_labels.numeric_key", 1234, "observer.type", "apm-server",
            "service.language.name", language, "service.name", "unknown", "span.id", span, "trace.id", trace)
        .dynamic("@timestamp", "observer.hostname", "observer.version")
        .dynamic("event.ingested")
        .field("event.dataset", "apm.app.unknown")
        .check(doc);
  }

  /** A counter (TestOTLPGRPCMetrics_counter.approved.json; input systemtest/otlp_test.go TestOTLPGRPCMetrics). */
  @ParameterizedTest
  @EnumSource(Transport.class)
  void counter(Transport transport, ConformanceStack stack) {
    String service = "unknown_service:systemtest.metrics." + transport.name().toLowerCase(Locale.ROOT);
    String cleaned = service.replace(':', '_').replace('.', '_');
    send(stack, transport, "/v1/metrics", ExportMetricsServiceRequest.newBuilder().addResourceMetrics(
        ResourceMetrics.newBuilder().setResource(Resource.newBuilder()
                .addAttributes(kv("service.name", str(service)))
                .addAttributes(kv("telemetry.sdk.language", str("go")))
                .addAttributes(kv("telemetry.sdk.name", str("opentelemetry")))
                .addAttributes(kv("telemetry.sdk.version", str("1.28.0"))))
            .addScopeMetrics(ScopeMetrics.newBuilder().setScope(InstrumentationScope.newBuilder().setName("test-meter"))
                .addMetrics(Metric.newBuilder().setName("counter").setSum(Sum.newBuilder().setIsMonotonic(true)
                    .setAggregationTemporality(AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE)
                    .addDataPoints(NumberDataPoint.newBuilder().setAsDouble(1)
                        .setTimeUnixNano(System.currentTimeMillis() * 1_000_000L)))))).build());

    JsonNode doc = stack.awaitDocuments("service.name:\"" + cleaned + "\" AND metricset.name:app", 1).get(0);
    Conformance.rule(transport.group(), "apm-server 8.19 systemtest/approvals/TestOTLPGRPCMetrics_counter.approved.json")
        .fields("agent.name", "opentelemetry/go", "agent.version", "1.28.0", "counter", 1,
            "data_stream.type", "metrics", "data_stream.dataset", "apm.app." + cleaned,
            "data_stream.namespace", "default", "metricset.name", "app", "observer.type", "apm-server",
            "processor.event", "metric", "service.framework.name", "test-meter", "service.language.name", "go",
            "service.name", cleaned)
        .dynamic("@timestamp", "observer.hostname", "observer.version")
        .dynamic("event.ingested")
        .check(doc);
  }

  private static JsonNode only(List<JsonNode> docs, String type, String... dataset) {
    List<JsonNode> matching = docs.stream()
        .filter(d -> d.path("data_stream").path("type").asText().equals(type))
        .filter(d -> dataset.length == 0 || d.path("data_stream").path("dataset").asText().equals(dataset[0]))
        .toList();
    assertThat(matching).as("documents of %s %s among %s", type, List.of(dataset), docs).isNotEmpty();
    return matching.get(0);
  }
}
