package io.traceharness.containers;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.utility.DockerImageName;
import org.testcontainers.utility.MountableFile;

/**
 * The real OpenTelemetry collector, contrib distribution ({@code otel/opentelemetry-collector-contrib}),
 * running a given configuration: OTLP/gRPC on 4317, OTLP/HTTP on 4318, the {@code health_check}
 * extension on 13133.
 *
 * <pre>{@code
 * try (var collector = new OtelCollectorContainer(ContainerImages.OTEL_COLLECTOR)
 *     .withNetwork(network)
 *     .withConfig(Path.of("fixtures/collector.yaml"))
 *     .withApmServer("http://apm-server:8200", "s3cr3t")) {
 *   collector.start();
 *   URI traces = collector.getOtlpHttpEndpoint().resolve("/v1/traces");
 * }
 * }</pre>
 *
 * <p>Whatever the configuration says, the OTLP receivers listen on all interfaces (recent
 * collectors default to {@code localhost}, unreachable from other containers) and the
 * {@code health_check} extension runs, so readiness is the collector's own answer on 13133.
 */
public class OtelCollectorContainer extends GenericContainer<OtelCollectorContainer> {

  public static final int OTLP_GRPC_PORT = 4317;
  public static final int OTLP_HTTP_PORT = 4318;
  public static final int HEALTH_CHECK_PORT = 13133;

  /** Where the contrib image reads its configuration. */
  public static final String CONFIG_PATH = "/etc/otelcol-contrib/config.yaml";

  /**
   * The command line, also used by {@code docker-compose.yml}: the mounted configuration, then
   * overrides merged over it by the collector's {@code yaml:} config provider.
   */
  public static final List<String> COMMAND = List.of(
      "--config=" + CONFIG_PATH,
      "--config=yaml:receivers::otlp::protocols::grpc::endpoint: 0.0.0.0:" + OTLP_GRPC_PORT,
      "--config=yaml:receivers::otlp::protocols::http::endpoint: 0.0.0.0:" + OTLP_HTTP_PORT,
      "--config=yaml:extensions::health_check::endpoint: 0.0.0.0:" + HEALTH_CHECK_PORT,
      "--config=yaml:service::extensions: [health_check]");

  private static final DockerImageName DEFAULT_IMAGE = DockerImageName.parse("otel/opentelemetry-collector-contrib");

  public OtelCollectorContainer(String dockerImageName) {
    this(DockerImageName.parse(dockerImageName));
  }

  public OtelCollectorContainer(DockerImageName dockerImageName) {
    super(dockerImageName);
    dockerImageName.assertCompatibleWith(DEFAULT_IMAGE);
    withExposedPorts(OTLP_GRPC_PORT, OTLP_HTTP_PORT, HEALTH_CHECK_PORT);
    setCommand(COMMAND.toArray(String[]::new));
    waitingFor(Wait.forHttp("/").forPort(HEALTH_CHECK_PORT).forStatusCode(200)
        .withStartupTimeout(Duration.ofMinutes(1)));
  }

  /** Runs the configuration in this file (copied into the container). */
  public OtelCollectorContainer withConfig(Path configFile) {
    return withCopyFileToContainer(MountableFile.forHostPath(configFile), CONFIG_PATH);
  }

  /** Runs the configuration in this classpath resource. */
  public OtelCollectorContainer withConfigResource(String resourceName) {
    return withCopyFileToContainer(MountableFile.forClasspathResource(resourceName), CONFIG_PATH);
  }

  /**
   * Sets {@code APM_SERVER_URL} and {@code APM_SERVER_TOKEN}, the variables the post's
   * {@code collector.yaml} reads for its {@code otlp/elastic} exporter.
   */
  public OtelCollectorContainer withApmServer(String url, String secretToken) {
    withEnv("APM_SERVER_URL", url);
    return withEnv("APM_SERVER_TOKEN", secretToken == null ? "" : secretToken);
  }

  /**
   * Sets {@code ELASTIC_ENDPOINT} and {@code ELASTIC_API_KEY}, the variables Elastic's gateway
   * configuration (the EDOT path) reads for its {@code elasticsearch/otel} exporter; an empty key
   * sends no {@code Authorization} header.
   */
  public OtelCollectorContainer withElasticsearch(String url, String apiKey) {
    withEnv("ELASTIC_ENDPOINT", url);
    return withEnv("ELASTIC_API_KEY", apiKey == null ? "" : apiKey);
  }

  /** OTLP/gRPC receiver from the test host, {@code http://host:port}. */
  public URI getOtlpGrpcEndpoint() {
    return endpoint(OTLP_GRPC_PORT);
  }

  /** OTLP/HTTP receiver base URL from the test host (append {@code /v1/traces}). */
  public URI getOtlpHttpEndpoint() {
    return endpoint(OTLP_HTTP_PORT);
  }

  /** The {@code health_check} extension from the test host: 200 while the collector is up. */
  public URI getHealthCheckEndpoint() {
    return endpoint(HEALTH_CHECK_PORT);
  }

  private URI endpoint(int port) {
    return URI.create("http://" + getHost() + ":" + getMappedPort(port));
  }
}
