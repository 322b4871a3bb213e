package io.traceharness.containers;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.utility.DockerImageName;

/**
 * The real Elastic APM Server ({@code docker.elastic.co/apm/apm-server}) writing to Elasticsearch:
 * intake v2, OTLP/HTTP and OTLP/gRPC on one port, 8200.
 *
 * <pre>{@code
 * try (var apm = new ApmServerContainer(ContainerImages.APM_SERVER)
 *     .withNetwork(network)
 *     .withElasticsearch("http://elasticsearch:9200")
 *     .withSecretToken("s3cr3t")) {
 *   apm.start();
 *   URI intake = apm.getEndpoint().resolve("/intake/v2/events");
 * }
 * }</pre>
 *
 * <p>Ready when {@code GET /} answers 200, which APM Server does without credentials even when a
 * secret token is set (it only leaves out the server details).
 */
public class ApmServerContainer extends GenericContainer<ApmServerContainer> {

  public static final int PORT = 8200;

  private static final DockerImageName DEFAULT_IMAGE = DockerImageName.parse("docker.elastic.co/apm/apm-server");

  private String elasticsearchHosts = "http://elasticsearch:9200";
  private String secretToken;

  public ApmServerContainer(String dockerImageName) {
    this(DockerImageName.parse(dockerImageName));
  }

  public ApmServerContainer(DockerImageName dockerImageName) {
    super(dockerImageName);
    dockerImageName.assertCompatibleWith(DEFAULT_IMAGE);
    withExposedPorts(PORT);
    waitingFor(Wait.forHttp("/").forPort(PORT).forStatusCode(200).withStartupTimeout(Duration.ofMinutes(3)));
    updateCommand();
  }

  /** Elasticsearch as APM Server sees it on the container network, e.g. {@code http://elasticsearch:9200}. */
  public ApmServerContainer withElasticsearch(String hosts) {
    this.elasticsearchHosts = hosts;
    updateCommand();
    return self();
  }

  /** Requires {@code Authorization: Bearer <token>} on intake and OTLP requests. */
  public ApmServerContainer withSecretToken(String token) {
    this.secretToken = token;
    updateCommand();
    return self();
  }

  /** Base URL from the test host: intake v2, OTLP/HTTP ({@code /v1/traces}) and OTLP/gRPC. */
  public URI getEndpoint() {
    return URI.create("http://" + getHost() + ":" + getMappedPort(PORT));
  }

  /** The configured secret token, or {@code null} when APM Server accepts anyone. */
  public String getSecretToken() {
    return secretToken;
  }

  // The command is kept current on every change (not built in configure()) so its parts can be
  // read before the container starts.
  private void updateCommand() {
    List<String> parts = new ArrayList<>(List.of(
        "apm-server", "-e",
        "-E", "apm-server.host=0.0.0.0:" + PORT,
        "-E", "output.elasticsearch.hosts=[\"" + elasticsearchHosts + "\"]"));
    if (secretToken != null) {
      parts.add("-E");
      parts.add("apm-server.auth.secret_token=" + secretToken);
    }
    setCommand(parts.toArray(String[]::new));
  }
}
