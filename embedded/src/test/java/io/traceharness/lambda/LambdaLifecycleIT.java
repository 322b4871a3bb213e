package io.traceharness.lambda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.traceharness.support.WorkDirs;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;

/**
 * The execution environment's lifecycle with real Node.js processes: external extensions (Extensions
 * API), the Invoke phase that ends only when every extension is done, the freeze between invocations,
 * the Shutdown phase (SIGTERM, {@code SHUTDOWN}, SIGKILL), and the Telemetry API.
 */
class LambdaLifecycleIT {

  static final ObjectMapper JSON = new ObjectMapper();
  static final Path DIR = WorkDirs.root().resolve("lambda-lifecycle-it");
  static LambdaEmulator lambda;
  static Path nodeZip;
  static String recorderLayer;

  @BeforeAll
  static void start() {
    lambda = LambdaEmulator.builder().workDir(DIR.resolve("lambda")).build().start();
    nodeZip = TestFunctions.write(DIR, "lifecycle.zip", LifecycleFunctions.nodeZip());
    recorderLayer = lambda.client().publishLayerVersion(r -> r.layerName("recorder")
        .content(c -> c.zipFile(SdkBytes.fromByteArray(LifecycleFunctions.extensionLayer("recorder")))))
        .layerVersionArn();
  }

  @AfterAll
  static void stop() {
    if (lambda != null) {
      lambda.stop();
    }
  }

  @Test
  void anExternalExtensionRegistersAndGetsEveryInvokeEvent() throws Exception {
    DeployedFunction fn = lambda.deploy(FunctionDefinition.nodejs("with-extension", "index.echo").code(nodeZip)
        .layer(recorderLayer).tracingMode("Active").build());
    InvokeResult first = fn.invoke("{}");
    InvokeResult second = fn.invoke("{}");
    String log = fn.logs();

    assertThat(log).as("the platform names the extension at the end of Init, before the first START")
        .containsSubsequence("INIT_START", "[recorder] registered 200 {\"functionName\":\"with-extension\","
            + "\"functionVersion\":\"$LATEST\",\"handler\":\"index.echo\"}",
            "EXTENSION\tName: recorder\tState: Ready\tEvents: [INVOKE, SHUTDOWN]\n",
            "START RequestId: " + first.requestId());
    for (InvokeResult r : new InvokeResult[] {first, second}) {
      JsonNode event = invokeEventIn(block(log, r.requestId()), r.requestId());
      assertThat(event.path("eventType").asText()).isEqualTo("INVOKE");
      assertThat(event.path("invokedFunctionArn").asText())
          .isEqualTo("arn:aws:lambda:us-east-1:000000000000:function:with-extension");
      assertThat(event.path("deadlineMs").asLong()).isBetween(System.currentTimeMillis(),
          System.currentTimeMillis() + 4_000);
      assertThat(event.path("tracing").path("type").asText()).isEqualTo("X-Amzn-Trace-Id");
      assertThat(event.path("tracing").path("value").asText()).startsWith("Root=1-").contains(";Sampled=1");
    }
    assertThat(lambda.invocations()).filteredOn(i -> i.function().equals("with-extension"))
        .extracting(Invocation::instanceId).containsOnly(lambda.invocations().stream()
            .filter(i -> i.requestId().equals(first.requestId())).findFirst().orElseThrow().instanceId());
  }

  @Test
  void anExtensionsWorkAfterTheResponseCountsInTheDuration() {
    DeployedFunction fn = lambda.deploy(FunctionDefinition.nodejs("slow-extension", "index.echo").code(nodeZip)
        .layer(recorderLayer).env("EXTENSION_WORK_MS", "400").build());
    fn.invoke("{}");
    InvokeResult warm = fn.invoke("{}");
    String block = block(fn.logs(), warm.requestId());
    assertThat(block).as("the extension's output after the response belongs to the invocation")
        .contains("[recorder] worked 400 ms after " + warm.requestId());
    assertThat(reportedMillis(block, "Duration")).as("REPORT Duration counts the extension's work")
        .isGreaterThanOrEqualTo(400.0);
  }

  @Test
  void aFrozenEnvironmentRunsALeftoverTimerOnlyAtTheNextInvoke() throws Exception {
    DeployedFunction fn = lambda.deploy(FunctionDefinition.nodejs("leftover", "index.leave").code(nodeZip).build());
    InvokeResult first = fn.invoke("{\"id\":\"first\",\"ms\":700}");
    // far longer than the timer: it would fire within this in an environment left running
    await("the frozen environment's leftover timer stays silent").during(Duration.ofMillis(2_500))
        .atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(100))
        .until(() -> !after(fn.logs(), "REPORT RequestId: " + first.requestId()).contains("leftover timer"));
    InvokeResult second = fn.invoke("{\"id\":\"second\",\"ms\":60000,\"wait\":300}");
    assertThat(block(fn.logs(), second.requestId())).as("the timer fires once the next invocation thaws the environment")
        .contains("leftover timer of first fired");
    assertThat(lambda.freezeStats().count()).isPositive();
  }

  @Test
  void withoutFreezeTheTimerFiresBetweenInvocations() throws Exception {
    try (LambdaEmulator running = LambdaEmulator.builder().workDir(DIR.resolve("lambda-nofreeze")).freeze(false).build()
        .start()) {
      DeployedFunction fn = running.deploy(FunctionDefinition.nodejs("leftover", "index.leave").code(nodeZip).build());
      fn.invoke("{\"id\":\"first\",\"ms\":100}");
      Path runtimeLogs = DIR.resolve("lambda-nofreeze").resolve("instances");
      org.awaitility.Awaitility.await("the leftover timer in the running environment's output")
          .atMost(Duration.ofSeconds(10))
          .until(() -> {
            try (var files = java.nio.file.Files.walk(runtimeLogs)) {
              return files.filter(f -> f.getFileName().toString().equals("runtime.log"))
                  .anyMatch(f -> ProcessReadings.read(f, 0, ProcessReadings.size(f)).contains("leftover timer of first fired"));
            }
          });
      assertThat(running.freezeStats()).isNull();
    }
  }

  @Test
  void anUpdateSpinsTheEnvironmentDownWithSigtermThenShutdown() throws Exception {
    DeployedFunction fn = lambda.deploy(FunctionDefinition.nodejs("spun-down", "index.echo").code(nodeZip)
        .layer(recorderLayer).build());
    InvokeResult r = fn.invoke("{}");
    long before = System.currentTimeMillis();
    lambda.client().updateFunctionConfiguration(u -> u.functionName("spun-down").description("retire the environment"));
    org.awaitility.Awaitility.await("the SHUTDOWN event in the function's log").atMost(Duration.ofSeconds(15))
        .until(() -> after(fn.logs(), "REPORT RequestId: " + r.requestId()).contains("\"eventType\":\"SHUTDOWN\""));
    String after = after(fn.logs(), "REPORT RequestId: " + r.requestId());
    assertThat(after).as("SIGTERM to the runtime first, then SHUTDOWN to the extension")
        .containsSubsequence("runtime got SIGTERM", "[recorder] event {\"eventType\":\"SHUTDOWN\"");
    JsonNode event = shutdownEventIn(after);
    assertThat(event.path("shutdownReason").asText()).isEqualTo("spindown");
    assertThat(event.path("deadlineMs").asLong()).as("2,000 ms for a function with an external extension")
        .isBetween(before + 1_500, System.currentTimeMillis() + 2_000);
  }

  @Test
  void aTimeoutEndsTheEnvironmentWithShutdownReasonTimeout() throws Exception {
    DeployedFunction fn = lambda.deploy(FunctionDefinition.nodejs("timing-out", "index.leave").code(nodeZip)
        .layer(recorderLayer).timeout(Duration.ofSeconds(1)).build());
    InvokeResult r = fn.invoke("{\"id\":\"slow\",\"ms\":60000,\"wait\":5000}");
    assertThat(r.functionError()).isEqualTo("Unhandled");
    org.awaitility.Awaitility.await("the SHUTDOWN event in the function's log").atMost(Duration.ofSeconds(15))
        .until(() -> fn.logs().contains("\"eventType\":\"SHUTDOWN\""));
    assertThat(shutdownEventIn(fn.logs()).path("shutdownReason").asText()).isEqualTo("timeout");
    assertThat(fn.logs()).contains("runtime got SIGTERM");
  }

  @Test
  void withoutExtensionsTheRuntimeIsKilledWithoutSigterm() throws Exception {
    DeployedFunction fn = lambda.deploy(FunctionDefinition.nodejs("no-extension", "index.echo").code(nodeZip).build());
    InvokeResult invoked = fn.invoke("{}");
    lambda.client().updateFunctionConfiguration(u -> u.functionName("no-extension").description("retire the environment"));
    org.awaitility.Awaitility.await("the environment is gone").atMost(Duration.ofSeconds(15))
        .until(() -> lambda.instanceCounts().getOrDefault("no-extension", 0) == 0);
    // the kill is immediate: a SIGTERM handler would write its line within this
    await("no SIGTERM line from the killed runtime").during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(3))
        .pollInterval(Duration.ofMillis(50))
        .until(() -> !after(fn.logs(), "REPORT RequestId: " + invoked.requestId()).contains("runtime got SIGTERM"));
  }

  @Test
  void aTelemetryApiListenerGetsThePlatformEventsAndTheFunctionsLines() throws Exception {
    String layer = lambda.client().publishLayerVersion(r -> r.layerName("telemetry")
        .content(c -> c.zipFile(SdkBytes.fromByteArray(
            LifecycleFunctions.extensionLayer("telemetry", LifecycleFunctions.TELEMETRY_RECORDER)))))
        .layerVersionArn();
    DeployedFunction fn = lambda.deploy(FunctionDefinition.nodejs("with-telemetry", "index.echo").code(nodeZip)
        .layer(layer).tracingMode("Active").build());
    InvokeResult first = fn.invoke("{}");
    InvokeResult second = fn.invoke("{}");
    // retiring the environment delivers what is still buffered (the second invocation's report)
    lambda.client().updateFunctionConfiguration(u -> u.functionName("with-telemetry").description("retire"));
    org.awaitility.Awaitility.await("the second invocation's platform.report in the listener's output")
        .atMost(Duration.ofSeconds(15))
        .until(() -> telemetryEvents(fn.logs()).stream().anyMatch(e -> e.path("type").asText().equals("platform.report")
            && e.path("record").path("requestId").asText().equals(second.requestId())));
    String log = fn.logs();
    assertThat(log).contains("[telemetry] subscribed 200 OK");
    java.util.List<JsonNode> events = telemetryEvents(log);
    assertThat(events).extracting(e -> e.path("type").asText()).as("platform events in their order, then function lines")
        .containsSubsequence("platform.initStart", "platform.initRuntimeDone", "platform.initReport", "platform.start",
            "platform.runtimeDone", "platform.report", "platform.start", "platform.runtimeDone", "platform.report")
        .doesNotContain("extension");
    JsonNode initStart = ofType(events, "platform.initStart", null);
    assertThat(initStart.path("record").path("phase").asText()).isEqualTo("init");
    assertThat(initStart.path("record").path("initializationType").asText()).isEqualTo("on-demand");
    assertThat(initStart.path("record").path("runtimeVersion").asText()).startsWith("nodejs");
    assertThat(ofType(events, "platform.initReport", null).path("record").path("metrics").path("durationMs").asDouble())
        .isPositive();
    JsonNode start = ofType(events, "platform.start", first.requestId());
    assertThat(start.path("record").path("version").asText()).isEqualTo("$LATEST");
    assertThat(start.path("record").path("tracing").path("value").asText()).startsWith("Root=1-");
    JsonNode done = ofType(events, "platform.runtimeDone", first.requestId());
    assertThat(done.path("record").path("status").asText()).isEqualTo("success");
    assertThat(done.path("record").path("metrics").path("producedBytes").asInt()).isEqualTo(first.payload().length);
    JsonNode report = ofType(events, "platform.report", first.requestId());
    assertThat(report.path("record").path("status").asText()).isEqualTo("success");
    assertThat(report.path("record").path("metrics").path("memorySizeMB").asInt()).isEqualTo(128);
    assertThat(report.path("record").path("metrics").path("billedDurationMs").asLong()).isPositive();
    assertThat(report.path("record").path("metrics").path("maxMemoryUsedMB").asLong()).isPositive();
    assertThat(events).as("the handler's log line as a function record")
        .anyMatch(e -> e.path("type").asText().equals("function")
            && e.path("record").asText().endsWith("\tINFO\thandling " + first.requestId()));
    assertThat(java.time.Instant.parse(start.path("time").asText())).isBefore(java.time.Instant.now());
  }

  static java.util.List<JsonNode> telemetryEvents(String log) throws Exception {
    java.util.List<JsonNode> events = new java.util.ArrayList<>();
    Matcher m = Pattern.compile("\\[telemetry] telemetry (\\{.*\\})").matcher(log);
    while (m.find()) {
      events.add(JSON.readTree(m.group(1)));
    }
    return events;
  }

  static JsonNode ofType(java.util.List<JsonNode> events, String type, String requestId) {
    return events.stream().filter(e -> e.path("type").asText().equals(type))
        .filter(e -> requestId == null || e.path("record").path("requestId").asText().equals(requestId))
        .findFirst().orElseThrow(() -> new AssertionError("no " + type + " for " + requestId + " in " + events));
  }

  static JsonNode shutdownEventIn(String log) throws Exception {
    Matcher m = Pattern.compile("\\[recorder] event (\\{\"eventType\":\"SHUTDOWN\".*\\})").matcher(log);
    assertThat(m.find()).as("a SHUTDOWN event in\n" + log).isTrue();
    return JSON.readTree(m.group(1));
  }

  /** What the log holds after {@code marker} (the log file outlives a run: earlier runs' lines come before). */
  static String after(String log, String marker) {
    int at = log.lastIndexOf(marker);
    assertThat(at).as(marker + " in\n" + log).isNotNegative();
    return log.substring(at);
  }

  static String block(String log, String requestId) {
    int start = log.indexOf("START RequestId: " + requestId);
    int end = log.indexOf("REPORT RequestId: " + requestId);
    assertThat(start).as("START of " + requestId + " in\n" + log).isNotNegative();
    assertThat(end).as("REPORT of " + requestId + " in\n" + log).isGreaterThan(start);
    return log.substring(start, log.indexOf('\n', end) + 1);
  }

  static JsonNode invokeEventIn(String block, String requestId) throws Exception {
    Matcher m = Pattern.compile("\\[recorder] event (\\{.*\\})").matcher(block);
    while (m.find()) {
      JsonNode event = JSON.readTree(m.group(1));
      if (requestId.equals(event.path("requestId").asText())) {
        return event;
      }
    }
    throw new AssertionError("no INVOKE event for " + requestId + " in\n" + block);
  }

  static double reportedMillis(String block, String field) {
    Matcher m = Pattern.compile("\t?" + field + ": ([0-9.]+) ms").matcher(block.substring(block.indexOf("REPORT")));
    assertThat(m.find()).as(field + " in " + block).isTrue();
    return Double.parseDouble(m.group(1));
  }
}
