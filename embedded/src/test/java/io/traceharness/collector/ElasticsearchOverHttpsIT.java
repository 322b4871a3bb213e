package io.traceharness.collector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import co.elastic.clients.elasticsearch.core.SearchResponse;
import com.fasterxml.jackson.databind.JsonNode;
import com.linecorp.armeria.client.WebClient;
import com.linecorp.armeria.common.AggregatedHttpResponse;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.RequestHeaders;
import io.traceharness.elasticsearch.EmbeddedElasticsearch;
import io.traceharness.support.LocalCertificateAuthority;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A collector config whose {@code elasticsearch} exporter names an {@code https://} Elasticsearch, as
 * one pointed at Elastic Cloud does: the embedded node's HTTPS endpoint (a TLS front with a certificate
 * from the local CA) takes the bulk requests of a collector whose environment trusts the CA, as a
 * Lambda environment's does; a client that does not trust it is refused the handshake.
 */
class ElasticsearchOverHttpsIT {

  private static final LocalCertificateAuthority CA = LocalCertificateAuthority.shared();
  private static final String CONFIG = """
      receivers:
        otlp:
          protocols:
            http:
      exporters:
        elasticsearch:
          endpoint: ${ELASTICSEARCH_ENDPOINT}
          mapping:
            mode: otel
          retry:
            initial_interval: 10ms
      service:
        pipelines:
          traces:
            receivers: [otlp]
            exporters: [elasticsearch]
      """;

  static EmbeddedElasticsearch es;

  @TempDir
  static Path tmp;

  @BeforeAll
  static void startElasticsearch() {
    es = EmbeddedElasticsearch.builder().heap("256m").https(CA.issueServer("elasticsearch")).build().start();
  }

  @AfterAll
  static void stopElasticsearch() {
    if (es != null) {
      es.close();
    }
  }

  private static EmbeddedCollector collector(String name, Map<String, String> env) {
    return EmbeddedCollector.builder().name(name).config(CONFIG).environment(env).freePorts(true)
        .shutdownTimeout(Duration.ofSeconds(2)).logFile(tmp.resolve(name + ".log")).build().start();
  }

  private static AggregatedHttpResponse post(EmbeddedCollector collector, String traceId) {
    return WebClient.of().execute(RequestHeaders.builder(HttpMethod.POST,
        collector.otlpHttpEndpoint().resolve("/v1/traces").toString())
        .contentType(MediaType.parse("application/x-protobuf")).build(),
        Otlp.traces("over-https", traceId, 2).toByteArray()).aggregate().join();
  }

  private static List<JsonNode> documents(String traceId) {
    try {
      es.client().indices().refresh(r -> r.index("traces-generic.otel-default").ignoreUnavailable(true));
      SearchResponse<JsonNode> res = es.client().search(s -> s.index("traces-generic.otel-default")
          .ignoreUnavailable(true).query(q -> q.term(t -> t.field("trace_id").value(traceId))).size(10),
          JsonNode.class);
      return res.hits().hits().stream().map(h -> h.source()).toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  void theHttpsEndpointIsTlsOnLoopbackBesideThePlaintextOne() {
    assertThat(es.httpsEndpoint().getScheme()).isEqualTo("https");
    assertThat(es.httpsEndpoint().getHost()).isEqualTo("127.0.0.1");
    assertThat(es.endpoint().getScheme()).isEqualTo("http");
  }

  @Test
  void anExporterToTheHttpsEndpointWritesDocumentsReadBackFromElasticsearch() {
    // the trust a Lambda environment gives its processes (lambda.RuntimeEnvironment)
    Map<String, String> env = new HashMap<>(CA.trustEnvironment(Map.of()));
    env.put("ELASTICSEARCH_ENDPOINT", es.httpsEndpoint().toString());
    try (EmbeddedCollector collector = collector("trusting", env)) {
      String traceId = Otlp.newTraceId();
      AggregatedHttpResponse res = post(collector, traceId);
      assertThat(res.status().code()).as(res.contentUtf8()).isEqualTo(200);

      await("the spans in Elasticsearch").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200))
          .untilAsserted(() -> assertThat(documents(traceId)).as("collector log:\n%s",
              io.traceharness.support.ChildProcess.tail(collector.logFile(), 30)).hasSize(2));
      assertThat(collector.exportFailures()).isEmpty();
    }
  }

  @Test
  void anExporterThatDoesNotTrustTheCaFailsVerificationAndWritesNothing() {
    // no SSL_CERT_FILE: the JDK's roots, which do not hold the local CA
    try (EmbeddedCollector collector = collector("untrusting",
        Map.of("ELASTICSEARCH_ENDPOINT", es.httpsEndpoint().toString()))) {
      String traceId = Otlp.newTraceId();
      // the exporter sends within the request (no sending queue by default): the receiver answers with its error
      AggregatedHttpResponse res = post(collector, traceId);
      assertThat(res.status().code()).isEqualTo(503);
      assertThat(res.contentUtf8()).contains("tls: failed to verify certificate: x509: certificate signed by unknown"
          + " authority");

      await("an export failure").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50))
          .untilAsserted(() -> assertThat(collector.exportFailures()).isNotEmpty());
      assertThat(collector.exportFailures().get(0).error())
          .contains("tls: failed to verify certificate: x509: certificate signed by unknown authority");
      assertThat(documents(traceId)).isEmpty();
    }
  }

  @Test
  void aClientThatDoesNotTrustTheCaIsRefusedTheHandshake() throws Exception {
    HttpRequest info = HttpRequest.newBuilder(es.httpsEndpoint().resolve("/_cluster/health"))
        .timeout(Duration.ofSeconds(10)).build();

    assertThatThrownBy(() -> HttpClient.newHttpClient().send(info, HttpResponse.BodyHandlers.ofString()))
        .isInstanceOf(SSLHandshakeException.class);

    HttpResponse<String> trusted = HttpClient.newBuilder().sslContext(CA.clientSslContext()).build()
        .send(info, HttpResponse.BodyHandlers.ofString());
    assertThat(trusted.statusCode()).as(trusted.body()).isEqualTo(200);
    assertThat(trusted.body()).contains("\"cluster_name\"");
  }

  @Test
  void theHttpsEndpointOutlivesAStopAndFollowsTheRestartedNode() throws Exception {
    URI https = es.httpsEndpoint();
    HttpClient trusting = HttpClient.newBuilder().sslContext(CA.clientSslContext()).build();
    HttpRequest health = HttpRequest.newBuilder(https.resolve("/_cluster/health")).timeout(Duration.ofSeconds(10))
        .build();

    es.stop();
    HttpResponse<String> down = trusting.send(health, HttpResponse.BodyHandlers.ofString());
    assertThat(down.statusCode()).as("the front while the node is down").isEqualTo(502);
    assertThat(down.body()).startsWith("Elasticsearch at " + es.endpoint() + " is not reachable: ");
    es.start();

    assertThat(es.httpsEndpoint()).isEqualTo(https);
    assertThat(trusting.send(health, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
  }

  @Test
  void plaintextToTheHttpsPortIsRefused() {
    URI plaintext = URI.create("http://" + es.httpsEndpoint().getAuthority() + "/_cluster/health");
    HttpRequest info = HttpRequest.newBuilder(plaintext).timeout(Duration.ofSeconds(10)).build();

    assertThatThrownBy(() -> HttpClient.newHttpClient().send(info, HttpResponse.BodyHandlers.ofString()))
        .isInstanceOf(IOException.class);
  }
}
