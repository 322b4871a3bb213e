package io.traceharness.stack;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** Hermetic: the property and environment look-ups are given. */
class BackendsTest {

  private static String chosen(Map<String, String> properties, Map<String, String> environment) {
    return Backends.configuredName(properties::get, environment::get);
  }

  @Test
  void embeddedIsTheDefault() {
    assertThat(chosen(Map.of(), Map.of())).isEqualTo("embedded");
  }

  @Test
  void theSystemPropertyWinsOverTheEnvironmentAndIsReadCaseInsensitively() {
    assertThat(chosen(Map.of("traceharness.stack", " Containers "), Map.of("TRACEHARNESS_STACK", "embedded")))
        .isEqualTo("containers");
    assertThat(chosen(Map.of("traceharness.stack", " "), Map.of("TRACEHARNESS_STACK", "containers")))
        .isEqualTo("containers");
  }

  @Test
  void theCoreModuleBringsNoBackendOfItsOwn() {
    assertThat(Backends.discovered().names()).isEmpty();
  }
}
