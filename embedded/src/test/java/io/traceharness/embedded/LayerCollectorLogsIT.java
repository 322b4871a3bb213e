package io.traceharness.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import co.elastic.clients.elasticsearch.core.SearchResponse;
import co.elastic.clients.elasticsearch.core.search.Hit;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.traceharness.collector.CollectorExtension;
import io.traceharness.collector.EmbeddedCollector;
import io.traceharness.lambda.DeployedFunction;
import io.traceharness.lambda.FunctionDefinition;
import io.traceharness.lambda.InvokeResult;
import io.traceharness.support.WorkDirs;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The layer's collector as the extension it is in AWS, with a real Node.js function: it registers as
 * {@code collector} for {@code INVOKE} and {@code SHUTDOWN}, its {@code telemetryapi} receiver subscribes
 * through the environment's Telemetry API, and the function's {@code console.log} line goes through the
 * config's {@code logs} pipeline (otlp exporter) to APM Server, which stores it in {@code logs-apm.app.*}.
 */
class LayerCollectorLogsIT {

  static final Path DIR = WorkDirs.root().resolve("layer-collector-logs-it");
  static final String FUNCTION = "logs-fn";

  static final String INDEX_JS = """
      exports.handler = async (event, context) => {
        console.log('order placed ' + event.marker);
        return { requestId: context.awsRequestId };
      };
      """;

  /** The logs pipeline a function's layer collector runs: the Telemetry API's records to APM Server over OTLP. */
  static final String COLLECTOR_YAML = """
      receivers:
        telemetryapi:
          types: [platform, function]
      exporters:
        otlp:
          endpoint: "${env:APM_SERVER_URL}"
          headers:
            Authorization: "Bearer ${env:APM_SERVER_TOKEN}"
      service:
        pipelines:
          logs:
            receivers: [telemetryapi]
            exporters: [otlp]
      """;

  static EmbeddedStack stack;
  static DeployedFunction fn;
  static Path code;

  @BeforeAll
  static void start() throws Exception {
    stack = EmbeddedStack.builder().freeze(true).build().start();
    code = Files.createDirectories(DIR.resolve("code"));
    Files.writeString(code.resolve("index.js"), INDEX_JS);
    Files.writeString(code.resolve("collector.yaml"), COLLECTOR_YAML);
    fn = stack.lambda().deploy(FunctionDefinition.nodejs(FUNCTION, "index.handler").code(code).env(functionEnv())
        .build());
  }

  /** The collector config in the function's package, and where its otlp exporter sends (TLS, as the post's). */
  static Map<String, String> functionEnv() {
    URI apm = stack.endpoints().apmServer();
    return Map.of("OPENTELEMETRY_COLLECTOR_CONFIG_URI", "file:/var/task/collector.yaml",
        "APM_SERVER_URL", apm.getHost() + ":" + apm.getPort(),
        "APM_SERVER_TOKEN", stack.endpoints().apmSecretToken());
  }

  @AfterAll
  static void stop() {
    if (stack != null) {
      stack.close();
    }
  }

  @Test
  void theFunctionsLineReachesElasticsearchThroughTheCollectorsLogsPipeline() throws Exception {
    String marker = UUID.randomUUID().toString();
    InvokeResult first = fn.invoke("{\"marker\":\"" + marker + "\"}");
    // with freeze on, what the exporter still sends when the environment freezes waits for the next invoke
    InvokeResult second = fn.invoke("{\"marker\":\"second-" + marker + "\"}");

    String log = fn.logs();
    assertThat(log).as("the platform lists the collector extension at the end of Init")
        .contains("EXTENSION\tName: collector\tState: Ready\tEvents: [INVOKE, SHUTDOWN]");
    CollectorExtension ext = stack.layerCollectorExtension(FUNCTION).orElseThrow();
    assertThat(ext.invokes()).as("INVOKE events the collector extension handled").isEqualTo(2);
    EmbeddedCollector collector = ext.collector();
    assertThat(collector.paused()).as("the collector is frozen with its environment").isTrue();

    JsonNode doc = await("the function's line in logs-apm.app.*").atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(500)).ignoreExceptions()
        .until(() -> logDocs(marker), docs -> docs.stream().anyMatch(d -> d.path("message").asText().endsWith(
            "order placed " + marker)))
        .stream().filter(d -> d.path("message").asText().endsWith("order placed " + marker)).findFirst().orElseThrow();
    assertThat(doc.path("data_stream").path("dataset").asText()).as(doc.toPrettyString())
        .isEqualTo("apm.app." + FUNCTION.replace('-', '_'));
    assertThat(doc.path("message").asText()).as("the runtime's text line is the body")
        .contains("\t" + first.requestId() + "\tINFO\t");
    assertThat(doc.path("labels").path("faas_invocation_id").asText()).as(doc.toPrettyString())
        .isEqualTo(first.requestId());
    assertThat(doc.path("labels").path("type").asText()).isEqualTo("function");
    assertThat(doc.path("service").path("name").asText()).isEqualTo(FUNCTION);
    assertThat(doc.has("trace")).as("the receiver sets no trace id on a log record").isFalse();
    assertThat(second.requestId()).isNotEqualTo(first.requestId());
  }

  @Test
  void atShutdownTheCollectorGetsSHUTDOWNAndFlushesWithinTheDeadline() throws Exception {
    String name = FUNCTION + "-shutdown";
    DeployedFunction last = stack.lambda().deploy(FunctionDefinition.nodejs(name, "index.handler").code(code)
        .env(functionEnv()).build());
    String marker = UUID.randomUUID().toString();
    InvokeResult only = last.invoke("{\"marker\":\"" + marker + "\"}");
    CollectorExtension ext = stack.layerCollectorExtension(name).orElseThrow();
    assertThat(ext.ended()).isNotDone();

    // deleting the function spins its environment down: SHUTDOWN, then the collector's last exports
    stack.lambdaClient().deleteFunction(r -> r.functionName(name));
    await("the collector extension ends after SHUTDOWN").atMost(Duration.ofSeconds(10))
        .until(() -> ext.ended().isDone());
    assertThat(ext.shutdownReason()).as("the SHUTDOWN event's reason").isEqualTo("spindown");
    assertThat(ext.collector().stats().pipeline("logs").dropped()).as("log records dropped at shutdown").isZero();
    JsonNode doc = await("the invocation's line in logs-apm.app.*").atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(500)).ignoreExceptions()
        .until(() -> logDocs(marker), docs -> !docs.isEmpty()).get(0);
    assertThat(doc.path("labels").path("faas_invocation_id").asText()).as(doc.toPrettyString())
        .isEqualTo(only.requestId());
  }

  static List<JsonNode> logDocs(String marker) throws Exception {
    SearchResponse<ObjectNode> r = stack.elasticsearch().client().search(s -> s.index("logs-apm.app.*").size(50)
        .query(q -> q.match(m -> m.field("message").query(marker))), ObjectNode.class);
    return r.hits().hits().stream().map(Hit::source).map(JsonNode.class::cast).toList();
  }
}
