package io.traceharness.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.ByteString;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.traceharness.collector.EmbeddedCollector;
import io.traceharness.diagnosis.Diagnosis;
import io.traceharness.elasticsearch.EmbeddedElasticsearch;
import io.traceharness.embedded.EmbeddedStack;
import io.traceharness.junit.TracingStackTest;
import io.traceharness.scenario.BlogScenario;
import io.traceharness.stack.Deployment;
import io.traceharness.stack.FunctionSpec;
import io.traceharness.stack.TracingStack;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.lambda.model.InvokeResponse;

/**
 * Faults a user's worst day brings: Elasticsearch SIGKILLed under a steady stream of spans, a
 * function's runtime killed mid-invocation, the stack's collector stopped while functions run.
 * Each test prints its figures; every wait is bounded.
 */
@TracingStackTest
class FaultsIT {

  private static final Map<String, String> FIGURES = new LinkedHashMap<>();
  private static final Random IDS = new SecureRandom();

  @TempDir
  static Path work;

  @AfterAll
  static void printFigures() {
    StringBuilder b = new StringBuilder("\n== FaultsIT\n");
    FIGURES.forEach((k, v) -> b.append(String.format("%-40s %s%n", k, v)));
    System.out.println(b);
  }

  private static EmbeddedStack embedded(TracingStack stack) {
    assumeTrue(stack instanceof EmbeddedStack, "killing and restarting components needs the embedded stack's handles");
    return (EmbeddedStack) stack;
  }

  // ---------------------------------------------------------------- Elasticsearch killed

  /**
   * Spans flow at a steady rate, half through the stack's collector and half straight to APM Server
   * (OTLP/HTTP), while the Elasticsearch server JVM is SIGKILLed and started again on its ports and
   * data. APM Server's bulk writer keeps what it accepted and retries until Elasticsearch answers;
   * every span accepted is then in Elasticsearch, counted by distinct span id.
   */
  @Test
  void elasticsearchKilledAndRestartedLosesNoSpan(TracingStack stack) throws Exception {
    EmbeddedStack s = embedded(stack);
    EmbeddedElasticsearch es = s.elasticsearch();
    String service = "faults-es-" + hex(3);
    URI collector = stack.endpoints().otlpHttp().resolve("/v1/traces");
    URI apm = stack.endpoints().apmServer().resolve("/v1/traces");
    String auth = "Bearer " + stack.endpoints().apmSecretToken();
    AtomicLong accepted = new AtomicLong();
    AtomicLong refusals = new AtomicLong();
    AtomicLong batches = new AtomicLong();
    int spansPerBatch = 10;
    ScheduledExecutorService sender = Executors.newSingleThreadScheduledExecutor();
    AtomicLong sendErrors = new AtomicLong();
    Instant killedAt = null;
    Instant readyAt = null;
    try {
      // 10 batches a second: a steady stream, small enough for two shared cores
      sender.scheduleAtFixedRate(() -> {
        boolean viaCollector = batches.getAndIncrement() % 2 == 0;
        byte[] body = batch(service, spansPerBatch).toByteArray();
        // a sender retries what is refused for now (503), as OTLP exporters do; at most 20 tries
        for (int attempt = 0; attempt < 20; attempt++) {
          try {
            Wire.Answer a = Wire.send("POST", viaCollector ? collector : apm, body, "Content-Type",
                "application/x-protobuf", "Authorization", viaCollector ? null : auth);
            if (a.status() == 200) {
              accepted.addAndGet(spansPerBatch);
              return;
            }
            refusals.incrementAndGet();
          } catch (RuntimeException e) {
            // an exception would cancel the schedule: count it, the batch is not accepted
            sendErrors.incrementAndGet();
          }
        }
      }, 0, 100, TimeUnit.MILLISECONDS);
      await("spans flowing before the kill").atMost(Duration.ofSeconds(30)).until(() -> accepted.get() >= 200);
      long pid = es.pid();
      assertThat(pid).as("the Elasticsearch server JVM's pid").isPositive();
      long beforeKill = accepted.get();
      killedAt = Instant.now();
      // SIGKILL, as kill -9 sends it: no shutdown, no flush
      assertThat(ProcessHandle.of(pid).map(ProcessHandle::destroyForcibly)).as("SIGKILL sent to " + pid).contains(true);
      await("the launcher notices its server died").atMost(Duration.ofSeconds(30)).until(() -> !es.isRunning());
      es.stop(); // reaps what is left of the launcher's process group
      es.start();
      readyAt = Instant.now();
      long atRestart = accepted.get();
      await("spans flowing after the restart").atMost(Duration.ofSeconds(30))
          .until(() -> accepted.get() >= atRestart + 200);
      FIGURES.put("es kill: spans before kill", Long.toString(beforeKill));
      FIGURES.put("es kill: spans accepted while down", Long.toString(atRestart - beforeKill));
    } finally {
      sender.shutdown();
      assertThat(sender.awaitTermination(60, TimeUnit.SECONDS)).as("the sender stopped").isTrue();
    }
    long sent = accepted.get();
    long[] indexed = {0, 0};
    try {
      await(sent + " spans of " + service + " in Elasticsearch").atMost(Duration.ofSeconds(120))
          .pollInterval(Duration.ofSeconds(1))
          .until(() -> {
            long[] n = countSpans(stack.endpoints().elasticsearch(), service);
            indexed[0] = n[0];
            indexed[1] = n[1];
            return n[0] >= sent;
          });
    } finally {
      FIGURES.put("es kill: outage (kill -> ready)", killedAt == null || readyAt == null ? "-"
          : Duration.between(killedAt, readyAt).toMillis() + " ms");
      FIGURES.put("es kill: send errors", Long.toString(sendErrors.get()));
      FIGURES.put("es kill: spans sent / indexed", sent + " / " + indexed[0]);
      FIGURES.put("es kill: duplicate documents", Long.toString(indexed[1] - indexed[0]));
      FIGURES.put("es kill: refusals retried by sender", Long.toString(refusals.get()));
    }
    assertThat(indexed[0]).as("distinct spans in Elasticsearch, of %d accepted", sent).isEqualTo(sent);
  }

  private static ExportTraceServiceRequest batch(String service, int spans) {
    long now = System.currentTimeMillis() * 1_000_000L;
    ScopeSpans.Builder scope = ScopeSpans.newBuilder();
    byte[] traceId = HexFormat.of().parseHex(hex(16));
    for (int i = 0; i < spans; i++) {
      // children of one remote parent: each becomes a span document with its own span.id
      scope.addSpans(Span.newBuilder().setTraceId(ByteString.copyFrom(traceId))
          .setSpanId(ByteString.copyFrom(HexFormat.of().parseHex(hex(8))))
          .setParentSpanId(ByteString.copyFrom(HexFormat.of().parseHex(hex(8))))
          .setName("work-" + i).setKind(Span.SpanKind.SPAN_KIND_INTERNAL)
          .setStartTimeUnixNano(now - 1_000_000).setEndTimeUnixNano(now));
    }
    Resource resource = Resource.newBuilder().addAttributes(KeyValue.newBuilder().setKey("service.name")
        .setValue(AnyValue.newBuilder().setStringValue(service))).build();
    return ExportTraceServiceRequest.newBuilder()
        .addResourceSpans(ResourceSpans.newBuilder().setResource(resource).addScopeSpans(scope)).build();
  }

  /**
   * Distinct span ids and documents of the service's spans, exactly: documents less the extra copies
   * of each id seen more than once (a terms aggregation that sees every id; {@code cardinality} is an
   * estimate, which may be one off even below its precision threshold).
   */
  private static long[] countSpans(URI elasticsearch, String service) {
    String q = "{\"size\":0,\"track_total_hits\":true,\"query\":{\"bool\":{\"filter\":[{\"term\":{\"service.name\":\""
        + service + "\"}},{\"term\":{\"processor.event\":\"span\"}}]}},"
        + "\"aggs\":{\"copies\":{\"terms\":{\"field\":\"span.id\",\"min_doc_count\":2,\"size\":50000,"
        + "\"shard_size\":50000}}}}";
    Wire.Answer a = Wire.send("POST", elasticsearch.resolve("/traces-*/_search?ignore_unavailable=true&allow_no_indices=true"),
        q.getBytes(StandardCharsets.UTF_8), "Content-Type", "application/json");
    if (a.status() != 200) {
      return new long[] {0, 0};
    }
    try {
      JsonNode n = Wire.JSON.readTree(a.body());
      long documents = n.path("hits").path("total").path("value").asLong();
      long extraCopies = 0;
      for (JsonNode bucket : n.path("aggregations").path("copies").path("buckets")) {
        extraCopies += bucket.path("doc_count").asLong() - 1;
      }
      return new long[] {documents - extraCopies, documents};
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  // ---------------------------------------------------------------- runtime killed

  /** Writes its pid where PID_FILE says, then waits: the test kills it mid-invocation. */
  private static final String BLOCKING_HANDLER = """
      'use strict';
      const fs = require('fs');
      module.exports.handle = async (event) => {
        if (event && event.block) {
          fs.writeFileSync(process.env.PID_FILE, String(process.pid));
          await new Promise((resolve) => setTimeout(resolve, 120000));
        }
        return { pid: process.pid };
      };
      """;

  /**
   * A runtime process SIGKILLed during an invocation: the caller gets Lambda's answer, a function
   * error {@code Unhandled} with {@code Runtime.ExitError} and "Runtime exited with error: signal:
   * killed" (the form Lambda logs, "RequestId: … Error: Runtime exited with error: signal: killed"
   * then "Runtime.ExitError"; AWS Lambda developer guide, "Troubleshoot invocation issues"); the next
   * invocation runs in a fresh execution environment.
   */
  @Test
  void aRuntimeKilledMidInvocationIsAnExitErrorAndTheNextInvokeGetsAFreshEnvironment(TracingStack stack)
      throws Exception {
    Path code = Files.createDirectories(work.resolve("blocking"));
    Files.writeString(code.resolve("handler.js"), BLOCKING_HANDLER);
    Path pidFile = work.resolve("runtime.pid");
    Deployment fn = stack.deploy(FunctionSpec.nodejs("faults-killed", "handler.handle").code(code)
        .timeout(Duration.ofSeconds(150)).env("PID_FILE", pidFile.toString()).build());
    CompletableFuture<InvokeResponse> blocked = CompletableFuture.supplyAsync(() -> stack.lambdaClient()
        .invoke(r -> r.functionName(fn.name()).payload(SdkBytes.fromUtf8String("{\"block\":true}"))));
    long pid = Long.parseLong(await("the handler writes its pid").atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> Files.isRegularFile(pidFile) ? Files.readString(pidFile).strip() : "", p -> !p.isEmpty()));
    long t0 = System.nanoTime();
    // SIGKILL, as kill -9 sends it
    assertThat(ProcessHandle.of(pid).map(ProcessHandle::destroyForcibly)).as("SIGKILL sent to runtime " + pid)
        .contains(true);
    InvokeResponse r = blocked.get(30, TimeUnit.SECONDS);
    long answeredMs = (System.nanoTime() - t0) / 1_000_000;
    JsonNode payload = Wire.JSON.readTree(r.payload().asUtf8String());
    InvokeResponse next = stack.lambdaClient().invoke(x -> x.functionName(fn.name()).payload(SdkBytes.fromUtf8String("{}")));
    long nextPid = Wire.JSON.readTree(next.payload().asUtf8String()).path("pid").asLong();
    FIGURES.put("runtime kill: answered after", answeredMs + " ms");
    FIGURES.put("runtime kill: caller got", r.statusCode() + " " + r.functionError() + " " + payload);
    FIGURES.put("runtime kill: next invoke", next.statusCode() + ", pid " + pid + " -> " + nextPid);

    assertThat(r.statusCode()).as("Invoke's own status").isEqualTo(200);
    assertThat(r.functionError()).as("X-Amz-Function-Error").isEqualTo("Unhandled");
    assertThat(payload.path("errorType").asText()).isEqualTo("Runtime.ExitError");
    assertThat(payload.path("errorMessage").asText())
        .matches("RequestId: [0-9a-f-]{36} Error: Runtime exited with error: signal: killed");
    assertThat(next.statusCode()).isEqualTo(200);
    assertThat(next.functionError()).as("the next invocation's function error").isNull();
    assertThat(nextPid).as("the next invocation's runtime pid").isPositive().isNotEqualTo(pid);
  }

  // ---------------------------------------------------------------- collector stopped

  /**
   * The post's functions export to the stack's collector (no layer collector here); it is stopped
   * while clients call them and started again on its ports. The functions keep answering, though
   * slowly: the layer flushes its spans before an invocation ends and waits out its exporter's
   * retries (about 8 s a function here). What was lost is reported: the diagnosis of a trace made
   * during the outage names it.
   */
  @Test
  void theCollectorStoppedWhileFunctionsRunIsReported(TracingStack stack) throws Exception {
    EmbeddedStack s = embedded(stack);
    EmbeddedCollector collector = s.collector();
    // an empty collector configuration: the functions export to the stack's collector
    BlogScenario scenario = BlogScenario.builder(stack).suffix("-outage").env("OPENTELEMETRY_COLLECTOR_CONFIG_FILE", "")
        .build();
    BlogScenario.Functions f = scenario.deploy();
    Set<String> services = Set.of("faults-client", scenario.producerName(), scenario.consumerName());
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      LightClient client = new LightClient(stack.endpoints().apmServer(), stack.endpoints().apmSecretToken(),
          "faults-client", pool);
      URI produce = f.producer().url();
      List<LightClient.Call> before = calls(client, produce, 3);
      collector.stop();
      Instant stopped = Instant.now();
      long t0 = System.nanoTime();
      List<LightClient.Call> during = calls(client, produce, 3);
      long duringMs = (System.nanoTime() - t0) / 1_000_000 / during.size();
      collector.start();
      Duration outage = Duration.between(stopped, Instant.now());
      List<LightClient.Call> after = calls(client, produce, 3);

      List<LightClient.Call> all = new ArrayList<>(before);
      all.addAll(during);
      all.addAll(after);
      FIGURES.put("collector stop: invokes (before/during/after)", before.size() + "/" + during.size() + "/" + after.size());
      FIGURES.put("collector stop: statuses", all.stream().map(c -> Integer.toString(c.status())).distinct().toList().toString());
      FIGURES.put("collector stop: outage", outage.toMillis() + " ms");
      FIGURES.put("collector stop: a scenario during it took", duringMs + " ms");
      assertThat(all).as("every invoke through API Gateway answered").allSatisfy(c ->
          assertThat(c.status()).as("status of trace %s: %s", c.traceId(), c.body()).isEqualTo(200));

      List<String> healthy = new ArrayList<>();
      before.forEach(c -> healthy.add(c.traceId()));
      after.forEach(c -> healthy.add(c.traceId()));
      await("the traces made before and after the outage complete").atMost(Duration.ofSeconds(90))
          .pollInterval(Duration.ofSeconds(1))
          .untilAsserted(() -> assertThat(BulkTraces.check(stack.endpoints().elasticsearch(), healthy, services))
              .as("what each trace lacks").allSatisfy((id, lacks) -> assertThat(lacks).as(id).isEmpty()));

      // whatever arrived from the outage has arrived by now: the traces after it are complete
      Map<String, String> verdicts = BulkTraces.check(stack.endpoints().elasticsearch(),
          during.stream().map(LightClient.Call::traceId).toList(), services);
      long lost = verdicts.values().stream().filter(v -> !v.isEmpty()).count();
      FIGURES.put("collector stop: outage traces incomplete", lost + " of " + during.size());
      FIGURES.put("collector stop: dropped at stop", collector.outages().get(collector.outages().size() - 1)
          .droppedAtStop() + " items");
      String shown = null;
      for (LightClient.Call c : during) {
        Diagnosis d = stack.diagnose(c.traceId(), List.of("faults-client", scenario.producerName(), scenario.consumerName()));
        if (shown == null && !verdicts.get(c.traceId()).isEmpty()) {
          shown = String.join("\n    ", d.lines());
        }
        assertThat(d.findings(Diagnosis.Kind.COMPONENT_DOWN)).as("diagnosis of %s, made during the outage:\n%s",
            c.traceId(), d).anySatisfy(x -> assertThat(x.message()).startsWith("the stack's collector"));
      }
      FIGURES.put("collector stop: a diagnosis", shown == null ? "(no trace lost)" : "\n    " + shown);
    } finally {
      pool.shutdownNow();
    }
  }

  private static List<LightClient.Call> calls(LightClient client, URI url, int n) {
    List<LightClient.Call> calls = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      calls.add(client.call("POST", url, "{\"message\":\"hello\"}"));
    }
    return calls;
  }

  private static String hex(int bytes) {
    byte[] b = new byte[bytes];
    IDS.nextBytes(b);
    b[0] |= 1;
    return HexFormat.of().formatHex(b);
  }
}
