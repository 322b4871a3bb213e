package io.traceharness.trace;

import static io.traceharness.assertj.TraceAssertions.assertThat;
import static io.traceharness.trace.TraceConditions.allOf;
import static io.traceharness.trace.TraceConditions.hasAtLeastSpans;
import static io.traceharness.trace.TraceConditions.isComplete;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch.core.BulkResponse;
import co.elastic.clients.elasticsearch.core.bulk.BulkOperation;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.traceharness.elasticsearch.EmbeddedElasticsearch;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The reader against a real Elasticsearch node with the APM data stream templates. */
class TracesIT {

  private static final Logger LOG = LoggerFactory.getLogger(TracesIT.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static EmbeddedElasticsearch es;
  private static Traces traces;

  @BeforeAll
  static void startNode() {
    es = EmbeddedElasticsearch.builder().heap("256m").build();
    es.start();
    traces = Traces.reader(es.client());
  }

  @AfterAll
  static void stopNode() {
    if (es != null) {
      es.close();
    }
  }

  @Test
  void readsTheFiveSpanTraceWithItsOrphanAndError() {
    List<Map<String, Object>> spans = new ArrayList<>();
    List<Map<String, Object>> errors = new ArrayList<>();
    for (String line : TraceFixtures.lines("apm-trace.ndjson")) {
      Map<String, Object> doc = map(line);
      (line.contains("\"processor\": {\"event\": \"error\"}") ? errors : spans).add(doc);
    }
    bulk("traces-apm-default", spans);
    bulk("logs-apm.error-default", errors);

    Trace trace = traces.read(TraceFixtures.APM_TRACE_ID);

    LOG.info("read back:\n{}", trace.waterfall());
    assertThat(trace)
        .hasSpanCount(6)
        .hasSingleRoot()
        .hasServicesExactly("java-client", "producer", "consumer")
        .hasPath("java-client", "producer", "consumer")
        .hasNoClockSkew()
        .hasRootSatisfying(root -> root.hasName("client-top-level").isTransaction()
            .hasChildSatisfying(request -> request.hasType("external").hasSubtype("http")
                .hasChildSatisfying(produce -> produce.hasService("producer").hasName("POST /produce")
                    .hasChildSatisfying(get -> get.isSpan()
                        .hasChildSatisfying(ping -> ping.hasService("consumer").hasName("GET /ping")
                            .hasLabel("faas_trigger", "http"))))));
    assertThat(trace.anomalies()).singleElement().isInstanceOfSatisfying(Anomaly.Orphan.class, orphan -> {
      assertThat(orphan.span().name()).isEqualTo("orphan-call");
      assertThat(orphan.missingParentId()).isEqualTo("00000000000000ff");
    });
    assertThat(trace.errors()).extracting(TraceError::message).containsExactly("upstream said no");
    assertThat(trace.waterfall()).isEqualTo(TraceFixtures.apmTrace().waterfall());
  }

  @Test
  void readsEveryDocumentPastTenThousandHits() {
    String traceId = newTraceId();
    int children = 10_050;
    Instant t0 = Instant.parse("2026-01-02T00:00:00Z");
    List<Map<String, Object>> docs = new ArrayList<>();
    docs.add(apmTransaction(traceId, "r000000000000000", null, "big", "root", t0, 60_000_000));
    for (int i = 0; i < children; i++) {
      docs.add(apmSpan(traceId, String.format("%016x", i + 1), "r000000000000000", "big", "child " + i,
          t0.plusNanos(1_000L * (i + 1)), 1_000));
    }
    long written = System.nanoTime();
    bulk("traces-apm-default", docs);
    long read = System.nanoTime();

    Trace trace = traces.read(traceId);

    long done = System.nanoTime();
    Trace again = traces.read(traceId);
    long warm = System.nanoTime();
    LOG.info("{} documents: bulk {} ms, read {} ms, read again {} ms", docs.size(), (read - written) / 1_000_000,
        (done - read) / 1_000_000, (warm - done) / 1_000_000);
    assertThat(again.size()).isEqualTo(trace.size());
    assertThat(trace).hasSpanCount(children + 1).hasSingleRoot().hasNoAnomalies();
    assertThat(trace.roots().get(0).children()).hasSize(children);
  }

  @Test
  void readsOtelNativeDocuments() {
    List<Map<String, Object>> docs = TraceFixtures.lines("otel-trace.ndjson").stream().map(TracesIT::map).toList();
    bulk("traces-generic.otel-default", docs);

    Trace trace = traces.read(TraceFixtures.OTEL_TRACE_ID);

    assertThat(trace).hasSpanCount(4).hasNoAnomalies().hasPath("producer", "consumer")
        .hasRootSatisfying(root -> root.hasKind(io.opentelemetry.api.trace.SpanKind.SERVER)
            .hasChildSatisfying(get -> get.isSpan().hasType("external").hasOutcome(SpanNode.Outcome.FAILURE)));
  }

  @Test
  void readsAnEmptyTraceWhenNoIndexMatches() {
    Traces nowhere = Traces.builder(es.client()).spanIndices("traces-nothing-here*").errorIndices().build();

    Trace trace = nowhere.read(TraceFixtures.APM_TRACE_ID);

    assertThat(trace.isEmpty()).isTrue();
    assertThat(trace.waterfall()).isEqualTo("Trace " + TraceFixtures.APM_TRACE_ID + ": no transactions or spans\n");
  }

  @Test
  void awaitWaitsForDocumentsThatArriveLate() {
    String traceId = newTraceId();
    Instant t0 = Instant.parse("2026-01-03T00:00:00Z");
    bulk("traces-apm-default", List.of(apmTransaction(traceId, "a000000000000001", null, "client", "root", t0, 100_000)));
    // the documents arrive one second apart, as from exporters that batch
    Executor aSecondLater = CompletableFuture.delayedExecutor(1, TimeUnit.SECONDS);
    CompletableFuture<Void> late = CompletableFuture.runAsync(() -> bulk("traces-apm-default",
            List.of(apmTransaction(traceId, "b000000000000001", "a000000000000001", "producer", "POST /produce",
                t0.plusNanos(10_000_000), 50_000))), aSecondLater)
        .thenRunAsync(() -> bulk("traces-apm-default", List.of(apmSpan(traceId, "b000000000000002",
            "b000000000000001", "producer", "GET", t0.plusNanos(20_000_000), 10_000))), aSecondLater);

    long start = System.nanoTime();
    Trace trace = traces.atMost(Duration.ofSeconds(30)).await(traceId, allOf(hasAtLeastSpans(3), isComplete()));
    long waited = (System.nanoTime() - start) / 1_000_000;

    late.join();
    LOG.info("await returned after {} ms", waited);
    assertThat(trace).hasSpanCount(3).hasPath("client", "producer").hasNoAnomalies();
    assertThat(waited).as("waited for the last document and the quiet period").isGreaterThanOrEqualTo(2_000);
  }

  @Test
  void awaitTimesOutWithTheLastStatePrinted() {
    String traceId = newTraceId();
    bulk("traces-apm-default", List.of(apmTransaction(traceId, "c000000000000001", "ffffffffffffffff",
        "consumer", "GET /ping", Instant.parse("2026-01-04T00:00:00Z"), 1_000)));

    Throwable failure = org.assertj.core.api.Assertions.catchThrowable(
        () -> traces.atMost(Duration.ofSeconds(2)).await(traceId, isComplete()));

    assertThat(failure).isInstanceOf(AssertionError.class)
        .hasMessageStartingWith("Timed out after 2.00 s waiting for trace " + traceId
            + " to be complete (a single root, no orphans) (")
        .hasMessageContaining("Last state:\nTrace " + traceId + ": 1 span (1 transaction), 1 service")
        .hasMessageContaining("<- orphan: parent ffffffffffffffff not found");
  }

  @Test
  void recentListsTracesOfBothSchemasNewestFirstWithTheirStatus() {
    String service = "recent-" + newTraceId().substring(0, 8);
    Instant now = Instant.now();
    String apmId = newTraceId();
    String otelId = newTraceId();
    String brokenId = newTraceId();
    bulk("traces-apm-default", List.of(
        apmTransaction(apmId, "a000000000000001", null, service, "GET /a", now.minusSeconds(30), 20_000),
        apmSpan(apmId, "a000000000000002", "a000000000000001", service, "query", now.minusSeconds(30).plusMillis(2), 5_000),
        apmTransaction(brokenId, "b000000000000001", null, service, "GET /b", now.minusSeconds(10), 1_000),
        apmTransaction(brokenId, "b000000000000002", "ffffffffffffffff", "other-" + service, "GET /c",
            now.minusSeconds(10), 1_000)));
    bulk("traces-generic.otel-default", List.of(
        otelSpan(otelId, "c000000000000001", null, service, "POST /o", now.minusSeconds(20), 3_000_000)));

    List<TraceSummary> recent = org.awaitility.Awaitility.await("three traces of " + service + " listed")
        .atMost(Duration.ofSeconds(20)).until(() -> traces.recent(10, TraceFilter.all().service(service)), l -> l.size() == 3);

    assertThat(recent).extracting(TraceSummary::traceId).containsExactly(brokenId, otelId, apmId);
    assertThat(recent).extracting(TraceSummary::status).containsExactly(
        TraceSummary.Status.BROKEN, TraceSummary.Status.CONNECTED, TraceSummary.Status.CONNECTED);
    assertThat(recent).extracting(TraceSummary::spanCount).containsExactly(2, 1, 2);
    assertThat(recent.get(1).rootName()).isEqualTo("POST /o");
    assertThat(recent.get(1).duration()).isEqualTo(Duration.ofMillis(3));
    assertThat(recent.get(0).services()).containsExactly(service, "other-" + service);
    assertThat(traces.recent(10, TraceFilter.all().service(service).status(TraceSummary.Status.BROKEN)))
        .extracting(TraceSummary::traceId).containsExactly(brokenId);
    assertThat(traces.recent(1, TraceFilter.all().service(service))).extracting(TraceSummary::traceId)
        .containsExactly(brokenId);
    assertThat(traces.recent(10, TraceFilter.all().service("nobody-" + service))).isEmpty();
    assertThat(traces.recent(50, TraceFilter.all())).extracting(TraceSummary::traceId).contains(apmId, otelId, brokenId);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> traces.recent(0, TraceFilter.all()))
        .hasMessage("limit must be within 1..500, was 0");
  }

  @Test
  void logsCarryingTheTraceIdAreReadFromBothSchemasErrorsAside() {
    String traceId = newTraceId();
    Instant now = Instant.now();
    Map<String, Object> apmLog = new java.util.LinkedHashMap<>();
    apmLog.put("@timestamp", now.minusMillis(5).toString());
    apmLog.put("data_stream", Map.of("type", "logs", "dataset", "apm.app.producer", "namespace", "default"));
    apmLog.put("trace", Map.of("id", traceId));
    apmLog.put("span", Map.of("id", "a000000000000001"));
    apmLog.put("service", Map.of("name", "producer"));
    apmLog.put("log", Map.of("level", "info"));
    apmLog.put("message", "producing for the consumer");
    bulk("logs-apm.app.producer-default", List.of(apmLog));
    Map<String, Object> otelLog = new java.util.LinkedHashMap<>();
    otelLog.put("@timestamp", now.toString());
    otelLog.put("data_stream", Map.of("type", "logs", "dataset", "generic.otel", "namespace", "default"));
    otelLog.put("trace_id", traceId);
    otelLog.put("span_id", "c000000000000001");
    otelLog.put("severity_text", "WARN");
    otelLog.put("body", Map.of("text", "slow consumer"));
    otelLog.put("resource", Map.of("attributes", Map.of("service.name", "consumer")));
    bulk("logs-generic.otel-default", List.of(otelLog));
    Map<String, Object> error = base(traceId, "error", "consumer", now);
    error.put("error", Map.of("id", "e1", "exception", List.of(Map.of("message", "boom", "type", "Error"))));
    bulk("logs-apm.error-default", List.of(error));

    List<TraceLog> logs = traces.logs(traceId);

    assertThat(logs).extracting(TraceLog::message).containsExactly("producing for the consumer", "slow consumer");
    assertThat(logs).extracting(TraceLog::service).containsExactly("producer", "consumer");
    assertThat(logs).extracting(TraceLog::level).containsExactly("info", "WARN");
    assertThat(logs).extracting(TraceLog::spanId).containsExactly("a000000000000001", "c000000000000001");
    assertThat(logs).extracting(TraceLog::dataStream)
        .containsExactly("logs-apm.app.producer-default", "logs-generic.otel-default");
    assertThat(traces.logs(newTraceId())).isEmpty();
  }

  private static Map<String, Object> otelSpan(String traceId, String id, String parent, String service, String name,
      Instant start, long durationNs) {
    Map<String, Object> doc = new java.util.LinkedHashMap<>();
    doc.put("@timestamp", start.toString());
    doc.put("data_stream", Map.of("type", "traces", "dataset", "generic.otel", "namespace", "default"));
    doc.put("trace_id", traceId);
    doc.put("span_id", id);
    if (parent != null) {
      doc.put("parent_span_id", parent);
    }
    doc.put("name", name);
    doc.put("kind", "Server");
    doc.put("duration", durationNs);
    doc.put("resource", Map.of("attributes", Map.of("service.name", service)));
    return doc;
  }

  private static Map<String, Object> apmTransaction(String traceId, String id, String parent, String service,
      String name, Instant start, long durationUs) {
    Map<String, Object> doc = base(traceId, "transaction", service, start);
    doc.put("transaction", Map.of("id", id, "name", name, "type", "request", "duration", Map.of("us", durationUs)));
    doc.put("span", Map.of("id", id));
    if (parent != null) {
      doc.put("parent", Map.of("id", parent));
    }
    return doc;
  }

  private static Map<String, Object> apmSpan(String traceId, String id, String parent, String service,
      String name, Instant start, long durationUs) {
    Map<String, Object> doc = base(traceId, "span", service, start);
    doc.put("span", Map.of("id", id, "name", name, "type", "app", "duration", Map.of("us", durationUs)));
    doc.put("parent", Map.of("id", parent));
    return doc;
  }

  private static Map<String, Object> base(String traceId, String event, String service, Instant start) {
    Map<String, Object> doc = new java.util.LinkedHashMap<>();
    doc.put("@timestamp", start.toString());
    doc.put("timestamp", Map.of("us", start.getEpochSecond() * 1_000_000 + start.getNano() / 1_000));
    doc.put("processor", Map.of("event", event));
    doc.put("trace", Map.of("id", traceId));
    doc.put("service", Map.of("name", service));
    doc.put("event", Map.of("outcome", "success"));
    return doc;
  }

  private static void bulk(String index, List<Map<String, Object>> docs) {
    ElasticsearchClient client = es.client();
    for (int from = 0; from < docs.size(); from += 2_500) {
      List<BulkOperation> ops = docs.subList(from, Math.min(docs.size(), from + 2_500)).stream()
          .map(d -> BulkOperation.of(o -> o.create(c -> c.index(index).document(d))))
          .toList();
      try {
        BulkResponse response = client.bulk(b -> b.operations(ops));
        if (response.errors()) {
          throw new IllegalStateException("bulk into " + index + " failed: " + response.items().stream()
              .filter(i -> i.error() != null).findFirst().map(i -> i.error().reason()).orElse("?"));
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  private static Map<String, Object> map(String json) {
    try {
      return JSON.readValue(json, new TypeReference<>() {});
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String newTraceId() {
    return UUID.randomUUID().toString().replace("-", "");
  }
}
