package io.traceharness.collector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.linecorp.armeria.common.AggregatedHttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.server.Server;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.traceharness.collector.CollectorConfig.ElasticsearchRetrySpec;
import io.traceharness.collector.CollectorConfig.ElasticsearchSpec;
import io.traceharness.collector.CollectorConfig.MappingMode;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Function;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The exporter's {@code _bulk} exchange against an HTTP server answering as Elasticsearch does: the request
 * (NDJSON {@code create} actions, gzip, {@code require_data_stream}, credentials), request-level retries on
 * {@code retry_on_status} only, document-level retries of the items whose status is in it, and failed
 * documents dropped with the exporter's log line ({@code esclient.go}, {@code bulkindexer.go}).
 */
class ElasticsearchSenderTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path tmp;

  Server server;
  final List<Received> received = new ArrayList<>();
  final ConcurrentLinkedQueue<Function<List<String>, HttpResponse>> answers = new ConcurrentLinkedQueue<>();
  final FailureLog failures = new FailureLog(50);

  record Received(String path, String query, Map<String, String> headers, List<String> lines) {
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.stop().join();
    }
  }

  private URI start() {
    server = Server.builder().http(0).service("/_bulk", (ctx, req) -> HttpResponse.of(req.aggregate()
        .thenApply(agg -> {
          List<String> lines = lines(agg);
          synchronized (received) {
            received.add(new Received(ctx.path(), ctx.query(), Map.of(
                "authorization", String.valueOf(agg.headers().get("authorization")),
                "content-encoding", String.valueOf(agg.headers().get("content-encoding")),
                "content-type", String.valueOf(agg.headers().get("content-type"))), lines));
          }
          Function<List<String>, HttpResponse> answer = answers.poll();
          return answer == null ? allCreated(lines) : answer.apply(lines);
        }))).build();
    server.start().join();
    return URI.create("http://127.0.0.1:" + server.activeLocalPort());
  }

  private static List<String> lines(AggregatedHttpRequest agg) {
    byte[] body = agg.content().array();
    if ("gzip".equals(agg.headers().get("content-encoding"))) {
      try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(body))) {
        body = in.readAllBytes();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return List.of(new String(body, StandardCharsets.UTF_8).split("\n"));
  }

  /** A bulk response: one item per document with the given statuses (an error for non-2xx ones). */
  private static HttpResponse items(List<String> lines, int... statuses) {
    ObjectNode res = JSON.createObjectNode();
    ArrayNode items = res.putArray("items");
    boolean errors = false;
    for (int i = 0; i < lines.size() / 2; i++) {
      int status = statuses.length == 0 ? 201 : statuses[Math.min(i, statuses.length - 1)];
      ObjectNode create = items.addObject().putObject("create");
      create.put("_index", ".ds-x").put("status", status);
      if (status >= 300) {
        errors = true;
        create.putObject("error").put("type", status == 429 ? "es_rejected_execution_exception"
            : "document_parsing_exception").put("reason", "refused");
      }
    }
    res.put("errors", errors);
    return HttpResponse.of(HttpStatus.OK, MediaType.JSON, res.toString());
  }

  private static HttpResponse allCreated(List<String> lines) {
    return items(lines);
  }

  private ElasticsearchSender sender(URI endpoint, int maxRetries, boolean gzip, String user, String apiKey) {
    ElasticsearchSpec spec = new ElasticsearchSpec("elasticsearch", List.of(endpoint), user,
        user.isEmpty() ? "" : "pw", apiKey, Map.of("X-Extra", "1"), new CollectorConfig.TlsSpec(false, null), gzip,
        Duration.ofSeconds(5), MappingMode.OTEL, "", "", "", "", false, false, null,
        new ElasticsearchRetrySpec(true, maxRetries, Duration.ofMillis(5), Duration.ofMillis(20), List.of(429)),
        new CollectorConfig.QueueSpec(false, 1, 1), List.of());
    return new ElasticsearchSender(spec, "traces", new CollectorLog(tmp.resolve("collector.log")), failures);
  }

  private static ExportTraceServiceRequest twoSpans() {
    return Otlp.traces("svc", Otlp.newTraceId(), 2);
  }

  @Test
  void theBulkRequestIsCreateActionsIntoDataStreamsWithCredentials() throws Exception {
    URI endpoint = start();
    try (ElasticsearchSender sender = sender(endpoint, 0, true, "", "a2V5OnNlY3JldA==")) {
      sender.send(Signal.TRACES, twoSpans());
    }
    assertThat(received).singleElement().satisfies(r -> {
      assertThat(r.query()).isEqualTo("require_data_stream=true");
      assertThat(r.headers()).containsEntry("authorization", "ApiKey a2V5OnNlY3JldA==")
          .containsEntry("content-encoding", "gzip").containsEntry("content-type", "application/x-ndjson");
      assertThat(r.lines()).hasSize(4);
      assertThat(JSON.readTree(r.lines().get(0))).isEqualTo(JSON.readTree(
          "{\"create\":{\"_index\":\"traces-generic.otel-default\"}}"));
      assertThat(JSON.readTree(r.lines().get(1)).path("name").asText()).isEqualTo("span-0");
    });

    received.clear();
    try (ElasticsearchSender basic = sender(endpoint, 0, false, "elastic", "")) {
      basic.send(Signal.TRACES, twoSpans());
    }
    assertThat(received).singleElement().satisfies(r -> {
      assertThat(r.headers()).containsEntry("authorization", "Basic "
          + Base64.getEncoder().encodeToString("elastic:pw".getBytes(StandardCharsets.UTF_8)))
          .containsEntry("content-encoding", "null");
    });
  }

  @Test
  void documentsRefusedWith429AreSentAgainUpToMaxRetries() throws Exception {
    URI endpoint = start();
    answers.add(lines -> items(lines, 201, 429));
    answers.add(lines -> items(lines, 429));
    try (ElasticsearchSender sender = sender(endpoint, 0, false, "", "")) {
      sender.send(Signal.TRACES, twoSpans());
    }
    assertThat(received).extracting(r -> r.lines().size() / 2).as("documents per bulk request")
        .containsExactly(2, 1, 1);
    assertThat(failures.snapshot()).isEmpty();

    received.clear();
    for (int i = 0; i < 5; i++) {
      answers.add(lines -> items(lines, 429));
    }
    try (ElasticsearchSender sender = sender(endpoint, 0, false, "", "")) {
      sender.send(Signal.TRACES, twoSpans());
    }
    assertThat(received).as("the first try and bulkindexer.go's defaultMaxRetries (2)").hasSize(3);
    assertThat(failures.snapshot()).hasSize(2).allSatisfy(f -> {
      assertThat(f.dropped()).isTrue();
      assertThat(f.error()).isEqualTo("failed to index document (429): es_rejected_execution_exception: refused");
    });
  }

  @Test
  void aDocumentRefusedForGoodIsDroppedAndLoggedWhileTheOthersAreIndexed() throws Exception {
    URI endpoint = start();
    answers.add(lines -> items(lines, 201, 400));
    try (ElasticsearchSender sender = sender(endpoint, 3, false, "", "")) {
      sender.send(Signal.TRACES, twoSpans());
    }
    assertThat(received).as("a 400 is not retried").hasSize(1);
    assertThat(failures.snapshot()).singleElement().satisfies(f -> assertThat(f.items()).isEqualTo(1));
    assertThat(Files.readString(tmp.resolve("collector.log")))
        .contains("failed to index document index=traces-generic.otel-default error.type=document_parsing_exception")
        .as("no reason without include_source_on_error").doesNotContain("error.reason");
  }

  @Test
  void wholeRequestFailuresRetryOnlyTheConfiguredStatuses() {
    URI endpoint = start();
    answers.add(lines -> HttpResponse.of(HttpStatus.SERVICE_UNAVAILABLE, MediaType.PLAIN_TEXT, "busy"));
    try (ElasticsearchSender sender = sender(endpoint, 5, false, "", "")) {
      assertThatThrownBy(() -> sender.send(Signal.TRACES, twoSpans())).isInstanceOf(Sender.ExportException.class)
          .hasMessage("flush failed (503): busy");
    }
    assertThat(received).as("503 is not in retry_on_status [429]").hasSize(1);

    received.clear();
    for (int i = 0; i < 5; i++) {
      answers.add(lines -> HttpResponse.of(HttpStatus.TOO_MANY_REQUESTS, MediaType.PLAIN_TEXT, "slow down"));
    }
    try (ElasticsearchSender sender = sender(endpoint, 5, false, "", "")) {
      assertThatThrownBy(() -> sender.send(Signal.TRACES, twoSpans())).hasMessage("flush failed (429): slow down");
    }
    assertThat(received).as("esclient.go: min(defaultMaxRetries, max_retries) request retries").hasSize(3);
  }

  @Test
  void inTheCollectorAFailedRequestIsDroppedWithTheExportersOwnMessage() {
    URI endpoint = start();
    answers.add(lines -> HttpResponse.of(HttpStatus.BAD_REQUEST, MediaType.PLAIN_TEXT, "bad bulk"));
    try (EmbeddedCollector collector = EmbeddedCollector.builder()
        .config("receivers:\n  otlp:\n    protocols:\n      http:\n"
            + "exporters:\n  elasticsearch:\n    endpoint: " + endpoint + "\n"
            + "service:\n  pipelines:\n    traces:\n      receivers: [otlp]\n      exporters: [elasticsearch]\n")
        .freePorts(true).shutdownTimeout(Duration.ofSeconds(2)).logFile(tmp.resolve("c.log")).build().start()) {
      var res = com.linecorp.armeria.client.WebClient.of().execute(com.linecorp.armeria.common.RequestHeaders
          .builder(com.linecorp.armeria.common.HttpMethod.POST, collector.otlpHttpEndpoint().resolve("/v1/traces")
              .toString()).contentType(MediaType.parse("application/x-protobuf")).build(),
          twoSpans().toByteArray()).aggregate().join();
      assertThat(res.status().isSuccess()).as("the receiver passes the failure back").isFalse();
      assertThat(collector.exportFailures()).singleElement().satisfies(f -> {
        assertThat(f.dropped()).isTrue();
        assertThat(f.items()).isEqualTo(2);
        assertThat(f.error()).as("no exporterhelper prefix: the exporter retries itself")
            .isEqualTo("flush failed (400): bad bulk");
      });
      assertThat(collector.stats().pipeline("traces").exporter("elasticsearch").dropped()).isEqualTo(2);
    }
  }

  @Test
  void aRefusedConnectionIsWordedAsGoWordsIt() {
    try (ElasticsearchSender sender = sender(URI.create("http://127.0.0.1:9"), 0, false, "", "")) {
      assertThatThrownBy(() -> sender.send(Signal.TRACES, twoSpans()))
          .hasMessage("Post \"http://127.0.0.1:9/_bulk?require_data_stream=true\": dial tcp 127.0.0.1:9: connect:"
              + " connection refused");
    }
  }
}
