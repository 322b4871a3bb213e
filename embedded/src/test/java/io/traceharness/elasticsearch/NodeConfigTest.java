package io.traceharness.elasticsearch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

class NodeConfigTest {

  private final NodeConfig node = new NodeConfig(Path.of("/work/es-1"));

  @Test
  void settingsMakeALoopbackSingleNodeWithoutSecurityOnTheGivenPorts() {
    Map<String, String> s = NodeConfig.settings("traceharness-1", node, 19200, 19300, Map.of());

    assertThat(s).containsEntry("discovery.type", "single-node")
        .containsEntry("xpack.security.enabled", "false")
        .containsEntry("http.port", "19200")
        .containsEntry("transport.port", "19300")
        .containsEntry("path.data", "/work/es-1/data")
        .containsEntry("path.logs", "/work/es-1/logs")
        .containsEntry("cluster.name", "traceharness-1")
        .containsEntry("cluster.routing.allocation.disk.threshold_enabled", "false")
        .doesNotContainKeys("network.host", "http.host");
  }

  @Test
  void userSettingsWinOverTheHarnesss() {
    Map<String, String> s = NodeConfig.settings("c", node, 1, 2,
        Map.of("cluster.routing.allocation.disk.threshold_enabled", "true", "indices.query.bool.max_clause_count", "10"));

    assertThat(s).containsEntry("cluster.routing.allocation.disk.threshold_enabled", "true")
        .containsEntry("indices.query.bool.max_clause_count", "10");
  }

  @Test
  void renderedYamlReadsBackAsTheSameSettings() {
    Map<String, String> s = NodeConfig.settings("traceharness-1", node, 19200, 19300,
        Map.of("node.attr.note", "a \"quoted\": value # not a comment"));

    Map<String, Object> parsed = new Yaml().load(NodeConfig.render(s));

    assertThat(parsed).containsExactlyInAnyOrderEntriesOf(Map.copyOf(s));
    assertThat(NodeConfig.render(s)).contains("\nhttp.port: \"19200\"\n");
  }

  @Test
  void rejectsSomethingThatIsNoSettingName() {
    assertThatThrownBy(() -> NodeConfig.render(Map.of("http.port: 1\nevil", "x")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not an Elasticsearch setting name");
  }

  @Test
  void prepareCopiesTheDistributionsConfigOnceAndRewritesElasticsearchYml(@TempDir Path tmp) throws Exception {
    Path home = tmp.resolve("es-home");
    Files.createDirectories(home.resolve("config/jvm.options.d"));
    Files.writeString(home.resolve("config/jvm.options"), "-XX:+UseG1GC\n");
    Files.writeString(home.resolve("config/log4j2.properties"), "status = error\n");
    home.resolve("config/jvm.options").toFile().setReadOnly();
    NodeConfig n = new NodeConfig(tmp.resolve("node"));

    n.prepare(home, Map.of("http.port", "1"));
    Files.writeString(n.config().resolve("jvm.options"), "-XX:+UseSerialGC\n");
    n.prepare(home, Map.of("http.port", "2"));

    assertThat(List.of(n.data(), n.logs(), n.tmp(), n.config().resolve("jvm.options.d"))).allMatch(Files::isDirectory);
    assertThat(n.config().resolve("log4j2.properties")).hasContent("status = error");
    assertThat(n.config().resolve("jvm.options")).as("copied once, then left alone").hasContent("-XX:+UseSerialGC");
    assertThat(n.config().resolve("elasticsearch.yml")).content().contains("http.port: \"2\"");
  }

  @Test
  void noCliOptionsMeansTheLaunchersOwnDefaults() {
    assertThat(EmbeddedElasticsearch.environment(node, List.of("-Xmx1g"), List.of(), false))
        .doesNotContainKey("CLI_JAVA_OPTS").containsEntry("HOME", System.getProperty("user.home"));
  }

  @Test
  void environmentPointsTheLauncherAtTheRunningJdkAndTheNodesOwnDirs() {
    Map<String, String> env = EmbeddedElasticsearch.environment(node, List.of("-Xms256m", "-Xmx256m"),
        List.of("-XX:TieredStopAtLevel=1"), true);

    assertThat(env).containsEntry("ES_JAVA_HOME", System.getProperty("java.home"))
        .containsEntry("ES_PATH_CONF", "/work/es-1/config")
        .containsEntry("ES_TMPDIR", "/work/es-1/tmp")
        .containsEntry("ES_JAVA_OPTS", "-Xms256m -Xmx256m")
        .containsEntry("CLI_JAVA_OPTS", "-XX:TieredStopAtLevel=1")
        .containsEntry("HOME", "/work/es-1")
        .doesNotContainKeys("JAVA_TOOL_OPTIONS", "ES_HOME");
  }
}
