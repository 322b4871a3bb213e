package io.traceharness.bench;

import static org.awaitility.Awaitility.await;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch.core.BulkRequest;
import co.elastic.clients.elasticsearch.core.BulkResponse;
import co.elastic.clients.elasticsearch.core.search.Hit;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporter;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.traceharness.apm.EmbeddedApmServer;
import io.traceharness.elasticsearch.EmbeddedElasticsearch;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Spans/s from OTLP export to searchable through the embedded APM Server, next to raw
 * {@code _bulk} of the very same documents into the same node (the baseline, same run), plus the
 * export-to-searchable latency of single spans, split at the bulk acknowledgement (what the APM
 * Server spends) and the index refresh (what Elasticsearch adds). Bounded to about a minute after
 * the node is up.
 */
public final class ApmPipelineBenchmark {

  private static final int SPANS = 10_000;
  private static final int SPANS_PER_TRACE = 10;
  private static final int LATENCY_SAMPLES = 100;
  private static final String INDEX = "traces-apm*";

  private ApmPipelineBenchmark() {
  }

  public static void main(String[] args) throws Exception {
    try (EmbeddedElasticsearch es = EmbeddedElasticsearch.builder().build()) {
      es.start();
      try (EmbeddedApmServer apm = EmbeddedApmServer.builder().elasticsearch(es.endpoint()).build().start()) {
        ElasticsearchClient client = es.client();
        throughput(apm, client, 1_000);
        String run = UUID.randomUUID().toString();
        double pipelineRate = throughput(apm, client, SPANS, run);
        List<ObjectNode> documents = documentsOf(client, run);
        double rawRate = rawBulk(client, documents);
        double[] latency = latency(apm, client);
        System.out.printf(Locale.ROOT, "ApmPipelineBenchmark (%d spans, %d per trace)%n", SPANS, SPANS_PER_TRACE);
        System.out.printf(Locale.ROOT, "  raw _bulk of the same documents to searchable : %8.0f spans/s%n", rawRate);
        System.out.printf(Locale.ROOT, "  OTLP/gRPC -> APM Server -> searchable         : %8.0f spans/s%n", pipelineRate);
        System.out.printf(Locale.ROOT, "  ratio pipeline / raw                          : %8.2f   (goal >= 0.70)%n",
            pipelineRate / rawRate);
        System.out.printf(Locale.ROOT, "  export-to-searchable latency over %d spans     : p50 %d ms, p99 %d ms   (goal p50 <= 500 ms)%n",
            LATENCY_SAMPLES, (long) latency[0], (long) latency[1]);
        System.out.printf(Locale.ROOT, "    of which export-to-bulk-acknowledged         : p50 %d ms, p99 %d ms   (the rest is the index refresh)%n",
            (long) latency[2], (long) latency[3]);
        System.out.println("  APM Server " + apm.stats());
      }
    }
  }

  private static SdkTracerProvider provider(EmbeddedApmServer apm, boolean batch) {
    OtlpGrpcSpanExporter exporter = OtlpGrpcSpanExporter.builder().setEndpoint(apm.endpoint().toString()).build();
    SpanProcessor processor = batch
        ? BatchSpanProcessor.builder(exporter).setMaxQueueSize(SPANS * 2).setMaxExportBatchSize(512)
            .setScheduleDelay(Duration.ofMillis(20)).build()
        : SimpleSpanProcessor.create(exporter);
    return SdkTracerProvider.builder()
        .setResource(Resource.getDefault().merge(Resource.create(Attributes.of(AttributeKey.stringKey("service.name"), "bench"))))
        .addSpanProcessor(processor).build();
  }

  private static double throughput(EmbeddedApmServer apm, ElasticsearchClient client, int spans) throws Exception {
    return throughput(apm, client, spans, UUID.randomUUID().toString());
  }

  /** Creates and exports {@code spans} spans, returns spans/s until all are searchable. */
  private static double throughput(EmbeddedApmServer apm, ElasticsearchClient client, int spans, String run) throws Exception {
    SdkTracerProvider provider = provider(apm, true);
    Tracer tracer = provider.get("bench");
    long t0 = System.nanoTime();
    for (int i = 0; i < spans; i += SPANS_PER_TRACE) {
      Span root = tracer.spanBuilder("GET /produce").setSpanKind(SpanKind.SERVER).setAttribute("run", run)
          .setAttribute("http.request.method", "GET").setAttribute("http.response.status_code", 200L).startSpan();
      try (Scope ignored = root.makeCurrent()) {
        for (int c = 1; c < SPANS_PER_TRACE; c++) {
          tracer.spanBuilder("GET").setSpanKind(SpanKind.CLIENT).setAttribute("run", run)
              .setAttribute("url.full", "http://consumer.local:8080/ping").startSpan().end();
        }
      } finally {
        root.end();
      }
    }
    provider.forceFlush().join(60, TimeUnit.SECONDS);
    awaitCount(client, run, spans, Duration.ofSeconds(60));
    double seconds = (System.nanoTime() - t0) / 1e9;
    provider.shutdown().join(10, TimeUnit.SECONDS);
    return spans / seconds;
  }

  private static void awaitCount(ElasticsearchClient client, String run, long expected, Duration timeout) throws Exception {
    await(expected + " documents of run " + run + " to be searchable").atMost(timeout)
        .pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(20))
        // a data stream just created answers 503 until its shard is allocated
        .ignoreExceptions()
        .until(() -> client.count(c -> c.index(INDEX).query(q -> q.match(m -> m.field("labels.run").query(run))))
            .count(), n -> n >= expected);
  }

  private static List<ObjectNode> documentsOf(ElasticsearchClient client, String run) throws Exception {
    return client.search(s -> s.index(INDEX).size(SPANS).query(q -> q.match(m -> m.field("labels.run").query(run))),
        ObjectNode.class).hits().hits().stream().map(Hit::source).toList();
  }

  /** The same documents, relabelled with a new run, written with plain _bulk; spans/s to searchable. */
  private static double rawBulk(ElasticsearchClient client, List<ObjectNode> documents) throws Exception {
    String run = UUID.randomUUID().toString();
    List<ObjectNode> copies = new ArrayList<>(documents.size());
    for (ObjectNode d : documents) {
      ObjectNode copy = d.deepCopy();
      ((ObjectNode) copy.get("labels")).put("run", run);
      copies.add(copy);
    }
    long t0 = System.nanoTime();
    for (int i = 0; i < copies.size(); i += 1000) {
      List<ObjectNode> slice = copies.subList(i, Math.min(copies.size(), i + 1000));
      BulkRequest.Builder b = new BulkRequest.Builder();
      for (ObjectNode d : slice) {
        b.operations(o -> o.create(c -> c.index("traces-apm-default").document(d)));
      }
      BulkResponse r = client.bulk(b.build());
      if (r.errors()) {
        throw new IllegalStateException("raw bulk failed: " + r.items().get(0).error());
      }
    }
    awaitCount(client, run, copies.size(), Duration.ofSeconds(60));
    return copies.size() / ((System.nanoTime() - t0) / 1e9);
  }

  /** Single spans exported one by one; time from export until a search finds each. p50 and p99 in ms. */
  private static double[] latency(EmbeddedApmServer apm, ElasticsearchClient client) throws Exception {
    SdkTracerProvider provider = provider(apm, false);
    Tracer tracer = provider.get("bench");
    Map<String, Long> pending = new ConcurrentHashMap<>();
    List<Double> latencies = Collections.synchronizedList(new ArrayList<>());
    // one search every 25 ms finds the spans exported meanwhile: the resolution of the measurement
    ScheduledExecutorService poller = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "latency-poller"));
    poller.scheduleWithFixedDelay(() -> {
      try {
        if (!pending.isEmpty()) {
          List<String> ids = new ArrayList<>(pending.keySet());
          var hits = client.search(s -> s.index(INDEX).size(ids.size()).source(src -> src.filter(f -> f.includes("span.id")))
              .query(q -> q.terms(t -> t.field("span.id").terms(v -> v.value(ids.stream()
                  .map(co.elastic.clients.elasticsearch._types.FieldValue::of).toList())))), ObjectNode.class);
          long now = System.nanoTime();
          for (Hit<ObjectNode> h : hits.hits().hits()) {
            Long start = pending.remove(h.source().path("span").path("id").asText());
            if (start != null) {
              latencies.add((now - start) / 1e6);
            }
          }
        }
      } catch (Exception e) {
        // shard not yet allocated or a busy node: the next round polls again
      }
    }, 0, 25, TimeUnit.MILLISECONDS);
    List<Double> acknowledged = new ArrayList<>();
    for (int i = 0; i < LATENCY_SAMPLES; i++) {
      long indexedBefore = apm.stats().documentsIndexed();
      Span span = tracer.spanBuilder("latency").setSpanKind(SpanKind.SERVER).startSpan();
      long t0 = System.nanoTime();
      pending.put(span.getSpanContext().getSpanId(), t0);
      span.end();
      // the part spent before Elasticsearch's refresh: until the bulk that carries the span is acknowledged
      await("the bulk that carries latency sample " + (i + 1)).atMost(Duration.ofSeconds(10))
          .pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(1)).pollInSameThread()
          .until(() -> apm.stats().documentsIndexed() > indexedBefore);
      acknowledged.add((System.nanoTime() - t0) / 1e6);
      // pacing, not waiting for anything: samples this far apart do not share a bulk
      Thread.sleep(50);
    }
    Collections.sort(acknowledged);
    await("every latency sample to be searchable").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
        .until(pending::isEmpty);
    poller.shutdownNow();
    poller.awaitTermination(10, TimeUnit.SECONDS);
    provider.shutdown().join(10, TimeUnit.SECONDS);
    List<Double> sorted = new ArrayList<>(latencies);
    Collections.sort(sorted);
    if (sorted.isEmpty()) {
      throw new IllegalStateException("no latency sample became searchable");
    }
    return new double[] {percentile(sorted, 0.5), percentile(sorted, 0.99), percentile(acknowledged, 0.5),
        percentile(acknowledged, 0.99)};
  }

  private static double percentile(List<Double> sorted, double p) {
    return sorted.get(Math.min(sorted.size() - 1, (int) (sorted.size() * p)));
  }
}
