package io.traceharness.collector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.linecorp.armeria.client.grpc.GrpcClients;
import io.opentelemetry.proto.collector.trace.v1.TraceServiceGrpc;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The post's {@code otlp/elastic} exporter (no {@code tls} section, so TLS: config/configgrpc/configgrpc.go)
 * against an endpoint that speaks plaintext, to the end: every attempt fails the handshake with grpc-go's
 * wording, is retried as {@code Unavailable} is (exporterhelper's retry sender), and when
 * {@code max_elapsed_time} is spent the request is dropped with "no more retries left" and its spans are
 * counted as dropped ("Exporting failed. Dropping data." with {@code dropped_items}). Nothing arrives.
 * {@code retry_on_failure} is shortened from the defaults (5s initial, 300s elapsed) to keep the test short.
 */
class TlsMismatchTest {

  private static final String HANDSHAKE = "rpc error: code = Unavailable desc = connection error: desc = \"transport:"
      + " authentication handshake failed: tls: first record does not look like a TLS handshake\"";

  @TempDir
  Path tmp;

  @Test
  void theDefaultTlsExporterAgainstAPlaintextEndpointRetriesThenDropsAndCountsTheSpans() throws Exception {
    try (OtlpTestBackend plaintext = new OtlpTestBackend(false).start();
        EmbeddedCollector collector = EmbeddedCollector.builder()
            .config("""
                receivers:
                  otlp:
                    protocols:
                      grpc:
                exporters:
                  otlp/elastic:
                    endpoint: ${APM_SERVER_URL}
                    headers:
                      Authorization: "Bearer ${APM_SERVER_TOKEN}"
                    retry_on_failure:
                      initial_interval: 100ms
                      max_interval: 100ms
                      max_elapsed_time: 1s
                service:
                  pipelines:
                    traces:
                      receivers: [otlp]
                      exporters: [otlp/elastic]
                """)
            .environment(OtlpTestBackend.trusting(Map.of("APM_SERVER_URL", plaintext.endpoint().toString(), "APM_SERVER_TOKEN", "t")))
            .freePorts(true)
            .logFile(tmp.resolve("collector.log"))
            .build()
            .start()) {
      assertThat(plaintext.endpoint().toString()).startsWith("http://");
      assertThat(collector.config().exporterUsesTls("otlp/elastic")).as("http:// is only stripped").contains(true);

      GrpcClients.newClient(collector.otlpGrpcEndpoint(), TraceServiceGrpc.TraceServiceBlockingStub.class)
          .export(Otlp.traces("producer", Otlp.newTraceId(), 2));

      await("the spans dropped").atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(50))
          .untilAsserted(() -> assertThat(collector.stats().dropped()).isEqualTo(2));
      assertThat(collector.stats().pipeline("traces").exporter("otlp/elastic").sent()).isZero();
      assertThat(plaintext.spans()).as("spans at the plaintext endpoint").isEmpty();
      assertThat(collector.exportFailures()).as("each attempt, then the drop").hasSizeGreaterThan(1)
          .allSatisfy(f -> assertThat(f.error()).endsWith(HANDSHAKE));
      assertThat(collector.exportFailures()).last().satisfies(f -> {
        assertThat(f.dropped()).isTrue();
        assertThat(f.items()).isEqualTo(2);
        assertThat(f.error()).isEqualTo("no more retries left: " + HANDSHAKE);
      });
      String log = Files.readString(collector.logFile());
      assertThat(log)
          .contains("Exporting failed. Will retry the request after interval. exporter=otlp/elastic pipeline=traces"
              + " error=\"" + HANDSHAKE + "\"")
          .contains("Exporting failed. Dropping data. exporter=otlp/elastic pipeline=traces error=\"no more retries"
              + " left: " + HANDSHAKE + "\" dropped_items=2 (spans)");
    }
  }
}
