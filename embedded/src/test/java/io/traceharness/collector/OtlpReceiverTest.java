package io.traceharness.collector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.linecorp.armeria.client.WebClient;
import com.linecorp.armeria.client.grpc.GrpcClients;
import com.linecorp.armeria.common.AggregatedHttpResponse;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.RequestHeaders;
import io.grpc.StatusRuntimeException;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.logs.v1.LogsServiceGrpc;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.TraceServiceGrpc;
import io.opentelemetry.proto.trace.v1.Span;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OtlpReceiverTest {

  private static final MediaType PROTOBUF = MediaType.parse("application/x-protobuf");

  @TempDir
  static Path tmp;

  static OtlpTestBackend backend;
  static EmbeddedCollector collector;
  static WebClient http;

  @BeforeAll
  static void start() {
    backend = new OtlpTestBackend().start();
    collector = EmbeddedCollector.builder()
        .config("""
            receivers:
              otlp:
                protocols:
                  grpc:
                  http:
            exporters:
              otlphttp:
                endpoint: ${BACKEND}
            service:
              pipelines:
                traces:
                  receivers: [otlp]
                  exporters: [otlphttp]
            """)
        .environment(OtlpTestBackend.trusting(Map.of("BACKEND", backend.endpoint().toString())))
        .freePorts(true)
        .logFile(tmp.resolve("collector.log"))
        .build()
        .start();
    http = WebClient.of(collector.otlpHttpEndpoint());
  }

  @AfterAll
  static void stop() {
    collector.close();
    backend.close();
  }

  private static AggregatedHttpResponse post(String path, MediaType type, byte[] body, String encoding) {
    var headers = RequestHeaders.builder(HttpMethod.POST, path);
    if (type != null) {
      headers.contentType(type);
    }
    if (encoding != null) {
      headers.add("content-encoding", encoding);
    }
    return http.execute(headers.build(), body).aggregate().join();
  }

  private static void awaitSpan(String traceId) {
    await("trace " + traceId + " at the backend").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
        .untilAsserted(() -> assertThat(backend.spans())
            .as("spans at the backend; collector log:\n%s", io.traceharness.support.ChildProcess.tail(collector.logFile(), 30))
            .anySatisfy(s -> assertThat(HexFormat.of().formatHex(s.getTraceId().toByteArray())).isEqualTo(traceId)));
  }

  @Test
  void protobufIsAcceptedWithAnExportResponse() throws Exception {
    String trace = Otlp.newTraceId();
    AggregatedHttpResponse res = post("/v1/traces", PROTOBUF, Otlp.traces("svc", trace, 2).toByteArray(), null);

    assertThat(res.status().code()).isEqualTo(200);
    assertThat(res.contentType().toString()).isEqualTo("application/x-protobuf");
    assertThat(res.content().length()).as("empty ExportTraceServiceResponse").isZero();
    awaitSpan(trace);
  }

  @Test
  void gzipProtobufIsAccepted() throws Exception {
    String trace = Otlp.newTraceId();
    byte[] gz = OtlpHttpSender.gzip(Otlp.traces("svc", trace, 1).toByteArray());
    assertThat(post("/v1/traces", PROTOBUF, gz, "gzip").status().code()).isEqualTo(200);
    awaitSpan(trace);
  }

  @Test
  void jsonWithHexIdsIsAccepted() throws Exception {
    String trace = Otlp.newTraceId();
    String parent = Otlp.newSpanId();
    String json = """
        {"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"js"}}]},
          "scopeSpans":[{"scope":{"name":"t"},"spans":[{"traceId":"%s","spanId":"%s","parentSpanId":"%s",
          "name":"GET /ping","kind":2,"startTimeUnixNano":"1700000000000000000","endTimeUnixNano":"1700000000100000000",
          "someFutureField":true}]}]}]}""".formatted(trace, Otlp.newSpanId(), parent);

    AggregatedHttpResponse res = post("/v1/traces", MediaType.parse("application/json"),
        json.getBytes(StandardCharsets.UTF_8), null);

    assertThat(res.status().code()).isEqualTo(200);
    assertThat(res.contentType().toString()).startsWith("application/json");
    assertThat(res.contentUtf8()).isEqualTo("{}");
    awaitSpan(trace);
    Span span = backend.spans().stream()
        .filter(s -> HexFormat.of().formatHex(s.getTraceId().toByteArray()).equals(trace)).findFirst().orElseThrow();
    assertThat(HexFormat.of().formatHex(span.getParentSpanId().toByteArray())).isEqualTo(parent);
    assertThat(span.getKind()).isEqualTo(Span.SpanKind.SPAN_KIND_SERVER);
  }

  @Test
  void badBodyIs400WithAStatusAndTheReceiverKeepsServing() throws Exception {
    AggregatedHttpResponse proto = post("/v1/traces", PROTOBUF, new byte[] {0x0a, (byte) 0xff, 0x01}, null);
    assertThat(proto.status().code()).isEqualTo(400);
    com.google.rpc.Status status = com.google.rpc.Status.parseFrom(proto.content().array());
    assertThat(status.getCode()).as("InvalidArgument").isEqualTo(3);
    assertThat(status.getMessage()).startsWith("proto: ");

    AggregatedHttpResponse json = post("/v1/traces", MediaType.JSON, "{\"resourceSpans\": [".getBytes(), null);
    assertThat(json.status().code()).isEqualTo(400);
    assertThat(json.contentUtf8()).startsWith("{\"code\":3,\"message\":\"json: ");

    AggregatedHttpResponse badGzip = post("/v1/traces", PROTOBUF, new byte[] {1, 2, 3}, "gzip");
    assertThat(badGzip.status().code()).isEqualTo(400);

    String trace = Otlp.newTraceId();
    assertThat(post("/v1/traces", PROTOBUF, Otlp.traces("svc", trace, 1).toByteArray(), null).status().code())
        .isEqualTo(200);
    awaitSpan(trace);
  }

  @Test
  void unknownContentTypeIs415AndOtherMethodsAre405() {
    AggregatedHttpResponse res = post("/v1/traces", MediaType.PLAIN_TEXT, "hello".getBytes(), null);
    assertThat(res.status().code()).isEqualTo(415);
    assertThat(res.contentUtf8())
        .isEqualTo("415 unsupported media type, supported: [application/json, application/x-protobuf]");
    assertThat(post("/v1/traces", null, new byte[0], null).status().code()).isEqualTo(415);

    AggregatedHttpResponse get = http.get("/v1/traces").aggregate().join();
    assertThat(get.status().code()).isEqualTo(405);
    assertThat(get.contentUtf8()).isEqualTo("405 method not allowed, supported: [POST]");
  }

  @Test
  void signalsWithoutAPipelineAreNotServed() {
    assertThat(post("/v1/logs", PROTOBUF, ExportLogsServiceRequest.getDefaultInstance().toByteArray(), null)
        .status().code()).isEqualTo(404);
    var logs = GrpcClients.newClient(collector.otlpGrpcEndpoint(), LogsServiceGrpc.LogsServiceBlockingStub.class);
    assertThat(org.assertj.core.api.Assertions.catchThrowableOfType(StatusRuntimeException.class,
        () -> logs.export(ExportLogsServiceRequest.getDefaultInstance())).getStatus().getCode())
        .isEqualTo(io.grpc.Status.Code.UNIMPLEMENTED);
  }

  @Test
  void grpcExportIsAccepted() throws Exception {
    String trace = Otlp.newTraceId();
    var stub = GrpcClients.newClient(collector.otlpGrpcEndpoint(), TraceServiceGrpc.TraceServiceBlockingStub.class);
    ExportTraceServiceRequest request = Otlp.traces("grpc-client", trace, 3);
    assertThat(stub.export(request)).isNotNull();
    awaitSpan(trace);
    assertThat(collector.stats().pipeline("traces").received()).isGreaterThanOrEqualTo(3);
  }

  @Test
  void endpointsAreLoopbackOnFreePortsAndAnswerPing() {
    assertThat(collector.otlpHttpEndpoint().getHost()).isEqualTo("127.0.0.1");
    assertThat(collector.otlpGrpcEndpoint().getHost()).isEqualTo("127.0.0.1");
    assertThat(collector.otlpHttpEndpoint().getPort()).isNotIn(4318, 4317);
    assertThat(collector.otlpGrpcEndpoint().getPort()).isNotEqualTo(collector.otlpHttpEndpoint().getPort());
    assertThat(collector.ping()).isTrue();
  }
}
