package io.traceharness.containers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.traceharness.containers.ContainerFunction.Route;
import io.traceharness.stack.FunctionSpec;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** How the stack wires its containers, checked on the configured (not started) stack. */
class ContainerStackTest {

  private final ContainerStack stack = ContainerStack.builder()
      .collectorConfig(Path.of("collector.yaml"))
      .secretToken("s3cr3t")
      .localStackAuthToken(null)
      .build();

  @Test
  void everyContainerJoinsOneNetworkUnderItsComposeServiceName() {
    assertThat(stack.elasticsearch().getNetwork()).isSameAs(stack.apmServer().getNetwork())
        .isSameAs(stack.collector().getNetwork()).isNotNull();
    assertThat(stack.elasticsearch().getNetworkAliases()).contains("elasticsearch");
    assertThat(stack.apmServer().getNetworkAliases()).contains("apm-server");
    assertThat(stack.collector().getNetworkAliases()).contains("otel-collector");
  }

  @Test
  void apmServerWritesToElasticsearchAndTheCollectorExportsToApmServerWithTheSameToken() {
    assertThat(stack.apmServer().getCommandParts())
        .contains("output.elasticsearch.hosts=[\"http://elasticsearch:9200\"]", "apm-server.auth.secret_token=s3cr3t");
    assertThat(stack.collector().getEnvMap())
        .containsEntry("APM_SERVER_URL", "http://apm-server:8200")
        .containsEntry("APM_SERVER_TOKEN", "s3cr3t");
  }

  @Test
  void onTheEdotPathTheCollectorWritesToElasticsearchWithNoApmServerInBetween() {
    ContainerStack edot = ContainerStack.builder().path(io.traceharness.stack.TelemetryPath.EDOT)
        .localStackAuthToken(null).build();

    assertThat(edot.path()).isEqualTo(io.traceharness.stack.TelemetryPath.EDOT);
    assertThat(edot.collector().getEnvMap())
        .containsEntry("ELASTIC_ENDPOINT", "http://elasticsearch:9200")
        .containsEntry("ELASTIC_API_KEY", "")
        .doesNotContainKey("APM_SERVER_URL");
    assertThat(edot.collector().getDependencies()).containsExactly(edot.elasticsearch());
    assertThat(edot.collector().getCopyToFileContainerPathMap().values())
        .containsExactly(OtelCollectorContainer.CONFIG_PATH);
    assertThat(edot.collector().getCopyToFileContainerPathMap().keySet()).singleElement()
        .satisfies(f -> assertThat(f.getFilesystemPath()).endsWith("edot-collector.yaml"));
    // the client's Elastic APM agent still needs APM Server
    assertThat(edot.apmServer().getDependencies()).containsExactly(edot.elasticsearch());
    assertThat(stack.path()).isEqualTo(io.traceharness.stack.TelemetryPath.APM);
  }

  @Test
  void containersStartInDependencyOrder() {
    assertThat(stack.apmServer().getDependencies()).containsExactly(stack.elasticsearch());
    assertThat(stack.collector().getDependencies()).containsExactly(stack.apmServer());
  }

  @Test
  void localStackGetsTheTokenTheServicesAndTheStackNetworkForFunctions() {
    assertThat(ContainerStack.localStackEnv("net-1", "ls-token"))
        .containsEntry("LOCALSTACK_AUTH_TOKEN", "ls-token")
        .containsEntry("SERVICES", "lambda,apigateway,iam,logs")
        .containsEntry("LAMBDA_DOCKER_NETWORK", "net-1");
    assertThat(stack.localStackEnv()).containsEntry("LAMBDA_DOCKER_NETWORK", stack.networkName());
  }

  @Test
  void functionsRunInLocalStackOnlyWithAnAuthToken() {
    assertThat(stack.usesLocalStack()).isFalse();
    assertThat(ContainerStack.builder().collectorConfig(Path.of("c.yaml")).localStackAuthToken("t").build()
        .usesLocalStack()).isTrue();
    assertThat(ContainerStack.builder().collectorConfig(Path.of("c.yaml")).localStackAuthToken("  ").build()
        .usesLocalStack()).as("a blank token is no token").isFalse();
  }

  @Test
  void functionsExportOtlpStraightToTheCollectorUnlessTheySayOtherwise() {
    var producer = new ContainerFunction("producer", "nodejs22.x", "handler.producer", Path.of("f.zip"),
        Map.of("CONSUMER_API", "http://localstack:4566/x"), "POST", "produce");
    var custom = new ContainerFunction("consumer", "java21", "x.Handler::handleRequest", Path.of("f.zip"),
        Map.of("OTEL_SERVICE_NAME", "custom"), "GET", "/ping");

    assertThat(producer.containerEnvironment("/opt"))
        .containsEntry("OTEL_EXPORTER_OTLP_ENDPOINT", "http://otel-collector:4318")
        .containsEntry("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf")
        .containsEntry("OTEL_SERVICE_NAME", "producer")
        .containsEntry("CONSUMER_API", "http://localstack:4566/x")
        .doesNotContainKey("AWS_LAMBDA_EXEC_WRAPPER");
    assertThat(producer.routes()).containsExactly(new Route("POST", "/produce"));
    assertThat(producer.runtimeImage()).isEqualTo(ContainerImages.LAMBDA_NODEJS);
    assertThat(custom.containerEnvironment("/opt")).containsEntry("OTEL_SERVICE_NAME", "custom");
    assertThat(custom.runtimeImage()).isEqualTo(ContainerImages.LAMBDA_JAVA);
    assertThatThrownBy(() -> new ContainerFunction("x", "python3.13", "h", Path.of("f.zip"), null, "GET", "/")
        .runtimeImage()).hasMessageContaining("python3.13");
  }

  @Test
  void aLayerRunsThroughItsExecWrapperWhereverTheLayerSits() {
    var withLayer = new ContainerFunction("consumer", "nodejs22.x", "handler.producer", Path.of("f.zip"), Map.of(),
        Duration.ofSeconds(10), 256, List.of(), Path.of("layer"));

    assertThat(withLayer.containerEnvironment("/opt"))
        .containsEntry("AWS_LAMBDA_EXEC_WRAPPER", "/opt/otel-handler")
        .containsEntry("TRACEHARNESS_OPT_DIR", "/opt");
    assertThat(withLayer.containerEnvironment(LocalStackDeployer.BUNDLED_LAYER_DIR))
        .containsEntry("AWS_LAMBDA_EXEC_WRAPPER", "/var/task/otel-layer/otel-handler")
        .containsEntry("TRACEHARNESS_OPT_DIR", "/var/task/otel-layer");
  }

  @Test
  void aFunctionSpecCarriesItsRoutesLimitsAndEnvironment() {
    FunctionSpec spec = FunctionSpec.nodejs("producer", "handler.consumer").code(Path.of("f.zip"))
        .env("CONSUMER_API", "http://x/ping").timeout(Duration.ofSeconds(12)).memoryMb(256)
        .http("POST", "/produce").build();

    ContainerFunction function = ContainerFunction.of(spec);

    assertThat(function.runtime()).isEqualTo(spec.runtime());
    assertThat(function.handler()).isEqualTo("handler.consumer");
    assertThat(function.environment()).containsEntry("CONSUMER_API", "http://x/ping");
    assertThat(function.timeout()).isEqualTo(Duration.ofSeconds(12));
    assertThat(function.memoryMb()).isEqualTo(256);
    assertThat(function.routes()).containsExactly(new Route("POST", "/produce"));
    assertThat(function.layer()).isNull();
    assertThatThrownBy(() -> ContainerFunction.of(spec.toBuilder().layer("arn:aws:lambda:us-east-1:1:layer:x:1").build()))
        .hasMessageContaining("no layer registry");
  }

  @Test
  void urlsTheTestGotFromDeployAreRewrittenToWhatContainersReach() {
    Map<String, String> prefixes = Map.of(
        "http://127.0.0.1:32768", "http://localstack:4566",
        "http://127.0.0.1:41000", "http://host.testcontainers.internal:41000");

    assertThat(ContainerFunction.internalize(Map.of(
        "CONSUMER_API", "http://127.0.0.1:32768/restapis/abc/dev/_user_request_/ping",
        "VIA_GATEWAY", "http://127.0.0.1:41000/dev/ping",
        "OTHER_PORT", "http://127.0.0.1:327680/x",
        "PLAIN", "hello"), prefixes))
        .containsEntry("CONSUMER_API", "http://localstack:4566/restapis/abc/dev/_user_request_/ping")
        .containsEntry("VIA_GATEWAY", "http://host.testcontainers.internal:41000/dev/ping")
        .containsEntry("OTHER_PORT", "http://127.0.0.1:327680/x")
        .containsEntry("PLAIN", "hello");
  }

  @Test
  void apiGatewayUrlsFollowLocalStacksUserRequestForm() {
    assertThat(LocalStackDeployer.restApiUrl(URI.create("http://127.0.0.1:32768/"), "abc123", "/ping"))
        .isEqualTo(URI.create("http://127.0.0.1:32768/restapis/abc123/dev/_user_request_/ping"));
    assertThat(LocalStackDeployer.restApiUrl(URI.create("http://localstack:4566"), "abc123", "produce"))
        .isEqualTo(URI.create("http://localstack:4566/restapis/abc123/dev/_user_request_/produce"));
    assertThat(LocalStackDeployer.integrationUri("arn:aws:lambda:us-east-1:000000000000:function:consumer"))
        .isEqualTo("arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/"
            + "arn:aws:lambda:us-east-1:000000000000:function:consumer/invocations");
  }

  @Test
  void dockerCheckAnswersWithoutThrowingAndTheSkipReasonSaysHowToRunTheSuites() {
    boolean available = ContainerStack.dockerAvailable();

    assertThat(ContainerStack.dockerAvailable()).as("the answer is stable").isEqualTo(available);
    assertThat(ContainerStack.SKIP_REASON)
        .contains("Docker is not available here", "-Dtraceharness.stack=containers", "`containers`");
  }

  @Test
  void anUnstartedStackHasNoEndpointsYet() {
    assertThat(stack.backend()).isEqualTo("containers");
    assertThatThrownBy(stack::endpoints).hasMessageContaining("not started");
    assertThat(stack.logs()).isEmpty();
    stack.close();
    stack.close();
  }

  @Test
  void attachingWithoutARunningSandboxSaysHowToStartOne() {
    assertThatThrownBy(() -> ContainerStack.attach("127.0.0.1", "t"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("sandbox/up.sh");
  }
}
