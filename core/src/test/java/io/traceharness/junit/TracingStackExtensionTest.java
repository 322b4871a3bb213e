package io.traceharness.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.traceharness.stack.Backends;
import io.traceharness.stack.TracingStack;
import io.traceharness.stack.TracingStackProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;

/** Hermetic: the backends and the user's choice are given, never read from this JVM or its environment. */
class TracingStackExtensionTest {

  private static TracingStackProvider backend(String name, String unavailableReason) {
    return new TracingStackProvider() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public String unavailableReason() {
        return unavailableReason;
      }

      @Override
      public TracingStack start() {
        throw new AssertionError("a condition must not start a stack");
      }
    };
  }

  private static final Backends BOTH = Backends.of(backend("embedded", null),
      backend("containers", "Docker is not available here: containers suites skipped. Run them with "
          + "-Dtraceharness.stack=containers on a machine with Docker"));

  @Test
  void aBackendThatCanRunEnablesTheTests() {
    ConditionEvaluationResult result = new TracingStackExtension(() -> BOTH, () -> "embedded")
        .evaluateExecutionCondition(null);

    assertThat(result.isDisabled()).isFalse();
    assertThat(result.getReason()).hasValue("tracing stack embedded can run here");
  }

  @Test
  void aBackendThatCannotRunHereSkipsWithItsReasonAndHowToRunThem() {
    ConditionEvaluationResult result = new TracingStackExtension(() -> BOTH, () -> "containers")
        .evaluateExecutionCondition(null);

    assertThat(result.isDisabled()).isTrue();
    assertThat(result.getReason()).hasValueSatisfying(reason -> assertThat(reason)
        .contains("Docker is not available").contains("-Dtraceharness.stack=containers"));
  }

  @Test
  void anUnknownBackendIsAnErrorNamingTheOnesThereAreNotASkip() {
    TracingStackExtension extension = new TracingStackExtension(() -> BOTH, () -> "lokalstack");

    assertThatThrownBy(() -> extension.evaluateExecutionCondition(null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("traceharness.stack=lokalstack: no such backend on the classpath (found: containers, embedded);"
            + " add the module io.traceharness:traceharness-lokalstack to the test dependencies");
  }

  @Test
  void whatTheRootStoreHoldsIsAutoCloseableAsJUnit513ExpectsAndStillACloseableResource() {
    // JUnit 5.13+ closes AutoCloseable store values and warns about ones that are only CloseableResource
    assertThat(AutoCloseable.class).isAssignableFrom(TracingStackExtension.StartedStack.class)
        .isAssignableFrom(RunRecorder.class);
    @SuppressWarnings("deprecation")
    Class<?> closeableResource = org.junit.jupiter.api.extension.ExtensionContext.Store.CloseableResource.class;
    assertThat(closeableResource).as("closed by JUnit before 5.13 and with auto-closing turned off")
        .isAssignableFrom(TracingStackExtension.StartedStack.class).isAssignableFrom(RunRecorder.class);
  }
}
