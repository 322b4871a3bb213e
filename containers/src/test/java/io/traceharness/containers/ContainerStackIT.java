package io.traceharness.containers;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.traceharness.stack.FunctionSpec;
import io.traceharness.stack.Deployment;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real components in containers answer where {@link ContainerStack} says, and a span handed to
 * the collector ends up in Elasticsearch as APM Server writes it. Runs with
 * {@code -Dtraceharness.stack=containers} where Docker is available (GitHub Actions job
 * {@code containers}); skipped otherwise.
 */
@ExtendWith(ContainersBackendOnly.class)
class ContainerStackIT {

  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static final ObjectMapper JSON = new ObjectMapper();
  private static ContainerStack stack;

  @BeforeAll
  static void startStack() {
    stack = ContainerStack.builder().build().start();
  }

  @AfterAll
  static void stopStack() {
    if (stack != null) {
      stack.close();
    }
  }

  @Test
  void apmServerAnswersWithItsVersionToTheSecretToken() throws Exception {
    HttpResponse<String> info = HTTP.send(HttpRequest.newBuilder(stack.endpoints().apmServer().resolve("/"))
        .header("Authorization", "Bearer " + stack.endpoints().apmSecretToken()).build(),
        HttpResponse.BodyHandlers.ofString());

    assertThat(info.statusCode()).isEqualTo(200);
    assertThat(JSON.readTree(info.body()).path("version").asText()).isEqualTo(ContainerImages.ELASTIC_VERSION);
  }

  @Test
  void spanSentToTheCollectorIsStoredByApmServerAsATransaction() throws Exception {
    byte[] traceId = randomBytes(16);
    String traceHex = HexFormat.of().formatHex(traceId);
    long now = TimeUnit.MILLISECONDS.toNanos(System.currentTimeMillis());
    ExportTraceServiceRequest request = ExportTraceServiceRequest.newBuilder()
        .addResourceSpans(ResourceSpans.newBuilder()
            .setResource(Resource.newBuilder().addAttributes(KeyValue.newBuilder().setKey("service.name")
                .setValue(AnyValue.newBuilder().setStringValue("containers-it"))))
            .addScopeSpans(ScopeSpans.newBuilder().addSpans(Span.newBuilder()
                .setTraceId(ByteString.copyFrom(traceId))
                .setSpanId(ByteString.copyFrom(randomBytes(8)))
                .setName("GET /ping")
                .setKind(Span.SpanKind.SPAN_KIND_SERVER)
                .setStartTimeUnixNano(now - 5_000_000)
                .setEndTimeUnixNano(now))))
        .build();

    HttpResponse<String> sent = HTTP.send(HttpRequest.newBuilder(stack.endpoints().otlpHttp().resolve("/v1/traces"))
        .header("Content-Type", "application/x-protobuf")
        .POST(HttpRequest.BodyPublishers.ofByteArray(request.toByteArray())).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(sent.statusCode()).as("collector answer: " + sent.body()).isEqualTo(200);

    JsonNode hit = Awaitility.await("transaction of trace " + traceHex + " in traces-apm*")
        .atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(2))
        .until(() -> firstHit(traceHex), node -> node != null);
    assertThat(hit.path("service").path("name").asText()).isEqualTo("containers-it");
    assertThat(hit.path("processor").path("event").asText()).isEqualTo("transaction");
    assertThat(hit.path("transaction").path("name").asText()).isEqualTo("GET /ping");
  }

  @Test
  void deployedFunctionAnswersThroughApiGateway(@TempDir Path dir) throws Exception {
    Path zip = dir.resolve("ping.zip");
    try (var out = new ZipOutputStream(Files.newOutputStream(zip))) {
      out.putNextEntry(new ZipEntry("index.js"));
      out.write(("exports.handler = async () => ({statusCode: 200, headers: {'Content-Type': 'application/json'},"
          + " body: JSON.stringify({message: 'pong'})});").getBytes());
      out.closeEntry();
    }
    RunningFunction ping = stack.deploy(new ContainerFunction("ping", "nodejs22.x", "index.handler", zip,
        Map.of(), "GET", "/ping"));

    HttpResponse<String> answer = HTTP.send(HttpRequest.newBuilder(ping.url()).GET().build(),
        HttpResponse.BodyHandlers.ofString());

    assertThat(answer.statusCode()).isEqualTo(200);
    assertThat(answer.body()).contains("pong");
  }

  @Test
  void functionWithTheOtelLayerContinuesTheCallersTrace(@TempDir Path dir) throws Exception {
    Path zip = dir.resolve("traced.zip");
    try (var out = new ZipOutputStream(Files.newOutputStream(zip))) {
      out.putNextEntry(new ZipEntry("index.js"));
      out.write("exports.handler = async () => ({statusCode: 200, body: 'traced'});".getBytes());
      out.closeEntry();
    }
    Deployment traced = stack.deploy(FunctionSpec.nodejs("traced", "index.handler").code(zip)
        .otelLayer().http("GET", "/traced").build());
    String traceId = HexFormat.of().formatHex(randomBytes(16));

    HttpResponse<String> answer = HTTP.send(HttpRequest.newBuilder(traced.url())
        .header("traceparent", "00-" + traceId + "-" + HexFormat.of().formatHex(randomBytes(8)) + "-01").GET().build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(answer.statusCode()).isEqualTo(200);

    JsonNode hit = Awaitility.await("the function's transaction of trace " + traceId)
        .atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(2))
        .until(() -> firstHit(traceId), node -> node != null);
    assertThat(hit.path("service").path("name").asText()).isEqualTo("traced");
    assertThat(hit.path("processor").path("event").asText()).isEqualTo("transaction");
    assertThat(hit.path("parent").path("id").asText()).as("the caller's span is the parent").isNotEmpty();
  }

  private static JsonNode firstHit(String traceId) throws Exception {
    String query = "{\"query\":{\"term\":{\"trace.id\":\"" + traceId + "\"}}}";
    HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(
            URI.create(stack.endpoints().elasticsearch() + "/traces-apm*/_search"))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(query)).build(), HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      return null;
    }
    JsonNode hits = JSON.readTree(response.body()).path("hits").path("hits");
    return hits.isEmpty() ? null : hits.get(0).path("_source");
  }

  private static byte[] randomBytes(int n) {
    byte[] bytes = new byte[n];
    ThreadLocalRandom.current().nextBytes(bytes);
    return bytes;
  }
}
