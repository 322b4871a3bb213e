package io.traceharness.otlp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.linecorp.armeria.client.WebClient;
import com.linecorp.armeria.client.grpc.GrpcClients;
import com.linecorp.armeria.common.AggregatedHttpResponse;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.RequestHeaders;
import com.linecorp.armeria.server.Server;
import com.linecorp.armeria.server.grpc.GrpcService;
import io.grpc.StatusRuntimeException;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.logs.v1.LogsServiceGrpc;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The shared OTLP receiving path: partial success, refusals on both transports, OTLP/JSON ids and enums. */
class OtlpServicesTest {

  static Server server;
  static WebClient http;

  @BeforeAll
  static void start() {
    OtlpServices otlp = OtlpServices.builder((signal, request) -> signal == OtlpSignal.TRACES
            ? OtlpHandler.Outcome.partiallyAccepted(2, "2 spans too old")
            : OtlpHandler.Outcome.exhausted("queue is full"))
        .serverName("test server")
        .build();
    server = Server.builder().http(0)
        .service("/v1/traces", otlp.http(OtlpSignal.TRACES))
        .service("/v1/logs", otlp.http(OtlpSignal.LOGS))
        .service(otlp.addGrpcServices(GrpcService.builder(), List.of(OtlpSignal.values())).build())
        .build();
    server.start().join();
    http = WebClient.of("http://127.0.0.1:" + server.activeLocalPort());
  }

  @AfterAll
  static void stop() {
    server.stop().join();
  }

  private static AggregatedHttpResponse post(String path, MediaType type, byte[] body) {
    return http.execute(RequestHeaders.builder(HttpMethod.POST, path).contentType(type).build(), body)
        .aggregate().join();
  }

  @Test
  void partialSuccessIsA200WithTheRejectedCountInBothEncodings() throws Exception {
    AggregatedHttpResponse proto = post("/v1/traces", MediaType.parse("application/x-protobuf"),
        ExportTraceServiceRequest.getDefaultInstance().toByteArray());
    assertThat(proto.status().code()).isEqualTo(200);
    ExportTraceServiceResponse response = ExportTraceServiceResponse.parseFrom(proto.content().array());
    assertThat(response.getPartialSuccess().getRejectedSpans()).isEqualTo(2);
    assertThat(response.getPartialSuccess().getErrorMessage()).isEqualTo("2 spans too old");

    AggregatedHttpResponse json = post("/v1/traces", MediaType.JSON, "{}".getBytes(StandardCharsets.UTF_8));
    assertThat(json.contentUtf8()).isEqualTo("{\"partialSuccess\":{\"rejectedSpans\":\"2\",\"errorMessage\":\"2 spans too old\"}}");
  }

  @Test
  void aFullQueueIs503UnavailableOverHttpAndResourceExhaustedOverGrpc() throws Exception {
    AggregatedHttpResponse res = post("/v1/logs", MediaType.parse("application/x-protobuf"), new byte[0]);
    assertThat(res.status().code()).isEqualTo(503);
    com.google.rpc.Status status = com.google.rpc.Status.parseFrom(res.content().array());
    assertThat(status.getCode()).as("Unavailable").isEqualTo(14);
    assertThat(status.getMessage()).isEqualTo("queue is full");

    var logs = GrpcClients.newClient("http://127.0.0.1:" + server.activeLocalPort(),
        LogsServiceGrpc.LogsServiceBlockingStub.class);
    assertThat(catchThrowableOfType(StatusRuntimeException.class,
        () -> logs.export(ExportLogsServiceRequest.getDefaultInstance())).getStatus().getCode())
        .isEqualTo(io.grpc.Status.Code.RESOURCE_EXHAUSTED);
  }

  @Test
  void unsupportedEncodingIs400NamingTheServer() {
    AggregatedHttpResponse res = http.execute(RequestHeaders.builder(HttpMethod.POST, "/v1/traces")
        .contentType(MediaType.JSON).add("content-encoding", "br").build(), "{}").aggregate().join();
    assertThat(res.status().code()).isEqualTo(400);
    assertThat(res.contentUtf8()).contains("unsupported Content-Encoding: br (the embedded test server reads");
  }

  @Test
  void otlpJsonHasHexIdsAndEnumsAsIntegersAndReadsThemBack() throws Exception {
    ExportTraceServiceRequest request = ExportTraceServiceRequest.newBuilder().addResourceSpans(
        ResourceSpans.newBuilder().addScopeSpans(ScopeSpans.newBuilder().addSpans(Span.newBuilder()
            .setTraceId(com.google.protobuf.ByteString.copyFrom(java.util.HexFormat.of().parseHex("5b8efff798038103d269b633813fc60c")))
            .setSpanId(com.google.protobuf.ByteString.copyFrom(java.util.HexFormat.of().parseHex("eee19b7ec3c1b174")))
            .setKind(Span.SpanKind.SPAN_KIND_SERVER)))).build();
    String json = OtlpJson.print(request);
    assertThat(json).contains("\"traceId\":\"5b8efff798038103d269b633813fc60c\"").contains("\"spanId\":\"eee19b7ec3c1b174\"").contains("\"kind\":2");

    ExportTraceServiceRequest.Builder back = ExportTraceServiceRequest.newBuilder();
    OtlpJson.merge(json.getBytes(StandardCharsets.UTF_8), back);
    assertThat(back.build()).isEqualTo(request);
  }
}
