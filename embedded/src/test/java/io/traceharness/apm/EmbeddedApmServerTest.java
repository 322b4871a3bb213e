package io.traceharness.apm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The HTTP answers of the intake, config and info routes, with documents kept in memory. */
class EmbeddedApmServerTest {

  static final String TOKEN = "s3cr3t";
  static final String METADATA = "{\"metadata\":{\"service\":{\"name\":\"java-client\",\"agent\":{\"name\":\"java\",\"version\":\"1.55.1\"}},"
      + "\"labels\":{\"team\":\"a.b\",\"build\":7}}}";
  static final String TRANSACTION = "{\"transaction\":{\"id\":\"945254c567a5417e\",\"trace_id\":\"0123456789abcdef0123456789abcdef\","
      + "\"name\":\"client-top-level\",\"type\":\"request\",\"duration\":32.592981,\"result\":\"Success\",\"timestamp\":1496170407154000,"
      + "\"span_count\":{\"started\":1},\"context\":{\"tags\":{\"user.tier\":\"gold\"}}}}";
  static final String SPAN = "{\"span\":{\"id\":\"0aaaaaaaaaaaaaaa\",\"trace_id\":\"0123456789abcdef0123456789abcdef\","
      + "\"transaction_id\":\"945254c567a5417e\",\"parent_id\":\"945254c567a5417e\",\"name\":\"GET localhost\","
      + "\"type\":\"external.http\",\"duration\":3.5,\"timestamp\":1496170407155000,"
      + "\"context\":{\"http\":{\"url\":\"http://localhost:8080/ping\",\"status_code\":200},"
      + "\"destination\":{\"address\":\"localhost\",\"port\":8080,\"service\":{\"resource\":\"localhost:8080\",\"name\":\"\",\"type\":\"\"}}}}}";

  static InMemorySink sink = new InMemorySink();
  static EmbeddedApmServer server;
  static final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void start(@TempDir Path dir) {
    server = EmbeddedApmServer.builder().secretToken(TOKEN).apiKey("id1", "key1").sink(sink)
        .logFile(dir.resolve("apm.log")).build().start();
  }

  @AfterAll
  static void stop() {
    server.stop();
  }

  @BeforeEach
  void clear() {
    sink.clear();
  }

  static HttpResponse<String> post(String path, String body, String... headers) throws Exception {
    return send(path, HttpRequest.BodyPublishers.ofString(body), headers);
  }

  static HttpResponse<String> send(String path, HttpRequest.BodyPublisher body, String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(server.endpoint().resolve(path)).POST(body);
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  static String auth() {
    return "Bearer " + TOKEN;
  }

  static JsonNode json(HttpResponse<String> r) throws IOException {
    return Docs.JSON.readTree(r.body());
  }

  static String lines(String... lines) {
    return String.join("\n", lines) + "\n";
  }

  @Test
  void acceptsTransactionAndSpanWith202AndEmptyBody() throws Exception {
    HttpResponse<String> r = post("/intake/v2/events", lines(METADATA, TRANSACTION, SPAN),
        "Authorization", auth(), "Content-Type", "application/x-ndjson");
    assertThat(r.statusCode()).isEqualTo(202);
    assertThat(r.body()).isEmpty();
    assertThat(sink.documents()).extracting(ApmDocument::dataStream).containsExactly("traces-apm-default", "traces-apm-default");
    JsonNode tx = sink.documents().get(0).source();
    assertThat(tx.at("/processor/event").asText()).isEqualTo("transaction");
    assertThat(tx.at("/transaction/duration/us").asLong()).isEqualTo(32592);
    // Elasticsearch's traces-apm@pipeline turns event.duration into transaction.duration.us and removes it
    assertThat(tx.at("/event/duration").isMissingNode()).isTrue();
    assertThat(tx.at("/timestamp/us").asLong()).isEqualTo(1496170407154000L);
    assertThat(tx.at("/@timestamp").asText()).isEqualTo("2017-05-30T18:53:27.154Z");
    assertThat(tx.at("/agent/name").asText()).isEqualTo("java");
    assertThat(tx.at("/service/name").asText()).isEqualTo("java-client");
    assertThat(tx.at("/labels/team").asText()).isEqualTo("a.b");
    assertThat(tx.at("/labels/user_tier").asText()).isEqualTo("gold");
    assertThat(tx.at("/numeric_labels/build").asDouble()).isEqualTo(7);
    assertThat(tx.at("/transaction/span_count/started").asInt()).isEqualTo(1);
    JsonNode span = sink.documents().get(1).source();
    assertThat(span.at("/processor/event").asText()).isEqualTo("span");
    assertThat(span.at("/span/type").asText()).isEqualTo("external");
    assertThat(span.at("/span/subtype").asText()).isEqualTo("http");
    assertThat(span.at("/transaction/id").asText()).isEqualTo("945254c567a5417e");
    assertThat(span.at("/parent/id").asText()).isEqualTo("945254c567a5417e");
    assertThat(span.at("/span/duration/us").asLong()).isEqualTo(3500);
    assertThat(span.at("/event/outcome").asText()).isEqualTo("success");
    assertThat(span.at("/service/target/name").asText()).isEqualTo("localhost:8080");
    assertThat(server.stats().eventsReceived()).isGreaterThanOrEqualTo(2);
  }

  @Test
  void verboseAnswersWithTheCount() throws Exception {
    HttpResponse<String> r = post("/intake/v2/events?verbose", lines(METADATA, TRANSACTION), "Authorization", auth());
    assertThat(r.statusCode()).isEqualTo(202);
    assertThat(json(r).path("accepted").asInt()).isEqualTo(1);
  }

  @Test
  void gzipAndDeflateBodiesAreRead() throws Exception {
    byte[] plain = lines(METADATA, TRANSACTION).getBytes(StandardCharsets.UTF_8);
    ByteArrayOutputStream gz = new ByteArrayOutputStream();
    try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
      out.write(plain);
    }
    ByteArrayOutputStream df = new ByteArrayOutputStream();
    try (DeflaterOutputStream out = new DeflaterOutputStream(df)) {
      out.write(plain);
    }
    assertThat(send("/intake/v2/events", HttpRequest.BodyPublishers.ofByteArray(gz.toByteArray()),
        "Authorization", auth(), "Content-Encoding", "gzip").statusCode()).isEqualTo(202);
    assertThat(send("/intake/v2/events", HttpRequest.BodyPublishers.ofByteArray(df.toByteArray()),
        "Authorization", auth(), "Content-Encoding", "deflate").statusCode()).isEqualTo(202);
    assertThat(sink.documents()).hasSize(2);
  }

  @Test
  void invalidEventsAre400ButValidOnesInTheSameRequestAreIndexed() throws Exception {
    String noTraceId = "{\"transaction\":{\"id\":\"1\",\"type\":\"request\",\"duration\":1,\"span_count\":{\"started\":0}}}";
    HttpResponse<String> r = post("/intake/v2/events", lines(METADATA, TRANSACTION, noTraceId, "{\"tennis-court\":{}}",
        "{not json", SPAN), "Authorization", auth());
    assertThat(r.statusCode()).isEqualTo(400);
    JsonNode body = json(r);
    assertThat(body.path("accepted").asInt()).isEqualTo(2);
    assertThat(body.path("errors")).hasSize(3);
    assertThat(body.path("errors").get(0).path("message").asText()).isEqualTo("validation error: transaction: 'trace_id' required");
    assertThat(body.path("errors").get(0).path("document").asText()).isEqualTo(noTraceId);
    assertThat(body.path("errors").get(1).path("message").asText()).isEqualTo("did not recognize object type: \"tennis-court\"");
    assertThat(body.path("errors").get(2).path("message").asText()).startsWith("decode error: data read error:");
    assertThat(sink.documents()).hasSize(2);
  }

  @Test
  void atMostFiveErrorsAreReported() throws Exception {
    StringBuilder b = new StringBuilder(METADATA).append('\n');
    for (int i = 0; i < 8; i++) {
      b.append("{\"span\":{}}\n");
    }
    HttpResponse<String> r = post("/intake/v2/events", b.toString(), "Authorization", auth());
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(json(r).path("errors")).hasSize(5);
    assertThat(json(r).path("accepted").asInt()).isZero();
  }

  @Test
  void metadataMustComeFirst() throws Exception {
    HttpResponse<String> r = post("/intake/v2/events", lines(TRANSACTION), "Authorization", auth());
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(json(r).path("errors").get(0).path("message").asText()).isEqualTo("\"metadata\" or \"m\" required");
    HttpResponse<String> missingAgent = post("/intake/v2/events",
        lines("{\"metadata\":{\"service\":{\"name\":\"x\"}}}", TRANSACTION), "Authorization", auth());
    assertThat(missingAgent.statusCode()).isEqualTo(400);
    assertThat(json(missingAgent).path("errors").get(0).path("message").asText())
        .isEqualTo("validation error: metadata: service: 'agent' required");
    assertThat(sink.documents()).isEmpty();
  }

  @Test
  void requiredFieldsOfSpans() throws Exception {
    String noStart = "{\"span\":{\"id\":\"a\",\"trace_id\":\"b\",\"parent_id\":\"c\",\"name\":\"n\",\"type\":\"app\",\"duration\":1}}";
    HttpResponse<String> r = post("/intake/v2/events", lines(METADATA, noStart), "Authorization", auth());
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(json(r).path("errors").get(0).path("message").asText())
        .isEqualTo("validation error: span: requires at least one of the fields 'start;timestamp'");
  }

  @Test
  void tooLargeLineIsRejected() throws Exception {
    String big = "{\"span\":{\"name\":\"" + "x".repeat(IntakeProcessor.DEFAULT_MAX_EVENT_SIZE) + "\"}}";
    HttpResponse<String> r = post("/intake/v2/events", lines(METADATA, big, TRANSACTION), "Authorization", auth());
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(json(r).path("errors").get(0).path("message").asText()).isEqualTo("event exceeded the permitted size");
    assertThat(json(r).path("accepted").asInt()).isEqualTo(1);
  }

  @Test
  void wrongContentTypeIs400() throws Exception {
    HttpResponse<String> r = post("/intake/v2/events", lines(METADATA), "Authorization", auth(), "Content-Type", "text/plain");
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(json(r).path("errors").get(0).path("message").asText()).isEqualTo("invalid content type: 'text/plain'");
  }

  @Test
  void missingOrWrongCredentialsAre401NamingBothHeaderForms() throws Exception {
    HttpResponse<String> missing = post("/intake/v2/events", lines(METADATA, TRANSACTION));
    assertThat(missing.statusCode()).isEqualTo(401);
    assertThat(json(missing).path("error").asText()).isEqualTo("authentication failed: missing or improperly formatted "
        + "Authorization header: expected 'Authorization: Bearer secret_token' or 'Authorization: ApiKey base64(API key ID:API key)'");
    HttpResponse<String> wrong = post("/intake/v2/events", lines(METADATA, TRANSACTION), "Authorization", "Bearer nope");
    assertThat(wrong.statusCode()).isEqualTo(401);
    assertThat(json(wrong).path("error").asText()).isEqualTo("authentication failed");
    String apiKey = Base64.getEncoder().encodeToString("id1:key1".getBytes(StandardCharsets.UTF_8));
    assertThat(post("/intake/v2/events", lines(METADATA, TRANSACTION), "Authorization", "ApiKey " + apiKey).statusCode())
        .isEqualTo(202);
    assertThat(sink.documents()).hasSize(1);
  }

  @Test
  void serverKeepsServingAfterBadInput() throws Exception {
    post("/intake/v2/events", "\u0000\u0001garbage", "Authorization", auth());
    assertThat(post("/intake/v2/events", lines(METADATA, TRANSACTION), "Authorization", auth()).statusCode()).isEqualTo(202);
  }

  @Test
  void serverInfoAndAgentConfig() throws Exception {
    HttpResponse<String> info = http.send(HttpRequest.newBuilder(server.endpoint()).header("Authorization", auth()).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(info.statusCode()).isEqualTo(200);
    assertThat(json(info).path("version").asText()).startsWith("8.19.");
    assertThat(json(info).path("publish_ready").asBoolean()).isTrue();
    assertThat(json(info).has("build_date")).isTrue();
    assertThat(json(info).has("build_sha")).isTrue();

    HttpResponse<String> config = post("/config/v1/agents", "{\"service\":{\"name\":\"java-client\"}}", "Authorization", auth());
    assertThat(config.statusCode()).isEqualTo(200);
    assertThat(config.body()).isEqualTo("{}");
    String etag = config.headers().firstValue("ETag").orElseThrow();
    HttpResponse<String> again = http.send(HttpRequest.newBuilder(server.endpoint().resolve("/config/v1/agents?service.name=x"))
        .header("Authorization", auth()).header("If-None-Match", etag).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(again.statusCode()).isEqualTo(304);
    assertThat(post("/config/v1/agents", "{}").statusCode()).isEqualTo(401);
  }

  /**
   * APM Server 8.19 reads every OTLP/HTTP body as protobuf (apm-server internal/beater/otlp/http.go
   * readRequest, whatever the Content-Type): OTLP/JSON is refused with 400 and a google.rpc.Status
   * in protobuf. The collector keeps JSON (its own tests).
   */
  @Test
  void otlpJsonIsRefusedBecauseApmServerReadsProtobufOnly() throws Exception {
    String body = "{\"resourceSpans\":[{\"resource\":{\"attributes\":[{\"key\":\"service.name\",\"value\":{\"stringValue\":\"consumer\"}}]},"
        + "\"scopeSpans\":[{\"spans\":[{\"traceId\":\"5b8efff798038103d269b633813fc60c\",\"spanId\":\"eee19b7ec3c1b174\","
        + "\"name\":\"GET /ping\",\"kind\":2}]}]}]}";
    HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(server.endpoint().resolve("/v1/traces"))
        .header("Authorization", auth()).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofByteArray());
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.headers().firstValue("content-type")).hasValue("application/x-protobuf");
    com.google.rpc.Status status = com.google.rpc.Status.parseFrom(r.body());
    assertThat(status.getCode()).isEqualTo(io.grpc.Status.Code.INVALID_ARGUMENT.value());
    assertThat(status.getMessage()).startsWith("failed to unmarshal request body: proto:");
    assertThat(sink.documents()).isEmpty();
  }

  @Test
  void otlpBadBodyIs400WhateverItsContentTypeAndUnauthenticatedIs401() throws Exception {
    assertThat(post("/v1/traces", "{nope", "Authorization", auth(), "Content-Type", "application/json").statusCode()).isEqualTo(400);
    assertThat(post("/v1/traces", "x", "Authorization", auth(), "Content-Type", "text/plain").statusCode()).isEqualTo(400);
    assertThat(post("/v1/traces", "{}", "Content-Type", "application/json").statusCode()).isEqualTo(401);
  }

  @Test
  void fullQueueIs503() throws Exception {
    try (EmbeddedApmServer small = EmbeddedApmServer.builder().sink(new InMemorySink(1)).build().start()) {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(small.endpoint().resolve("/intake/v2/events"))
          .POST(HttpRequest.BodyPublishers.ofString(lines(METADATA, TRANSACTION, TRANSACTION))).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(503);
      // apm-data processor.go wraps publish.ErrFull: "cannot handle stream: cannot process batch: %w"
      assertThat(json(r).path("errors").get(0).path("message").asText())
          .isEqualTo("cannot handle stream: cannot process batch: queue is full");
    }
  }

  @Test
  void errorsMetricsetsAndLogsGoToTheirDataStreams() throws Exception {
    String error = "{\"error\":{\"id\":\"e1\",\"trace_id\":\"0123456789abcdef0123456789abcdef\",\"transaction_id\":\"945254c567a5417e\","
        + "\"parent_id\":\"945254c567a5417e\",\"timestamp\":1496170407154000,\"exception\":{\"message\":\"boom\",\"type\":\"IOException\"}}}";
    String metricset = "{\"metricset\":{\"timestamp\":1496170407154000,\"samples\":{\"orders.count\":{\"value\":4}},\"tags\":{\"shop\":\"a\"}}}";
    String breakdown = "{\"metricset\":{\"timestamp\":1496170407154000,\"transaction\":{\"name\":\"t\",\"type\":\"request\"},"
        + "\"span\":{\"type\":\"app\"},\"samples\":{\"span.self_time.count\":{\"value\":1}}}}";
    String log = "{\"log\":{\"@timestamp\":\"2017-05-30T18:53:27.154Z\",\"message\":\"hello\",\"log.level\":\"info\"}}";
    String noSamples = "{\"metricset\":{\"timestamp\":1}}";
    String noException = "{\"error\":{\"id\":\"e2\"}}";
    HttpResponse<String> r = post("/intake/v2/events", lines(METADATA, error, metricset, breakdown, log, noSamples, noException),
        "Authorization", auth());
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(json(r).path("accepted").asInt()).isEqualTo(4);
    assertThat(json(r).path("errors").get(0).path("message").asText()).isEqualTo("validation error: metricset: 'samples' required");
    assertThat(json(r).path("errors").get(1).path("message").asText())
        .isEqualTo("validation error: error: requires at least one of the fields 'exception;log'");
    assertThat(sink.documents()).extracting(ApmDocument::dataStream).containsExactly("logs-apm.error-default",
        "metrics-apm.app.java_client-default", "metrics-apm.internal-default", "logs-apm.app.java_client-default");
    JsonNode err = sink.documents().get(0).source();
    assertThat(err.at("/processor/event").asText()).isEqualTo("error");
    assertThat(err.at("/error/exception/0/message").asText()).isEqualTo("boom");
    assertThat(err.at("/transaction/id").asText()).isEqualTo("945254c567a5417e");
    assertThat(sink.documents().get(1).source().get("orders.count").asDouble()).isEqualTo(4);
    assertThat(sink.documents().get(3).source().at("/message").asText()).isEqualTo("hello");
  }

  @Test
  void getOnIntakeIs400OnlyPost() throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(server.endpoint().resolve("/intake/v2/events"))
        .header("Authorization", auth()).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(json(r).path("errors").get(0).path("message").asText()).isEqualTo("only POST requests are supported");
  }

  @Test
  void agentRuntimeMetricsGoToTheInternalDataStream() throws Exception {
    String jvm = "{\"metricset\":{\"timestamp\":1496170407154000,\"samples\":{\"jvm.memory.heap.used\":{\"value\":1024},"
        + "\"jvm.thread.count\":{\"value\":12}}}}";
    assertThat(post("/intake/v2/events", lines(METADATA, jvm), "Authorization", auth()).statusCode()).isEqualTo(202);
    assertThat(sink.documents()).extracting(ApmDocument::dataStream).containsExactly("metrics-apm.internal-default");
  }
}
