package io.traceharness.containers;

import io.traceharness.support.Versions;
import java.util.Map;
import org.testcontainers.utility.DockerImageName;

/**
 * Every image the containers backend and the {@code docker-compose.yml} sandbox run, pinned here
 * once. Elasticsearch, Kibana and APM Server carry the version of the node the embedded stack
 * runs ({@code Versions.of("elasticsearch")}), so both backends store documents the same way.
 *
 * <pre>{@code
 * try (var apm = new ApmServerContainer(ContainerImages.APM_SERVER)) { ... }
 * }</pre>
 *
 * <p>A test checks that {@code docker-compose.yml} names exactly these images.
 */
public final class ContainerImages {

  /** The Elastic stack version shared by Elasticsearch, Kibana and APM Server. */
  public static final String ELASTIC_VERSION = Versions.of("elasticsearch");

  public static final DockerImageName ELASTICSEARCH =
      DockerImageName.parse("docker.elastic.co/elasticsearch/elasticsearch").withTag(ELASTIC_VERSION);

  public static final DockerImageName KIBANA =
      DockerImageName.parse("docker.elastic.co/kibana/kibana").withTag(ELASTIC_VERSION);

  public static final DockerImageName APM_SERVER =
      DockerImageName.parse("docker.elastic.co/apm/apm-server").withTag(ELASTIC_VERSION);

  /**
   * The contrib distribution, which Lambda-era collector configs are written for. Its image is built
   * {@code FROM scratch}: no shell, no curl. Both it and the core distribution carry the
   * {@code health_check} extension (opentelemetry-collector-releases, each distribution's
   * {@code manifest.yaml}).
   */
  public static final DockerImageName OTEL_COLLECTOR =
      DockerImageName.parse("otel/opentelemetry-collector-contrib:0.161.0");

  /** Calendar-versioned since March 2026; needs {@code LOCALSTACK_AUTH_TOKEN} to start. */
  public static final DockerImageName LOCALSTACK = DockerImageName.parse("localstack/localstack:2026.08.0");

  /** AWS Lambda base image for Java 21 with the Runtime Interface Emulator built in. */
  public static final DockerImageName LAMBDA_JAVA = DockerImageName.parse("public.ecr.aws/lambda/java:21");

  /** AWS Lambda base image for Node.js 22 with the Runtime Interface Emulator built in. */
  public static final DockerImageName LAMBDA_NODEJS = DockerImageName.parse("public.ecr.aws/lambda/nodejs:22");

  /**
   * Only for the compose sandbox: the collector image is built {@code FROM scratch} (no shell, no
   * curl), so a compose healthcheck cannot run inside it; a curl container probes its
   * {@code health_check} extension instead.
   */
  public static final DockerImageName HEALTH_PROBE = DockerImageName.parse("curlimages/curl:8.11.1");

  private ContainerImages() {
  }

  /** Image per {@code docker-compose.yml} service name. */
  public static Map<String, DockerImageName> byComposeService() {
    return Map.of(
        "elasticsearch", ELASTICSEARCH,
        "kibana", KIBANA,
        "apm-server", APM_SERVER,
        "otel-collector", OTEL_COLLECTOR,
        "otel-collector-ready", HEALTH_PROBE,
        "localstack", LOCALSTACK);
  }
}
