package io.traceharness.containers;

import io.traceharness.stack.TracingStack;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.LoggerFactory;

/**
 * Runs a class only on the containers backend with a Docker engine; otherwise the class is
 * reported skipped with the reason, and the reason is logged once so the build output says it.
 */
final class ContainersBackendOnly implements ExecutionCondition {

  @Override
  public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
    if (!TracingStack.configuredBackend().equals("containers")) {
      return ConditionEvaluationResult.disabled("containers backend not selected (-Dtraceharness.stack=containers)");
    }
    if (!ContainerStack.dockerAvailable()) {
      if (context.getTestMethod().isEmpty()) {
        LoggerFactory.getLogger(ContainersBackendOnly.class).warn(ContainerStack.SKIP_REASON);
      }
      return ConditionEvaluationResult.disabled(ContainerStack.SKIP_REASON);
    }
    return ConditionEvaluationResult.enabled("containers backend with Docker");
  }
}
