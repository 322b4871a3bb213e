package io.traceharness.apm;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** OTLP/gRPC on the HTTP port: accepted with the token, UNAUTHENTICATED without, refused when full. */
class OtlpGrpcTest {

  @TempDir
  Path dir;

  private static boolean export(EmbeddedApmServer server, String authorization, int spans) {
    // no client retries: the test wants the server's first answer, fast
    var exporter = OtlpGrpcSpanExporter.builder().setEndpoint(server.endpoint().toString()).setRetryPolicy(null);
    if (authorization != null) {
      exporter.addHeader("Authorization", authorization);
    }
    SdkTracerProvider provider = SdkTracerProvider.builder()
        .addSpanProcessor(SimpleSpanProcessor.create(exporter.build())).build();
    for (int i = 0; i < spans; i++) {
      provider.get("test").spanBuilder("GET /ping").setSpanKind(SpanKind.SERVER).startSpan().end();
    }
    boolean ok = provider.forceFlush().join(10, TimeUnit.SECONDS).isSuccess();
    provider.shutdown().join(10, TimeUnit.SECONDS);
    return ok;
  }

  @Test
  void exportWithTokenIsStoredAndWithoutIsRefused() {
    InMemorySink sink = new InMemorySink();
    try (EmbeddedApmServer server = EmbeddedApmServer.builder().secretToken("t").sink(sink)
        .logFile(dir.resolve("apm.log")).build().start()) {
      assertThat(export(server, "Bearer t", 1)).as("export with the token").isTrue();
      assertThat(sink.documents()).hasSize(1);
      assertThat(sink.documents().get(0).source().at("/processor/event").asText()).isEqualTo("transaction");
      assertThat(export(server, null, 1)).as("export without a token").isFalse();
      assertThat(export(server, "Bearer wrong", 1)).as("export with a wrong token").isFalse();
      assertThat(sink.documents()).hasSize(1);
    }
  }

  @Test
  void fullQueueRefusesTheExport() {
    try (EmbeddedApmServer server = EmbeddedApmServer.builder().sink(new InMemorySink(0))
        .logFile(dir.resolve("apm.log")).build().start()) {
      assertThat(export(server, null, 1)).as("export into a full queue").isFalse();
    }
  }
}
