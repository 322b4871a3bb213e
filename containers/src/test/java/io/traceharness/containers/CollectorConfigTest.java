package io.traceharness.containers;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * The containers stack runs the post's collector pipeline: the same OTLP exporter to APM Server
 * with the same token header, the same receivers, and only the changes today's collector-contrib
 * and a plaintext APM Server force ({@code logging} → {@code debug}, no {@code awsxray}, receivers
 * on all interfaces, {@code tls.insecure: true}).
 */
class CollectorConfigTest {

  private final Map<String, Object> post = postConfig();
  private final Map<String, Object> containers = containersConfig();

  @Test
  void exportsToApmServerAsThePostDoesButInPlaintextBecauseTheStacksApmServerServesNoTls() {
    Map<String, Object> expected = new java.util.LinkedHashMap<>(section(section(post, "exporters"), "otlp"));
    // the post's Elastic Cloud endpoint speaks TLS; the stack's APM Server plaintext, so the exporter,
    // TLS by default (config/configgrpc/configgrpc.go), must be told
    expected.put("tls", Map.of("insecure", true));
    assertThat(section(section(containers, "exporters"), "otlp")).isEqualTo(expected)
        .containsEntry("endpoint", "${APM_SERVER_URL}")
        .containsEntry("headers", Map.of("Authorization", "Bearer ${APM_SERVER_TOKEN}"));
  }

  @Test
  void pipelinesAreThePostsWithDebugForLoggingAndWithoutXRay() {
    Map<String, Object> postPipelines = section(section(post, "service"), "pipelines");
    Map<String, Object> ourPipelines = section(section(containers, "service"), "pipelines");

    assertThat(ourPipelines.keySet()).isEqualTo(postPipelines.keySet());
    postPipelines.forEach((name, pipeline) -> {
      Map<String, Object> ours = section(ourPipelines, name);
      assertThat(ours.get("receivers")).as(name + " receivers").isEqualTo(section(postPipelines, name).get("receivers"));
      List<String> expected = new ArrayList<>();
      for (Object exporter : (List<?>) section(postPipelines, name).get("exporters")) {
        if (exporter.equals("logging")) {
          expected.add("debug");
        } else if (!exporter.equals("awsxray")) {
          expected.add((String) exporter);
        }
      }
      assertThat(ours.get("exporters")).as(name + " exporters").isEqualTo(expected);
    });
  }

  @Test
  void receiversAreThePostsOtlpOnAllInterfaces() {
    Map<String, Object> protocols = section(section(section(containers, "receivers"), "otlp"), "protocols");

    assertThat(protocols.keySet()).isEqualTo(section(section(section(post, "receivers"), "otlp"), "protocols").keySet());
    assertThat(section(protocols, "grpc")).containsEntry("endpoint", "0.0.0.0:" + OtelCollectorContainer.OTLP_GRPC_PORT);
    assertThat(section(protocols, "http")).containsEntry("endpoint", "0.0.0.0:" + OtelCollectorContainer.OTLP_HTTP_PORT);
  }

  @Test
  void usesNoComponentTheContribCollectorNoLongerHas() {
    assertThat(section(containers, "exporters")).doesNotContainKey("logging");
  }

  /**
   * The EDOT configuration for collector-contrib is the embedded stack's (Elastic's gateway,
   * elastic/elastic-agent internal/pkg/otel/samples/linux/gateway.yml) less Elastic's elasticapm
   * processor and connector, which collector-contrib does not build in, and the pipeline only that
   * connector feeds.
   */
  @Test
  @SuppressWarnings("unchecked")
  void edotConfigIsTheEmbeddedStacksLessTheElasticApmComponents() {
    Map<String, Object> gateway = load("io/traceharness/embedded/edot-gateway.yaml");
    Map<String, Object> edot = load(ContainerStack.EDOT_COLLECTOR_CONFIG_RESOURCE);

    gateway.remove("connectors");
    section(gateway, "processors").remove("elasticapm");
    Map<String, Object> pipelines = section(section(gateway, "service"), "pipelines");
    pipelines.remove("metrics/aggregated-otel-metrics");
    pipelines.values().forEach(p -> ((Map<String, Object>) p).replaceAll((k, v) ->
        ((List<Object>) v).stream().filter(c -> !c.equals("elasticapm")).toList()));
    assertThat(edot).isEqualTo(gateway);
    assertThat(section(section(section(edot, "exporters"), "elasticsearch/otel"), "mapping")).containsEntry("mode", "otel");
  }

  private static Map<String, Object> load(String resource) {
    try (InputStream in = CollectorConfigTest.class.getClassLoader().getResourceAsStream(resource)) {
      assertThat(in).as(resource).isNotNull();
      return new Yaml().load(in);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> section(Map<String, Object> parent, String key) {
    Object value = parent.get(key);
    assertThat(value).as(key).isInstanceOf(Map.class);
    return (Map<String, Object>) value;
  }

  private static Map<String, Object> postConfig() {
    try {
      return new Yaml().load(Files.readString(RepositoryFiles.repositoryRoot().resolve("fixtures/collector.yaml")));
    } catch (IOException e) {
      throw new AssertionError("the post's fixtures/collector.yaml is missing", e);
    }
  }

  private static Map<String, Object> containersConfig() {
    try (InputStream in = CollectorConfigTest.class.getClassLoader()
        .getResourceAsStream(ContainerStack.COLLECTOR_CONFIG_RESOURCE)) {
      assertThat(in).as(ContainerStack.COLLECTOR_CONFIG_RESOURCE).isNotNull();
      return new Yaml().load(in);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }
}
