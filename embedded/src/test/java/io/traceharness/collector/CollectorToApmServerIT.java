package io.traceharness.collector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.traceharness.apm.EmbeddedApmServer;
import io.traceharness.elasticsearch.EmbeddedElasticsearch;
import io.traceharness.stack.ComponentLog;
import io.traceharness.support.LocalCertificateAuthority;
import io.traceharness.support.WorkDirs;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The post's pipeline with its own collector.yaml: the real OpenTelemetry Java agent exports to
 * the embedded collector, whose {@code otlp/elastic} exporter sends to the embedded APM Server
 * (secret token from {@code APM_SERVER_TOKEN}), which writes to a real Elasticsearch node. The
 * documents are read back and their links checked. The collector trusts the local certificate
 * authority through {@code SSL_CERT_FILE}, as the layer collector in the Lambda environment does, and
 * exports over TLS to APM Server's port, which also speaks plaintext, whether {@code APM_SERVER_URL} is
 * {@code localhost:8200} or {@code http://localhost:8200}.
 */
class CollectorToApmServerIT {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final String TOKEN = "collector-it-token";

  static EmbeddedElasticsearch es;
  static EmbeddedApmServer apm;

  @BeforeAll
  static void start() {
    es = EmbeddedElasticsearch.builder().heap("256m").build();
    es.start();
    apm = apmServer(0);
  }

  /** TLS and plaintext on one port, as the stack runs it: the post's otlp exporter uses TLS. */
  private static EmbeddedApmServer apmServer(int port) {
    return EmbeddedApmServer.builder().elasticsearch(es.endpoint()).secretToken(TOKEN).port(port)
        .tls(LocalCertificateAuthority.shared().issueServer("apm-server")).build().start();
  }

  @AfterAll
  static void stop() {
    if (apm != null) {
      apm.close();
    }
    if (es != null) {
      es.close();
    }
  }

  /** {@code env} with the Lambda environment's trust in the local CA ({@code SSL_CERT_FILE}). */
  private static Map<String, String> trusting(Map<String, String> env) {
    Map<String, String> out = new HashMap<>(env);
    out.putAll(LocalCertificateAuthority.shared().trustEnvironment(env));
    return out;
  }

  static String postConfig() throws IOException {
    try (InputStream in = CollectorToApmServerIT.class.getResourceAsStream("post-collector.yaml")) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @Test
  void agentSpansCrossTheCollectorAndApmServerIntoElasticsearch() throws Exception {
    AgentRun.Ids ids;
    try (EmbeddedCollector collector = EmbeddedCollector.builder()
        .config(postConfig())
        .environment(trusting(Map.of("APM_SERVER_URL", apm.endpoint().toString(), "APM_SERVER_TOKEN", TOKEN)))
        .freePorts(true)
        .logFile(WorkDirs.root().resolve("logs").resolve("collector-apm-it.log"))
        .build()
        .start()
        .awaitReady(Duration.ofSeconds(10))) {
      ids = AgentRun.run("agent-to-apm", "grpc", collector.otlpGrpcEndpoint().toString(), "producer");
      await("3 spans delivered to APM Server").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50))
          .untilAsserted(() -> assertThat(collector.stats().pipeline("traces").exporter("otlp/elastic").sent())
              .as("spans the collector delivered to APM Server; failures %s", collector.exportFailures()).isEqualTo(3));
    }
    assertThat(apm.flush(Duration.ofSeconds(20))).as("APM Server flushed to Elasticsearch").isTrue();

    Map<String, JsonNode> docs = new HashMap<>();
    await("the 3 documents of trace " + ids.traceId()).atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200))
        .untilAsserted(() -> {
          docs.clear();
          for (JsonNode hit : search(ids.traceId())) {
            JsonNode src = hit.path("_source");
            docs.put(src.at("/span/id").asText(), src);
          }
          assertThat(docs).as("documents of trace %s in traces-apm*; APM Server log:\n%s", ids.traceId(),
              new ComponentLog("apm-server", apm.logFile()).tail(20))
              .containsOnlyKeys(ids.serverSpanId(), ids.clientSpanId(), ids.internalSpanId());
        });

    JsonNode tx = docs.get(ids.serverSpanId());
    assertThat(tx.at("/processor/event").asText()).isEqualTo("transaction");
    assertThat(tx.at("/transaction/id").asText()).isEqualTo(ids.serverSpanId());
    assertThat(tx.at("/parent/id").isMissingNode()).as("the root has no parent.id").isTrue();
    assertThat(tx.at("/service/name").asText()).isEqualTo("producer");
    assertThat(tx.at("/agent/name").asText()).as("sdk name/language, then the distro").startsWith("opentelemetry/java");
    assertThat(tx.at("/transaction/duration/us").asLong()).isPositive();

    JsonNode client = docs.get(ids.clientSpanId());
    assertThat(client.at("/processor/event").asText()).isEqualTo("span");
    assertThat(client.at("/parent/id").asText()).isEqualTo(ids.serverSpanId());
    assertThat(client.at("/span/type").asText()).isEqualTo("external");
    assertThat(client.at("/span/duration/us").asLong()).isPositive();

    JsonNode internal = docs.get(ids.internalSpanId());
    assertThat(internal.at("/processor/event").asText()).isEqualTo("span");
    assertThat(internal.at("/parent/id").asText()).isEqualTo(ids.clientSpanId());
    assertThat(internal.at("/trace/id").asText()).isEqualTo(ids.traceId());
  }

  /**
   * {@code APM_SERVER_URL} as a user sets it for a local APM Server, with or without {@code http://}: the
   * post's exporter uses TLS either way (configgrpc.go strips the prefix, nothing more), and APM Server's
   * port, speaking TLS and plaintext, takes the export with the local CA's certificate for
   * {@code localhost}, which the collector trusts through {@code SSL_CERT_FILE}.
   */
  @ParameterizedTest(name = "APM_SERVER_URL={0}")
  @ValueSource(strings = {"localhost:%d", "http://localhost:%d"})
  void thePostsConfigExportsOverTlsWithOrWithoutTheHttpPrefix(String form) throws Exception {
    String url = form.formatted(apm.endpoint().getPort());
    String traceId = Otlp.newTraceId();
    try (EmbeddedCollector collector = EmbeddedCollector.builder()
        .config(postConfig())
        .environment(trusting(Map.of("APM_SERVER_URL", url, "APM_SERVER_TOKEN", TOKEN)))
        .freePorts(true)
        .logFile(WorkDirs.root().resolve("logs").resolve("collector-apm-url-form-it.log"))
        .build()
        .start()) {
      assertThat(collector.config().exporterUsesTls("otlp/elastic")).as("TLS for " + url).contains(true);
      com.linecorp.armeria.client.grpc.GrpcClients.newClient(collector.otlpGrpcEndpoint(),
              io.opentelemetry.proto.collector.trace.v1.TraceServiceGrpc.TraceServiceBlockingStub.class)
          .export(Otlp.traces("producer", traceId, 2));
      await("2 spans delivered over TLS").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50))
          .untilAsserted(() -> assertThat(collector.stats().pipeline("traces").exporter("otlp/elastic").sent())
              .as("spans delivered; failures %s", collector.exportFailures()).isEqualTo(2));
      assertThat(collector.exportFailures()).isEmpty();
    }
    assertThat(apm.flush(Duration.ofSeconds(20))).isTrue();
    await("the 2 documents of trace " + traceId).atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200))
        .untilAsserted(() -> assertThat(search(traceId).size()).as("documents of trace %s", traceId).isEqualTo(2));
  }

  @Test
  void aWrongTokenShowsUpInExportFailuresAndTheSpansAreCountedAsDropped() throws Exception {
    try (EmbeddedCollector collector = EmbeddedCollector.builder()
        .config(postConfig())
        .environment(trusting(Map.of("APM_SERVER_URL", apm.endpoint().toString(), "APM_SERVER_TOKEN", "wrong")))
        .freePorts(true)
        .logFile(WorkDirs.root().resolve("logs").resolve("collector-apm-wrong-token-it.log"))
        .build()
        .start()) {
      io.opentelemetry.proto.collector.trace.v1.TraceServiceGrpc.TraceServiceBlockingStub stub =
          com.linecorp.armeria.client.grpc.GrpcClients.newClient(collector.otlpGrpcEndpoint(),
              io.opentelemetry.proto.collector.trace.v1.TraceServiceGrpc.TraceServiceBlockingStub.class);
      stub.export(Otlp.traces("producer", Otlp.newTraceId(), 2));
      await("2 spans dropped").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
          .untilAsserted(() -> assertThat(collector.stats().pipeline("traces").exporter("otlp/elastic").dropped())
              .as("spans dropped; failures %s", collector.exportFailures()).isEqualTo(2));
      assertThat(collector.exportFailures()).last().satisfies(f -> {
        assertThat(f.exporter()).isEqualTo("otlp/elastic");
        assertThat(f.dropped()).isTrue();
        assertThat(f.error()).startsWith("Permanent error: rpc error: code = Unauthenticated desc = ");
      });
    }
  }

  @Test
  void apmServerDownWhileTheAgentExportsThenBackLosesNoSpan() throws Exception {
    int port = apm.endpoint().getPort();
    try (EmbeddedCollector collector = EmbeddedCollector.builder()
        .config(postConfig())
        .environment(trusting(Map.of("APM_SERVER_URL", apm.endpoint().toString(), "APM_SERVER_TOKEN", TOKEN)))
        .freePorts(true)
        .logFile(WorkDirs.root().resolve("logs").resolve("collector-apm-outage-it.log"))
        .build()
        .start()) {
      apm.stop();
      AgentRun.Ids ids;
      try {
        ids = AgentRun.run("agent-apm-outage", "http/protobuf", collector.otlpHttpEndpoint().toString(), "consumer");
        await("an export failure while APM Server is down").atMost(Duration.ofSeconds(10))
            .pollInterval(Duration.ofMillis(50))
            .untilAsserted(() -> assertThat(collector.exportFailures()).as("export failures").isNotEmpty());
        assertThat(collector.stats().pipeline("traces").exporter("otlp/elastic").sent())
            .as("APM Server is down: nothing delivered yet").isZero();
        assertThat(collector.exportFailures()).as("the reason is listed while the collector retries")
            .anySatisfy(f -> assertThat(f.error()).contains("connect: connection refused")
                .contains("127.0.0.1:" + port));
      } finally {
        apm = apmServer(port);
      }
      await("3 spans delivered after the outage").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
          .untilAsserted(() -> assertThat(collector.stats().pipeline("traces").exporter("otlp/elastic").sent())
              .as("delivered after the outage; failures %s", collector.exportFailures()).isEqualTo(3));
      assertThat(collector.stats().dropped()).isZero();
      assertThat(apm.flush(Duration.ofSeconds(20))).isTrue();
      await("the 3 documents of trace " + ids.traceId()).atMost(Duration.ofSeconds(20))
          .pollInterval(Duration.ofMillis(200))
          .untilAsserted(() -> assertThat(search(ids.traceId()).size())
              .as("documents of trace %s in Elasticsearch", ids.traceId()).isEqualTo(3));
    }
  }

  private static JsonNode search(String traceId) throws IOException, InterruptedException {
    String body = "{\"size\":20,\"query\":{\"term\":{\"trace.id\":\"" + traceId + "\"}}}";
    HttpResponse<String> res = HTTP.send(HttpRequest.newBuilder(URI.create(es.endpoint() + "/traces-apm*/_search"))
        .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
    if (res.statusCode() != 200) {
      return JSON.createArrayNode();
    }
    return JSON.readTree(res.body()).at("/hits/hits");
  }
}
