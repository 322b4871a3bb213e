package io.traceharness.collector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.linecorp.armeria.client.grpc.GrpcClients;
import io.opentelemetry.proto.collector.trace.v1.TraceServiceGrpc;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A layer config with opentelemetry-lambda's {@code decouple} processor after {@code batch}, as the
 * layer's collector adds it to every pipeline with a batch processor
 * ({@code collector/processor/decoupleprocessor/README.md}, "Auto-Configuration"). The processor answers
 * the receiver at once and forwards on its own ({@code processor.go}: {@code processTraces} queues and
 * returns {@code ErrSkipProcessingData}), so the function's response does not wait for the export,
 * and the export goes on after it; in a frozen environment nothing of the collector runs, so a pending
 * export waits for the thaw. Here the exporters' sending queue does the forwarding, and
 * {@link EmbeddedCollector#pause()} is the freeze.
 */
class DecoupleProcessorTest {

  private static final Duration BATCH_TIMEOUT = Duration.ofSeconds(1);

  @TempDir
  Path tmp;

  private EmbeddedCollector collector(OtlpTestBackend backend) {
    return EmbeddedCollector.builder()
        .config("""
            receivers:
              otlp:
                protocols:
                  grpc:
            processors:
              batch:
                timeout: %dms
              decouple:
                max_queue_size: 20
            exporters:
              otlp_grpc:
                endpoint: ${env:BACKEND}
                tls:
                  insecure: true
            service:
              pipelines:
                traces:
                  receivers: [otlp]
                  processors: [batch, decouple]
                  exporters: [otlp_grpc]
            """.formatted(BATCH_TIMEOUT.toMillis()))
        .environment(Map.of("BACKEND", backend.endpoint().toString()))
        .freePorts(true)
        .logFile(tmp.resolve("collector.log"))
        .build()
        .start();
  }

  private static void export(EmbeddedCollector collector, int spans) {
    GrpcClients.newClient(collector.otlpGrpcEndpoint(), TraceServiceGrpc.TraceServiceBlockingStub.class)
        .export(Otlp.traces("producer", Otlp.newTraceId(), spans));
  }

  @Test
  void theReceiverAnswersBeforeTheExportAndTheExportGoesOnAfterIt() {
    try (OtlpTestBackend backend = new OtlpTestBackend(false).start(); EmbeddedCollector collector = collector(backend)) {
      assertThat(collector.warnings()).as("decouple is run, not passed over with a warning").isEmpty();
      long t0 = System.nanoTime();
      export(collector, 3);
      Duration answered = Duration.ofNanos(System.nanoTime() - t0);
      assertThat(answered).as("the receiver's answer").isLessThan(BATCH_TIMEOUT);
      assertThat(backend.spans()).as("spans at the backend when the receiver answered").isEmpty();

      await("the export after the answer").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
          .untilAsserted(() -> assertThat(collector.stats().pipeline("traces").exporter("otlp_grpc").sent())
              .isEqualTo(3));
      assertThat(backend.spans()).hasSize(3);
    }
  }

  @Test
  void aFreezeStallsThePendingExportUntilTheThaw() {
    try (OtlpTestBackend backend = new OtlpTestBackend(false).start(); EmbeddedCollector collector = collector(backend)) {
      export(collector, 2);
      collector.pause();

      await("nothing leaves a frozen collector").during(BATCH_TIMEOUT.multipliedBy(2)).atMost(BATCH_TIMEOUT.multipliedBy(3))
          .pollInterval(Duration.ofMillis(50))
          .untilAsserted(() -> assertThat(backend.spans()).isEmpty());
      assertThat(collector.stats().pipeline("traces").exporter("otlp_grpc").sent()).isZero();
      assertThat(collector.stats().dropped()).isZero();

      collector.resume();
      await("the pending export after the thaw").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
          .untilAsserted(() -> assertThat(backend.spans()).hasSize(2));
      await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(20))
          .untilAsserted(() -> assertThat(collector.stats().pipeline("traces").exporter("otlp_grpc").sent()).isEqualTo(2));
    }
  }
}
