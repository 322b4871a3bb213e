package io.traceharness.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TelemetryPathTest {

  @Test
  void namesAreReadInAnyCase() {
    assertThat(TelemetryPath.of("edot")).isEqualTo(TelemetryPath.EDOT);
    assertThat(TelemetryPath.of(" APM ")).isEqualTo(TelemetryPath.APM);
  }

  @Test
  void anUnknownNameIsRefusedWithTheValidOnes() {
    assertThatThrownBy(() -> TelemetryPath.of("otlp"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("traceharness.path=otlp: unknown telemetry path (valid: apm, edot)");
  }

  @Test
  void theSystemPropertyChoosesAndApmIsTheDefault() {
    String before = System.getProperty(TelemetryPath.PROPERTY);
    try {
      System.clearProperty(TelemetryPath.PROPERTY);
      assertThat(TelemetryPath.configured()).isEqualTo(TelemetryPath.APM);
      System.setProperty(TelemetryPath.PROPERTY, "edot");
      assertThat(TelemetryPath.configured()).isEqualTo(TelemetryPath.EDOT);
    } finally {
      if (before == null) {
        System.clearProperty(TelemetryPath.PROPERTY);
      } else {
        System.setProperty(TelemetryPath.PROPERTY, before);
      }
    }
  }
}
