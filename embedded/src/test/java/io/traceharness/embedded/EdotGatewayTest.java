package io.traceharness.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import io.traceharness.collector.CollectorConfig;
import java.nio.file.Files;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EdotGatewayTest {

  private static final Map<String, String> ENV = Map.of("ELASTIC_ENDPOINT", "http://127.0.0.1:9200",
      "ELASTIC_API_KEY", "");

  /** elastic/elastic-agent internal/pkg/otel/samples/linux/gateway.yml: its pipelines, exporter and mapping mode. */
  @Test
  void isElasticsGatewayWithTheElasticsearchExporterInOtelMode() {
    CollectorConfig config = CollectorConfig.parse(EdotGateway.yaml(), ENV);

    assertThat(config.value("exporters::elasticsearch/otel::mapping::mode")).contains("otel");
    assertThat(config.value("exporters::elasticsearch/otel::endpoints")).hasValueSatisfying(v ->
        assertThat(v.toString()).contains("http://127.0.0.1:9200"));
    assertThat(config.value("processors::batch::timeout")).contains("1s");
    assertThat(config.pipelineIds()).contains("traces", "logs", "metrics");
  }

  @Test
  void theElasticApmProcessorAndConnectorAreNamedInAWarningAndTheirPipelineIsLeftOut() {
    CollectorConfig config = CollectorConfig.parse(EdotGateway.yaml(), ENV);

    assertThat(config.warnings()).anySatisfy(w -> assertThat(w)
        .contains("connectors::elasticapm", "processors::elasticapm")
        .contains("the data Kibana's APM UI derives from them")
        .contains("is not produced"));
    assertThat(config.pipelineIds()).as("the pipeline fed only by the elasticapm connector")
        .doesNotContain("metrics/aggregated-otel-metrics");
    assertThat(config.warnings()).anySatisfy(w -> assertThat(w)
        .contains("pipeline \"metrics/aggregated-otel-metrics\" receives only from components"));
    assertThat(config.warnings()).as("said once, not again as a receiver, processor or exporter not run")
        .filteredOn(w -> w.contains("elasticapm")).hasSize(2);
  }

  @Test
  void theStacksCopyListsOnItsOwnLoopbackPortsAndIsOtherwiseTheSame() {
    String onPorts = EdotGateway.onPorts(14317, 0);

    assertThat(onPorts).contains("endpoint: 127.0.0.1:14317", "endpoint: 127.0.0.1:0").doesNotContain("0.0.0.0");
    assertThat(onPorts.replace("127.0.0.1:14317", "0.0.0.0:4317").replace("127.0.0.1:0", "0.0.0.0:4318"))
        .isEqualTo(EdotGateway.yaml());
  }

  @Test
  void theFileAFunctionPointsAtHoldsTheSameConfiguration() throws Exception {
    assertThat(Files.readString(EdotGateway.file())).isEqualTo(EdotGateway.yaml());
  }
}
