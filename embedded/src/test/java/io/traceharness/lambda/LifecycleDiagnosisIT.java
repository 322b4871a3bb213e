package io.traceharness.lambda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

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
import io.traceharness.embedded.EmbeddedStack;
import io.traceharness.layers.JavaProducer;
import io.traceharness.stack.FunctionSpec;
import io.traceharness.support.WorkDirs;
import io.traceharness.trace.Trace;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;

/**
 * What the freeze between invocations, the Shutdown phase and a stuck extension do to a function's
 * spans, with real Node.js and Java runtimes and their OpenTelemetry layers on the embedded stack
 * (freeze on, as in AWS), and what the diagnosis says about it. Which span waits where follows from
 * the layers' real code: the Node.js aws-lambda instrumentation force-flushes once the handler is
 * done ({@code @opentelemetry/instrumentation-aws-lambda} {@code _endInvocationSpanAndFlush}), so
 * only spans that end after that wait in the batch; the Java agent's flush lives in its aws-lambda
 * instrumentation ({@code OTEL_INSTRUMENTATION_AWS_LAMBDA_FLUSH_TIMEOUT}), so without it nothing is
 * flushed.
 */
class LifecycleDiagnosisIT {

  static final Path DIR = WorkDirs.root().resolve("lifecycle-diagnosis-it");
  static final Duration WAIT = Duration.ofSeconds(60);

  /**
   * {@code late} leaves its outgoing call running past its response, as a handler that does not await
   * its work does; {@code awaited} waits for it.
   */
  static final String NODE_INDEX = """
      const http = require('http');
      const get = (url) => new Promise((resolve, reject) => {
        http.get(url, (res) => { res.resume(); res.on('end', resolve); }).on('error', reject);
      });
      exports.late = async () => {
        setTimeout(() => get(process.env.DOWNSTREAM_URL).catch((e) => console.log('call failed ' + e)), 20);
        return { left: 'running' };
      };
      exports.awaited = async () => {
        await get(process.env.DOWNSTREAM_URL);
        return { done: true };
      };
      """;

  static EmbeddedStack stack;
  static String recorder;
  static Path nodeCode;
  static Path javaCode;
  static String downstream;

  @BeforeAll
  static void start() throws IOException {
    stack = EmbeddedStack.builder().build().start();
    recorder = stack.lambdaClient().publishLayerVersion(r -> r.layerName("recorder")
        .content(c -> c.zipFile(SdkBytes.fromByteArray(LifecycleFunctions.extensionLayer("recorder")))))
        .layerVersionArn();
    nodeCode = Files.createDirectories(DIR.resolve("node"));
    Files.writeString(nodeCode.resolve("index.js"), NODE_INDEX);
    javaCode = JavaProducer.code(DIR.resolve("java"));
    // any HTTP answer will do for the outgoing call's span
    downstream = stack.lambda().endpoint() + "/ping";
  }

  @AfterAll
  static void stop() {
    if (stack != null) {
      stack.close();
    }
  }

  @Test
  void nodeSpanEndedAfterTheFlushWaitsInTheFrozenEnvironmentForTheNextInvoke() {
    // the recorder keeps the Invoke phase open 400 ms, so the left-behind call ends before the freeze
    deploy(FunctionSpec.nodejs("node-late", "index.late").code(nodeCode).otelLayer().layer(recorder)
        .env("EXTENSION_WORK_MS", "400").env("OTEL_BSP_SCHEDULE_DELAY", "60000"));
    InvokeResult first = invoke("node-late");
    String traceId = traceOfInvocation(first.requestId());
    await("the frozen environment holds the GET span").during(Duration.ofMillis(1_500)).atMost(Duration.ofSeconds(5))
        .until(() -> received(traceId).stream().noneMatch(s -> s.name().startsWith("GET")));
    assertThat(stack.lambda().environments()).filteredOn(e -> e.function().equals("node-late")).hasSize(1);

    invoke("node-late");
    Trace trace = awaitSpans(traceId, 2);
    Diagnosis d = stack.diagnose(traceId, List.of("node-late"));
    System.out.println(d);

    assertThat(d.findings(Diagnosis.Kind.EXPORTED_AFTER_THAW)).as(d.toString()).singleElement()
        .satisfies(f -> assertThat(f.message()).contains("1 span of node-late", "'GET'", "ms later", "frozen from",
            "thawed environment").contains(trace.spans().stream().filter(s -> s.name().startsWith("GET")).findFirst()
            .orElseThrow().spanId()));
    assertThat(d.isClean()).as("the span arrived late, nothing is broken: %s", d).isTrue();
    EmbeddedCollector.ReceivedSpan get = received(traceId).stream().filter(s -> s.name().startsWith("GET")).findFirst()
        .orElseThrow();
    LifecycleLog.Freeze freeze = stack.lambda().lifecycle().freezes().stream()
        .filter(f -> f.function().equals("node-late") && f.to() != null).findFirst().orElseThrow();
    assertThat(get.end()).as("ended before the freeze").isBefore(freeze.from());
    assertThat(get.at()).as("received after the thaw").isAfterOrEqualTo(freeze.to());
  }

  @Test
  void nodeSpansFlushedBeforeTheResponseArriveAtOnce() {
    deploy(FunctionSpec.nodejs("node-awaited", "index.awaited").code(nodeCode).otelLayer()
        .env("OTEL_BSP_SCHEDULE_DELAY", "60000"));
    InvokeResult r = invoke("node-awaited");
    String traceId = traceOfInvocation(r.requestId());

    awaitSpans(traceId, 2);
    assertThat(received(traceId)).extracting(EmbeddedCollector.ReceivedSpan::at)
        .as("every span arrived before the environment froze, with no other invocation")
        .allSatisfy(at -> assertThat(at).isBefore(frozenSince("node-awaited")));
    Diagnosis d = stack.diagnose(traceId, List.of("node-awaited"));
    assertThat(d.has(Diagnosis.Kind.EXPORTED_AFTER_THAW)).as(d.toString()).isFalse();
    assertThat(d.isClean()).as(d.toString()).isTrue();
  }

  @Test
  void javaAgentFlushesAtTheEndOfEachInvocation() {
    deploy(java("java-flushed"));
    InvokeResult r = invoke("java-flushed");
    String traceId = traceOfInvocation(r.requestId());

    awaitSpans(traceId, 2);
    assertThat(received(traceId)).extracting(EmbeddedCollector.ReceivedSpan::at)
        .allSatisfy(at -> assertThat(at).isBefore(frozenSince("java-flushed")));
    assertThat(stack.diagnose(traceId, List.of("java-flushed")).has(Diagnosis.Kind.EXPORTED_AFTER_THAW)).isFalse();
  }

  @Test
  void javaAgentWithoutItsLambdaInstrumentationExportsOnlyWhenThawed() {
    // no aws-lambda instrumentation: no invocation span and no flush; the outgoing call's span is a root
    // that the batch processor would send after 2 s if the environment ran
    deploy(java("java-unflushed").env("OTEL_INSTRUMENTATION_AWS_LAMBDA_ENABLED", "false")
        .env("OTEL_INSTRUMENTATION_AWS_LAMBDA_CORE_ENABLED", "false")
        .env("OTEL_INSTRUMENTATION_AWS_LAMBDA_EVENTS_ENABLED", "false")
        .env("OTEL_BSP_SCHEDULE_DELAY", "2000"));
    Instant before = Instant.now();
    invoke("java-unflushed");
    await("the frozen Java environment holds its span past the 2 s schedule").during(Duration.ofMillis(3_500))
        .atMost(Duration.ofSeconds(8)).until(() -> spansOf("java-unflushed", before).isEmpty());

    // each invocation thaws the environment for a few milliseconds only: the batch processor's worker may
    // need more than one to get its export out, as on AWS
    EmbeddedCollector.ReceivedSpan first = await("the first invocation's span, once a later invocation thawed it")
        .atMost(WAIT).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(500))
        .until(() -> {
          invoke("java-unflushed");
          return spansOf("java-unflushed", before).stream().findFirst();
        }, Optional::isPresent).orElseThrow();
    awaitSpans(first.traceId(), 1);
    Diagnosis d = stack.diagnose(first.traceId(), List.of("java-unflushed"));
    System.out.println(d);

    assertThat(d.findings(Diagnosis.Kind.EXPORTED_AFTER_THAW)).as(d.toString()).singleElement()
        .satisfies(f -> assertThat(f.message()).contains("java-unflushed", first.spanId(), "ms later", "frozen from"));
  }

  @Test
  void spansStillInTheBatchAreLostWhenTheEnvironmentShutsDown() throws Exception {
    deploy(java("java-lost").env("OTEL_INSTRUMENTATION_AWS_LAMBDA_ENABLED", "false")
        .env("OTEL_INSTRUMENTATION_AWS_LAMBDA_CORE_ENABLED", "false")
        .env("OTEL_INSTRUMENTATION_AWS_LAMBDA_EVENTS_ENABLED", "false")
        .env("OTEL_BSP_SCHEDULE_DELAY", "60000"));
    // a caller that reports its own span, then invokes the function; the function's span never leaves
    String traceId = hex(16);
    Instant start = Instant.now();
    InvokeResult r = invoke("java-lost");
    sendCallerSpan(traceId, start, Instant.now());
    Instant before = start;
    // an update retires the environment: with no extension the runtime gets SIGKILL at once
    stack.lambdaClient().updateFunctionConfiguration(u -> u.functionName("java-lost").description("retire it"));
    await("the environment's shutdown").atMost(WAIT).until(() -> stack.lambda().lifecycle().shutdowns().stream()
        .anyMatch(s -> s.function().equals("java-lost")));
    awaitSpans(traceId, 1);
    assertThat(spansOf("java-lost", before)).as("nothing of the function ever reached a collector").isEmpty();

    Diagnosis d = stack.diagnose(traceId, List.of("lost-caller", "java-lost"));
    System.out.println(d);

    assertThat(d.findings(Diagnosis.Kind.LOST_AT_SHUTDOWN)).as(d.toString()).singleElement()
        .satisfies(f -> {
          assertThat(f.requestId()).isEqualTo(r.requestId());
          assertThat(f.message()).contains("java-lost ran (request id " + r.requestId() + ")", "reason spindown",
              "never exported");
        });
    assertThat(d.has(Diagnosis.Kind.MISSING_SERVICE)).as("the loss is explained").isFalse();
  }

  @Test
  void anExtensionThatNeverAsksForTheNextEventHoldsTheInvocationToItsTimeout() {
    deploy(FunctionSpec.nodejs("node-stuck-extension", "index.awaited").code(nodeCode).otelLayer().layer(recorder)
        .env("EXTENSION_WORK_MS", "600000").timeout(Duration.ofSeconds(2)));
    InvokeResult r = invoke("node-stuck-extension");
    String traceId = traceOfInvocation(r.requestId());
    awaitSpans(traceId, 2);

    Diagnosis d = stack.diagnose(traceId, List.of("node-stuck-extension"));
    System.out.println(d);

    assertThat(d.findings(Diagnosis.Kind.EXTENSION_NOT_DONE)).as(d.toString()).singleElement()
        .satisfies(f -> {
          assertThat(f.requestId()).isEqualTo(r.requestId());
          assertThat(f.message()).contains("ran to its timeout of 2000 ms", "extension recorder never asked");
        });
    await("the environment's shutdown").atMost(WAIT).untilAsserted(() -> assertThat(stack.lambda().lifecycle()
        .shutdowns()).filteredOn(s -> s.function().equals("node-stuck-extension"))
        .extracting(LifecycleLog.Shutdown::reason).containsExactly("timeout"));
  }

  // ---- helpers -------------------------------------------------------------------------------

  private static void deploy(FunctionSpec.Builder spec) {
    stack.deploy(spec.env("DOWNSTREAM_URL", downstream).env("OTEL_PROPAGATORS", "tracecontext").build());
  }

  private static FunctionSpec.Builder java(String name) {
    return FunctionSpec.java(name, JavaProducer.HANDLER).runtime("java17")
        .memoryMb(512).timeout(Duration.ofSeconds(60)).code(javaCode).otelLayer();
  }

  private static InvokeResult invoke(String function) {
    InvokeResult r = stack.lambda().invoke(function, "{}".getBytes(StandardCharsets.UTF_8), InvokeOptions.builder().build());
    assertThat(r.isFunctionError()).as("%s: %s", function, r).isFalse();
    return r;
  }

  /** The trace of an invocation, from its invocation span ({@code faas.invocation_id}) as a collector got it. */
  private static String traceOfInvocation(String requestId) {
    return await("a span of invocation " + requestId).atMost(WAIT)
        .until(() -> allReceived().stream().filter(s -> requestId.equals(s.invocationId())).findFirst(),
            Optional::isPresent).orElseThrow().traceId();
  }

  private static List<EmbeddedCollector.ReceivedSpan> received(String traceId) {
    return allReceived().stream().filter(s -> s.traceId().equals(traceId)).toList();
  }

  private static List<EmbeddedCollector.ReceivedSpan> spansOf(String service, Instant since) {
    return allReceived().stream().filter(s -> service.equals(s.service()) && !s.at().isBefore(since)).toList();
  }

  private static List<EmbeddedCollector.ReceivedSpan> allReceived() {
    return stack.collector().receivedSpans();
  }

  private static Instant frozenSince(String function) {
    return await("the environment of " + function + " to freeze").atMost(WAIT)
        .until(() -> stack.lambda().lifecycle().freezes().stream().filter(f -> f.function().equals(function)).findFirst(),
            Optional::isPresent).orElseThrow().from();
  }

  private static Trace awaitSpans(String traceId, int count) {
    return await("trace " + traceId + " with " + count + " spans in Elasticsearch").atMost(WAIT)
        .ignoreException(java.io.UncheckedIOException.class)
        .until(() -> stack.traces().read(traceId), t -> t.size() >= count);
  }

  /** The caller's own span, as an instrumented client reports it, to the stack's collector. */
  private static void sendCallerSpan(String traceId, Instant start, Instant end) throws Exception {
    Span span = Span.newBuilder().setTraceId(ByteString.fromHex(traceId)).setSpanId(ByteString.fromHex(hex(8)))
        .setName("POST /invoke").setKind(Span.SpanKind.SPAN_KIND_CLIENT)
        .setStartTimeUnixNano(nanos(start)).setEndTimeUnixNano(nanos(end)).build();
    ExportTraceServiceRequest request = ExportTraceServiceRequest.newBuilder().addResourceSpans(ResourceSpans.newBuilder()
        .setResource(Resource.newBuilder().addAttributes(KeyValue.newBuilder().setKey("service.name")
            .setValue(AnyValue.newBuilder().setStringValue("lost-caller"))))
        .addScopeSpans(ScopeSpans.newBuilder().addSpans(span))).build();
    HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
            URI.create(stack.collector().otlpHttpEndpoint() + "/v1/traces")).header("Content-Type", "application/x-protobuf")
        .POST(HttpRequest.BodyPublishers.ofByteArray(request.toByteArray())).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
  }

  private static long nanos(Instant t) {
    return t.getEpochSecond() * 1_000_000_000L + t.getNano();
  }

  private static String hex(int bytes) {
    byte[] b = new byte[bytes];
    ThreadLocalRandom.current().nextBytes(b);
    return HexFormat.of().formatHex(b);
  }
}
