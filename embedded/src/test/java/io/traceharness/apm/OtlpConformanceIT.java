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

  /** A Java SDK resource (no distro) and the AWS SDK instrumentation's scope, shared by the cases below. */
  private static Resource javaResource(String serviceName) {
    return Resource.newBuilder()
        .addAttributes(kv("service.name", str(serviceName)))
        .addAttributes(kv("telemetry.sdk.name", str("opentelemetry")))
        .addAttributes(kv("telemetry.sdk.language", str("java")))
        .addAttributes(kv("telemetry.sdk.version", str("1.40.0")))
        .build();
  }

  private static ExportTraceServiceRequest javaTraces(Resource resource, Span.Builder... spans) {
    ScopeSpans.Builder scope = ScopeSpans.newBuilder().setScope(InstrumentationScope.newBuilder()
        .setName("io.opentelemetry.aws-sdk-2.2").setVersion("2.6.0-alpha"));
    for (Span.Builder s : spans) {
      scope.addSpans(s);
    }
    return ExportTraceServiceRequest.newBuilder()
        .addResourceSpans(ResourceSpans.newBuilder().setResource(resource).addScopeSpans(scope)).build();
  }

  /** What {@link #javaResource} and the scope put on every document (metadata.go, translateScopeMetadata). */
  private static Conformance.Rule javaRule(Transport transport, String source, String serviceName) {
    return Conformance.rule(transport.group(), source)
        .fields("agent.name", "opentelemetry/java", "agent.version", "1.40.0",
            "observer.type", "apm-server", "data_stream.namespace", "default",
            "service.framework.name", "io.opentelemetry.aws-sdk-2.2", "service.framework.version", "2.6.0-alpha",
            "service.language.name", "java", "service.name", serviceName)
        .dynamic("@timestamp", "observer.hostname", "observer.version")
        .dynamic("event.ingested");
  }

  private static String md5(String s) {
    try {
      return HexFormat.of().formatHex(java.security.MessageDigest.getInstance("MD5")
          .digest(s.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static JsonNode bySpanId(List<JsonNode> docs, String spanId) {
    List<JsonNode> matching = docs.stream().filter(d -> d.path("span").path("id").asText().equals(spanId)
        && d.path("data_stream").path("type").asText().equals("traces")).toList();
    assertThat(matching).as("the document of span %s among %s", spanId, docs).hasSize(1);
    return matching.get(0);
  }

  /**
   * Messaging: an SQS consumer transaction and the producer span under it, with the current
   * semantic conventions (messaging.destination.name, messaging.operation.type). apm-data v1.22.0
   * input/otlp/traces.go TranslateTransaction (type "messaging", the queue name, messaging.system and
   * the operation kept as labels) and TranslateSpan (span type/subtype/action, service target and
   * destination service "system/queue"); elasticsearch traces-apm@pipeline.yaml for success_count.
   */
  @ParameterizedTest
  @EnumSource(Transport.class)
  void messagingConsumerAndProducer(Transport transport, ConformanceStack stack) {
    String trace = hex(16);
    String consumer = hex(8);
    String producer = hex(8);
    String remoteParent = hex(8);
    String service = "orders-worker-" + transport.name().toLowerCase(Locale.ROOT);
    long start = 1_700_000_100_000_000_000L;
    Span.Builder tx = Span.newBuilder().setTraceId(id(trace)).setSpanId(id(consumer)).setParentSpanId(id(remoteParent))
        .setName("orders process").setKind(SpanKind.SPAN_KIND_CONSUMER)
        .setStartTimeUnixNano(start).setEndTimeUnixNano(start + 5_000_000)
        .addAttributes(kv("messaging.system", str("aws_sqs")))
        .addAttributes(kv("messaging.destination.name", str("orders")))
        .addAttributes(kv("messaging.operation.type", str("process")));
    Span.Builder send = Span.newBuilder().setTraceId(id(trace)).setSpanId(id(producer)).setParentSpanId(id(consumer))
        .setName("invoices publish").setKind(SpanKind.SPAN_KIND_PRODUCER)
        .setStartTimeUnixNano(start + 1_000_000).setEndTimeUnixNano(start + 3_000_000)
        .addAttributes(kv("messaging.system", str("aws_sqs")))
        .addAttributes(kv("messaging.destination.name", str("invoices")))
        .addAttributes(kv("messaging.operation.type", str("publish")))
        .addAttributes(kv("server.address", str("sqs.us-east-1.amazonaws.com")))
        .addAttributes(kv("server.port", integer(443)));
    send(stack, transport, "/v1/traces", javaTraces(javaResource(service), tx, send));

    List<JsonNode> docs = stack.awaitDocuments("trace.id:" + trace, 2);
    javaRule(transport, "apm-data v1.22.0 input/otlp/traces.go TranslateTransaction (messaging)", service)
        .fields("data_stream.type", "traces", "data_stream.dataset", "apm",
            "event.outcome", "success", "event.success_count", 1,
            "labels.messaging_system", "aws_sqs", "labels.messaging_operation_type", "process",
            "parent.id", remoteParent, "processor.event", "transaction", "span.id", consumer,
            "timestamp.us", start / 1000, "trace.id", trace, "transaction.duration.us", 5000,
            "transaction.id", consumer, "transaction.message.queue.name", "orders",
            "transaction.name", "orders process", "transaction.representative_count", 1,
            "transaction.result", "Success", "transaction.sampled", true, "transaction.type", "messaging")
        .check(bySpanId(docs, consumer));
    javaRule(transport, "apm-data v1.22.0 input/otlp/traces.go TranslateSpan (messaging)", service)
        .fields("data_stream.type", "traces", "data_stream.dataset", "apm",
            "destination.address", "sqs.us-east-1.amazonaws.com", "destination.port", 443,
            "event.outcome", "success", "event.success_count", 1,
            "parent.id", consumer, "processor.event", "span",
            "service.target.name", "invoices", "service.target.type", "aws_sqs",
            "span.action", "publish", "span.destination.service.name", "aws_sqs",
            "span.destination.service.resource", "aws_sqs/invoices", "span.destination.service.type", "messaging",
            "span.duration.us", 2000, "span.id", producer, "span.message.queue.name", "invoices",
            "span.name", "invoices publish", "span.representative_count", 1, "span.subtype", "aws_sqs",
            "span.type", "messaging", "timestamp.us", start / 1000 + 1000, "trace.id", trace)
        .check(bySpanId(docs, producer));
  }

  /**
   * A database span with the current conventions (db.query.text, db.namespace, network.peer.address,
   * server.port) and a generative-AI span (gen_ai.system): apm-data v1.22.0 input/otlp/traces.go
   * TranslateSpan; model/modeljson/destination.pb.json.go writes destination.ip for an IP address.
   */
  @ParameterizedTest
  @EnumSource(Transport.class)
  void databaseAndGenAiSpans(Transport transport, ConformanceStack stack) {
    String trace = hex(16);
    String parent = hex(8);
    String db = hex(8);
    String ai = hex(8);
    String service = "orders-api-" + transport.name().toLowerCase(Locale.ROOT);
    long start = 1_700_000_200_000_000_000L;
    Span.Builder query = Span.newBuilder().setTraceId(id(trace)).setSpanId(id(db)).setParentSpanId(id(parent))
        .setName("SELECT orders_db.orders").setKind(SpanKind.SPAN_KIND_CLIENT)
        .setStartTimeUnixNano(start).setEndTimeUnixNano(start + 1_500_000)
        .addAttributes(kv("db.system", str("postgresql")))
        .addAttributes(kv("db.namespace", str("orders_db")))
        .addAttributes(kv("db.query.text", str("SELECT * FROM orders WHERE id = $1")))
        .addAttributes(kv("network.peer.address", str("10.0.0.5")))
        .addAttributes(kv("server.port", integer(5432)));
    Span.Builder chat = Span.newBuilder().setTraceId(id(trace)).setSpanId(id(ai)).setParentSpanId(id(parent))
        .setName("chat anthropic.claude-v2").setKind(SpanKind.SPAN_KIND_CLIENT)
        .setStartTimeUnixNano(start + 2_000_000).setEndTimeUnixNano(start + 9_000_000)
        .addAttributes(kv("gen_ai.system", str("aws.bedrock")))
        .addAttributes(kv("gen_ai.request.model", str("anthropic.claude-v2")));
    send(stack, transport, "/v1/traces", javaTraces(javaResource(service), query, chat));

    List<JsonNode> docs = stack.awaitDocuments("trace.id:" + trace, 2);
    javaRule(transport, "apm-data v1.22.0 input/otlp/traces.go TranslateSpan (db.*, network.peer.address)", service)
        .fields("data_stream.type", "traces", "data_stream.dataset", "apm",
            "destination.address", "10.0.0.5", "destination.ip", "10.0.0.5", "destination.port", 5432,
            "event.outcome", "success", "event.success_count", 1,
            "parent.id", parent, "processor.event", "span",
            "service.target.name", "orders_db", "service.target.type", "postgresql",
            "span.db.instance", "orders_db", "span.db.statement", "SELECT * FROM orders WHERE id = $1",
            "span.db.type", "postgresql", "span.destination.service.name", "postgresql",
            "span.destination.service.resource", "postgresql", "span.destination.service.type", "db",
            "span.duration.us", 1500, "span.id", db, "span.name", "SELECT orders_db.orders",
            "span.representative_count", 1, "span.subtype", "postgresql", "span.type", "db",
            "timestamp.us", start / 1000, "trace.id", trace)
        .check(bySpanId(docs, db));
    javaRule(transport, "apm-data v1.22.0 input/otlp/traces.go TranslateSpan (gen_ai.system)", service)
        .fields("data_stream.type", "traces", "data_stream.dataset", "apm",
            "event.outcome", "success", "event.success_count", 1,
            "labels.gen_ai_request_model", "anthropic.claude-v2",
            "parent.id", parent, "processor.event", "span", "service.target.type", "genai",
            "span.duration.us", 7000, "span.id", ai, "span.name", "chat anthropic.claude-v2",
            "span.representative_count", 1, "span.subtype", "aws.bedrock", "span.type", "genai",
            "timestamp.us", start / 1000 + 2000, "trace.id", trace)
        .check(bySpanId(docs, ai));
  }

  /**
   * A full resource as the OTel Java agent's Lambda layer describes its sandbox, span links (one
   * marked is_child) and a tracestate with ot=p:2. apm-data v1.22.0 input/otlp/metadata.go
   * translateResourceMetadata (distro agent name and version, os/host/process/container, process.owner
   * as user.name, telemetry.auto.version as a label), model/modelprocessor/hostname.go and nodename.go,
   * traces.go translateSpanLinks and getRepresentativeCountFromTracestateHeader; elasticsearch
   * traces-apm@pipeline.yaml (success_count from the representative count).
   */
  @ParameterizedTest
  @EnumSource(Transport.class)
  void resourceLinksAndTracestate(Transport transport, ConformanceStack stack) {
    String trace = hex(16);
    String span = hex(8);
    String linkedTrace = hex(16);
    String linkedSpan = hex(8);
    String child = hex(8);
    String service = "billing-" + transport.name().toLowerCase(Locale.ROOT);
    long start = 1_700_000_300_000_000_000L;
    Resource resource = Resource.newBuilder()
        .addAttributes(kv("service.name", str(service)))
        .addAttributes(kv("service.version", str("1.2.3")))
        .addAttributes(kv("deployment.environment.name", str("prod")))
        .addAttributes(kv("telemetry.sdk.name", str("opentelemetry")))
        .addAttributes(kv("telemetry.sdk.language", str("java")))
        .addAttributes(kv("telemetry.sdk.version", str("1.40.0")))
        .addAttributes(kv("telemetry.distro.name", str("opentelemetry-java-instrumentation")))
        .addAttributes(kv("telemetry.distro.version", str("2.6.0")))
        .addAttributes(kv("telemetry.auto.version", str("2.6.0")))
        .addAttributes(kv("os.type", str("Linux")))
        .addAttributes(kv("os.name", str("Amazon Linux")))
        .addAttributes(kv("os.version", str("2023")))
        .addAttributes(kv("os.description", str("Linux 5.10.219")))
        .addAttributes(kv("host.name", str("ip-10-0-0-1")))
        .addAttributes(kv("host.id", str("i-0abc")))
        .addAttributes(kv("host.arch", str("amd64")))
        .addAttributes(kv("host.type", str("m5.large")))
        .addAttributes(kv("host.ip", array(str("10.0.0.1"), str("fe80::1"))))
        .addAttributes(kv("process.pid", integer(42)))
        .addAttributes(kv("process.executable.path", str("/usr/lib/jvm/bin/java")))
        .addAttributes(kv("process.command_line", str("java -jar app.jar")))
        .addAttributes(kv("process.owner", str("sbx_user1051")))
        .addAttributes(kv("process.runtime.name", str("OpenJDK Runtime Environment")))
        .addAttributes(kv("process.runtime.version", str("17.0.9")))
        .addAttributes(kv("container.id", str("c0ffee")))
        .addAttributes(kv("container.name", str("app")))
        .addAttributes(kv("container.image.name", str("billing-image")))
        .addAttributes(kv("container.image.tag", str("1.0")))
        .addAttributes(kv("container.runtime", str("docker")))
        .build();
    Span.Builder s = Span.newBuilder().setTraceId(id(trace)).setSpanId(id(span)).setName("nightly billing")
        .setKind(SpanKind.SPAN_KIND_INTERNAL).setTraceState("ot=p:2;r:62")
        .setStartTimeUnixNano(start).setEndTimeUnixNano(start + 4_000_000)
        .addLinks(Span.Link.newBuilder().setTraceId(id(linkedTrace)).setSpanId(id(linkedSpan)))
        .addLinks(Span.Link.newBuilder().setTraceId(id(trace)).setSpanId(id(child))
            .addAttributes(kv("is_child", bool(true))));
    send(stack, transport, "/v1/traces", javaTraces(resource, s));

    JsonNode doc = stack.awaitDocuments("trace.id:" + trace, 1).get(0);
    javaRule(transport, "apm-data v1.22.0 input/otlp/metadata.go translateResourceMetadata, "
            + "modelprocessor/hostname.go, nodename.go, traces.go translateSpanLinks", service)
        .fields("agent.name", "opentelemetry/java/opentelemetry-java-instrumentation", "agent.version", "2.6.0",
            "container.id", "c0ffee", "container.name", "app", "container.image.name", "billing-image",
            "container.image.tag", "1.0", "container.runtime", "docker",
            "host.architecture", "amd64", "host.hostname", "ip-10-0-0-1", "host.id", "i-0abc",
            "host.ip", List.of("10.0.0.1", "fe80::1"), "host.name", "ip-10-0-0-1", "host.type", "m5.large",
            "host.os.full", "Linux 5.10.219", "host.os.name", "Amazon Linux", "host.os.platform", "linux",
            "host.os.type", "linux", "host.os.version", "2023",
            "labels.telemetry_auto_version", "2.6.0",
            "process.command_line", "java -jar app.jar", "process.executable", "/usr/lib/jvm/bin/java",
            "process.pid", 42, "service.environment", "prod", "service.node.name", "c0ffee",
            "service.runtime.name", "OpenJDK Runtime Environment", "service.runtime.version", "17.0.9",
            "service.version", "1.2.3", "user.name", "sbx_user1051",
            "data_stream.type", "traces", "data_stream.dataset", "apm",
            "event.outcome", "success", "event.success_count", 4,
            "child.id", child, "span.links.span.id", linkedSpan, "span.links.trace.id", linkedTrace,
            "processor.event", "transaction", "span.id", span, "timestamp.us", start / 1000, "trace.id", trace,
            "transaction.duration.us", 4000, "transaction.id", span, "transaction.name", "nightly billing",
            "transaction.representative_count", 4, "transaction.result", "Success",
            "transaction.sampled", true, "transaction.type", "unknown")
        .check(doc);
  }

  /**
   * Span events on a span (not a transaction): an exception with a Java stack trace, one with a type only
   * and a plain event.
   * apm-data v1.22.0 input/otlp/exceptions.go setJavaExceptionStacktrace (frames, "Caused by:", "... N
   * more"), traces.go convertSpanEvent, setErrorContext and setLogContext (the clones keep http/url
   * and the framework, lose span type, destination and outcome; a log has no timestamp.us),
   * modelprocessor/errormessage.go, groupingkey.go; elasticsearch logs-apm.error@mappings.yaml
   * (grouping_name) and the logs pipelines (event.dataset).
   */
  @ParameterizedTest
  @EnumSource(Transport.class)
  void spanEventsOnASpan(Transport transport, ConformanceStack stack) {
    String trace = hex(16);
    String parent = hex(8);
    String span = hex(8);
    String service = "items-fn-" + transport.name().toLowerCase(Locale.ROOT);
    long start = 1_700_000_400_000_000_000L;
    String stacktrace = "java.lang.IllegalStateException: boom\n"
        + "\tat com.example.Handler.handle(Handler.java:42)\n"
        + "\tat java.base/java.lang.Thread.run(Thread.java:833)\n"
        + "Caused by: java.io.IOException: disk full\n"
        + "\tat com.example.Store.write(Store.java:7)\n"
        + "\t... 1 more\n";
    Span.Builder s = Span.newBuilder().setTraceId(id(trace)).setSpanId(id(span)).setParentSpanId(id(parent))
        .setName("GET").setKind(SpanKind.SPAN_KIND_CLIENT)
        .setStartTimeUnixNano(start).setEndTimeUnixNano(start + 3_000_000)
        .addAttributes(kv("http.request.method", str("GET")))
        .addAttributes(kv("url.full", str("https://api.example.com/items?id=1")))
        .addAttributes(kv("http.response.status_code", integer(500)))
        .addEvents(Span.Event.newBuilder().setName("exception").setTimeUnixNano(start + 1_000_000)
            .addAttributes(kv("exception.type", str("java.lang.IllegalStateException")))
            .addAttributes(kv("exception.message", str("boom")))
            .addAttributes(kv("exception.stacktrace", str(stacktrace))))
        .addEvents(Span.Event.newBuilder().setName("exception").setTimeUnixNano(start + 1_500_000)
            .addAttributes(kv("exception.type", str("java.util.concurrent.TimeoutException")))
            .addAttributes(kv("exception.escaped", bool(true))))
        .addEvents(Span.Event.newBuilder().setName("retry").setTimeUnixNano(start + 2_000_000)
            .addAttributes(kv("retry.attempt", integer(2))));
    send(stack, transport, "/v1/traces", javaTraces(javaResource(service), s));

    List<JsonNode> docs = stack.awaitDocuments("trace.id:" + trace, 4);
    String dataset = "apm.app." + service.replace('-', '_');
    List<JsonNode> errors = docs.stream().filter(d -> d.path("data_stream").path("dataset").asText().equals("apm.error"))
        .sorted(java.util.Comparator.comparing(d -> d.path("timestamp").path("us").asLong())).toList();
    assertThat(errors).as("the error documents among %s", docs).hasSize(2);
    javaRule(transport, "apm-data v1.22.0 input/otlp/traces.go TranslateSpan (HTTP client, status 500)", service)
        .fields("data_stream.type", "traces", "data_stream.dataset", "apm",
            "destination.address", "api.example.com", "destination.port", 443,
            "event.outcome", "failure", "event.success_count", 0,
            "http.request.method", "GET", "http.response.status_code", 500,
            "parent.id", parent, "processor.event", "span",
            "service.target.name", "api.example.com:443", "service.target.type", "http",
            "span.destination.service.name", "https://api.example.com",
            "span.destination.service.resource", "api.example.com:443", "span.destination.service.type", "external",
            "span.duration.us", 3000, "span.id", span, "span.name", "GET", "span.representative_count", 1,
            "span.subtype", "http", "span.type", "external", "timestamp.us", start / 1000, "trace.id", trace,
            "url.original", "https://api.example.com/items?id=1")
        .check(bySpanId(docs, span));
    javaRule(transport, "apm-data v1.22.0 input/otlp/exceptions.go setJavaExceptionStacktrace, "
            + "traces.go setErrorContext", service)
        .fields("data_stream.type", "logs", "data_stream.dataset", "apm.error", "event.dataset", "apm.error",
            "error.exception.handled", List.of(true, true),
            "error.exception.message", List.of("boom", "java.io.IOException: disk full"),
            "error.exception.type", "java.lang.IllegalStateException",
            "error.exception.stacktrace.classname",
            List.of("com.example.Handler", "java.lang.Thread", "com.example.Store", "java.lang.Thread"),
            "error.exception.stacktrace.exclude_from_grouping", List.of(false, false, false, false),
            "error.exception.stacktrace.filename", List.of("Handler.java", "Thread.java", "Store.java", "Thread.java"),
            "error.exception.stacktrace.function", List.of("handle", "run", "write", "run"),
            "error.exception.stacktrace.line.number", List.of(42, 833, 7, 833),
            "error.exception.stacktrace.module", List.of("java.base", "java.base"),
            "error.grouping_name", "boom", "message", "boom",
            "http.request.method", "GET", "http.response.status_code", 500,
            "parent.id", span, "processor.event", "error", "timestamp.us", start / 1000 + 1000, "trace.id", trace,
            "url.original", "https://api.example.com/items?id=1")
        // groupingkey.go: the exception types, then each frame's module, else file name, then function
        .field("error.grouping_key", md5("java.lang.IllegalStateException"
            + "Handler.java" + "handle" + "java.base" + "run" + "Store.java" + "write" + "java.base" + "run"))
        .dynamic("error.id")
        .check(errors.get(0));
    javaRule(transport, "apm-data v1.22.0 input/otlp/exceptions.go convertOpenTelemetryExceptionSpanEvent "
            + "([EMPTY] message, escaped → unhandled)", service)
        .fields("data_stream.type", "logs", "data_stream.dataset", "apm.error", "event.dataset", "apm.error",
            "error.exception.handled", false, "error.exception.message", "[EMPTY]",
            "error.exception.type", "java.util.concurrent.TimeoutException",
            "error.grouping_key", md5("java.util.concurrent.TimeoutException"),
            "error.grouping_name", "[EMPTY]", "message", "[EMPTY]",
            "http.request.method", "GET", "http.response.status_code", 500,
            "parent.id", span, "processor.event", "error", "timestamp.us", start / 1000 + 1500, "trace.id", trace,
            "url.original", "https://api.example.com/items?id=1")
        .dynamic("error.id")
        .check(errors.get(1));
    javaRule(transport, "apm-data v1.22.0 input/otlp/traces.go convertSpanEvent, setLogContext", service)
        .fields("data_stream.type", "logs", "data_stream.dataset", dataset, "event.dataset", dataset,
            "event.kind", "event", "message", "retry", "numeric_labels.retry_attempt", 2,
            "http.request.method", "GET", "http.response.status_code", 500,
            "span.id", span, "trace.id", trace, "url.original", "https://api.example.com/items?id=1")
        .check(only(docs, "logs", dataset));
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
