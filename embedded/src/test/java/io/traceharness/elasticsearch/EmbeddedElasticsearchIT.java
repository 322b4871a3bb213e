package io.traceharness.elasticsearch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import co.elastic.clients.elasticsearch.core.BulkResponse;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.traceharness.support.WorkDirs;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class EmbeddedElasticsearchIT {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static EmbeddedElasticsearch es;

  @BeforeAll
  static void startNode() {
    es = EmbeddedElasticsearch.builder().heap("256m").build();
    es.start();
  }

  @AfterAll
  static void stopNode() {
    if (es != null) {
      es.close();
    }
  }

  @Test
  void answersWithYellowOrGreenHealthAndHasTheApmTemplates() throws Exception {
    JsonNode health = get("/_cluster/health");
    assertThat(health.path("status").asText()).as("cluster health of %s", es.endpoint()).isIn("yellow", "green");
    assertThat(es.endpoint().toString()).startsWith("http://127.0.0.1:");

    JsonNode templates = get("/_index_template/*");
    assertThat(templates.path("index_templates").findValuesAsText("name"))
        .contains("traces-apm", "logs-apm.error", "logs-apm.app", "metrics-apm",
            "traces-otel", "logs-otel", "metrics-otel");
  }

  @Test
  void bulkIntoTracesApmCreatesADataStreamWithApmMappings() throws Exception {
    String traceId = UUID.randomUUID().toString().replace("-", "");
    BulkResponse bulk = es.client().bulk(b -> b.index("traces-apm-default").refresh(co.elastic.clients
        .elasticsearch._types.Refresh.True).operations(op -> op.create(c -> c.document(transaction(traceId)))));
    assertThat(bulk.errors()).as("bulk errors: %s", bulk.items()).isFalse();

    JsonNode indices = get("/_resolve/index/traces-apm-default");
    assertThat(indices.path("data_streams").findValuesAsText("name"))
        .as("data streams behind traces-apm-default").containsExactly("traces-apm-default");

    JsonNode mapping = get("/traces-apm-default/_mapping/field/labels.foo,numeric_labels.n,"
        + "transaction.duration.us,trace.id,@timestamp");
    assertThat(fieldType(mapping, "labels.foo")).isEqualTo("keyword");
    assertThat(fieldType(mapping, "numeric_labels.n")).isIn("double", "long", "scaled_float", "float");
    assertThat(fieldType(mapping, "transaction.duration.us")).isEqualTo("long");
    assertThat(fieldType(mapping, "trace.id")).isEqualTo("keyword");
    assertThat(fieldType(mapping, "@timestamp")).isEqualTo("date");

    assertThat(countByTraceId(traceId)).as("documents of trace %s", traceId).isEqualTo(1);
  }

  @Test
  void otelNativeSpansLandInADataStreamWithKeywordIds() throws Exception {
    String traceId = UUID.randomUUID().toString().replace("-", "");
    Map<String, Object> span = Map.of("@timestamp", "2026-01-01T00:00:00.123456789Z", "trace_id", traceId,
        "span_id", traceId.substring(16), "parent_span_id", traceId.substring(0, 16), "name", "GET /ping",
        "kind", "Server", "duration", 1_234_000L, "resource", Map.of("attributes", Map.of("service.name", "producer")));
    BulkResponse bulk = es.client().bulk(b -> b.index("traces-generic.otel-default").refresh(co.elastic.clients
        .elasticsearch._types.Refresh.True).operations(op -> op.create(c -> c.document(span))));
    assertThat(bulk.errors()).as("bulk errors: %s", bulk.items()).isFalse();

    JsonNode mapping = get("/traces-generic.otel-default/_mapping/field/trace_id,parent_span_id,@timestamp");
    assertThat(fieldType(mapping, "trace_id")).isEqualTo("keyword");
    assertThat(fieldType(mapping, "parent_span_id")).isEqualTo("keyword");
    assertThat(fieldType(mapping, "@timestamp")).isEqualTo("date_nanos");
    assertThat(get("/_resolve/index/traces-generic.otel-default").path("data_streams").findValuesAsText("name"))
        .containsExactly("traces-generic.otel-default");
  }

  /**
   * What otel-data's templates give a real cluster (component-templates/otel@mappings.yaml,
   * traces-otel@mappings.yaml, semconv-resource-to-ecs@mappings.yaml): attributes queryable without
   * their prefix (passthrough), ECS names as aliases of the OpenTelemetry ones, nanosecond timestamps.
   */
  @Test
  void otelNativeAttributesAreQueryableWithoutTheirPrefixAndEcsNamesAreAliases() throws Exception {
    String traceId = UUID.randomUUID().toString().replace("-", "");
    String spanId = traceId.substring(16);
    // as the exporter's otel mode writes a span: "<epoch millis>.<nanos within the milli>"
    Map<String, Object> span = Map.of("@timestamp", "1767225600123.456789", "trace_id", traceId, "span_id", spanId,
        "name", "GET /ping", "kind", "Server", "duration", 1_234_000L,
        "attributes", Map.of("foo", "bar", "http.response.status_code", 200, "obj", Map.of("a", 1)),
        "scope", Map.of("name", "@opentelemetry/instrumentation-aws-lambda", "version", "0.50.0"),
        "resource", Map.of("attributes", Map.of("service.name", "producer", "cloud.platform", "aws_lambda")));
    BulkResponse bulk = es.client().bulk(b -> b.index("traces-generic.otel-default").refresh(co.elastic.clients
        .elasticsearch._types.Refresh.True).operations(op -> op.create(c -> c.document(span))));
    assertThat(bulk.errors()).as("bulk errors: %s", bulk.items()).isFalse();

    JsonNode hits = post("/traces-generic.otel-default/_search", Map.of("_source", false,
        "fields", List.of("@timestamp", "span.id", "foo"),
        "query", Map.of("bool", Map.of("filter", List.of(
            Map.of("term", Map.of("foo", "bar")),
            Map.of("term", Map.of("http.response.status_code", 200)),
            Map.of("term", Map.of("service.name", "producer")),
            Map.of("term", Map.of("cloud.service.name", "aws_lambda")),
            Map.of("term", Map.of("trace.id", traceId)))))));
    assertThat(hits.at("/hits/total/value").asInt()).as("span found by foo, service.name, cloud.service.name, trace.id")
        .isEqualTo(1);
    JsonNode fields = hits.at("/hits/hits/0/fields");
    assertThat(fields.at("/@timestamp/0").asText()).isEqualTo("2026-01-01T00:00:00.123456789Z");
    assertThat(fields.at("/span.id/0").asText()).isEqualTo(spanId);

    JsonNode mapping = get("/traces-generic.otel-default/_mapping/field/attributes.foo,attributes.obj,kind,duration,"
        + "scope.version");
    assertThat(fieldType(mapping, "attributes.foo")).isEqualTo("keyword");
    assertThat(fieldType(mapping, "attributes.obj")).as("an object attribute").isEqualTo("flattened");
    assertThat(fieldType(mapping, "kind")).isEqualTo("keyword");
    assertThat(fieldType(mapping, "duration")).isEqualTo("long");
  }

  @Test
  void stopLeavesNoProcessAndRestartKeepsPortsAndData() throws Exception {
    String traceId = UUID.randomUUID().toString().replace("-", "");
    es.client().index(i -> i.index("traces-apm-default").opType(co.elastic.clients.elasticsearch._types.OpType.Create)
        .document(transaction(traceId)).refresh(co.elastic.clients.elasticsearch._types.Refresh.True));
    URI before = es.endpoint();
    List<ProcessHandle> processes = processesOfNode(es.pid());
    assertThat(processes).as("server JVM and launcher").hasSizeGreaterThanOrEqualTo(2);

    es.stop();

    assertThat(es.isRunning()).isFalse();
    assertThat(processes).as("processes of the node after stop()").noneMatch(ProcessHandle::isAlive);

    es.start();
    assertThat(es.endpoint()).as("endpoint after restart").isEqualTo(before);
    assertThat(countByTraceId(traceId)).as("documents of trace %s after restart", traceId).isEqualTo(1);

    es.stop();
    int oldPort = before.getPort();
    try (ServerSocket squatter = new ServerSocket()) {
      squatter.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), oldPort));
      es.start();
    }
    assertThat(es.endpoint().getPort()).as("http port after its old one was taken").isNotEqualTo(oldPort);
    assertThat(countByTraceId(traceId)).as("documents of trace %s after restart on another port", traceId)
        .isEqualTo(1);
  }

  @Test
  void aPortTheNodeCannotBindMakesItRetryOnOthers() throws Exception {
    Assumptions.assumeTrue(hasIpv6Loopback(), "needs ::1 to take a port only the node itself notices");
    es.start();
    int port = es.endpoint().getPort();
    es.stop();
    // taken on ::1 only: the harness's own check (127.0.0.1) passes, the node's bind on [::1] fails
    try (ServerSocket squatter = new ServerSocket()) {
      squatter.bind(new InetSocketAddress(InetAddress.getByName("::1"), port));
      es.start();
    }
    assertThat(es.endpoint().getPort()).as("http port after a failed bind").isNotEqualTo(port);
    assertThat(es.logTail(2000)).contains("BindHttpException");
    assertThat(get("/_cluster/health").path("status").asText()).isIn("yellow", "green");
  }

  private static boolean hasIpv6Loopback() {
    try (ServerSocket s = new ServerSocket()) {
      s.bind(new InetSocketAddress(InetAddress.getByName("::1"), 0));
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  @Test
  void aFailedStartReportsTheNodesLog() {
    try (EmbeddedElasticsearch broken = EmbeddedElasticsearch.builder().heap("128m")
        .setting("no.such.setting", "x").build()) {
      assertThatThrownBy(broken::start)
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("Elasticsearch " + broken.version() + " did not start: the process exited")
          .hasMessageContaining("  | ")
          .hasMessageContaining("unknown setting [no.such.setting]");
      assertThat(broken.isRunning()).isFalse();
    }
  }

  @Test
  void theNodeDiesWithAJvmKilledBySigkill() throws Exception {
    Path workDir = WorkDirs.root().resolve("elasticsearch-kill-probe");
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx128m", "-cp", System.getProperty("java.class.path")));
    for (String prop : List.of("traceharness.workDir", "traceharness.cacheDir", "maven.repo.local")) {
      if (System.getProperty(prop) != null) {
        cmd.add("-D" + prop + "=" + System.getProperty(prop));
      }
    }
    cmd.add(ElasticsearchKillProbe.class.getName());
    cmd.add(workDir.toString());
    Process probe = new ProcessBuilder(cmd)
        .redirectError(WorkDirs.root().resolve("elasticsearch-kill-probe.log").toFile()).start();
    List<ProcessHandle> processes = new ArrayList<>();
    try (BufferedReader out = new BufferedReader(new InputStreamReader(probe.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line; (line = out.readLine()) != null; ) {
        if (line.startsWith("PIDS ")) {
          for (String pid : line.substring(5).trim().split(" ")) {
            ProcessHandle.of(Long.parseLong(pid)).ifPresent(processes::add);
          }
          break;
        }
      }
      assertThat(processes).as("processes the probe JVM reported (its stderr: %s)",
          WorkDirs.root().resolve("elasticsearch-kill-probe.log")).hasSizeGreaterThanOrEqualTo(2);

      new ProcessBuilder("kill", "-KILL", Long.toString(probe.pid())).start().waitFor(5, TimeUnit.SECONDS);
      assertThat(probe.waitFor(10, TimeUnit.SECONDS)).as("probe JVM killed").isTrue();

      await("node processes " + processes + " to end after the JVM was killed").atMost(Duration.ofSeconds(15))
          .pollInterval(Duration.ofMillis(250))
          .untilAsserted(() -> assertThat(processes).noneMatch(ProcessHandle::isAlive));
    } finally {
      probe.destroyForcibly();
      processes.forEach(ProcessHandle::destroyForcibly);
    }
  }

  private static Map<String, Object> transaction(String traceId) {
    return Map.of(
        "@timestamp", "2026-01-01T00:00:00.000Z",
        "timestamp", Map.of("us", 1767225600000000L),
        "trace", Map.of("id", traceId),
        "transaction", Map.of("id", traceId.substring(0, 16), "type", "request", "name", "GET /ping",
            "duration", Map.of("us", 1234)),
        "span", Map.of("id", traceId.substring(0, 16)),
        "processor", Map.of("event", "transaction"),
        "service", Map.of("name", "consumer"),
        "labels", Map.of("foo", "bar"),
        "numeric_labels", Map.of("n", 42.5));
  }

  private static long countByTraceId(String traceId) throws IOException {
    return es.client().count(c -> c.index("traces-apm*").query(q -> q.term(t -> t.field("trace.id").value(traceId))))
        .count();
  }

  /** The server JVM and its ancestors up to, not including, this JVM: launcher and watchdog. */
  private static List<ProcessHandle> processesOfNode(long serverPid) {
    List<ProcessHandle> all = new ArrayList<>();
    long self = ProcessHandle.current().pid();
    for (Optional<ProcessHandle> h = ProcessHandle.of(serverPid); h.isPresent() && h.get().pid() != self;
        h = h.get().parent()) {
      all.add(h.get());
    }
    return all;
  }

  private static String fieldType(JsonNode fieldMapping, String field) {
    for (JsonNode index : fieldMapping) {
      JsonNode mapping = index.path("mappings").path(field).path("mapping");
      if (mapping.isObject() && mapping.size() == 1) {
        return mapping.elements().next().path("type").asText();
      }
    }
    throw new AssertionError("no mapping for " + field + " in " + fieldMapping);
  }

  private static JsonNode get(String path) throws IOException, InterruptedException {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(es.endpoint().resolve(path)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as("GET %s: %s", path, r.body()).isEqualTo(200);
    return JSON.readTree(r.body());
  }

  private static JsonNode post(String path, Object body) throws IOException, InterruptedException {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(es.endpoint().resolve(path))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as("POST %s: %s", path, r.body()).isEqualTo(200);
    return JSON.readTree(r.body());
  }
}
