package io.traceharness.apm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import com.linecorp.armeria.client.grpc.GrpcClients;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.TraceServiceGrpc;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;

import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** OTLP/gRPC on the HTTP port: accepted with the token, UNAUTHENTICATED without, PERMISSION_DENIED for a key without event:write, refused when full. */
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

  /** internal/beater/interceptors/auth.go: auth.ErrAuthFailed → Unauthenticated, auth.ErrUnauthorized → PermissionDenied. */
  @Test
  void aKeyThatMayNotWriteEventsIsPermissionDeniedAndAWrongOneUnauthenticated() {
    InMemorySink sink = new InMemorySink();
    try (EmbeddedApmServer server = EmbeddedApmServer.builder().apiKey("reader", "k", Auth.AGENT_CONFIG_READ)
        .apiKey("writer", "k").sink(sink).logFile(dir.resolve("apm.log")).build().start()) {
      ExportTraceServiceRequest request = ExportTraceServiceRequest.newBuilder().addResourceSpans(ResourceSpans.newBuilder()
          .addScopeSpans(ScopeSpans.newBuilder().addSpans(Span.newBuilder().setName("GET /ping")
              .setTraceId(ByteString.copyFrom(new byte[16])).setSpanId(ByteString.copyFrom(new byte[] {1, 2, 3, 4, 5, 6, 7, 8}))
              .setKind(Span.SpanKind.SPAN_KIND_SERVER)))).build();

      assertThatThrownBy(() -> stub(server, IntakeWireTest.apiKey("reader")).export(request))
          .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
            assertThat(e.getStatus().getDescription()).startsWith("unauthorized");
          });
      assertThatThrownBy(() -> stub(server, "ApiKey " + java.util.Base64.getEncoder().encodeToString("nobody:k".getBytes()))
          .export(request))
          .isInstanceOfSatisfying(StatusRuntimeException.class,
              e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED));
      assertThat(sink.documents()).isEmpty();

      stub(server, IntakeWireTest.apiKey("writer")).export(request);
      assertThat(sink.documents()).hasSize(1);
    }
  }

  private static TraceServiceGrpc.TraceServiceBlockingStub stub(EmbeddedApmServer server, String authorization) {
    return GrpcClients.builder(server.endpoint()).addHeader("authorization", authorization)
        .build(TraceServiceGrpc.TraceServiceBlockingStub.class);
  }

  @Test
  void fullQueueRefusesTheExport() {
    try (EmbeddedApmServer server = EmbeddedApmServer.builder().sink(new InMemorySink(0))
        .logFile(dir.resolve("apm.log")).build().start()) {
      assertThat(export(server, null, 1)).as("export into a full queue").isFalse();
    }
  }
}
