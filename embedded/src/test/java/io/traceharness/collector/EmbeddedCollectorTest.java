package io.traceharness.collector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.linecorp.armeria.client.grpc.GrpcClients;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.MetricsServiceGrpc;
import io.opentelemetry.proto.collector.trace.v1.TraceServiceGrpc;
import io.opentelemetry.proto.metrics.v1.Gauge;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedCollectorTest {

  @TempDir
  Path tmp;

  @Test
  void postConfigRunsUnchangedAndForwardsToApmServerWithTheToken() throws Exception {
    Path config = tmp.resolve("collector.yaml");
    Files.writeString(config, CollectorConfigTest.postConfig());
    try (OtlpTestBackend apm = new OtlpTestBackend().start();
        EmbeddedCollector collector = EmbeddedCollector.builder()
            .config(config)
            .environment(OtlpTestBackend.trusting(Map.of("APM_SERVER_URL", apm.endpoint().toString(), "APM_SERVER_TOKEN", "s3cr3t")))
            .freePorts(true)
            .logFile(tmp.resolve("collector.log"))
            .build()
            .start()) {
      String trace = Otlp.newTraceId();
      GrpcClients.newClient(collector.otlpGrpcEndpoint(), TraceServiceGrpc.TraceServiceBlockingStub.class)
          .export(Otlp.traces("producer", trace, 2));
      GrpcClients.newClient(collector.otlpGrpcEndpoint(), MetricsServiceGrpc.MetricsServiceBlockingStub.class)
          .export(gauge("lambda.duration", 3));

      // the exporter counts a request as sent once the answer is back, a moment after the backend stored it
      await("2 spans and 3 data points sent").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
          .untilAsserted(() -> {
            assertThat(collector.stats().pipeline("traces").exporter("otlp/elastic").sent()).as("spans sent")
                .isEqualTo(2);
            assertThat(collector.stats().pipeline("metrics").exporter("otlp/elastic").sent()).as("data points sent")
                .isEqualTo(3);
          });
      assertThat(apm.spans()).hasSize(2).allSatisfy(s ->
          assertThat(HexFormat.of().formatHex(s.getTraceId().toByteArray())).isEqualTo(trace));
      assertThat(apm.traceRequests().get(0).headers().get("authorization")).isEqualTo("Bearer s3cr3t");
      assertThat(apm.metricRequests()).singleElement().isEqualTo(gauge("lambda.duration", 3));

      var traces = collector.stats().pipeline("traces");
      assertThat(traces.received()).isEqualTo(2);
      assertThat(traces.exporter("otlp/elastic").sent()).isEqualTo(2);
      assertThat(traces.exporter("logging").sent()).isEqualTo(2);
      assertThat(collector.stats().pipeline("metrics").exporter("otlp/elastic").sent()).isEqualTo(3);
      assertThat(collector.stats().dropped()).isZero();
      assertThat(collector.exportFailures()).isEmpty();

      String log = Files.readString(collector.logFile());
      assertThat(Pattern.compile("awsxray").matcher(log).results().count())
          .as("exactly one line names awsxray; the ready line lists the exporters that run").isEqualTo(1);
      assertThat(log).contains("warn\texporter \"awsxray\" is not run by the embedded collector")
          .contains("ready in").contains("traces [otlp] -> [] -> [logging, otlp/elastic]")
          .as("logging exporter at loglevel debug dumps the spans").contains(trace);
    }
  }

  @Test
  void exportFailuresExplainAnUnreachableApmServer() throws Exception {
    int closedPort = io.traceharness.support.Ports.free();
    try (EmbeddedCollector collector = postCollectorTo(closedPort, "collector.log")) {
      GrpcClients.newClient(collector.otlpGrpcEndpoint(), TraceServiceGrpc.TraceServiceBlockingStub.class)
          .export(Otlp.traces("producer", Otlp.newTraceId(), 1));
      await("an export failure").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
          .untilAsserted(() -> assertThat(collector.exportFailures()).as("export failures").isNotEmpty());
      assertThat(collector.exportFailures()).first().satisfies(f -> {
        assertThat(f.exporter()).isEqualTo("otlp/elastic");
        assertThat(f.destination()).isEqualTo("grpc 127.0.0.1:" + closedPort);
        assertThat(f.error()).isEqualTo("rpc error: code = Unavailable desc = connection error: desc = \"transport: Error while dialing: dial tcp 127.0.0.1:" + closedPort + ": connect: connection refused\"");
        assertThat(f.dropped()).as("still retrying").isFalse();
      });
      collector.stop();
      assertThat(collector.stats().pipeline("traces").exporter("otlp/elastic").dropped())
          .as("stopping while retrying drops and counts").isEqualTo(1);
      assertThat(collector.exportFailures()).last().satisfies(f -> {
        assertThat(f.dropped()).isTrue();
        assertThat(f.error()).startsWith("interrupted due to shutdown: rpc error: code = Unavailable");
      });
    }
  }

  /** A stop then a start: the same endpoints (senders point there), the outage recorded with what was dropped. */
  @Test
  void restartsOnItsPortsAndRecordsTheOutage() throws Exception {
    int closedPort = io.traceharness.support.Ports.free();
    try (EmbeddedCollector collector = postCollectorTo(closedPort, "restart.log")) {
      java.net.URI http = collector.otlpHttpEndpoint();
      java.net.URI grpc = collector.otlpGrpcEndpoint();
      GrpcClients.newClient(grpc, TraceServiceGrpc.TraceServiceBlockingStub.class)
          .export(Otlp.traces("producer", Otlp.newTraceId(), 1));
      await("an export failure").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
          .untilAsserted(() -> assertThat(collector.exportFailures()).as("export failures").isNotEmpty());
      collector.stop();
      assertThat(collector.ping()).as("stopped").isFalse();
      assertThat(collector.otlpHttpEndpoint()).as("named while stopped").isEqualTo(http);
      assertThat(collector.outages()).singleElement().satisfies(o -> {
        assertThat(o.restarted()).as("still stopped").isNull();
        assertThat(o.droppedAtStop()).as("the span retried at stop").isEqualTo(1);
      });
      collector.start();
      assertThat(collector.otlpHttpEndpoint()).isEqualTo(http);
      assertThat(collector.otlpGrpcEndpoint()).isEqualTo(grpc);
      assertThat(collector.awaitReady(Duration.ofSeconds(5)).ping()).isTrue();
      assertThat(collector.outages()).singleElement().satisfies(o -> assertThat(o.restarted()).isAfter(o.stopped()));
    }
  }

  /**
   * The post's config against a plaintext-only endpoint: the exporter uses TLS by default
   * (configgrpc.go), so the handshake fails with grpc-go's wording (http2_client.go "authentication
   * handshake failed", Go crypto/tls conn.go "first record does not look like a TLS handshake"), and
   * nothing is delivered.
   */
  @Test
  void postConfigAgainstAPlaintextEndpointFailsTheTlsHandshakeAsTheRealExporter() throws Exception {
    try (OtlpTestBackend plaintext = new OtlpTestBackend(false).start();
        EmbeddedCollector collector = EmbeddedCollector.builder()
            .config(CollectorConfigTest.postConfig())
            .environment(OtlpTestBackend.trusting(Map.of("APM_SERVER_URL", plaintext.endpoint().toString(), "APM_SERVER_TOKEN", "t")))
            .freePorts(true)
            .logFile(tmp.resolve("collector.log"))
            .build()
            .start()) {
      GrpcClients.newClient(collector.otlpGrpcEndpoint(), TraceServiceGrpc.TraceServiceBlockingStub.class)
          .export(Otlp.traces("producer", Otlp.newTraceId(), 1));
      await("an export failure").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
          .untilAsserted(() -> assertThat(collector.exportFailures()).as("export failures").isNotEmpty());
      assertThat(collector.exportFailures().get(0).error()).isEqualTo("rpc error: code = Unavailable desc = "
          + "connection error: desc = \"transport: authentication handshake failed: tls: first record does not look "
          + "like a TLS handshake\"");
      assertThat(plaintext.spans()).isEmpty();
    }
  }

  @Test
  void anUntrustedCertificateFailsVerificationAsTheRealExporter() throws Exception {
    try (OtlpTestBackend apm = new OtlpTestBackend().start();
        EmbeddedCollector collector = EmbeddedCollector.builder()
            .config(CollectorConfigTest.postConfig())
            // no SSL_CERT_FILE: the JDK's roots, which do not hold the local CA
            .environment(Map.of("APM_SERVER_URL", apm.endpoint().toString(), "APM_SERVER_TOKEN", "t"))
            .freePorts(true)
            .logFile(tmp.resolve("collector.log"))
            .build()
            .start()) {
      GrpcClients.newClient(collector.otlpGrpcEndpoint(), TraceServiceGrpc.TraceServiceBlockingStub.class)
          .export(Otlp.traces("producer", Otlp.newTraceId(), 1));
      await("an export failure").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
          .untilAsserted(() -> assertThat(collector.exportFailures()).as("export failures").isNotEmpty());
      assertThat(collector.exportFailures().get(0).error()).isEqualTo("rpc error: code = Unavailable desc = "
          + "connection error: desc = \"transport: authentication handshake failed: tls: failed to verify certificate: "
          + "x509: certificate signed by unknown authority\"");
    }
  }

  @Test
  void invalidConfigFailsAtBuildWithTheKeyPath() {
    assertThatThrownBy(() -> EmbeddedCollector.builder()
        .config(CollectorConfigTest.postConfig().replace("[logging, awsxray, otlp/elastic]\n    metrics",
            "[logging, awsxray, otlp/elastc]\n    metrics"))
        .environment(Map.of("APM_SERVER_URL", "http://127.0.0.1:1"))
        .build())
        .isInstanceOf(CollectorConfig.InvalidConfigException.class)
        .hasMessage("service::pipelines::traces: references exporter \"otlp/elastc\" which is not configured");
  }

  @Test
  void configuredPortsAreUsedWithoutFreePortsAndAClashIsAStartupError() {
    int port = io.traceharness.support.Ports.free();
    String yaml = """
        receivers:
          otlp:
            protocols:
              http:
                endpoint: 0.0.0.0:%d
        exporters:
          debug:
            verbosity: normal
        service:
          pipelines:
            logs:
              receivers: [otlp]
              exporters: [debug]
        """.formatted(port);
    try (EmbeddedCollector first = EmbeddedCollector.builder().config(yaml).logFile(tmp.resolve("a.log")).build().start()) {
      assertThat(first.otlpHttpEndpoint()).hasToString("http://127.0.0.1:" + port);
      assertThat(first.awaitReady(Duration.ofSeconds(5)).ping()).isTrue();
      EmbeddedCollector second = EmbeddedCollector.builder().config(yaml).logFile(tmp.resolve("b.log")).build();
      assertThatThrownBy(second::start)
          .hasMessageStartingWith("receivers::otlp::protocols::http: listen tcp 127.0.0.1:" + port + ": ");
      assertThatThrownBy(first::otlpGrpcEndpoint).hasMessageContaining("no otlp receiver with protocol grpc");
    }
  }

  private static ExportMetricsServiceRequest gauge(String name, int points) {
    Gauge.Builder g = Gauge.newBuilder();
    for (int i = 0; i < points; i++) {
      g.addDataPoints(NumberDataPoint.newBuilder().setAsInt(i).setTimeUnixNano(1_700_000_000_000_000_000L + i));
    }
    return ExportMetricsServiceRequest.newBuilder()
        .addResourceMetrics(ResourceMetrics.newBuilder().addScopeMetrics(ScopeMetrics.newBuilder()
            .addMetrics(Metric.newBuilder().setName(name).setGauge(g))))
        .build();
  }

  /** The post's collector exporting to {@code closedPort}, where nothing listens; it gives up quickly on stop. */
  private EmbeddedCollector postCollectorTo(int closedPort, String logName) {
    return EmbeddedCollector.builder()
        .config(CollectorConfigTest.postConfig())
        .environment(Map.of("APM_SERVER_URL", "http://127.0.0.1:" + closedPort, "APM_SERVER_TOKEN", "t"))
        .freePorts(true)
        .shutdownTimeout(Duration.ofMillis(200))
        .logFile(tmp.resolve(logName))
        .build()
        .start();
  }
}
