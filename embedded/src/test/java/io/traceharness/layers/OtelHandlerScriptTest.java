package io.traceharness.layers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs the layers' exec wrappers with bash and a stand-in runtime command that prints its environment. */
class OtelHandlerScriptTest {

  @TempDir
  Path tmp;

  private Map<String, String> run(String layer, Map<String, String> env) throws Exception {
    Path script = tmp.resolve(layer + "-otel-handler");
    try (InputStream in = OtelLayers.class.getResourceAsStream("/io/traceharness/layers/" + layer + "/otel-handler")) {
      Files.copy(in, script);
    }
    Path out = tmp.resolve(layer + "-env.txt");
    ProcessBuilder pb = new ProcessBuilder("bash", script.toString(), "sh", "-c", "env > \"$0\"; echo \"$@\" >> \"$0\"",
        out.toString(), "runtime-arg-1", "runtime-arg-2")
        .redirectErrorStream(true).redirectOutput(tmp.resolve(layer + "-out.txt").toFile());
    pb.environment().clear();
    pb.environment().put("PATH", System.getenv("PATH"));
    pb.environment().put("AWS_LAMBDA_FUNCTION_NAME", "producer");
    pb.environment().put("TRACEHARNESS_OPT_DIR", "/layers/otel");
    pb.environment().putAll(env);
    Process p = pb.start();
    assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(Files.readString(tmp.resolve(layer + "-out.txt"))).isZero();
    List<String> lines = Files.readAllLines(out, StandardCharsets.UTF_8);
    Map<String, String> seen = new LinkedHashMap<>();
    for (String line : lines.subList(0, lines.size() - 1)) {
      int eq = line.indexOf('=');
      if (eq > 0) {
        seen.put(line.substring(0, eq), line.substring(eq + 1));
      }
    }
    seen.put("ARGS", lines.get(lines.size() - 1));
    return seen;
  }

  @Test
  void nodeWrapperRequiresTheSdkSetupWithAdotDefaults() throws Exception {
    Map<String, String> env = run("nodejs", Map.of("NODE_OPTIONS", "--max-old-space-size=100"));

    // the upstream layer's otel-handler always adds its --import (nodejs/packages/layer/scripts/otel-handler)
    assertThat(env.get("NODE_OPTIONS"))
        .isEqualTo("--max-old-space-size=100 --require /layers/otel/wrapper.js --import /layers/otel/loader.mjs");
    assertThat(env).containsEntry("OTEL_SERVICE_NAME", "producer")
        .containsEntry("OTEL_PROPAGATORS", "tracecontext,baggage,xray-lambda")
        .containsEntry("OTEL_TRACES_SAMPLER", "parentbased_always_on")
        .containsEntry("OTEL_EXPORTER_OTLP_ENDPOINT", "http://localhost:4318");
    assertThat(env.get("ARGS")).as("the runtime's own command line is exec'd unchanged")
        .isEqualTo("runtime-arg-1 runtime-arg-2");
  }

  @Test
  void theFunctionEnvironmentOverridesTheDefaults() throws Exception {
    Map<String, String> env = run("nodejs", Map.of("OTEL_PROPAGATORS", "tracecontext",
        "OTEL_SERVICE_NAME", "custom", "OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:4319"));

    assertThat(env).containsEntry("OTEL_PROPAGATORS", "tracecontext")
        .containsEntry("OTEL_SERVICE_NAME", "custom")
        .containsEntry("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:4319");
    assertThat(env.get("NODE_OPTIONS")).isEqualTo("--require /layers/otel/wrapper.js --import /layers/otel/loader.mjs");
  }

  @Test
  void aServiceNameInResourceAttributesIsNotOverridden() throws Exception {
    Map<String, String> env = run("nodejs", Map.of("OTEL_RESOURCE_ATTRIBUTES", "service.name=from-attrs,team=a"));

    assertThat(env).doesNotContainKey("OTEL_SERVICE_NAME")
        .containsEntry("OTEL_RESOURCE_ATTRIBUTES", "service.name=from-attrs,team=a");
  }

  @Test
  void javaAgentWrapperAttachesTheAgentWithFastStartupAndFlushTimeout() throws Exception {
    Map<String, String> env = run("javaagent", Map.of("JAVA_TOOL_OPTIONS", "-Xmx256m"));

    assertThat(env.get("JAVA_TOOL_OPTIONS"))
        .startsWith("-javaagent:/layers/otel/opentelemetry-javaagent.jar -Xmx256m")
        .contains("-XX:+TieredCompilation -XX:TieredStopAtLevel=1");
    assertThat(env).containsEntry("OTEL_SERVICE_NAME", "producer")
        .containsEntry("OTEL_PROPAGATORS", "tracecontext,baggage,xray-lambda")
        .containsEntry("OTEL_INSTRUMENTATION_AWS_LAMBDA_FLUSH_TIMEOUT", "10000")
        .containsEntry("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf")
        .containsEntry("OTEL_METRICS_EXPORTER", "none")
        .containsEntry("OTEL_LOGS_EXPORTER", "none");
    assertThat(env.get("ARGS")).isEqualTo("runtime-arg-1 runtime-arg-2");
  }

  @Test
  void javaAgentRunsOnlyTheInstrumentationsAFunctionNeeds() throws Exception {
    Map<String, String> trimmed = run("javaagent", Map.of("OTEL_INSTRUMENTATION_JDBC_ENABLED", "false"));

    assertThat(trimmed).containsEntry("OTEL_INSTRUMENTATION_COMMON_DEFAULT_ENABLED", "false")
        .containsEntry("OTEL_INSTRUMENTATION_AWS_LAMBDA_ENABLED", "true")
        .containsEntry("OTEL_INSTRUMENTATION_JAVA_HTTP_CLIENT_ENABLED", "true")
        .containsEntry("OTEL_INSTRUMENTATION_EXECUTORS_ENABLED", "true")
        .containsEntry("OTEL_INSTRUMENTATION_JDBC_ENABLED", "false");
  }

  @Test
  void javaAgentKeepsItsOwnInstrumentationChoiceWhenTheFunctionSetsTheDefault() throws Exception {
    Map<String, String> agentDefault = run("javaagent", Map.of("OTEL_INSTRUMENTATION_COMMON_DEFAULT_ENABLED", "true"));
    assertThat(agentDefault).containsEntry("OTEL_INSTRUMENTATION_COMMON_DEFAULT_ENABLED", "true")
        .doesNotContainKey("OTEL_INSTRUMENTATION_JAVA_HTTP_CLIENT_ENABLED");
  }

  @Test
  void javaAgentFastStartupCanBeTurnedOffAndPropagatorsOverridden() throws Exception {
    Map<String, String> env = run("javaagent", Map.of("OTEL_JAVA_AGENT_FAST_STARTUP_ENABLED", "false",
        "OTEL_PROPAGATORS", "tracecontext", "OTEL_METRICS_EXPORTER", "otlp"));

    assertThat(env.get("JAVA_TOOL_OPTIONS")).doesNotContain("TieredStopAtLevel")
        .startsWith("-javaagent:/layers/otel/opentelemetry-javaagent.jar");
    assertThat(env).containsEntry("OTEL_PROPAGATORS", "tracecontext").containsEntry("OTEL_METRICS_EXPORTER", "otlp");
  }

  @Test
  void theLayerForARuntimeFollowsItsLanguage() {
    assertThat(OtelLayers.kindFor("nodejs20.x")).isEqualTo(OtelLayers.Kind.NODEJS);
    assertThat(OtelLayers.kindFor("nodejs22.x")).isEqualTo(OtelLayers.Kind.NODEJS);
    assertThat(OtelLayers.kindFor("java21")).isEqualTo(OtelLayers.Kind.JAVA_AGENT);
    assertThatThrownBy(() -> OtelLayers.kindFor("python3.12")).hasMessageContaining("python3.12");
  }

  @Test
  void theNodeLayerPinsEveryPackageInTheLockFile() throws IOException {
    String lock;
    try (InputStream in = OtelLayers.class.getResourceAsStream("/io/traceharness/layers/nodejs/package-lock.json")) {
      lock = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    for (String pkg : List.of("api", "sdk-trace-node", "instrumentation-aws-lambda", "instrumentation-http",
        "instrumentation-undici", "exporter-trace-otlp-proto", "propagator-aws-xray", "propagator-aws-xray-lambda")) {
      assertThat(lock).contains("\"node_modules/@opentelemetry/" + pkg + "\"");
    }
    assertThat(lock).contains("\"integrity\": \"sha512-");
  }
}
