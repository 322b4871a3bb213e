package io.traceharness.containers;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/** The sandbox's {@code docker-compose.yml} runs what the containers backend runs. */
class DockerComposeTest {

  private static final Pattern DEFAULTED = Pattern.compile("\\$\\{(\\w+):-([^}]*)}");

  private final Map<String, Object> compose = load();
  private final Map<String, Map<String, Object>> services = map(compose.get("services"));

  @Test
  void servicesAreTheStacksComponentsWithTheirProfiles() {
    assertThat(services).containsOnlyKeys("elasticsearch", "kibana", "apm-server", "otel-collector",
        "otel-collector-ready", "localstack");
    assertThat(services.get("kibana").get("profiles")).isEqualTo(List.of("ui"));
    assertThat(services.get("localstack").get("profiles")).isEqualTo(List.of("localstack"));
    assertThat(map(map(compose.get("networks")).get("default")))
        .as("a named network, the one LAMBDA_DOCKER_NETWORK names")
        .containsEntry("name", ContainerStack.SANDBOX_NETWORK);
  }

  @Test
  void everyServiceRunsTheImagePinnedInContainerImages() {
    services.forEach((name, service) -> {
      String image = (String) service.get("image");
      assertThat(image).as("image of " + name).isEqualTo(ContainerImages.byComposeService().get(name).asCanonicalNameString());
      assertThat(image).as("image of " + name + " is pinned").doesNotEndWith(":latest").contains(":");
    });
  }

  @Test
  void everyServiceHasAHealthcheckAndTheCollectorIsProbedFromOutside() {
    services.forEach((name, service) -> {
      Map<String, Object> healthcheck = map(service.get("healthcheck"));
      if (name.equals("otel-collector")) {
        assertThat(healthcheck).as("the collector image has no shell: its healthcheck is off").containsEntry("disable", true);
      } else {
        assertThat(healthcheck).as("healthcheck of " + name).containsKey("test");
      }
    });
    assertThat(String.join(" ", strings(map(services.get("otel-collector-ready").get("healthcheck")).get("test"))))
        .contains("http://otel-collector:" + OtelCollectorContainer.HEALTH_CHECK_PORT + "/");
  }

  @Test
  void servicesWaitForTheHealthOfWhatTheyNeed() {
    assertThat(dependsOn("apm-server")).containsEntry("elasticsearch", "service_healthy");
    assertThat(dependsOn("kibana")).containsEntry("elasticsearch", "service_healthy");
    assertThat(dependsOn("otel-collector")).containsEntry("apm-server", "service_healthy");
    assertThat(dependsOn("localstack")).containsEntry("otel-collector-ready", "service_healthy");
  }

  @Test
  void elasticsearchHasTheStacksSettingsOnTheAttachPort() {
    assertThat(env("elasticsearch")).isEqualTo(ContainerStack.ELASTICSEARCH_ENV);
    assertThat(containerPorts("elasticsearch")).containsExactly(ContainerStack.ELASTICSEARCH_PORT);
  }

  @Test
  void apmServerRunsTheCommandApmServerContainerRuns() {
    var expected = new ApmServerContainer(ContainerImages.APM_SERVER)
        .withElasticsearch("http://elasticsearch:" + ContainerStack.ELASTICSEARCH_PORT)
        .withSecretToken(ContainerStack.DEFAULT_SECRET_TOKEN);

    assertThat(strings(services.get("apm-server").get("command")).stream().map(DockerComposeTest::interpolate))
        .containsExactly(expected.getCommandParts());
    assertThat(containerPorts("apm-server")).containsExactly(ApmServerContainer.PORT);
  }

  @Test
  void collectorRunsTheStacksConfigWithTheCommandAndEnvironmentOfOtelCollectorContainer() {
    var expected = new OtelCollectorContainer(ContainerImages.OTEL_COLLECTOR)
        .withApmServer("http://apm-server:" + ApmServerContainer.PORT, ContainerStack.DEFAULT_SECRET_TOKEN);
    Map<String, Object> collector = services.get("otel-collector");

    assertThat(strings(collector.get("command"))).containsExactlyElementsOf(OtelCollectorContainer.COMMAND);
    assertThat(env("otel-collector")).isEqualTo(expected.getEnvMap());
    assertThat(strings(collector.get("volumes")))
        .containsExactly("./containers/src/main/resources/" + ContainerStack.COLLECTOR_CONFIG_RESOURCE + ":"
            + OtelCollectorContainer.CONFIG_PATH + ":ro");
    assertThat(containerPorts("otel-collector")).containsExactlyElementsOf(expected.getExposedPorts());
  }

  @Test
  void localStackHasTheEnvironmentContainerStackGivesIt() {
    assertThat(env("localstack"))
        .isEqualTo(ContainerStack.localStackEnv(ContainerStack.SANDBOX_NETWORK, ""));
    assertThat(strings(services.get("localstack").get("volumes")))
        .as("LocalStack starts function containers through the Docker socket")
        .containsExactly("/var/run/docker.sock:/var/run/docker.sock");
    assertThat(containerPorts("localstack")).containsExactly(ContainerStack.LOCALSTACK_PORT);
  }

  @Test
  void portsArePublishedOnLoopbackOnly() {
    services.forEach((name, service) -> strings(service.getOrDefault("ports", List.of()))
        .forEach(port -> assertThat(port).as("port of " + name).startsWith("127.0.0.1:")));
  }

  static Path composeFile() {
    return RepositoryFiles.repositoryRoot().resolve("docker-compose.yml");
  }

  private Map<String, String> env(String service) {
    Map<String, String> env = new java.util.LinkedHashMap<>();
    map(services.get(service).get("environment")).forEach((k, v) -> env.put(k, interpolate(String.valueOf(v))));
    return env;
  }

  private Map<String, String> dependsOn(String service) {
    Map<String, String> conditions = new java.util.LinkedHashMap<>();
    map(services.get(service).get("depends_on")).forEach((k, v) -> conditions.put(k, (String) map(v).get("condition")));
    return conditions;
  }

  private List<Integer> containerPorts(String service) {
    List<Integer> ports = new ArrayList<>();
    for (String mapping : strings(services.get(service).get("ports"))) {
      ports.add(Integer.parseInt(mapping.substring(mapping.lastIndexOf(':') + 1)));
    }
    return ports;
  }

  /** Compose's {@code ${VAR:-default}} with the variable unset, as on a machine without it. */
  private static String interpolate(String value) {
    Matcher m = DEFAULTED.matcher(value);
    return m.replaceAll(r -> Matcher.quoteReplacement(r.group(2)));
  }

  @SuppressWarnings("unchecked")
  private static <V> Map<String, V> map(Object o) {
    assertThat(o).isInstanceOf(Map.class);
    return (Map<String, V>) o;
  }

  @SuppressWarnings("unchecked")
  private static List<String> strings(Object o) {
    assertThat(o).isInstanceOf(List.class);
    return ((List<Object>) o).stream().map(String::valueOf).toList();
  }

  private static Map<String, Object> load() {
    try {
      return new Yaml().load(Files.readString(composeFile()));
    } catch (IOException e) {
      throw new AssertionError("cannot read " + composeFile(), e);
    }
  }
}
