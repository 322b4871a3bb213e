package io.traceharness.collector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigExpanderTest {

  private final ConfigExpander expander = new ConfigExpander(Map.of(
      "APM_SERVER_URL", "https://apm.example.com:443", "TOKEN", "s3cr3t", "EMPTY", ""));

  @Test
  void expandsBareAndEnvSchemeReferences() {
    assertThat(expander.expand("${APM_SERVER_URL}", "k")).isEqualTo("https://apm.example.com:443");
    assertThat(expander.expand("${env:APM_SERVER_URL}", "k")).isEqualTo("https://apm.example.com:443");
    assertThat(expander.expand("Bearer ${TOKEN}", "k")).isEqualTo("Bearer s3cr3t");
    assertThat(expander.expand("${TOKEN}-${env:TOKEN}", "k")).isEqualTo("s3cr3t-s3cr3t");
  }

  @Test
  void defaultAppliesOnlyWhenTheVariableIsUnset() {
    assertThat(expander.expand("${MISSING:-http://localhost:8200}", "k")).isEqualTo("http://localhost:8200");
    assertThat(expander.expand("${env:MISSING:-x}", "k")).isEqualTo("x");
    assertThat(expander.expand("${TOKEN:-x}", "k")).isEqualTo("s3cr3t");
    assertThat(expander.expand("${EMPTY:-x}", "k")).as("set but empty keeps the empty value").isEmpty();
  }

  @Test
  void unsetVariableBecomesEmptyAndIsRemembered() {
    assertThat(expander.expand("Bearer ${NOPE}", "k")).isEqualTo("Bearer ");
    assertThat(expander.unsetVariables()).containsExactly("NOPE");
  }

  @Test
  void doubleDollarEscapesAndBareDollarNamesStayLiteral() {
    assertThat(expander.expand("$${TOKEN}", "k")).isEqualTo("${TOKEN}");
    assertThat(expander.expand("cost: $$5", "k")).isEqualTo("cost: $5");
    assertThat(expander.expand("$TOKEN", "k")).isEqualTo("$TOKEN");
    assertThat(expander.expand("trailing $", "k")).isEqualTo("trailing $");
  }

  @Test
  void keysAreNotExpandedValuesInListsAre() {
    Object out = expander.expandTree(Map.of("${TOKEN}", List.of("${TOKEN}", 4317)), "");
    assertThat(out).isEqualTo(Map.of("${TOKEN}", List.of("s3cr3t", 4317)));
  }

  @Test
  void invalidNamesAndSchemesAreErrorsThatNameTheKey() {
    assertThatThrownBy(() -> expander.expand("${1BAD}", "exporters::otlp::endpoint"))
        .hasMessageStartingWith("exporters::otlp::endpoint: environment variable \"1BAD\" has invalid name");
    assertThatThrownBy(() -> expander.expand("${file:/etc/x}", "exporters::otlp::endpoint"))
        .hasMessage("exporters::otlp::endpoint: scheme \"file\" is not supported for uri \"file:/etc/x\" (supported: env)");
  }
}
