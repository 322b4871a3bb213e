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
import io.traceharness.support.ChildProcess;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipFile;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Node layer zip, unpacked as /opt, instruments a function reached through the embedded API
 * Gateway: the runtime is started through {@code otel-handler} as Lambda does with
 * {@code AWS_LAMBDA_EXEC_WRAPPER}, and a stand-in bootstrap require()s the handler.
 */
class OtelNodeLayerIT {

  private static final String TRACE_ID = "0af7651916cd43dd8448eb211c80319c";
  private static final String CALLER_SPAN_ID = "b7ad6b7169203331";
  private static final String TRACEPARENT = "00-" + TRACE_ID + "-" + CALLER_SPAN_ID + "-01";

  @RegisterExtension
  static WireMockExtension downstream = WireMockExtension.newInstance().options(wireMockConfig().dynamicPort()).build();

  @TempDir
  static Path tmp;

  private static Path zip;
  private static Path opt;
  private static Path task;
  private static OtlpHttpReceiver otlp;

  @BeforeAll
  static void unpackLayer() throws IOException {
    zip = OtelLayers.zip("nodejs20.x");
    opt = unzip(zip, tmp.resolve("opt"));
    task = Files.createDirectories(tmp.resolve("task"));
    for (String f : List.of("handler.js", "bootstrap.js")) {
      try (InputStream in = OtelNodeLayerIT.class.getResourceAsStream("node-function/" + f)) {
        Files.copy(in, task.resolve(f));
      }
    }
    otlp = new OtlpHttpReceiver();
  }

  @AfterAll
  static void stopReceiver() {
    otlp.close();
  }

  @Test
  void theZipHoldsWhatAFunctionSeesInOpt() throws IOException {
    Map<String, Integer> modes = new TreeMap<>();
    try (ZipFile z = ZipFile.builder().setPath(zip).get()) {
      for (ZipArchiveEntry e : Collections.list(z.getEntries())) {
        modes.put(e.getName(), e.getUnixMode());
      }
    }
    assertThat(modes.get("otel-handler")).as("otel-handler is executable").isEqualTo(0100755);
    assertThat(modes).containsKeys("wrapper.js", "nodejs/package-lock.json",
        "nodejs/node_modules/@opentelemetry/api/package.json",
        "nodejs/node_modules/@opentelemetry/instrumentation-aws-lambda/package.json",
        "nodejs/node_modules/@opentelemetry/exporter-trace-otlp-proto/package.json",
        "nodejs/node_modules/@opentelemetry/propagator-aws-xray-lambda/package.json");
    assertThat(OtelLayers.zip(OtelLayers.Kind.NODEJS)).as("cached").isEqualTo(zip);
  }

  @Test
  void oneServerSpanContinuesTheCallersTraceAndTheOutgoingCallCarriesItsClientChild() throws Exception {
    downstream.stubFor(get(urlEqualTo("/consumer")).willReturn(aResponse().withStatus(200).withBody("pong")));
    try (EmbeddedApiGateway gateway = EmbeddedApiGateway.builder().stage("dev").invoker(new NodeProcessInvoker())
        .build().start()) {
      URI url = gateway.route("POST", "/produce", "producer");

      HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(url)
          .header("traceparent", TRACEPARENT).header("content-type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"John\"}")).build(), HttpResponse.BodyHandlers.ofString());

      assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
      assertThat(response.body()).contains("pong").contains("/produce");
    }

    await("spans of producer").atMost(Duration.ofSeconds(10)).untilAsserted(() ->
        assertThat(spansOf(TRACE_ID)).extracting(s -> s.span().getKind())
            .contains(SpanKind.SPAN_KIND_SERVER, SpanKind.SPAN_KIND_CLIENT));
    List<OtlpHttpReceiver.ReceivedSpan> spans = spansOf(TRACE_ID);
    List<OtlpHttpReceiver.ReceivedSpan> servers = spans.stream()
        .filter(s -> s.span().getKind() == SpanKind.SPAN_KIND_SERVER).toList();
    assertThat(servers).as("SERVER spans in %s", spans).hasSize(1);
    OtlpHttpReceiver.ReceivedSpan server = servers.get(0);
    assertThat(server.parentSpanId()).as("parent of %s", server).isEqualTo(CALLER_SPAN_ID);
    assertThat(server.serviceName()).isEqualTo("producer");

    List<OtlpHttpReceiver.ReceivedSpan> clients = spans.stream()
        .filter(s -> s.span().getKind() == SpanKind.SPAN_KIND_CLIENT).toList();
    assertThat(clients).as("CLIENT spans in %s (the Runtime API and exporter calls must not be there)", spans)
        .hasSize(1);
    OtlpHttpReceiver.ReceivedSpan client = clients.get(0);
    assertThat(client.parentSpanId()).as("parent of %s", client).isEqualTo(server.spanId());

    List<LoggedRequest> calls = downstream.findAll(getRequestedFor(urlEqualTo("/consumer")));
    assertThat(calls).hasSize(1);
    assertThat(calls.get(0).getHeader("traceparent"))
        .isEqualTo("00-" + TRACE_ID + "-" + client.spanId() + "-01");
  }

  private static List<OtlpHttpReceiver.ReceivedSpan> spansOf(String traceId) {
    return otlp.spans().stream().filter(s -> s.traceId().equals(traceId)).toList();
  }

  /** Runs one Node process per invoke through the layer's exec wrapper, as a cold Lambda sandbox would. */
  private final class NodeProcessInvoker implements FunctionInvoker {

    @Override
    public FunctionResult invoke(String functionName, byte[] payload, String xrayTraceHeader) {
      try {
        Path event = Files.write(Files.createTempFile(tmp, "event", ".json"), payload);
        Path log = tmp.resolve("node-" + System.nanoTime() + ".log");
        ChildProcess.Builder b = ChildProcess.builder("node-" + functionName)
            .command(List.of("bash", opt.resolve("otel-handler").toString(), "node", task.resolve("bootstrap.js").toString()))
            .directory(task)
            .logFile(log)
            .clearEnvironment()
            .env("TRACEHARNESS_OPT_DIR", opt.toString())
            .env("LAMBDA_TASK_ROOT", task.toString())
            .env("_HANDLER", "handler.handler")
            .env("AWS_LAMBDA_FUNCTION_NAME", functionName)
            .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
            .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128")
            .env("AWS_REGION", "us-east-1")
            .env("AWS_LAMBDA_RUNTIME_API", "127.0.0.1:9001")
            .env("OTEL_EXPORTER_OTLP_ENDPOINT", otlp.endpoint().toString())
            .env("DOWNSTREAM_URL", downstream.baseUrl() + "/consumer")
            .env("EVENT_FILE", event.toString());
        if (xrayTraceHeader != null) {
          b.env("_X_AMZN_TRACE_ID", xrayTraceHeader);
        }
        try (ChildProcess node = b.start()) {
          if (!node.waitFor(Duration.ofSeconds(30)) || node.exitCode() != 0) {
            return FunctionResult.error("Unhandled", ("{\"errorMessage\":\"node failed\",\"log\":"
                + com.fasterxml.jackson.databind.node.TextNode.valueOf(node.logTail(40)) + "}")
                .getBytes(StandardCharsets.UTF_8));
          }
        }
        String result = Files.readAllLines(log).stream().filter(l -> l.startsWith("RESULT ")).findFirst()
            .orElseThrow(() -> new IllegalStateException("no RESULT in " + log + ":\n" + ChildProcess.tail(log, 40)));
        return FunctionResult.success(result.substring("RESULT ".length()).getBytes(StandardCharsets.UTF_8));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }

    @Override
    public boolean activeTracing(String functionName) {
      return false;
    }
  }

  static Path unzip(Path zip, Path target) throws IOException {
    try (ZipFile z = ZipFile.builder().setPath(zip).get()) {
      for (ZipArchiveEntry e : Collections.list(z.getEntries())) {
        Path out = target.resolve(e.getName()).normalize();
        if (!out.startsWith(target)) {
          throw new IOException("entry outside the layer: " + e.getName());
        }
        if (e.isDirectory()) {
          Files.createDirectories(out);
          continue;
        }
        Files.createDirectories(out.getParent());
        try (InputStream in = z.getInputStream(e)) {
          Files.copy(in, out);
        }
        if ((e.getUnixMode() & 0100) != 0) {
          out.toFile().setExecutable(true, false);
        }
      }
    }
    return target;
  }
}
