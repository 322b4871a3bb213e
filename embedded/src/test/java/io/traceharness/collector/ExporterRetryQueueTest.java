package io.traceharness.collector;

import static org.assertj.core.api.Assertions.assertThat;

import com.linecorp.armeria.client.WebClient;
import com.linecorp.armeria.common.AggregatedHttpResponse;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.RequestHeaders;
import io.grpc.Status;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Retry, queue and drop accounting of the otlp and otlphttp exporters against a real OTLP downstream. */
class ExporterRetryQueueTest {

  @TempDir
  Path tmp;

  OtlpTestBackend backend;
  EmbeddedCollector collector;

  @BeforeEach
  void startBackend() {
    backend = new OtlpTestBackend().start();
  }

  @AfterEach
  void stopAll() {
    if (collector != null) {
      collector.close();
    }
    backend.close();
  }

  /** A collector whose traces pipeline has the single exporter {@code id}, configured by {@code body}. */
  private EmbeddedCollector collector(String id, String body) {
    collector = EmbeddedCollector.builder()
        .config("receivers:\n  otlp:\n    protocols:\n      http:\n"
            + "exporters:\n  " + id + ":\n" + body.indent(4)
            + "service:\n  pipelines:\n    traces:\n      receivers: [otlp]\n      exporters: [" + id + "]\n")
        .environment(OtlpTestBackend.trusting(Map.of("BACKEND", backend.endpoint().toString(), "BACKEND_HOSTPORT", "127.0.0.1:" + backend.port())))
        .freePorts(true)
        .shutdownTimeout(Duration.ofSeconds(2))
        .logFile(tmp.resolve("collector.log"))
        .build()
        .start();
    return collector;
  }

  private static final String FAST_RETRY = """
      retry_on_failure:
        initial_interval: 50ms
        max_interval: 200ms
        max_elapsed_time: 20s
      """;

  private int send(int spans) {
    byte[] body = Otlp.traces("svc", Otlp.newTraceId(), spans).toByteArray();
    AggregatedHttpResponse res = WebClient.of(collector.otlpHttpEndpoint())
        .execute(RequestHeaders.builder(HttpMethod.POST, "/v1/traces")
            .contentType(MediaType.parse("application/x-protobuf")).build(), body)
        .aggregate().join();
    return res.status().code();
  }

  /** Fails after {@code timeout} naming what was awaited with the collector's last stats and failures. */
  private void await(String what, Duration timeout, BooleanSupplier condition) {
    Awaitility.await(what).atMost(timeout).pollInterval(Duration.ofMillis(20))
        .untilAsserted(() -> assertThat(condition.getAsBoolean())
            .as("%s; stats %s%nfailures %s", what, collector.stats(), collector.exportFailures()).isTrue());
  }

  private EmbeddedCollector.ExporterStats stats(String id) {
    return collector.stats().pipeline("traces").exporter(id);
  }

  @Test
  void http503IsRetriedWithBackoffThenDelivered() throws Exception {
    collector("otlphttp", "endpoint: ${BACKEND}\n" + FAST_RETRY);
    backend.failHttp(2, 503);

    assertThat(send(4)).as("the queue accepts at once").isEqualTo(200);

    await("delivery", Duration.ofSeconds(10), () -> stats("otlphttp").sent() == 4);
    assertThat(backend.attempts()).isEqualTo(3);
    assertThat(stats("otlphttp").failedAttempts()).isEqualTo(2);
    assertThat(stats("otlphttp").dropped()).isZero();
    assertThat(collector.exportFailures()).hasSize(2).allSatisfy(f -> {
      assertThat(f.dropped()).isFalse();
      assertThat(f.items()).isEqualTo(4);
      assertThat(f.error()).startsWith("error exporting items, request to " + backend.endpoint() + "/v1/traces"
          + " responded with HTTP Status Code 503");
    });
    assertThat(backend.traceRequests().get(0).headers().get("content-encoding")).isEqualTo("gzip");
  }

  @Test
  void retryAfterIsHonoured() throws Exception {
    collector("otlphttp", "endpoint: ${BACKEND}\n" + FAST_RETRY);
    backend.retryAfterSeconds("1");
    backend.failHttp(1, 429);
    long t0 = System.nanoTime();
    send(1);
    await("delivery", Duration.ofSeconds(10), () -> stats("otlphttp").sent() == 1);
    assertThat((System.nanoTime() - t0) / 1_000_000).as("waited the 1 s Retry-After, not 50 ms").isGreaterThanOrEqualTo(950);
  }

  @Test
  void httpStatusesThatTheRealExporterDoesNotRetryDropAtOnceAndAreCounted() throws Exception {
    collector("otlphttp", "endpoint: ${BACKEND}\n" + FAST_RETRY);
    backend.failHttp(1, 400);
    backend.failHttp(1, 500);

    send(3);
    send(2);

    await("both dropped", Duration.ofSeconds(10), () -> stats("otlphttp").dropped() == 5);
    assertThat(backend.attempts()).isEqualTo(2);
    assertThat(stats("otlphttp").sent()).isZero();
    assertThat(collector.exportFailures()).extracting(EmbeddedCollector.ExportFailure::dropped).containsOnly(true);
    assertThat(collector.exportFailures()).extracting(EmbeddedCollector.ExportFailure::error)
        .anySatisfy(e -> assertThat(e).startsWith("Permanent error: error exporting items").contains("HTTP Status Code 400")
            .contains("Message=backend says 400"))
        .anySatisfy(e -> assertThat(e).contains("HTTP Status Code 500"));
    assertThat(java.nio.file.Files.readString(collector.logFile()))
        .contains("Exporting failed. Dropping data. exporter=otlphttp pipeline=traces")
        .contains("dropped_items=3 (spans)");
  }

  @Test
  void grpcUnavailableIsRetriedAndHeadersAreSent() throws Exception {
    collector("otlp/elastic", """
        endpoint: ${BACKEND}
        headers:
          Authorization: "Bearer s3cr3t"
        """ + FAST_RETRY);
    backend.failGrpc(2, Status.UNAVAILABLE.withDescription("apm-server is starting"));

    send(5);

    await("delivery", Duration.ofSeconds(10), () -> stats("otlp/elastic").sent() == 5);
    assertThat(backend.traceRequests()).singleElement().satisfies(r -> {
      assertThat(r.transport()).isEqualTo("grpc");
      assertThat(r.headers().get("authorization")).isEqualTo("Bearer s3cr3t");
      assertThat(r.headers().get("grpc-encoding")).isEqualTo("gzip");
    });
    assertThat(collector.exportFailures()).hasSize(2).first().satisfies(f -> {
      assertThat(f.error()).isEqualTo("rpc error: code = Unavailable desc = apm-server is starting");
      assertThat(f.destination()).isEqualTo("grpc 127.0.0.1:" + backend.port());
    });
  }

  @Test
  void grpcResourceExhaustedWithoutRetryInfoAndInvalidArgumentArePermanent() throws Exception {
    collector("otlp", "endpoint: ${BACKEND_HOSTPORT}\ntls:\n  insecure: true\n" + FAST_RETRY);
    backend.failGrpc(1, Status.RESOURCE_EXHAUSTED.withDescription("too much"));
    backend.failGrpc(1, Status.INVALID_ARGUMENT.withDescription("bad span"));

    send(1);
    send(2);

    await("both dropped", Duration.ofSeconds(10), () -> stats("otlp").dropped() == 3);
    assertThat(backend.attempts()).isEqualTo(2);
    assertThat(collector.exportFailures()).extracting(EmbeddedCollector.ExportFailure::error).containsExactlyInAnyOrder(
        "Permanent error: rpc error: code = ResourceExhausted desc = too much",
        "Permanent error: rpc error: code = InvalidArgument desc = bad span");
  }

  @Test
  void retriesStopAtMaxElapsedTimeAndTheItemsAreCountedAsDropped() throws Exception {
    collector("otlphttp", """
        endpoint: ${BACKEND}
        retry_on_failure:
          initial_interval: 100ms
          max_interval: 100ms
          max_elapsed_time: 500ms
        """);
    backend.failHttp(100, 503);

    send(7);

    await("dropped", Duration.ofSeconds(10), () -> stats("otlphttp").dropped() == 7);
    // the first attempt and at least one retry; how many more fit in 500 ms depends on how fast the backend
    // answers on this machine, the bound says the retries stopped
    assertThat(backend.attempts()).isBetween(2, 8);
    assertThat(collector.exportFailures()).last().satisfies(f -> {
      assertThat(f.dropped()).isTrue();
      assertThat(f.error()).startsWith("no more retries left: error exporting items");
    });
  }

  @Test
  void aFullQueueRefusesTheRequestAndCountsItsItems() throws Exception {
    collector("otlphttp", """
        endpoint: ${BACKEND}
        retry_on_failure:
          initial_interval: 10s
          max_interval: 10s
        sending_queue:
          num_consumers: 1
          queue_size: 1
        """);
    backend.failHttp(100, 503);

    assertThat(send(1)).as("taken by the consumer, which waits to retry").isEqualTo(200);
    await("consumer busy", Duration.ofSeconds(5), () -> backend.attempts() == 1);
    assertThat(send(2)).as("queued").isEqualTo(200);
    assertThat(send(3)).as("queue full: refused, the client may retry").isEqualTo(503);

    assertThat(stats("otlphttp").dropped()).isEqualTo(3);
    assertThat(collector.stats().pipeline("traces").refused()).isEqualTo(3);
    assertThat(collector.exportFailures()).last().satisfies(f ->
        assertThat(f.error()).isEqualTo("sending queue is full (queue_size 1 requests)"));

    collector.close();
    assertThat(stats("otlphttp").dropped()).as("stopping drops what waits for a retry or in the queue, counted")
        .isEqualTo(6);
    collector = null;
  }

  @Test
  void downstreamDownForSecondsThenUpLosesNothing() throws Exception {
    collector("otlp/elastic", """
        endpoint: ${BACKEND}
        retry_on_failure:
          initial_interval: 100ms
          max_interval: 500ms
          max_elapsed_time: 60s
        """);
    backend.stop();

    for (int i = 0; i < 20; i++) {
      assertThat(send(5)).isEqualTo(200);
    }
    await("failures while down", Duration.ofSeconds(10), () -> collector.exportFailures().size() >= 20);
    // down for seconds: every request is retried several times before the backend comes back
    await("retries while down", Duration.ofSeconds(10), () -> collector.exportFailures().size() >= 60);
    assertThat(collector.exportFailures()).last().satisfies(f -> assertThat(f.error())
        .startsWith("rpc error: code = Unavailable desc = "));
    backend.start();

    await("all delivered", Duration.ofSeconds(30), () -> stats("otlp/elastic").sent() == 100);
    assertThat(backend.spans()).hasSize(100);
    assertThat(stats("otlp/elastic").dropped()).isZero();
    assertThat(collector.stats().pipeline("traces").received()).isEqualTo(100);
  }

  @Test
  void withoutAQueueFailuresReachTheClient() throws Exception {
    collector("otlphttp", """
        endpoint: ${BACKEND}
        sending_queue:
          enabled: false
        retry_on_failure:
          enabled: false
        """);
    backend.failHttp(1, 503);
    backend.failHttp(1, 400);

    assertThat(send(2)).isEqualTo(503);
    assertThat(send(2)).isEqualTo(400);
    assertThat(send(2)).isEqualTo(200);
    assertThat(stats("otlphttp").sent()).isEqualTo(2);
    assertThat(stats("otlphttp").dropped()).isEqualTo(4);
  }
}
