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
import io.traceharness.lambda.FunctionSpec;
import io.traceharness.lambda.LambdaEmulator;
import io.traceharness.support.MavenArtifacts;
import io.traceharness.support.Versions;
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
import java.util.stream.Stream;
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

  @BeforeAll
  static void start() {
    otlp = new OtlpHttpReceiver();
    lambda = LambdaEmulator.builder().start();
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
    Path code = Files.createDirectories(tmp.resolve("node-producer"));
    try (InputStream in = getClass().getResourceAsStream("node-function/handler.js")) {
      Files.copy(in, code.resolve("handler.js"));
    }
    String layer = publish("otel-nodejs", OtelLayers.zip("nodejs20.x"));
    lambda.deploy(withLayer(FunctionSpec.nodejs("producer-node", "handler.handler"), layer, "/consumer-node")
        .code(code).build());

    assertTraceContinues("producer-node", "/consumer-node");
  }

  @Test
  void javaFunctionWithTheAgentLayerContinuesTheCallersTrace() throws Exception {
    Path code = Files.createDirectories(tmp.resolve("java-producer"));
    Path classes = Path.of("target", "test-classes");
    Path pkg = classes.resolve("io/traceharness/layers/javafn");
    try (Stream<Path> files = Files.list(pkg)) {
      for (Path p : files.filter(f -> f.toString().endsWith(".class")).toList()) {
        Path target = code.resolve(classes.relativize(p).toString());
        Files.createDirectories(target.getParent());
        Files.copy(p, target);
      }
    }
    Path lib = Files.createDirectories(code.resolve("lib"));
    Files.copy(MavenArtifacts.resolve("com.amazonaws:aws-lambda-java-events:" + Versions.of("aws-lambda-java-events")),
        lib.resolve("aws-lambda-java-events.jar"));
    // the events jar's own dependency, as a packaged function carries it (the RIC's serializers load it)
    Files.copy(MavenArtifacts.resolve("joda-time:joda-time:2.10.8"), lib.resolve("joda-time.jar"));
    String layer = publish("otel-javaagent", OtelLayers.zip("java17"));
    lambda.deploy(withLayer(FunctionSpec.java("producer-java", "io.traceharness.layers.javafn.ProducerHandler::handleRequest")
        .runtime("java17").memoryMb(512), layer, "/consumer-java").code(code).build());

    assertTraceContinues("producer-java", "/consumer-java");
  }

  private static FunctionSpec.Builder withLayer(FunctionSpec.Builder spec, String layerArn, String downstreamPath) {
    return spec.layer(layerArn)
        .timeout(Duration.ofSeconds(30))
        .env("AWS_LAMBDA_EXEC_WRAPPER", "/opt/otel-handler")
        .env("OTEL_EXPORTER_OTLP_ENDPOINT", otlp.endpoint())
        .env("DOWNSTREAM_URL", downstream.baseUrl() + downstreamPath);
  }

  private static String publish(String name, Path zip) throws IOException {
    SdkBytes content = SdkBytes.fromByteArray(Files.readAllBytes(zip));
    return lambda.client().publishLayerVersion(r -> r.layerName(name).content(c -> c.zipFile(content)))
        .layerVersionArn();
  }

  private void assertTraceContinues(String function, String downstreamPath) throws Exception {
    downstream.stubFor(get(urlEqualTo(downstreamPath)).willReturn(aResponse().withStatus(200).withBody("pong")));
    String traceId = hex(16);
    String callerSpanId = hex(8);
    String url = gateway.route("POST", "/" + function, function);

    HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url))
        .header("traceparent", "00-" + traceId + "-" + callerSpanId + "-01")
        .header("content-type", "application/json")
        .timeout(Duration.ofSeconds(60))
        .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"John\"}")).build(), HttpResponse.BodyHandlers.ofString());

    assertThat(response.statusCode()).as("%s answered %s; log:%n%s", function, response.body(), lambda.logs(function))
        .isEqualTo(200);
    assertThat(response.body()).contains("pong");
    assertThat(gateway.requests()).filteredOn(r -> function.equals(r.function())).extracting(GatewayRequest::status)
        .containsExactly(200);

    await("SERVER and CLIENT spans of " + function).atMost(Duration.ofSeconds(15)).untilAsserted(() ->
        assertThat(spansOf(traceId)).extracting(s -> s.span().getKind())
            .contains(SpanKind.SPAN_KIND_SERVER, SpanKind.SPAN_KIND_CLIENT));
    List<OtlpHttpReceiver.ReceivedSpan> spans = spansOf(traceId);
    List<OtlpHttpReceiver.ReceivedSpan> servers = spans.stream()
        .filter(s -> s.span().getKind() == SpanKind.SPAN_KIND_SERVER).toList();
    assertThat(servers).as("SERVER spans of trace %s: %s", traceId, spans).hasSize(1);
    OtlpHttpReceiver.ReceivedSpan server = servers.get(0);
    assertThat(server.parentSpanId()).as("parent of %s", server).isEqualTo(callerSpanId);
    assertThat(server.serviceName()).isEqualTo(function);

    List<OtlpHttpReceiver.ReceivedSpan> clients = spans.stream()
        .filter(s -> s.span().getKind() == SpanKind.SPAN_KIND_CLIENT).toList();
    assertThat(clients).as("CLIENT spans of trace %s (Runtime API and exporter calls must not be there): %s",
        traceId, spans).hasSize(1);
    OtlpHttpReceiver.ReceivedSpan client = clients.get(0);
    assertThat(client.parentSpanId()).as("parent of %s", client).isEqualTo(server.spanId());

    List<LoggedRequest> calls = downstream.findAll(getRequestedFor(urlEqualTo(downstreamPath)));
    assertThat(calls).hasSize(1);
    assertThat(calls.get(0).getHeader("traceparent")).isEqualTo("00-" + traceId + "-" + client.spanId() + "-01");
  }

  private static List<OtlpHttpReceiver.ReceivedSpan> spansOf(String traceId) {
    return otlp.spans().stream().filter(s -> s.traceId().equals(traceId)).toList();
  }

  private static String hex(int bytes) {
    byte[] b = new byte[bytes];
    ThreadLocalRandom.current().nextBytes(b);
    return HexFormat.of().formatHex(b);
  }
}
