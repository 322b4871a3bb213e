package io.traceharness.collector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The {@code telemetryapi} receiver's settings as opentelemetry-lambda reads them
 * ({@code collector/receiver/telemetryapireceiver/config.go}, {@code factory.go} defaults, the entries of its
 * {@code testdata/config.yaml} and README).
 */
class TelemetryApiConfigTest {

  private static CollectorConfig parse(String receivers, String pipelines) {
    return CollectorConfig.parse("receivers:\n" + receivers + "exporters:\n  debug:\nservice:\n  pipelines:\n"
        + pipelines, Map.of());
  }

  private static CollectorConfig.TelemetryApiSpec spec(CollectorConfig config, String id) {
    return (CollectorConfig.TelemetryApiSpec) config.receivers().get(id);
  }

  @Test
  void defaultsOfTheFactory() {
    CollectorConfig config = parse("  telemetryapi:\n", "    logs:\n      receivers: [telemetryapi]\n      exporters: [debug]\n");
    assertThat(spec(config, "telemetryapi")).isEqualTo(new CollectorConfig.TelemetryApiSpec("telemetryapi", 0,
        List.of("platform", "function", "extension"), false, "", 60_000));
    assertThat(config.warnings()).isEmpty();
  }

  @Test
  void theKeysOfItsReadme() {
    CollectorConfig config = parse("""
          telemetryapi/1:
            port: 4326
            export_interval_ms: 30000
          telemetryapi/2:
            port: 4327
            types:
              - platform
              - function
            metrics_temporality: delta
          telemetryapi/3:
            port: 4328
            types: ["platform", "function"]
            log_report: true
          telemetryapi/8:
            port: 12345
            types: []
        """, "    logs:\n      receivers: [telemetryapi/1, telemetryapi/2, telemetryapi/3]\n      exporters: [debug]\n");
    assertThat(spec(config, "telemetryapi/1").port()).isEqualTo(4326);
    assertThat(spec(config, "telemetryapi/1").exportIntervalMs()).isEqualTo(30_000);
    assertThat(spec(config, "telemetryapi/2").types()).containsExactly("platform", "function");
    assertThat(spec(config, "telemetryapi/2").metricsTemporality()).isEqualTo("delta");
    assertThat(spec(config, "telemetryapi/3").logReport()).isTrue();
    // accepted by Validate; the receiver refuses to start without a type
    assertThat(spec(config, "telemetryapi/8").types()).isEmpty();
  }

  @Test
  void unknownKeysAreRefusedAsTheDecoderDoes() {
    assertThatThrownBy(() -> parse("  telemetryapi:\n    buffering:\n      max_items: 1000\n",
        "    logs:\n      receivers: [telemetryapi]\n      exporters: [debug]\n"))
        .isInstanceOf(CollectorConfig.InvalidConfigException.class)
        .hasMessage("'receivers' error reading configuration for \"telemetryapi\": decoding failed: '' has invalid keys:"
            + " buffering");
  }

  @Test
  void validateMessages() {
    String logs = "    logs:\n      receivers: [telemetryapi]\n      exporters: [debug]\n";
    assertThatThrownBy(() -> parse("  telemetryapi:\n    types: [platform, metrics]\n", logs))
        .hasMessage("receivers::telemetryapi: unknown extension type: metrics");
    assertThatThrownBy(() -> parse("  telemetryapi:\n    export_interval_ms: -1\n", logs))
        .hasMessage("receivers::telemetryapi: export_interval_ms must be non-negative: -1");
    assertThatThrownBy(() -> parse("  telemetryapi:\n    metrics_temporality: monthly\n", logs))
        .hasMessage("receivers::telemetryapi: unknown metrics temporality: monthly");
  }

  @Test
  void inTracesOrMetricsPipelinesItIsLeftOutWithAWarning() {
    CollectorConfig config = parse("  telemetryapi:\n  otlp:\n    protocols:\n      http:\n",
        "    traces:\n      receivers: [otlp, telemetryapi]\n      exporters: [debug]\n"
            + "    logs:\n      receivers: [telemetryapi]\n      exporters: [debug]\n");
    assertThat(config.pipelines().get(0).receivers()).containsExactly("otlp");
    assertThat(config.pipelines().get(1).receivers()).containsExactly("telemetryapi");
    assertThat(config.warnings()).singleElement().asString().contains("telemetryapi (traces)", "pipeline traces");
  }
}
