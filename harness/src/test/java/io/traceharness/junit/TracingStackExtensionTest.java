package io.traceharness.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import io.traceharness.containers.ContainerStack;
import io.traceharness.stack.TracingStack;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;

class TracingStackExtensionTest {

  @AfterEach
  void clearBackend() {
    System.clearProperty("traceharness.stack");
  }

  @Test
  void embeddedIsTheDefaultAndRunsAnywhere() {
    assertThat(TracingStack.configuredBackend()).isEqualTo("embedded");

    ConditionEvaluationResult result = new TracingStackExtension().evaluateExecutionCondition(null);

    assertThat(result.isDisabled()).isFalse();
    assertThat(result.getReason()).hasValue("tracing stack embedded can run here");
  }

  @Test
  void containersWithoutDockerAreSkippedWithTheReasonAndHowToRunThem() {
    assumeFalse(ContainerStack.dockerAvailable(), "Docker runs here: the containers backend is not skipped");
    System.setProperty("traceharness.stack", "containers");

    ConditionEvaluationResult result = new TracingStackExtension().evaluateExecutionCondition(null);

    assertThat(result.isDisabled()).isTrue();
    assertThat(result.getReason()).hasValueSatisfying(reason -> assertThat(reason)
        .contains("Docker is not available").contains("-Dtraceharness.stack=containers"));
  }

  @Test
  void anUnknownBackendIsAnErrorNotASkip() {
    System.setProperty("traceharness.stack", "lokalstack");

    assertThatThrownBy(TracingStack::configuredBackend)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("traceharness.stack=lokalstack: expected embedded or containers");
  }
}
