package io.traceharness.layers;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.opentelemetry.proto.trace.v1.Span.SpanKind;
import io.traceharness.apigateway.EmbeddedApiGateway;
import io.traceharness.apigateway.FunctionInvoker;
import io.traceharness.apigateway.GatewayRequest;
import io.traceharness.lambda.FunctionDefinition;
import io.traceharness.lambda.LambdaEmulator;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.SdkBytes;

/**
 * The OpenTelemetry layers on the embedded Lambda service, reached through the embedded API
 * Gateway: published with {@code PublishLayerVersion}, attached to real Node and Java runtimes
 * started through {@code AWS_LAMBDA_EXEC_WRAPPER=/opt/otel-handler}.
 */
class OtelLayersOnLambdaIT {

  @RegisterExtension
  static WireMockExtension downstream = WireMockExtension.newInstance().options(wireMockConfig().dynamicPort()).build();

  @TempDir
  static Path tmp;

  private static OtlpHttpReceiver otlp;
  private static LambdaEmulator lambda;
  private static EmbeddedApiGateway gateway;
  private static String nodeLayerArn;
  private static String javaLayerArn;

  @BeforeAll
  static void start() {
    otlp = new OtlpHttpReceiver();
    lambda = LambdaEmulator.builder().build().start();
    gateway = EmbeddedApiGateway.builder().stage("dev").invoker(FunctionInvoker.lambda(lambda)).build().start();
  }

  @AfterAll
  static void stop() {
    if (gateway != null) {
      gateway.stop();
    }
    if (lambda != null) {
      lambda.stop();
    }
    if (otlp != null) {
      otlp.close();
    }
  }

  @Test
  void nodeFunctionWithTheLayerContinuesTheCallersTrace() throws Exception {
    lambda.deploy(node("producer-node", "/consumer-node").build());

    Observed o = invokeThroughGateway("producer-node", "/consumer-node");

    o.assertServerSpanParentIs(o.traceId, o.callerSpanId);
    o.assertClientChildCarriedDownstream();
  }

  @Test
  void javaFunctionWithTheAgentLayerContinuesTheCallersTrace() throws Exception {
    lambda.deploy(java("producer-java", "/consumer-java").build());

    Observed o = invokeThroughGateway("producer-java", "/consumer-java");

    o.assertServerSpanParentIs(o.traceId, o.callerSpanId);
    o.assertClientChildCarriedDownstream();
  }

  /**
   * The blog's break: with Active tracing API Gateway adds {@code X-Amzn-Trace-Id} to the event's
   * headers; the Java agent reads the headers case-insensitively and the X-Ray propagator, last in
   * ADOT's default list, replaces the caller's {@code traceparent}.
   */
  @Test
  void activeTracingMakesTheJavaAgentTakeTheXRayParent() throws Exception {
    lambda.deploy(java("producer-java-active", "/consumer-java-active").activeTracing(true).build());

    Observed o = invokeThroughGateway("producer-java-active", "/consumer-java-active");

    assertThat(o.xray).as("X-Amzn-Trace-Id added by API Gateway").isNotNull();
    o.assertServerSpanParentIs(xrayTraceId(o.xray), xrayParent(o.xray));
    o.assertClientChildCarriedDownstream();
  }

  /** The blog's fix: OTEL_PROPAGATORS=tracecontext keeps the caller's trace despite Active tracing. */
  @Test
  void tracecontextOnlyKeepsTheCallersTraceUnderActiveTracing() throws Exception {
    lambda.deploy(java("producer-java-tc", "/consumer-java-tc").activeTracing(true)
        .env("OTEL_PROPAGATORS", "tracecontext").build());

    Observed o = invokeThroughGateway("producer-java-tc", "/consumer-java-tc");

    assertThat(o.xray).isNotNull();
    o.assertServerSpanParentIs(o.traceId, o.callerSpanId);
    o.assertClientChildCarriedDownstream();
  }

  /** The same break with OpenTelemetry JS: its X-Ray propagator finds the header whatever its case. */
  @Test
  void activeTracingMakesTheNodeLayerTakeTheXRayParentToo() throws Exception {
    lambda.deploy(node("producer-node-active", "/consumer-node-active").activeTracing(true).build());

    Observed o = invokeThroughGateway("producer-node-active", "/consumer-node-active");

    assertThat(o.xray).isNotNull();
    o.assertServerSpanParentIs(xrayTraceId(o.xray), xrayParent(o.xray));
    o.assertClientChildCarriedDownstream();
  }

  @Test
  void tracecontextOnlyKeepsTheCallersTraceUnderActiveTracingInNodeToo() throws Exception {
    lambda.deploy(node("producer-node-tc", "/consumer-node-tc").activeTracing(true)
        .env("OTEL_PROPAGATORS", "tracecontext").build());

    Observed o = invokeThroughGateway("producer-node-tc", "/consumer-node-tc");

    assertThat(o.xray).isNotNull();
    o.assertServerSpanParentIs(o.traceId, o.callerSpanId);
    o.assertClientChildCarriedDownstream();
  }

  private static FunctionDefinition.Builder node(String name, String downstreamPath) throws IOException {
    return withLayer(FunctionDefinition.nodejs(name, "handler.handler").code(nodeCode()), nodeLayer(), downstreamPath);
  }

  private static FunctionDefinition.Builder java(String name, String downstreamPath) throws IOException {
    return withLayer(FunctionDefinition.java(name, JavaProducer.HANDLER)
        .runtime("java17").memoryMb(512).code(JavaProducer.code(tmp.resolve("java-producer"))), javaLayer(), downstreamPath);
  }

  private static synchronized Path nodeCode() throws IOException {
    Path code = tmp.resolve("node-producer");
    if (!Files.isDirectory(code)) {
      Files.createDirectories(code);
      try (InputStream in = OtelLayersOnLambdaIT.class.getResourceAsStream("node-function/handler.js")) {
        Files.copy(in, code.resolve("handler.js"));
      }
    }
    return code;
  }

  private static synchronized String nodeLayer() throws IOException {
    if (nodeLayerArn == null) {
      nodeLayerArn = publish("otel-nodejs", OtelLayers.zip("nodejs20.x"));
    }
    return nodeLayerArn;
  }

  private static synchronized String javaLayer() throws IOException {
    if (javaLayerArn == null) {
      javaLayerArn = publish("otel-javaagent", OtelLayers.zip("java17"));
    }
    return javaLayerArn;
  }

  private static FunctionDefinition.Builder withLayer(FunctionDefinition.Builder spec, String layerArn, String downstreamPath) {
    return spec.layer(layerArn)
        .timeout(Duration.ofSeconds(30))
        .env("AWS_LAMBDA_EXEC_WRAPPER", "/opt/otel-handler")
        .env("OTEL_EXPORTER_OTLP_ENDPOINT", otlp.endpoint().toString())
        .env("DOWNSTREAM_URL", downstream.baseUrl() + downstreamPath);
  }

  private static String publish(String name, Path zip) throws IOException {
    SdkBytes content = SdkBytes.fromByteArray(Files.readAllBytes(zip));
    return lambda.client().publishLayerVersion(r -> r.layerName(name).content(c -> c.zipFile(content)))
        .layerVersionArn();
  }

  /** Sends a request with a fresh {@code traceparent} and collects what the function's layer exported. */
  private Observed invokeThroughGateway(String function, String downstreamPath) throws Exception {
    downstream.stubFor(get(urlEqualTo(downstreamPath)).willReturn(aResponse().withStatus(200).withBody("pong")));
    String traceId = hex(16);
    String callerSpanId = hex(8);
    URI url = gateway.route("POST", "/" + function, function);

    HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(url)
        .header("traceparent", "00-" + traceId + "-" + callerSpanId + "-01")
        .header("content-type", "application/json")
        .timeout(Duration.ofSeconds(60))
        .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"John\"}")).build(), HttpResponse.BodyHandlers.ofString());

    assertThat(response.statusCode()).as("%s answered %s; log:%n%s", function, response.body(), lambda.logs(function))
        .isEqualTo(200);
    assertThat(response.body()).contains("pong");
    GatewayRequest seen = gateway.requests().stream().filter(r -> function.equals(r.function())).findFirst()
        .orElseThrow();
    assertThat(seen.traceparent()).isEqualTo("00-" + traceId + "-" + callerSpanId + "-01");

    await("SERVER and CLIENT spans of " + function).atMost(Duration.ofSeconds(15)).untilAsserted(() ->
        assertThat(spansOfService(function)).extracting(s -> s.span().getKind())
            .contains(SpanKind.SPAN_KIND_SERVER, SpanKind.SPAN_KIND_CLIENT));
    List<LoggedRequest> calls = downstream.findAll(getRequestedFor(urlEqualTo(downstreamPath)));
    assertThat(calls).hasSize(1);
    return new Observed(function, traceId, callerSpanId, seen.xAmznTraceId(), spansOfService(function),
        calls.get(0).getHeader("traceparent"));
  }

  /** What one request through the gateway produced. */
  private record Observed(String function, String traceId, String callerSpanId, String xray,
      List<OtlpHttpReceiver.ReceivedSpan> spans, String downstreamTraceparent) {

    OtlpHttpReceiver.ReceivedSpan server() {
      List<OtlpHttpReceiver.ReceivedSpan> servers = spans.stream()
          .filter(s -> s.span().getKind() == SpanKind.SPAN_KIND_SERVER).toList();
      assertThat(servers).as("SERVER spans of %s: %s", function, spans).hasSize(1);
      return servers.get(0);
    }

    void assertServerSpanParentIs(String expectedTraceId, String expectedParent) {
      OtlpHttpReceiver.ReceivedSpan server = server();
      assertThat(server.traceId()).as("trace of %s (caller %s, X-Ray %s)", server, traceId, xray)
          .isEqualTo(expectedTraceId);
      assertThat(server.parentSpanId()).as("parent of %s (caller %s, X-Ray %s)", server, callerSpanId, xray)
          .isEqualTo(expectedParent);
      assertThat(server.serviceName()).isEqualTo(function);
    }

    void assertClientChildCarriedDownstream() {
      OtlpHttpReceiver.ReceivedSpan server = server();
      List<OtlpHttpReceiver.ReceivedSpan> clients = spans.stream()
          .filter(s -> s.span().getKind() == SpanKind.SPAN_KIND_CLIENT).toList();
      assertThat(clients).as("CLIENT spans of %s (Runtime API and exporter calls must not be there): %s",
          function, spans).hasSize(1);
      OtlpHttpReceiver.ReceivedSpan client = clients.get(0);
      assertThat(client.parentSpanId()).as("parent of %s", client).isEqualTo(server.spanId());
      assertThat(downstreamTraceparent).isEqualTo("00-" + server.traceId() + "-" + client.spanId() + "-01");
    }
  }

  private static String xrayTraceId(String xray) {
    String root = xray.replaceAll(".*Root=1-([0-9a-f]{8})-([0-9a-f]{24}).*", "$1$2");
    assertThat(root).hasSize(32);
    return root;
  }

  private static String xrayParent(String xray) {
    return xray.replaceAll(".*Parent=([0-9a-f]{16}).*", "$1");
  }

  private static List<OtlpHttpReceiver.ReceivedSpan> spansOfService(String service) {
    return otlp.spans().stream().filter(s -> service.equals(s.serviceName())).toList();
  }

  private static String hex(int bytes) {
    byte[] b = new byte[bytes];
    ThreadLocalRandom.current().nextBytes(b);
    return HexFormat.of().formatHex(b);
  }
}
