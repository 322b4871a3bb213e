package io.traceharness.containers;

import static org.assertj.core.api.Assertions.assertThat;

import io.traceharness.collector.CollectorConfig;
import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * Docker cannot run here, so every config the containers run goes through the validation the embedded
 * stack applies with the real components' rules: the collector config with the container's command-line
 * overrides through {@link CollectorConfig} (the collector's startup checks and its TLS rule), APM
 * Server's {@code -E} flags against the settings APM Server 8.19 has, and both checked against each other:
 * a collector that would handshake TLS with a plaintext APM Server never delivers a span, while its
 * health check answers 200. The EDOT path's config goes the same way, its {@code elasticsearch} exporter
 * against the Elasticsearch container's HTTP (security off, so plaintext). {@code docker-compose.yml}
 * runs these same commands, files and variables ({@link DockerComposeTest} holds them equal).
 */
class ContainersConfigValidationTest {

  /**
   * The settings the stack passes, as elastic/apm-server 8.19 {@code apm-server.yml} documents them
   * ({@code apm-server.host}, {@code apm-server.auth.secret_token}, {@code apm-server.ssl.enabled} default
   * false, {@code output.elasticsearch.hosts}).
   */
  private static final Set<String> APM_SERVER_SETTINGS = Set.of("apm-server.host", "apm-server.auth.secret_token",
      "apm-server.ssl.enabled", "output.elasticsearch.hosts");

  private final ApmServerContainer apmServer = new ApmServerContainer(ContainerImages.APM_SERVER)
      .withElasticsearch("http://elasticsearch:" + ContainerStack.ELASTICSEARCH_PORT)
      .withSecretToken(ContainerStack.DEFAULT_SECRET_TOKEN);
  private final OtelCollectorContainer collector = new OtelCollectorContainer(ContainerImages.OTEL_COLLECTOR)
      .withApmServer("http://apm-server:" + ApmServerContainer.PORT, ContainerStack.DEFAULT_SECRET_TOKEN);

  @Test
  void theCollectorConfigWithTheContainersOverridesPassesTheCollectorsStartupChecks() {
    CollectorConfig config = CollectorConfig.parse(withOverrides(OtelCollectorContainer.COMMAND),
        collector.getEnvMap());

    assertThat(config.pipelineIds()).containsExactly("traces", "metrics");
    assertThat(config.warnings()).as("only the deprecated type name the post uses")
        .containsExactly("\"otlp\" alias is deprecated; use \"otlp_grpc\" instead");
    assertThat(config.value("service::extensions")).contains(List.of("health_check"));
  }

  @Test
  void apmServerFlagsAreSettingsApmServerHas() {
    Map<String, String> settings = apmServerSettings();
    assertThat(settings.keySet()).isSubsetOf(APM_SERVER_SETTINGS);
    assertThat(settings).containsEntry("apm-server.host", "0.0.0.0:" + ApmServerContainer.PORT);
  }

  @Test
  void theCollectorsExporterSpeaksTlsExactlyWhenApmServerServesIt() {
    boolean apmServerTls = Boolean.parseBoolean(apmServerSettings().getOrDefault("apm-server.ssl.enabled", "false"));
    CollectorConfig config = CollectorConfig.parse(withOverrides(OtelCollectorContainer.COMMAND),
        collector.getEnvMap());

    assertThat(config.exporterUsesTls("otlp")).as("the otlp exporter's TLS (config/configgrpc/configgrpc.go) against"
        + " APM Server's apm-server.ssl.enabled").contains(apmServerTls);
  }

  @Test
  void thePostsConfigUnchangedWouldHandshakeTlsWithThePlaintextApmServer() {
    // the defect this class guards against: no tls.insecure, so TLS despite the http:// URL
    String post = containersYaml().replace("    tls:\n      insecure: true\n", "");
    assertThat(CollectorConfig.parse(post, collector.getEnvMap()).exporterUsesTls("otlp")).contains(true);
  }

  @Test
  void theEdotConfigWithTheContainersOverridesPassesTheCollectorsStartupChecks() {
    OtelCollectorContainer edot = new OtelCollectorContainer(ContainerImages.OTEL_COLLECTOR)
        .withElasticsearch("http://" + ContainerStack.ELASTICSEARCH_ALIAS + ":" + ContainerStack.ELASTICSEARCH_PORT, "");
    CollectorConfig config = CollectorConfig.parse(withOverrides(resource(ContainerStack.EDOT_COLLECTOR_CONFIG_RESOURCE),
        OtelCollectorContainer.COMMAND), edot.getEnvMap());

    assertThat(config.pipelineIds()).containsExactlyInAnyOrder("traces", "metrics", "logs");
    assertThat(config.value("service::extensions")).contains(List.of("health_check"));
    // xpack.security.enabled false: the node's HTTP layer speaks plaintext, and contrib's elasticsearch
    // exporter uses TLS exactly for https:// endpoints
    assertThat(ContainerStack.ELASTICSEARCH_ENV).containsEntry("xpack.security.enabled", "false");
    assertThat(config.exporterUsesTls("elasticsearch/otel")).contains(false);
  }

  private Map<String, String> apmServerSettings() {
    Map<String, String> settings = new LinkedHashMap<>();
    String[] parts = apmServer.getCommandParts();
    for (int i = 0; i < parts.length; i++) {
      if (parts[i].equals("-E")) {
        String kv = parts[++i];
        settings.put(kv.substring(0, kv.indexOf('=')), kv.substring(kv.indexOf('=') + 1));
      }
    }
    return settings;
  }

  /**
   * The mounted file with the {@code --config=yaml:a::b: value} overrides merged over it, as the
   * collector's yaml config provider merges them.
   */
  @SuppressWarnings("unchecked")
  private static String withOverrides(List<String> command) {
    return withOverrides(containersYaml(), command);
  }

  @SuppressWarnings("unchecked")
  private static String withOverrides(String file, List<String> command) {
    Yaml yaml = new Yaml();
    Map<String, Object> root = yaml.load(file);
    for (String arg : command) {
      if (!arg.startsWith("--config=yaml:")) {
        continue;
      }
      String override = arg.substring("--config=yaml:".length());
      int colon = override.indexOf(": ");
      String[] path = override.substring(0, colon).split("::");
      Object value = yaml.load(override.substring(colon + 2));
      Map<String, Object> node = root;
      for (int i = 0; i < path.length - 1; i++) {
        node = (Map<String, Object>) node.computeIfAbsent(path[i], k -> new LinkedHashMap<String, Object>());
      }
      node.put(path[path.length - 1], value);
    }
    DumperOptions options = new DumperOptions();
    options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
    return new Yaml(options).dump(root);
  }

  private static String containersYaml() {
    return resource(ContainerStack.COLLECTOR_CONFIG_RESOURCE);
  }

  private static String resource(String name) {
    try (InputStream in = ContainersConfigValidationTest.class.getClassLoader().getResourceAsStream(name)) {
      return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }
}
