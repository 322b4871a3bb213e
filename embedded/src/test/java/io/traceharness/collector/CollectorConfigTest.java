package io.traceharness.collector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CollectorConfigTest {

  static String postConfig() {
    try (InputStream in = CollectorConfigTest.class.getResourceAsStream("post-collector.yaml")) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static final Map<String, String> ENV = Map.of("APM_SERVER_URL", "https://apm.example.com:443",
      "APM_SERVER_TOKEN", "s3cr3t");

  private static CollectorConfig parse(String yaml) {
    return CollectorConfig.parse(yaml, ENV);
  }

  private static final String MINIMAL = """
      receivers:
        otlp:
          protocols:
            grpc:
      exporters:
        debug:
      service:
        pipelines:
          traces:
            receivers: [otlp]
            exporters: [debug]
      """;

  @Test
  void postConfigRunsWithAwsxrayLeftOutAndOneWarningNamingIt() {
    CollectorConfig config = parse(postConfig());

    assertThat(config.pipelineIds()).containsExactly("traces", "metrics");
    assertThat(config.pipelines()).allSatisfy(p -> assertThat(p.exporters()).containsExactly("logging", "otlp/elastic"));
    assertThat(config.warnings()).hasSize(2).first().isEqualTo("\"otlp\" alias is deprecated; use \"otlp_grpc\" instead");
    assertThat(config.warnings().get(1))
        .contains("exporter \"awsxray\" is not run by the embedded collector")
        .contains("pipelines traces, metrics");
    assertThat(config.value("exporters::otlp/elastic::headers::Authorization")).contains("Bearer s3cr3t");
    var elastic = (CollectorConfig.OtlpGrpcSpec) config.exporters().get("otlp/elastic");
    assertThat(elastic.target()).isEqualTo("apm.example.com:443");
    assertThat(elastic.tls()).isTrue();
    assertThat(elastic.compression()).isEqualTo("gzip");
    assertThat(elastic.retry()).isEqualTo(CollectorConfig.RetrySpec.defaults());
    assertThat(elastic.queue()).isEqualTo(CollectorConfig.QueueSpec.defaults());
    assertThat(((CollectorConfig.DebugSpec) config.exporters().get("logging")).verbosity())
        .isEqualTo(CollectorConfig.Verbosity.DETAILED);
    var otlp = (CollectorConfig.OtlpReceiverSpec) config.receivers().get("otlp");
    assertThat(otlp.grpc()).isEqualTo(new CollectorConfig.HostPort("0.0.0.0", 4317));
    assertThat(otlp.http()).isEqualTo(new CollectorConfig.HostPort("0.0.0.0", 4318));
  }

  @Test
  void sharedFixtureRunsUnchanged() throws IOException {
    java.nio.file.Path fixture = java.nio.file.Path.of("..", "fixtures", "collector.yaml");
    CollectorConfig config = CollectorConfig.load(fixture, Map.of("APM_SERVER_URL", "http://127.0.0.1:8200",
        "APM_SERVER_TOKEN", "t"));
    assertThat(config.pipelineIds()).contains("traces");
    assertThat(config.warnings()).filteredOn(w -> w.contains("awsxray")).hasSize(1);
    assertThat(config.pipelines()).allSatisfy(p -> assertThat(p.exporters()).doesNotContain("awsxray").isNotEmpty());
  }

  @Test
  void grpcExporterEndpointTakesHostPortOrUrlAsTheRealOne() {
    var plain = (CollectorConfig.OtlpGrpcSpec) CollectorConfig.parse(postConfig(),
        Map.of("APM_SERVER_URL", "http://127.0.0.1:8200", "APM_SERVER_TOKEN", "t")).exporters().get("otlp/elastic");
    assertThat(plain.target()).isEqualTo("127.0.0.1:8200");
    assertThat(plain.tls()).as("configgrpc.go strips http:// and keeps TLS on").isTrue();

    var hostPort = (CollectorConfig.OtlpGrpcSpec) CollectorConfig.parse(postConfig(),
        Map.of("APM_SERVER_URL", "apm.example.com:443", "APM_SERVER_TOKEN", "t")).exporters().get("otlp/elastic");
    assertThat(hostPort.target()).isEqualTo("apm.example.com:443");
    assertThat(hostPort.tls()).isTrue();

    var insecure = (CollectorConfig.OtlpGrpcSpec) parse(MINIMAL.replace("  debug:\n",
        "  otlp:\n    endpoint: 127.0.0.1:8200\n    tls:\n      insecure: true\n").replace("[debug]", "[otlp]"))
        .exporters().get("otlp");
    assertThat(insecure.tls()).isFalse();

    assertThatThrownBy(() -> CollectorConfig.parse(postConfig(),
        Map.of("APM_SERVER_URL", "https://apm.example.com", "APM_SERVER_TOKEN", "t")))
        .hasMessage("exporters::otlp/elastic: address apm.example.com: missing port in address");
  }

  @Test
  void unsetVariablesAreWarnedAboutAndMissingEndpointIsAnError() {
    assertThatThrownBy(() -> CollectorConfig.parse(postConfig(), Map.of()))
        .isInstanceOf(CollectorConfig.InvalidConfigException.class)
        .hasMessage("exporters::otlp/elastic: requires a non-empty \"endpoint\"");
    CollectorConfig config = CollectorConfig.parse(postConfig(), Map.of("APM_SERVER_URL", "http://127.0.0.1:1"));
    assertThat(config.warnings()).contains("configuration references unset environment variable \"APM_SERVER_TOKEN\"");
  }

  @Test
  void pipelineNamingAnUndefinedComponentNamesTheKey() {
    assertThatThrownBy(() -> parse(MINIMAL.replace("[debug]", "[debug, otlp/elastic]")))
        .hasMessage("service::pipelines::traces: references exporter \"otlp/elastic\" which is not configured");
    assertThatThrownBy(() -> parse(MINIMAL.replace("receivers: [otlp]", "receivers: [otlp, otlp/2]")))
        .hasMessage("service::pipelines::traces: references receiver \"otlp/2\" which is not configured");
    assertThatThrownBy(() -> parse(MINIMAL.replace("exporters: [debug]", "processors: [batch]\n      exporters: [debug]")))
        .hasMessage("service::pipelines::traces: references processor \"batch\" which is not configured");
    assertThatThrownBy(() -> parse(MINIMAL + "  extensions: [health_check]\n"))
        .hasMessage("service::extensions: references extension \"health_check\" which is not configured");
  }

  @Test
  void badYamlAndEmptyConfigAreStartupErrors() {
    assertThatThrownBy(() -> parse("receivers:\n  otlp: [unclosed\n"))
        .isInstanceOf(CollectorConfig.InvalidConfigException.class)
        .hasMessageStartingWith("cannot unmarshal the configuration: ");
    assertThatThrownBy(() -> parse("")).hasMessage("empty configuration file");
  }

  @Test
  void unknownTypeIsAnErrorListingValidValues() {
    assertThatThrownBy(() -> parse(MINIMAL.replace("  debug:\n", "  debgu:\n").replace("[debug]", "[debgu]")))
        .hasMessageStartingWith("'exporters' unknown type: \"debgu\" for id: \"debgu\" (valid values: [")
        .hasMessageContaining("otlphttp");
  }

  @Test
  void unknownKeysAreRejectedAsTheRealDecoderDoes() {
    assertThatThrownBy(() -> parse(MINIMAL.replace("  debug:\n", "  otlp:\n    endpont: x:1\n").replace("[debug]", "[otlp]")))
        .hasMessage("'exporters' error reading configuration for \"otlp\": decoding failed: '' has invalid keys: endpont");
  }

  @Test
  void unknownProcessorActionIsAnErrorNamingTheProcessor() {
    String yaml = MINIMAL.replace("exporters:\n  debug:", """
        processors:
          attributes/env:
            actions:
              - key: deployment.environment
                value: test
                action: insert
              - key: x
                action: rename
        exporters:
          debug:""").replace("exporters: [debug]", "processors: [attributes/env]\n      exporters: [debug]");
    assertThatThrownBy(() -> parse(yaml))
        .hasMessage("processors::attributes/env: error creating \"attributes\" processor due to unsupported action "
            + "\"rename\" at the 1-th actions of processor \"attributes/env\"");
  }

  @Test
  void actionNeedsValueOrFromAttribute() {
    String yaml = MINIMAL.replace("exporters:\n  debug:", """
        processors:
          resource:
            attributes:
              - key: service.name
                action: upsert
        exporters:
          debug:""").replace("exporters: [debug]", "processors: [resource]\n      exporters: [debug]");
    assertThatThrownBy(() -> parse(yaml)).hasMessageContaining(
        "Either field \"value\" or \"from_attribute\" setting must be specified for 0-th action of processor \"resource\"");
  }

  @Test
  void otlphttpNeedsAnEndpointAndDerivesSignalUrls() {
    assertThatThrownBy(() -> parse(MINIMAL.replace("  debug:\n", "  otlphttp/apm:\n    headers: {a: b}\n")
        .replace("[debug]", "[otlphttp/apm]")))
        .hasMessage("exporters::otlphttp/apm: at least one endpoint must be specified");
    var spec = (CollectorConfig.OtlpHttpSpec) parse(MINIMAL.replace("  debug:\n",
        "  otlphttp:\n    endpoint: http://127.0.0.1:8200/\n    traces_endpoint: http://127.0.0.1:9/t\n")
        .replace("[debug]", "[otlphttp]")).exporters().get("otlphttp");
    assertThat(spec.tracesUrl()).hasToString("http://127.0.0.1:9/t");
    assertThat(spec.metricsUrl()).hasToString("http://127.0.0.1:8200/v1/metrics");
  }

  @Test
  void batchAndExporterhelperSettingsAreRead() {
    String yaml = """
        receivers:
          otlp:
            protocols:
              http:
                endpoint: localhost:14318
        processors:
          batch/small:
            timeout: 1s500ms
            send_batch_size: 10
            send_batch_max_size: 20
          memory_limiter:
            check_interval: 1s
            limit_mib: 100
        exporters:
          otlp:
            endpoint: 127.0.0.1:1234
            compression: none
            timeout: 2s
            retry_on_failure:
              initial_interval: 100ms
              max_interval: 1s
              max_elapsed_time: 10s
            sending_queue:
              num_consumers: 2
              queue_size: 5
        extensions:
          health_check:
        service:
          extensions: [health_check]
          telemetry:
            logs:
              level: debug
          pipelines:
            traces/x:
              receivers: [otlp]
              processors: [memory_limiter, batch/small]
              exporters: [otlp]
        """;
    CollectorConfig config = parse(yaml);
    assertThat(config.processors().get("batch/small"))
        .isEqualTo(new CollectorConfig.BatchSpec("batch/small", Duration.ofMillis(1500), 10, 20));
    var otlp = (CollectorConfig.OtlpGrpcSpec) config.exporters().get("otlp");
    assertThat(otlp.retry()).isEqualTo(new CollectorConfig.RetrySpec(true, Duration.ofMillis(100),
        Duration.ofSeconds(1), Duration.ofSeconds(10), 1.5, 0.5));
    assertThat(otlp.queue()).isEqualTo(new CollectorConfig.QueueSpec(true, 2, 5));
    assertThat(otlp.compression()).isEqualTo("none");
    assertThat(((CollectorConfig.OtlpReceiverSpec) config.receivers().get("otlp")).grpc()).isNull();
    assertThat(config.pipelines().get(0).signal()).isEqualTo(Signal.TRACES);
    assertThat(config.warnings()).filteredOn(w -> w.contains("memory_limiter")).singleElement().asString()
        .contains("processor \"memory_limiter\" is accepted but not enforced");
  }

  @Test
  void invalidValuesNameTheirKeyPath() {
    assertThatThrownBy(() -> parse(MINIMAL.replace("  debug:\n",
        "  otlp:\n    endpoint: h:1\n    retry_on_failure:\n      initial_interval: soon\n").replace("[debug]", "[otlp]")))
        .hasMessage("exporters::otlp::retry_on_failure::initial_interval: time: invalid duration \"soon\"");
    assertThatThrownBy(() -> parse(MINIMAL.replace("traces:", "profiles:")))
        .hasMessageStartingWith("service::pipelines: unknown signal \"profiles\"");
    assertThatThrownBy(() -> parse(MINIMAL.replace("    protocols:\n      grpc:\n", "    protocols: {}\n")))
        .hasMessage("receivers::otlp: must specify at least one protocol when using the OTLP receiver");
  }

  /** opentelemetry-collector service/internal/graph/graph.go: a connector must join two pipelines. */
  @Test
  void aConnectorUsedOnOneSideOnlyIsRefusedAndOtherConnectorsAreNotRun() {
    String asExporterOnly = MINIMAL.replace("exporters:\n  debug:", "connectors:\n  elasticapm: {}\nexporters:\n  debug:")
        .replace("exporters: [debug]", "exporters: [debug, elasticapm]");
    assertThatThrownBy(() -> parse(asExporterOnly)).hasMessage(
        "connector \"elasticapm\" used as exporter in [traces] pipeline but not used in any supported receiver pipeline");
    String unknown = MINIMAL.replace("exporters:\n  debug:", "connectors:\n  spanmetrics: {}\nexporters:\n  debug:");
    assertThatThrownBy(() -> parse(unknown)).hasMessage("connectors: the embedded collector runs no connectors, got spanmetrics");
  }
}
