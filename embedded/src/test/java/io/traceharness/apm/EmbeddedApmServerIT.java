package io.traceharness.apm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import co.elastic.apm.api.ElasticApm;
import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch.core.SearchResponse;
import co.elastic.clients.elasticsearch.core.search.Hit;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporter;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.traceharness.elasticsearch.EmbeddedElasticsearch;
import io.traceharness.support.ChildProcess;
import io.traceharness.support.MavenArtifacts;
import io.traceharness.support.Versions;
import io.traceharness.support.WorkDirs;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Real agents → embedded APM Server → real Elasticsearch, documents read back. One node for the
 * class; the outage test (stops and restarts the node) runs last.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class EmbeddedApmServerIT {

  static final String TOKEN = "it-secret";
  static EmbeddedElasticsearch es;
  static EmbeddedApmServer apm;

  @BeforeAll
  static void start() {
    es = EmbeddedElasticsearch.builder().build();
    es.start();
    apm = EmbeddedApmServer.builder().elasticsearch(es.endpoint()).secretToken(TOKEN).build().start();
  }

  @AfterAll
  static void stop() {
    if (apm != null) {
      apm.stop();
    }
    if (es != null) {
      es.stop();
    }
  }

  static SdkTracerProvider tracerProvider(String service, SpanExporter exporter, boolean batch) {
    return SdkTracerProvider.builder()
        .setResource(Resource.getDefault().merge(Resource.create(Attributes.of(
            AttributeKey.stringKey("service.name"), service,
            AttributeKey.stringKey("deployment.environment"), "it"))))
        .addSpanProcessor(batch
            ? BatchSpanProcessor.builder(exporter).setScheduleDelay(Duration.ofMillis(100)).build()
            : SimpleSpanProcessor.create(exporter))
        .build();
  }

  static List<JsonNode> byTrace(String index, String traceId) throws Exception {
    ElasticsearchClient client = es.client();
    SearchResponse<ObjectNode> r = client.search(s -> s.index(index).size(100)
        .query(q -> q.match(m -> m.field("trace.id").query(traceId))), ObjectNode.class);
    return r.hits().hits().stream().map(Hit::source).map(JsonNode.class::cast).toList();
  }

  static List<JsonNode> awaitDocs(String index, String traceId, int count) {
    return await("%d documents of trace %s in %s".formatted(count, traceId, index))
        .atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250))
        // a data stream just created answers 503 until its shard is allocated
        .ignoreExceptions()
        .until(() -> byTrace(index, traceId), docs -> docs.size() >= count);
  }

  static String text(JsonNode doc, String path) {
    return doc.at("/" + path.replace('.', '/')).asText(null);
  }

  /** An OTel SERVER span with a CLIENT child and an exception event, read back as APM documents. */
  void exportsThroughOtlp(String service, SpanExporter exporter) throws Exception {
    SdkTracerProvider provider = tracerProvider(service, exporter, false);
    Tracer tracer = provider.get("it");
    Span server = tracer.spanBuilder("GET /ping").setSpanKind(SpanKind.SERVER)
        .setAttribute("http.request.method", "GET").setAttribute("http.response.status_code", 200L)
        .setAttribute("url.full", "http://producer.local/ping").startSpan();
    String traceId = server.getSpanContext().getTraceId();
    try (Scope ignored = server.makeCurrent()) {
      Span client = tracer.spanBuilder("GET").setSpanKind(SpanKind.CLIENT)
          .setAttribute("http.request.method", "GET").setAttribute("url.full", "http://consumer.local:8080/ping")
          .setAttribute("http.response.status_code", 200L).startSpan();
      Thread.sleep(5);
      client.end();
      server.recordException(new IllegalStateException("boom"));
      server.setStatus(StatusCode.ERROR);
    } finally {
      server.end();
    }
    assertThat(provider.forceFlush().join(10, TimeUnit.SECONDS).isSuccess()).as("export succeeded").isTrue();
    provider.shutdown().join(10, TimeUnit.SECONDS);

    List<JsonNode> traces = awaitDocs("traces-apm*", traceId, 2);
    Map<String, JsonNode> byEvent = traces.stream().collect(Collectors.toMap(d -> text(d, "processor.event"), Function.identity()));
    JsonNode tx = byEvent.get("transaction");
    JsonNode span = byEvent.get("span");
    assertThat(tx).as("transaction document of trace %s in %s", traceId, traces).isNotNull();
    assertThat(span).as("span document of trace %s in %s", traceId, traces).isNotNull();
    assertThat(text(tx, "transaction.id")).isEqualTo(server.getSpanContext().getSpanId());
    assertThat(text(tx, "parent.id")).isNull();
    assertThat(text(tx, "service.name")).isEqualTo(service);
    assertThat(text(tx, "service.environment")).isEqualTo("it");
    assertThat(text(tx, "agent.name")).isEqualTo("opentelemetry/java");
    assertThat(text(tx, "transaction.type")).isEqualTo("request");
    assertThat(text(tx, "transaction.result")).isEqualTo("HTTP 2xx");
    assertThat(text(tx, "event.outcome")).isEqualTo("failure");
    assertThat(tx.at("/transaction/duration/us").asLong()).isPositive();
    assertThat(text(span, "parent.id")).isEqualTo(text(tx, "span.id"));
    assertThat(text(span, "span.type")).isEqualTo("external");
    assertThat(text(span, "span.subtype")).isEqualTo("http");
    assertThat(text(span, "transaction.id")).isNull();
    assertThat(span.at("/span/duration/us").asLong()).isGreaterThanOrEqualTo(5_000);
    assertThat(text(span, "data_stream.dataset")).isEqualTo("apm");

    List<JsonNode> errors = awaitDocs("logs-apm.error-*", traceId, 1);
    assertThat(text(errors.get(0), "processor.event")).isEqualTo("error");
    assertThat(errors.get(0).at("/error/exception/0/type").asText()).isEqualTo("java.lang.IllegalStateException");
    assertThat(text(errors.get(0), "parent.id")).isEqualTo(text(tx, "span.id"));
  }

  @Test
  @Order(1)
  void otlpHttpExportIsSearchable() throws Exception {
    exportsThroughOtlp("otlp-http-svc", OtlpHttpSpanExporter.builder()
        .setEndpoint(apm.endpoint() + "/v1/traces").addHeader("Authorization", "Bearer " + TOKEN).build());
  }

  @Test
  @Order(2)
  void otlpGrpcExportIsSearchable() throws Exception {
    exportsThroughOtlp("otlp-grpc-svc", OtlpGrpcSpanExporter.builder()
        .setEndpoint(apm.endpoint().toString()).addHeader("Authorization", "Bearer " + TOKEN).build());
  }

  @Test
  @Order(3)
  void otlpGrpcWithoutTokenIsUnauthenticated() {
    SpanExporter exporter = OtlpGrpcSpanExporter.builder().setEndpoint(apm.endpoint().toString()).build();
    SdkTracerProvider provider = tracerProvider("no-token", exporter, false);
    provider.get("it").spanBuilder("x").startSpan().end();
    assertThat(provider.forceFlush().join(10, TimeUnit.SECONDS).isSuccess()).as("export without a token fails").isFalse();
    provider.shutdown().join(10, TimeUnit.SECONDS);
  }

  @Test
  @Order(4)
  void elasticApmJavaAgentSendsIntakeV2() throws Exception {
    Path agent = MavenArtifacts.resolve("co.elastic.apm:elastic-apm-agent:" + Versions.of("elastic-apm-agent"));
    String classpath = String.join(File.pathSeparator,
        Path.of(ElasticAgentClientApp.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString(),
        Path.of(ElasticApm.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString());
    Path logFile = WorkDirs.root().resolve("apm-it").resolve("elastic-agent-client-" + UUID.randomUUID() + ".log");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    try (ChildProcess child = ChildProcess.builder("elastic-agent-client")
        .command(List.of(java, "-Xms64m", "-Xmx128m", "-javaagent:" + agent,
            "-Delastic.apm.server_url=" + apm.endpoint(),
            "-Delastic.apm.secret_token=" + TOKEN,
            "-Delastic.apm.service_name=java-client",
            "-Delastic.apm.environment=it",
            "-Delastic.apm.api_request_time=1s",
            "-Delastic.apm.metrics_interval=0s",
            "-Delastic.apm.log_level=info",
            "-cp", classpath, ElasticAgentClientApp.class.getName()))
        .logFile(logFile)
        .start()) {
      assertThat(child.waitFor(Duration.ofSeconds(60))).as("client finished; log:%n%s", child.logTail(40)).isTrue();
      String log = Files.readString(logFile);
      Matcher m = Pattern.compile("TRACE_ID=([0-9a-f]{32})").matcher(log);
      assertThat(m.find()).as("client printed its trace id; log:%n%s", child.logTail(40)).isTrue();
      String traceId = m.group(1);

      List<JsonNode> docs = awaitDocs("traces-apm*", traceId, 2);
      JsonNode tx = docs.stream().filter(d -> "transaction".equals(text(d, "processor.event"))).findFirst().orElseThrow();
      JsonNode span = docs.stream().filter(d -> "span".equals(text(d, "processor.event"))).findFirst().orElseThrow();
      assertThat(text(tx, "service.name")).isEqualTo("java-client");
      assertThat(text(tx, "agent.name")).isEqualTo("java");
      assertThat(text(tx, "transaction.name")).isEqualTo("client-top-level");
      assertThat(tx.at("/transaction/duration/us").asLong()).isPositive();
      assertThat(text(span, "parent.id")).isEqualTo(text(tx, "transaction.id"));
      assertThat(text(span, "transaction.id")).isEqualTo(text(tx, "transaction.id"));
      assertThat(text(span, "span.type")).isEqualTo("external");
      assertThat(text(span, "span.subtype")).isEqualTo("http");
      assertThat(span.at("/span/duration/us").asLong()).isPositive();
    }
  }

  @Test
  @Order(5)
  void everySpanArrivesAcrossAnElasticsearchOutage() throws Exception {
    String run = UUID.randomUUID().toString();
    SdkTracerProvider provider = tracerProvider("outage-svc", OtlpGrpcSpanExporter.builder()
        .setEndpoint(apm.endpoint().toString()).addHeader("Authorization", "Bearer " + TOKEN).build(), true);
    Tracer tracer = provider.get("it");
    long failedBefore = apm.stats().documentsFailed();
    // a span every 50 ms throughout; the phases are counted in spans: ~3 s up, ~20 s down, ~7 s up again
    AtomicInteger ticks = new AtomicInteger();
    ScheduledExecutorService traffic = Executors.newSingleThreadScheduledExecutor();
    traffic.scheduleAtFixedRate(() -> {
      tracer.spanBuilder("tick").setAttribute("run", run).startSpan().end();
      ticks.incrementAndGet();
    }, 0, 50, TimeUnit.MILLISECONDS);
    try {
      awaitTicks(ticks, 60, "before the outage");
      es.stop();
      try {
        awaitTicks(ticks, 460, "while Elasticsearch is down");
      } finally {
        es.start();
      }
      awaitTicks(ticks, 600, "after the outage");
    } finally {
      traffic.shutdown();
      assertThat(traffic.awaitTermination(10, TimeUnit.SECONDS)).as("traffic stopped").isTrue();
    }
    int sent = ticks.get();
    assertThat(provider.forceFlush().join(10, TimeUnit.SECONDS).isSuccess()).isTrue();
    provider.shutdown().join(10, TimeUnit.SECONDS);
    assertThat(apm.flush(Duration.ofSeconds(60))).as("APM Server drained its queue: %s", apm.stats()).isTrue();
    int expected = sent;
    long found = await("all %d spans of run %s".formatted(expected, run)).atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(500)).ignoreExceptions()
        .until(() -> es.client().count(c -> c.index("traces-apm*").query(q -> q.match(m -> m.field("labels.run").query(run))))
            .count(), n -> n >= expected);
    assertThat(found).as("spans in Elasticsearch after the outage").isEqualTo(expected);
    assertThat(apm.stats().documentsFailed()).as("documents failed for good").isEqualTo(failedBefore);
  }

  private static void awaitTicks(AtomicInteger ticks, int count, String phase) {
    await(count + " spans sent " + phase).atMost(Duration.ofSeconds(count / 20 + 30))
        .pollInterval(Duration.ofMillis(50)).untilAsserted(() -> assertThat(ticks.get()).as("spans sent")
            .isGreaterThanOrEqualTo(count));
  }
}
