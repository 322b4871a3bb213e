package io.traceharness.containers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.containers.ContainerLaunchException;
import org.testcontainers.containers.wait.strategy.AbstractWaitStrategy;
import org.testcontainers.containers.wait.strategy.HostPortWaitStrategy;
import org.testcontainers.containers.wait.strategy.HttpWaitStrategy;

/** What each container would run, read from the objects without Docker. */
class ContainerClassesTest {

  private HttpServer server;

  @AfterEach
  void stopServer() {
    if (server != null) {
      server.stop(0);
    }
  }

  @Test
  void apmServerRunsPinnedImageAgainstElasticsearchWithSecretToken() {
    var apm = new ApmServerContainer(ContainerImages.APM_SERVER)
        .withElasticsearch("http://elasticsearch:9200")
        .withSecretToken("s3cr3t");

    assertThat(Inspect.image(apm)).isEqualTo("docker.elastic.co/apm/apm-server:" + ContainerImages.ELASTIC_VERSION);
    assertThat(apm.getExposedPorts()).containsExactly(8200);
    assertThat(apm.getCommandParts()).containsExactly("apm-server", "-e",
        "-E", "apm-server.host=0.0.0.0:8200",
        "-E", "output.elasticsearch.hosts=[\"http://elasticsearch:9200\"]",
        "-E", "apm-server.auth.secret_token=s3cr3t");
    assertThat(apm.getSecretToken()).isEqualTo("s3cr3t");
    assertThat(Inspect.waitStrategy(apm)).isInstanceOf(HttpWaitStrategy.class);
  }

  @Test
  void apmServerWithoutSecretTokenAcceptsAnyone() {
    var apm = new ApmServerContainer("docker.elastic.co/apm/apm-server:8.19.21");

    assertThat(apm.getCommandParts()).noneMatch(part -> part.contains("secret_token"));
    assertThat(apm.getSecretToken()).isNull();
  }

  @Test
  void apmServerIsReadyOnlyOnceGetRootAnswers200() throws Exception {
    var apm = new ApmServerContainer(ContainerImages.APM_SERVER);
    AtomicInteger status = new AtomicInteger(503);
    int port = serve("/", status);
    var wait = (HttpWaitStrategy) Inspect.waitStrategy(apm);
    wait.withStartupTimeout(Duration.ofSeconds(2));

    assertThatThrownBy(() -> wait.waitUntilReady(Inspect.loopbackTarget(Map.of(ApmServerContainer.PORT, port))))
        .as("APM Server answering 503 on / is not ready")
        .isInstanceOf(ContainerLaunchException.class);

    status.set(200);
    wait.waitUntilReady(Inspect.loopbackTarget(Map.of(ApmServerContainer.PORT, port)));
  }

  @Test
  void apmServerRefusesForeignImages() {
    assertThatThrownBy(() -> new ApmServerContainer("nginx:1.27"))
        .hasMessageContaining("docker.elastic.co/apm/apm-server");
  }

  @Test
  void collectorRunsPinnedContribImageWithMountedConfigAndApmServerEnvironment(@TempDir Path dir) throws Exception {
    Path config = Files.writeString(dir.resolve("collector.yaml"), "receivers: {}\n");
    var collector = new OtelCollectorContainer(ContainerImages.OTEL_COLLECTOR)
        .withConfig(config)
        .withApmServer("http://apm-server:8200", "s3cr3t");

    assertThat(Inspect.image(collector)).isEqualTo("otel/opentelemetry-collector-contrib:0.161.0");
    assertThat(collector.getExposedPorts()).containsExactly(4317, 4318, 13133);
    assertThat(collector.getCommandParts()).containsExactly(
        "--config=/etc/otelcol-contrib/config.yaml",
        "--config=yaml:receivers::otlp::protocols::grpc::endpoint: 0.0.0.0:4317",
        "--config=yaml:receivers::otlp::protocols::http::endpoint: 0.0.0.0:4318",
        "--config=yaml:extensions::health_check::endpoint: 0.0.0.0:13133",
        "--config=yaml:service::extensions: [health_check]");
    assertThat(collector.getEnvMap())
        .containsEntry("APM_SERVER_URL", "http://apm-server:8200")
        .containsEntry("APM_SERVER_TOKEN", "s3cr3t");
    assertThat(collector.getCopyToFileContainerPathMap()).containsValue("/etc/otelcol-contrib/config.yaml");
  }

  @Test
  void collectorIsReadyWhenItsHealthCheckExtensionAnswers() throws Exception {
    var collector = new OtelCollectorContainer(ContainerImages.OTEL_COLLECTOR);
    int port = serve("/", new AtomicInteger(200));
    var wait = (HttpWaitStrategy) Inspect.waitStrategy(collector);
    wait.withStartupTimeout(Duration.ofSeconds(2));

    wait.waitUntilReady(Inspect.loopbackTarget(Map.of(OtelCollectorContainer.HEALTH_CHECK_PORT, port)));

    assertThatThrownBy(() -> wait.waitUntilReady(Inspect.loopbackTarget(
        Map.of(OtelCollectorContainer.OTLP_HTTP_PORT, port))))
        .as("readiness is asked of port 13133, not of the OTLP receivers")
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("13133");
  }

  @Test
  void elasticsearchAsTheStackConfiguresIt() {
    // no LocalStack token: the default reads the developer's LOCALSTACK_AUTH_TOKEN
    var elasticsearch = ContainerStack.builder().collectorConfig(Path.of("collector.yaml")).localStackAuthToken(null)
        .build().elasticsearch();

    assertThat(Inspect.image(elasticsearch))
        .isEqualTo("docker.elastic.co/elasticsearch/elasticsearch:" + ContainerImages.ELASTIC_VERSION);
    assertThat(elasticsearch.getExposedPorts()).contains(9200);
    assertThat(elasticsearch.getEnvMap())
        .containsEntry("discovery.type", "single-node")
        .containsEntry("xpack.security.enabled", "false")
        .containsEntry("xpack.apm_data.enabled", "true")
        .containsEntry("ES_JAVA_OPTS", "-Xms512m -Xmx512m");
    assertThat(Inspect.waitStrategy(elasticsearch)).isInstanceOf(AbstractWaitStrategy.class);
  }

  @Test
  void lambdaRuntimeRunsTheHandlerOnTheBaseImageWithCodeInVarTask(@TempDir Path dir) throws Exception {
    Path zip = dir.resolve("functions.zip");
    try (var out = new ZipOutputStream(Files.newOutputStream(zip))) {
      out.putNextEntry(new ZipEntry("handler.js"));
      out.write("exports.consumer = async () => ({statusCode: 200});".getBytes());
      out.closeEntry();
    }
    var runtime = new LambdaRuntimeContainer(ContainerImages.LAMBDA_NODEJS)
        .withFunctionName("consumer")
        .withHandler("handler.consumer")
        .withTimeout(Duration.ofSeconds(30))
        .withMemorySize(512)
        .withCode(zip);

    assertThat(Inspect.image(runtime)).isEqualTo("public.ecr.aws/lambda/nodejs:22");
    assertThat(runtime.getExposedPorts()).containsExactly(8080);
    assertThat(runtime.getCommandParts()).containsExactly("handler.consumer");
    assertThat(runtime.getEnvMap())
        .containsEntry("AWS_LAMBDA_FUNCTION_NAME", "consumer")
        .containsEntry("AWS_LAMBDA_FUNCTION_TIMEOUT", "30")
        .containsEntry("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "512")
        .containsEntry("AWS_REGION", "us-east-1");
    assertThat(runtime.getCopyToFileContainerPathMap()).containsValue("/var/task");
    Path unpacked = Path.of(runtime.getCopyToFileContainerPathMap().keySet().iterator().next().getResolvedPath());
    assertThat(unpacked.resolve("handler.js")).as("the zip is unpacked for /var/task").exists();
    assertThat(Inspect.waitStrategy(runtime)).isInstanceOf(HostPortWaitStrategy.class);
  }

  @Test
  void lambdaRuntimeAcceptsOnlyLambdaBaseImages() {
    new LambdaRuntimeContainer("public.ecr.aws/lambda/java:21");
    assertThatThrownBy(() -> new LambdaRuntimeContainer("node:22"))
        .hasMessageContaining("public.ecr.aws/lambda");
  }

  @Test
  void lambdaRuntimeRefusesZipEntriesEscapingTheTaskRoot(@TempDir Path dir) throws Exception {
    Path zip = dir.resolve("evil.zip");
    try (var out = new ZipOutputStream(Files.newOutputStream(zip))) {
      out.putNextEntry(new ZipEntry("../../outside.js"));
      out.closeEntry();
    }
    assertThatThrownBy(() -> LambdaRuntimeContainer.unzip(zip)).hasMessageContaining("cannot unpack");
  }

  private int serve(String path, AtomicInteger status) throws Exception {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(path, exchange -> {
      exchange.sendResponseHeaders(status.get(), -1);
      exchange.close();
    });
    server.start();
    return server.getAddress().getPort();
  }
}
