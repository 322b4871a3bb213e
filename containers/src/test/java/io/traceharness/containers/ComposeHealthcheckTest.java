package io.traceharness.containers;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * Every compose healthcheck runs only programs its image contains. A healthcheck whose program is
 * missing never passes, and everything that depends on the service never starts.
 */
class ComposeHealthcheckTest {

  /** What each image can run, and where that is written. */
  record ImageContents(Set<String> programs, String source) {
  }

  static final Map<String, ImageContents> IMAGES = Map.of(
      "elasticsearch", new ImageContents(Set.of("sh", "bash", "curl"),
          "elastic/elasticsearch distribution/docker/src/docker/Dockerfile (installs curl for health checks)"),
      "kibana", new ImageContents(Set.of("sh", "bash", "curl"),
          "elastic/kibana src/dev/build/tasks/os_packages/docker_generator/templates/base/Dockerfile (installs curl)"),
      "apm-server", new ImageContents(Set.of("sh", "bash"),
          "elastic/apm-server packaging/docker/Dockerfile (8.19: ubuntu:22.04 base, installs nothing: no curl, no wget)"),
      "otel-collector", new ImageContents(Set.of(),
          "open-telemetry/opentelemetry-collector-releases distributions/otelcol-contrib/Dockerfile (FROM scratch)"),
      "otel-collector-ready", new ImageContents(Set.of("sh", "curl"),
          "curl/curl-container (Alpine with curl)"),
      "localstack", new ImageContents(Set.of("sh", "bash", "curl"),
          "localstack/localstack Dockerfile (installs curl)"));

  @Test
  void everyHealthcheckUsesOnlyWhatItsImageContains() {
    Map<String, Map<String, Object>> services = services();
    assertThat(IMAGES.keySet()).as("a contents list for every service").isEqualTo(services.keySet());
    services.forEach((name, service) -> {
      @SuppressWarnings("unchecked")
      Map<String, Object> healthcheck = (Map<String, Object>) service.get("healthcheck");
      if (Boolean.TRUE.equals(healthcheck.get("disable"))) {
        return;
      }
      ImageContents image = IMAGES.get(name);
      assertThat(programs(healthcheck.get("test")))
          .as("programs the healthcheck of %s runs; its image (%s) has %s", name, image.source(), image.programs())
          .isSubsetOf(image.programs());
    });
  }

  @Test
  void theApmServerHealthcheckProbesWithBashAloneAndTheCollectorsIsOff() {
    Map<String, Map<String, Object>> services = services();
    @SuppressWarnings("unchecked")
    List<String> test = (List<String>) ((Map<String, Object>) services.get("apm-server").get("healthcheck")).get("test");
    assertThat(test.subList(0, 3)).containsExactly("CMD", "bash", "-c");
    assertThat(test.get(3)).contains("/dev/tcp/127.0.0.1/" + ApmServerContainer.PORT).doesNotContain("curl");
    assertThat(IMAGES.get("otel-collector").programs()).as("FROM scratch").isEmpty();
  }

  /**
   * The programs a compose {@code test} runs: {@code CMD} runs its first word; {@code CMD-SHELL} runs
   * {@code /bin/sh -c} and the first word of each command in the line.
   */
  static Set<String> programs(Object test) {
    @SuppressWarnings("unchecked")
    List<String> parts = (List<String>) test;
    if (parts.get(0).equals("CMD")) {
      return Set.of(parts.get(1));
    }
    Set<String> out = new java.util.TreeSet<>(Set.of("sh"));
    for (String command : parts.get(1).split("&&|\\|\\||;|\\|")) {
      String first = command.strip().split("\\s+")[0];
      if (!first.isEmpty() && !first.startsWith(">")) {
        out.add(first);
      }
    }
    return out;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Map<String, Object>> services() {
    try {
      Map<String, Object> compose = new Yaml().load(Files.readString(DockerComposeTest.composeFile()));
      return (Map<String, Map<String, Object>>) compose.get("services");
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }
}
