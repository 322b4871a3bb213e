package io.traceharness.apm;

import static io.traceharness.apm.OtlpInputs.PARENT;
import static io.traceharness.apm.OtlpInputs.SPAN;
import static io.traceharness.apm.OtlpInputs.START;
import static io.traceharness.apm.OtlpInputs.TRACE;
import static io.traceharness.apm.OtlpInputs.resource;
import static io.traceharness.apm.OtlpInputs.scope;
import static io.traceharness.apm.OtlpInputs.span;
import static io.traceharness.otlp.OtlpValues.any;
import static io.traceharness.otlp.OtlpValues.attrs;
import static io.traceharness.otlp.OtlpValues.id;

import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.metrics.v1.Gauge;
import io.opentelemetry.proto.metrics.v1.Histogram;
import io.opentelemetry.proto.metrics.v1.HistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.metrics.v1.Sum;
import io.opentelemetry.proto.metrics.v1.Summary;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Span.SpanKind;
import io.opentelemetry.proto.trace.v1.Status;
import io.opentelemetry.proto.trace.v1.Status.StatusCode;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;

/**
 * The OTLP requests {@link OtlpGoldenDocumentsTest} runs through the mapper: every semantic
 * convention branch of elastic/apm-data {@code input/otlp} the mapper implements (HTTP client and
 * server, old and new semconv; DB; messaging; RPC/gRPC; span events; links; status; resource),
 * plus metrics and logs, each named after the golden file it is compared with.
 */
final class OtlpGoldenCases {

  private static final String OTHER_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";

  private OtlpGoldenCases() {
  }

  // ------------------------------------------------------------------ OTLP builders

  /** The resource every convention case shares, so each golden file shows only its convention. */
  private static Resource svc() {
    return resource("service.name", "svc", "telemetry.sdk.name", "opentelemetry",
        "telemetry.sdk.language", "java", "telemetry.sdk.version", "1.40.0");
  }

  private static Span.Event event(String name, long offset, Object... kv) {
    return Span.Event.newBuilder().setName(name).setTimeUnixNano(START + offset).addAllAttributes(attrs(kv)).build();
  }

  private static Status status(StatusCode code) {
    return Status.newBuilder().setCode(code).setMessage("status message").build();
  }

  private static ExportTraceServiceRequest traces(Resource resource, Span.Builder... spans) {
    ScopeSpans.Builder scopeSpans = ScopeSpans.newBuilder().setScope(scope());
    for (Span.Builder s : spans) {
      scopeSpans.addSpans(s);
    }
    return ExportTraceServiceRequest.newBuilder()
        .addResourceSpans(ResourceSpans.newBuilder().setResource(resource).addScopeSpans(scopeSpans)).build();
  }

  private static Arguments trace(String name, Span.Builder... spans) {
    return trace(name, svc(), spans);
  }

  private static Arguments trace(String name, Resource resource, Span.Builder... spans) {
    ExportTraceServiceRequest request = traces(resource, spans);
    return Arguments.of(name, (Function<OtlpMapper, List<ApmDocument>>) m -> m.traces(request));
  }

  private static Arguments traceRequest(String name, ExportTraceServiceRequest request) {
    return Arguments.of(name, (Function<OtlpMapper, List<ApmDocument>>) m -> m.traces(request));
  }

  private static Arguments metrics(String name, ExportMetricsServiceRequest request) {
    return Arguments.of(name, (Function<OtlpMapper, List<ApmDocument>>) m -> m.metrics(request));
  }

  private static Arguments logs(String name, ExportLogsServiceRequest request) {
    return Arguments.of(name, (Function<OtlpMapper, List<ApmDocument>>) m -> m.logs(request));
  }

  // ------------------------------------------------------------------ cases

  static Stream<Arguments> all() {
    return Stream.of(transactions(), httpServer(), httpClient(), db(), messaging(), rpc(), events(), resources(),
        labels(), repeatedAttributes(), metricsAndLogs()).flatMap(s -> s);
  }

  private static Stream<Arguments> transactions() {
    return Stream.of(
        trace("transaction-root-internal", span(SpanKind.SPAN_KIND_INTERNAL, false)),
        trace("transaction-root-client", span(SpanKind.SPAN_KIND_CLIENT, false, "http.method", "GET",
            "http.url", "https://example.com/a")),
        trace("transaction-server-child", span(SpanKind.SPAN_KIND_SERVER, true)),
        trace("transaction-consumer-child", span(SpanKind.SPAN_KIND_CONSUMER, true)),
        trace("transaction-status-ok", span(SpanKind.SPAN_KIND_SERVER, false).setStatus(status(StatusCode.STATUS_CODE_OK))),
        trace("transaction-status-error", span(SpanKind.SPAN_KIND_SERVER, false)
            .setStatus(status(StatusCode.STATUS_CODE_ERROR))),
        trace("transaction-type-attribute", span(SpanKind.SPAN_KIND_SERVER, false, "type", "lambda",
            "http.method", "GET")),
        trace("transaction-type-empty", span(SpanKind.SPAN_KIND_SERVER, false, "type", "", "rpc.system", "grpc")),
        trace("transaction-session-and-service-version", span(SpanKind.SPAN_KIND_SERVER, false,
            "session.id", "s-1", "service.version", "9.9", "rpc.service", "Greeter", "rpc.method", "Hi")),
        traceRequest("transaction-scope-empty", ExportTraceServiceRequest.newBuilder().addResourceSpans(
            ResourceSpans.newBuilder().setResource(svc()).addScopeSpans(ScopeSpans.newBuilder()
                .addSpans(span(SpanKind.SPAN_KIND_SERVER, false)))).build()),
        traceRequest("transaction-scope-name-only", ExportTraceServiceRequest.newBuilder().addResourceSpans(
            ResourceSpans.newBuilder().setResource(svc()).addScopeSpans(ScopeSpans.newBuilder()
                .setScope(InstrumentationScope.newBuilder().setName("my-lib"))
                .addSpans(span(SpanKind.SPAN_KIND_SERVER, false)))).build()),
        trace("transaction-negative-duration", span(SpanKind.SPAN_KIND_SERVER, false)
            .setEndTimeUnixNano(START - 1_000)),
        trace("links", span(SpanKind.SPAN_KIND_SERVER, false)
                .addLinks(Span.Link.newBuilder().setTraceId(id(OTHER_TRACE)).setSpanId(id(PARENT)))
                .addLinks(Span.Link.newBuilder().setTraceId(id(TRACE)).setSpanId(id("1111111111111111"))),
            span(SpanKind.SPAN_KIND_CLIENT, true)
                .addLinks(Span.Link.newBuilder().setTraceId(id(OTHER_TRACE)).setSpanId(id(SPAN)))),
        traceRequest("request-several-resources-and-scopes", ExportTraceServiceRequest.newBuilder()
            .addResourceSpans(ResourceSpans.newBuilder().setResource(resource("service.name", "first"))
                .addScopeSpans(ScopeSpans.newBuilder().setScope(scope())
                    .addSpans(span(SpanKind.SPAN_KIND_SERVER, false))
                    .addSpans(span(SpanKind.SPAN_KIND_INTERNAL, true).setSpanId(id("2222222222222222"))))
                .addScopeSpans(ScopeSpans.newBuilder().setScope(InstrumentationScope.newBuilder().setName("second-lib"))
                    .addSpans(span(SpanKind.SPAN_KIND_CLIENT, true, "db.system", "redis"))))
            .addResourceSpans(ResourceSpans.newBuilder().setResource(resource("service.name", "second"))
                .addScopeSpans(ScopeSpans.newBuilder().addSpans(span(SpanKind.SPAN_KIND_CONSUMER, true))))
            .build()));
  }

  private static Stream<Arguments> httpServer() {
    return Stream.of(
        trace("http-server-old-semconv", span(SpanKind.SPAN_KIND_SERVER, false, "http.method", "POST",
            "http.scheme", "https", "http.host", "api.example.com:8443", "http.target", "/orders?id=7",
            "http.status_code", 201L, "http.flavor", "1.1", "http.user_agent", "curl/8", "http.client_ip", "10.0.0.9",
            "net.peer.ip", "10.0.0.1", "net.peer.port", 51000L, "net.peer.name", "client.local", "http.route", "/orders")),
        trace("http-server-new-semconv", span(SpanKind.SPAN_KIND_SERVER, true, "http.request.method", "GET",
            "url.full", "https://api.example.com/ping?x=1", "http.response.status_code", 200L,
            "user_agent.original", "Mozilla/5.0", "url.path", "/ping", "url.scheme", "https")),
        trace("http-server-server-name-and-host-port", span(SpanKind.SPAN_KIND_SERVER, false, "http.method", "GET",
            "http.target", "/a/b", "http.server_name", "srv.example", "net.host.name", "ignored.example",
            "net.host.port", 8080L)),
        trace("http-server-net-host-name", span(SpanKind.SPAN_KIND_SERVER, false, "http.method", "GET",
            "http.target", "/a", "net.host.name", "nh.example", "net.host.port", 9000L)),
        trace("http-server-net-host-name-no-port", span(SpanKind.SPAN_KIND_SERVER, false, "http.path", "/p",
            "net.host.name", "nh.example")),
        trace("http-server-host-from-resource", resource("service.name", "svc", "host.name", "lambda-host"),
            span(SpanKind.SPAN_KIND_SERVER, false, "http.method", "GET", "http.target", "/from-resource",
                "net.host.port", 3000L)),
        trace("http-server-no-host", span(SpanKind.SPAN_KIND_SERVER, false, "http.method", "GET",
            "http.target", "/nohost?q=1")),
        trace("http-server-host-bad-port", span(SpanKind.SPAN_KIND_SERVER, false, "http.target", "/x",
            "http.host", "example.com:abc")),
        trace("http-server-unparsable-url", span(SpanKind.SPAN_KIND_SERVER, false, "http.url",
            "http://bad host/x y", "http.status_code", 200L)),
        trace("http-server-status-code-string", span(SpanKind.SPAN_KIND_SERVER, false, "http.status_code", "404")),
        trace("http-server-status-code-not-a-number", span(SpanKind.SPAN_KIND_SERVER, false,
            "http.response.status_code", "abc")),
        trace("http-server-5xx-unset-status", span(SpanKind.SPAN_KIND_SERVER, false, "http.status_code", 503L)),
        trace("http-server-4xx-is-success", span(SpanKind.SPAN_KIND_SERVER, false, "http.status_code", 404L)),
        trace("http-server-2xx-error-status", span(SpanKind.SPAN_KIND_SERVER, false, "http.status_code", 200L)
            .setStatus(status(StatusCode.STATUS_CODE_ERROR))),
        trace("http-server-odd-status-code", span(SpanKind.SPAN_KIND_SERVER, false, "http.status_code", 99L)),
        trace("http-server-zero-status-code", span(SpanKind.SPAN_KIND_SERVER, false, "http.status_code", 0L,
            "http.method", "GET")),
        trace("http-server-grpc-result-wins", span(SpanKind.SPAN_KIND_SERVER, false, "rpc.grpc.status_code", 2L,
            "http.status_code", 500L)),
        trace("http-server-scheme-only", span(SpanKind.SPAN_KIND_SERVER, false, "http.scheme", "https")),
        trace("http-server-source-without-client-ip", span(SpanKind.SPAN_KIND_SERVER, false,
            "net.peer.ip", "192.168.1.1", "net.peer.port", 4000L)),
        trace("http-server-client-ip-and-source", span(SpanKind.SPAN_KIND_SERVER, false, "http.client_ip", "1.2.3.4",
            "net.peer.name", "peer.example")));
  }

  private static Stream<Arguments> httpClient() {
    return Stream.of(
        trace("http-client-old-semconv-url", span(SpanKind.SPAN_KIND_CLIENT, true, "http.method", "GET",
            "http.url", "http://consumer.local:8080/ping?a=b", "http.status_code", 404L, "http.flavor", "2")),
        trace("http-client-new-semconv-url", span(SpanKind.SPAN_KIND_CLIENT, true, "http.request.method", "PUT",
            "url.full", "https://example.com/a", "http.response.status_code", 204L, "server.address", "example.com",
            "server.port", 443L)),
        trace("http-client-explicit-default-port", span(SpanKind.SPAN_KIND_CLIENT, true, "http.method", "GET",
            "http.url", "http://example.com:80/x")),
        trace("http-client-explicit-https-default-port", span(SpanKind.SPAN_KIND_CLIENT, true,
            "http.url", "https://EXAMPLE.com:443/x")),
        trace("http-client-target-and-host", span(SpanKind.SPAN_KIND_CLIENT, true, "http.method", "GET",
            "http.scheme", "https", "http.host", "api.example.com", "http.target", "/v1/items")),
        trace("http-client-target-and-peer-name-port", span(SpanKind.SPAN_KIND_CLIENT, true, "http.target", "/t",
            "net.peer.name", "backend", "net.peer.port", 9200L)),
        trace("http-client-target-and-peer-ip", span(SpanKind.SPAN_KIND_CLIENT, true, "http.target", "/t",
            "net.peer.ip", "10.1.2.3")),
        trace("http-client-target-and-peer-ipv6", span(SpanKind.SPAN_KIND_CLIENT, true, "http.target", "/t",
            "peer.ipv6", "::1", "peer.port", 8080L)),
        trace("http-client-target-no-host", span(SpanKind.SPAN_KIND_CLIENT, true, "http.target", "/t")),
        trace("http-client-unparsable-url", span(SpanKind.SPAN_KIND_CLIENT, true, "http.url", "http://bad host/",
            "net.peer.name", "fallback", "net.peer.port", 81L)),
        trace("http-client-url-without-host", span(SpanKind.SPAN_KIND_CLIENT, true, "http.url", "/relative/only")),
        trace("http-client-ftp-scheme", span(SpanKind.SPAN_KIND_CLIENT, true, "url.full", "ftp://files.example/x")),
        trace("http-client-399-success", span(SpanKind.SPAN_KIND_CLIENT, true, "http.status_code", 399L)),
        trace("http-client-500-ok-status", span(SpanKind.SPAN_KIND_CLIENT, true, "http.status_code", 500L)
            .setStatus(status(StatusCode.STATUS_CODE_OK))),
        trace("http-client-status-string", span(SpanKind.SPAN_KIND_CLIENT, true, "http.status_code", "500")),
        trace("http-client-peer-service", span(SpanKind.SPAN_KIND_CLIENT, true, "http.url", "http://a.example:81/",
            "peer.service", "billing")),
        trace("http-client-peer-service-no-url", span(SpanKind.SPAN_KIND_CLIENT, true, "http.method", "GET",
            "peer.service", "billing")),
        trace("http-client-peer-address-host-port", span(SpanKind.SPAN_KIND_CLIENT, true, "http.method", "GET",
            "peer.address", "10.0.0.5:8080", "peer.service", "inventory")),
        trace("http-client-peer-address-host", span(SpanKind.SPAN_KIND_CLIENT, true, "http.method", "GET",
            "peer.address", "inventory.local", "peer.port", 7000L)),
        trace("http-client-peer-hostname-ipv4", span(SpanKind.SPAN_KIND_CLIENT, true, "peer.hostname", "h.example",
            "peer.ipv4", "10.0.0.7")),
        trace("client-without-convention", span(SpanKind.SPAN_KIND_CLIENT, true, "net.peer.name", "x.example",
            "net.peer.port", 5000L)),
        trace("span-internal-child", span(SpanKind.SPAN_KIND_INTERNAL, true)),
        trace("span-unspecified-child", span(SpanKind.SPAN_KIND_UNSPECIFIED, true)),
        trace("span-producer-without-convention", span(SpanKind.SPAN_KIND_PRODUCER, true)),
        trace("span-status-error", span(SpanKind.SPAN_KIND_INTERNAL, true).setStatus(status(StatusCode.STATUS_CODE_ERROR))),
        trace("span-misc-attributes", span(SpanKind.SPAN_KIND_INTERNAL, true, "session.id", "s-2",
            "code.stacktrace", "at a.b(C.java:1)", "span.kind", "client", "rpc.method", "M", "service.version", "1",
            "type", "custom")));
  }

  private static Stream<Arguments> db() {
    return Stream.of(
        trace("db-postgres", span(SpanKind.SPAN_KIND_CLIENT, true, "db.system", "postgresql", "db.name", "shop",
            "db.statement", "select 1", "db.user", "app", "net.peer.name", "db.local", "net.peer.port", 5432L)),
        trace("db-sql-query-only", span(SpanKind.SPAN_KIND_CLIENT, true, "sql.query", "select * from t")),
        trace("db-sql-query-after-system", span(SpanKind.SPAN_KIND_CLIENT, true, "db.system", "mysql",
            "sql.query", "select 2")),
        trace("db-system-after-sql-query", span(SpanKind.SPAN_KIND_CLIENT, true, "sql.query", "select 3",
            "db.type", "cassandra")),
        trace("db-instance-without-system", span(SpanKind.SPAN_KIND_CLIENT, true, "db.instance", "inst")),
        trace("db-elasticsearch", span(SpanKind.SPAN_KIND_CLIENT, true, "db.system", "elasticsearch",
            "db.elasticsearch.cluster.name", "prod-cluster", "http.method", "POST",
            "http.url", "https://es.example:9243/_search", "http.status_code", 200L)),
        trace("db-with-peer-service", span(SpanKind.SPAN_KIND_CLIENT, true, "db.system", "redis",
            "peer.service", "cache", "db.statement", "GET k")),
        trace("db-long-statement", span(SpanKind.SPAN_KIND_CLIENT, true, "db.system", "dynamodb",
            "db.statement", "x".repeat(1500), "db.name", "n".repeat(1100))),
        trace("db-user-only", span(SpanKind.SPAN_KIND_CLIENT, true, "db.user", "root")));
  }

  private static Stream<Arguments> messaging() {
    return Stream.of(
        trace("messaging-producer", span(SpanKind.SPAN_KIND_PRODUCER, true, "messaging.system", "kafka",
            "messaging.destination", "orders")),
        trace("messaging-producer-operation", span(SpanKind.SPAN_KIND_PRODUCER, true, "messaging.system", "sqs",
            "messaging.destination", "q1", "messaging.operation", "publish")),
        trace("messaging-client-no-operation", span(SpanKind.SPAN_KIND_CLIENT, true, "messaging.system", "sns",
            "message_bus.destination", "topic")),
        trace("messaging-temp-destination", span(SpanKind.SPAN_KIND_PRODUCER, true, "messaging.system", "rabbitmq",
            "messaging.destination", "amq.gen-1", "messaging.temp_destination", true)),
        trace("messaging-temp-destination-false", span(SpanKind.SPAN_KIND_PRODUCER, true, "messaging.system", "rabbitmq",
            "messaging.destination", "q2", "messaging.temp_destination", false)),
        trace("messaging-no-system", span(SpanKind.SPAN_KIND_PRODUCER, true, "messaging.destination", "q3")),
        trace("messaging-system-only", span(SpanKind.SPAN_KIND_PRODUCER, true, "messaging.system", "kafka")),
        trace("messaging-peer-service", span(SpanKind.SPAN_KIND_PRODUCER, true, "messaging.system", "kafka",
            "messaging.destination", "orders", "peer.service", "broker")),
        trace("messaging-peer-address", span(SpanKind.SPAN_KIND_PRODUCER, true, "messaging.system", "kafka",
            "messaging.destination", "orders", "peer.address", "broker:9092")),
        trace("messaging-consumer-transaction", span(SpanKind.SPAN_KIND_CONSUMER, true, "messaging.system", "sqs",
            "messaging.destination", "orders", "message_bus.destination", "orders2", "messaging.operation", "receive")),
        trace("messaging-and-http-transaction", span(SpanKind.SPAN_KIND_SERVER, false, "messaging.destination", "q",
            "http.method", "POST", "http.target", "/q")));
  }

  private static Stream<Arguments> rpc() {
    return Stream.of(
        trace("rpc-grpc-client", span(SpanKind.SPAN_KIND_CLIENT, true, "rpc.system", "grpc", "rpc.service", "Greeter",
            "rpc.method", "SayHello", "net.peer.name", "svc", "net.peer.port", 50051L, "rpc.grpc.status_code", 0L)),
        trace("rpc-status-code-only", span(SpanKind.SPAN_KIND_CLIENT, true, "rpc.grpc.status_code", 14L)),
        trace("rpc-status-code-string", span(SpanKind.SPAN_KIND_CLIENT, true, "rpc.grpc.status_code", "14",
            "server.address", "grpc.example")),
        trace("rpc-no-address", span(SpanKind.SPAN_KIND_CLIENT, true, "rpc.system", "apache_dubbo")),
        trace("rpc-peer-service", span(SpanKind.SPAN_KIND_CLIENT, true, "rpc.system", "grpc", "rpc.service", "S",
            "peer.service", "remote")),
        trace("rpc-and-http-client", span(SpanKind.SPAN_KIND_CLIENT, true, "rpc.system", "grpc",
            "http.url", "http://grpc.example:50051/S/M")),
        trace("rpc-server-transaction", span(SpanKind.SPAN_KIND_SERVER, false, "rpc.system", "grpc",
            "rpc.service", "Greeter", "rpc.grpc.status_code", 5L)),
        trace("rpc-server-unknown-code", span(SpanKind.SPAN_KIND_SERVER, false, "rpc.grpc.status_code", 99L)),
        trace("rpc-server-negative-code", span(SpanKind.SPAN_KIND_SERVER, false, "rpc.grpc.status_code", -1L)),
        trace("rpc-server-status-code-string", span(SpanKind.SPAN_KIND_SERVER, false, "rpc.grpc.status_code", "3")),
        trace("db-and-messaging-and-rpc", span(SpanKind.SPAN_KIND_CLIENT, true, "rpc.system", "grpc",
            "messaging.system", "kafka", "db.system", "mongodb")),
        trace("messaging-and-rpc", span(SpanKind.SPAN_KIND_CLIENT, true, "rpc.system", "grpc",
            "messaging.system", "kafka")));
  }

  private static Stream<Arguments> events() {
    return Stream.of(
        trace("exception-on-http-transaction", span(SpanKind.SPAN_KIND_SERVER, false, "http.method", "GET",
                "http.url", "https://api.example.com/fail", "http.status_code", 500L)
            .addEvents(event("exception", 1_000, "exception.type", "java.lang.IllegalStateException",
                "exception.message", "boom", "exception.stacktrace", "java.lang.IllegalStateException: boom\n\tat X",
                "exception.escaped", true, "thread.id", 7L, "thread.name", "main"))),
        trace("exception-on-span", span(SpanKind.SPAN_KIND_CLIENT, true, "http.method", "GET",
                "http.url", "http://down.example/x")
            .addEvents(event("exception", 1_000, "exception.type", "java.net.ConnectException",
                "exception.escaped", false))),
        trace("exception-message-only", span(SpanKind.SPAN_KIND_INTERNAL, false)
            .addEvents(event("exception", 10, "exception.message", "only a message"))),
        trace("exception-without-type-or-message-is-a-log", span(SpanKind.SPAN_KIND_SERVER, false)
            .addEvents(event("exception", 10, "exception.stacktrace", "trace", "exception.escaped", true, "k", "v"))),
        trace("exception-labels-merge-with-resource-labels", resource("service.name", "svc", "faas.name", "fn",
                "aws.region.count", 2L),
            span(SpanKind.SPAN_KIND_SERVER, false, "span.label", "sl")
                .addEvents(event("exception", 10, "exception.type", "E", "event.label", "el", "event.n", 1.5))),
        trace("events-logs-on-transaction-and-span", resource("service.name", "My Service-1"),
            span(SpanKind.SPAN_KIND_SERVER, false)
                .addEvents(event("cache miss", 5, "cache.key", "k1", "hit", false, "size", 3L))
                .addEvents(event("", 6)),
            span(SpanKind.SPAN_KIND_INTERNAL, true).setSpanId(id("3333333333333333"))
                .addEvents(event("retry", 7, "attempt", 2L))
                .addEvents(event("exception", 8, "exception.type", "T", "exception.message", "m"))),
        trace("exception-on-transaction-with-type", span(SpanKind.SPAN_KIND_CONSUMER, true,
                "messaging.destination", "orders", "type", "job")
            .addEvents(event("exception", 9, "exception.type", "Boom"))));
  }

  private static Stream<Arguments> resources() {
    return Stream.of(
        trace("resource-lambda", resource("service.name", "producer-fn", "service.version", "$LATEST",
                "telemetry.sdk.name", "opentelemetry", "telemetry.sdk.language", "java", "telemetry.sdk.version", "1.40.0",
                "telemetry.distro.name", "opentelemetry-java-instrumentation", "telemetry.distro.version", "2.6.0",
                "telemetry.auto.version", "2.6.0", "cloud.provider", "aws", "cloud.region", "eu-west-1",
                "cloud.availability_zone", "eu-west-1a", "cloud.account.id", "123456789012", "cloud.platform", "aws_lambda",
                "faas.name", "producer-fn", "faas.version", "$LATEST", "faas.instance", "2024/01/01/[$LATEST]abc",
                "faas.max_memory", 512L, "aws.log.group.names", List.of("/aws/lambda/producer-fn"),
                "process.runtime.name", "OpenJDK Runtime Environment", "process.runtime.version", "17.0.9"),
            span(SpanKind.SPAN_KIND_SERVER, false, "faas.trigger", "http", "faas.execution", "req-1",
                "faas.coldstart", true)),
        trace("resource-host-process-container-k8s", resource("service.name", "api", "service.instance.id", "i-1",
                "deployment.environment", "prod", "host.name", "h1", "host.id", "hid", "host.type", "m5.large",
                "host.arch", "amd64", "os.type", "linux", "os.description", "Ubuntu 22.04", "container.id", "c1",
                "process.pid", 4242L, "process.executable.name", "java", "process.command_line", "java -jar app.jar",
                "k8s.namespace.name", "ns", "k8s.node.name", "node", "k8s.pod.name", "pod", "k8s.pod.uid", "uid"),
            span(SpanKind.SPAN_KIND_INTERNAL, false)),
        trace("resource-new-environment-and-languageless-sdk", resource("service.name", "n",
                "deployment.environment.name", "staging", "telemetry.sdk.name", "", "telemetry.sdk.version", "",
                "telemetry.distro.name", ""),
            span(SpanKind.SPAN_KIND_INTERNAL, false)),
        trace("resource-empty", resource(), span(SpanKind.SPAN_KIND_INTERNAL, false)),
        trace("resource-odd-values", resource("service.name", 42L, "cloud.region", true, "process.pid", "not-a-number",
                "service.version", "", "host.name", "h".repeat(1030)),
            span(SpanKind.SPAN_KIND_INTERNAL, false)),
        trace("resource-service-name-cleaned", resource("service.name", "my.svc/1 ü", "telemetry.sdk.language", "nodejs"),
            span(SpanKind.SPAN_KIND_INTERNAL, false)));
  }

  private static Stream<Arguments> labels() {
    return Stream.of(
        trace("labels-transaction-values", span(SpanKind.SPAN_KIND_SERVER, false, "s", "str", "b", true, "i", 3L,
            "d", 0.25, "arr.s", List.of("a", "b"), "arr.i", List.of(1L, 2L), "arr.d", List.of(1.5, 2L),
            "arr.b", List.of(true, false), "arr.mixed", List.of("a", 1L, true), "arr.mixed.num", List.of(1L, "a", 2.5),
            "arr.empty", List.of(), "kv", Map.of("x", "y"), "bytes", new byte[] {1, 2}, "long.label", "v".repeat(1100))),
        trace("labels-span-values", span(SpanKind.SPAN_KIND_INTERNAL, true, "s", "str", "b", false, "i", -3L,
            "d", 1e20, "arr.s", List.of("a"), "arr.i", List.of(7L), "kv", Map.of("x", "y"), "bytes", new byte[] {3},
            "http.status_code", 2.5, "net.peer.port", "80", "messaging.temp_destination", "yes")),
        trace("labels-transaction-typed-conventions", span(SpanKind.SPAN_KIND_SERVER, false, "http.method", 1L,
            "net.peer.port", "80", "net.host.port", "81", "http.status_code", true, "rpc.grpc.status_code", 1.0,
            "type", 5L)));
  }

  /** When attributes repeat or conflict, which one wins depends on key, type and position. */
  private static Stream<Arguments> repeatedAttributes() {
    return Stream.of(
        trace("repeated-transaction-attributes", span(SpanKind.SPAN_KIND_SERVER, false, "type", "x", "type", "",
            "http.status_code", 500L, "http.status_code", "abc", "http.method", "GET", "http.method", "",
            "rpc.grpc.status_code", 5L, "rpc.grpc.status_code", "x", "net.peer.port", 1L, "net.peer.port", 2L,
            "session.id", "a", "session.id", "", "http.target", "/a", "http.target", "", "net.host.name", "h",
            "net.host.name", "")),
        trace("repeated-span-rpc-system", span(SpanKind.SPAN_KIND_CLIENT, true, "rpc.system", "dubbo",
            "rpc.grpc.status_code", 0L)),
        trace("repeated-span-rpc-system-last", span(SpanKind.SPAN_KIND_CLIENT, true, "rpc.grpc.status_code", "0",
            "rpc.system", "dubbo")),
        trace("repeated-span-db", span(SpanKind.SPAN_KIND_CLIENT, true, "db.statement", "a", "sql.query", "",
            "db.system", "", "sql.query", "b", "db.name", "n", "db.name", "", "db.user", "u", "db.user", "")),
        trace("repeated-span-http", span(SpanKind.SPAN_KIND_CLIENT, true, "http.url", "", "http.scheme", "",
            "http.target", "/t", "http.status_code", 500L, "http.status_code", 200L, "peer.address", "pa",
            "net.peer.name", "np", "net.peer.port", 1L, "peer.port", 2L)),
        trace("repeated-span-empty-target", span(SpanKind.SPAN_KIND_CLIENT, true, "http.scheme", "",
            "http.target", "/t", "peer.address", "pa")),
        trace("repeated-span-messaging", span(SpanKind.SPAN_KIND_PRODUCER, true, "messaging.system", "kafka",
            "messaging.destination", "q", "messaging.temp_destination", true, "messaging.temp_destination", false,
            "messaging.operation", "", "messaging.system", "")),
        trace("repeated-event-attributes", span(SpanKind.SPAN_KIND_SERVER, false)
            .addEvents(event("exception", 1, "exception.message", 5L, "exception.escaped", "true",
                "exception.type", "A", "exception.type", "B", "exception.stacktrace", ""))
            .addEvents(event("exception", 2, "exception.type", "", "exception.escaped", true))),
        trace("repeated-resource-attributes", resource("service.name", "a", "service.name", 5L, "a.b", "1", "a_b", "2",
                "telemetry.sdk.language", "go", "telemetry.sdk.language", "", "host.name", "h", "host.name", ""),
            span(SpanKind.SPAN_KIND_INTERNAL, false)));
  }

  private static Stream<Arguments> metricsAndLogs() {
    long t = 1_700_000_000_000_000_000L;
    return Stream.of(
        metrics("metrics-app", ExportMetricsServiceRequest.newBuilder().addResourceMetrics(ResourceMetrics.newBuilder()
            .setResource(resource("service.name", "Producer", "cloud.provider", "aws", "faas.name", "producer"))
            .addScopeMetrics(ScopeMetrics.newBuilder()
                .addMetrics(Metric.newBuilder().setName("invocations").setSum(Sum.newBuilder()
                    .addDataPoints(NumberDataPoint.newBuilder().setTimeUnixNano(t).setAsInt(3)
                        .addAllAttributes(attrs("faas.trigger", "http")))))
                .addMetrics(Metric.newBuilder().setName("memory.used").setGauge(Gauge.newBuilder()
                    .addDataPoints(NumberDataPoint.newBuilder().setTimeUnixNano(t).setAsDouble(0.5)
                        .addAllAttributes(attrs("faas.trigger", "http")))
                    .addDataPoints(NumberDataPoint.newBuilder().setTimeUnixNano(t).setAsDouble(0.75)
                        .addAllAttributes(attrs("faas.trigger", "sqs", "n", 2L)))))
                .addMetrics(Metric.newBuilder().setName("latency").setHistogram(Histogram.newBuilder()
                    .addDataPoints(HistogramDataPoint.newBuilder().setTimeUnixNano(t + 1)
                        .addAllExplicitBounds(List.of(10.0, 20.0, 40.0)).addAllBucketCounts(List.of(1L, 0L, 2L, 5L)))
                    .addDataPoints(HistogramDataPoint.newBuilder().setTimeUnixNano(t + 2)
                        .addAllBucketCounts(List.of(4L, 0L)))))
                .addMetrics(Metric.newBuilder().setName("ignored.summary").setSummary(Summary.newBuilder()))))
            .build()),
        metrics("metrics-internal", ExportMetricsServiceRequest.newBuilder().addResourceMetrics(ResourceMetrics.newBuilder()
            .setResource(resource("service.name", "jvm-app"))
            .addScopeMetrics(ScopeMetrics.newBuilder()
                .addMetrics(Metric.newBuilder().setName("jvm.thread.count").setGauge(Gauge.newBuilder()
                    .addDataPoints(NumberDataPoint.newBuilder().setTimeUnixNano(t).setAsInt(12))))
                .addMetrics(Metric.newBuilder().setName("jvm.gc.count").setSum(Sum.newBuilder()
                    .addDataPoints(NumberDataPoint.newBuilder().setTimeUnixNano(t).setAsInt(1)))))
            .addScopeMetrics(ScopeMetrics.newBuilder()
                .addMetrics(Metric.newBuilder().setName("jvm.thread.count").setGauge(Gauge.newBuilder()
                    .addDataPoints(NumberDataPoint.newBuilder().setTimeUnixNano(t).setAsInt(13))))
                .addMetrics(Metric.newBuilder().setName("custom").setGauge(Gauge.newBuilder()
                    .addDataPoints(NumberDataPoint.newBuilder().setTimeUnixNano(t).setAsInt(1))))))
            .build()),
        logs("logs", ExportLogsServiceRequest.newBuilder().addResourceLogs(ResourceLogs.newBuilder()
            .setResource(resource("service.name", "Consumer.Fn", "telemetry.sdk.language", "python"))
            .addScopeLogs(ScopeLogs.newBuilder()
                .addLogRecords(LogRecord.newBuilder().setTimeUnixNano(t).setSeverityText("INFO").setSeverityNumberValue(9)
                    .setBody(any("handled ping")).setTraceId(id(TRACE)).setSpanId(id(SPAN))
                    .addAllAttributes(attrs("request.id", "r-1", "n", 1L)))
                .addLogRecords(LogRecord.newBuilder().setObservedTimeUnixNano(t + 5)
                    .setBody(any(Map.of("structured", "body"))))
                .addLogRecords(LogRecord.newBuilder().setTimeUnixNano(t + 6).setSeverityText("")
                    .setBody(any("")))))
            .build()));
  }
}
