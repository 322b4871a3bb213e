package io.traceharness.junit;

import io.traceharness.stack.Backends;
import io.traceharness.stack.ComponentLog;
import io.traceharness.stack.TracingStack;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.TestWatcher;
import java.util.function.Supplier;

/**
 * Starts the {@link TracingStack} chosen by {@code -Dtraceharness.stack} once per test JVM (in
 * the root extension store, so every test class shares it), injects it into test methods and
 * constructors, and prints the tail of every component's log when a test fails.
 *
 * <p>Use it through {@link TracingStackTest}, or register it directly:
 * <pre>{@code
 * @ExtendWith(TracingStackExtension.class)
 * class MyIT {
 *   @Test void t(TracingStack stack) { ... }
 * }
 * }</pre>
 * When the stack cannot run here (the containers backend without Docker), the tests are skipped
 * with one line saying why and how to run them.
 */
public final class TracingStackExtension implements ExecutionCondition, ParameterResolver, TestWatcher {

  private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(TracingStackExtension.class);
  private static final int LOG_TAIL_LINES = 40;

  private final Supplier<Backends> backends;
  private final Supplier<String> chosen;

  public TracingStackExtension() {
    this(Backends::discovered, Backends::configuredName);
  }

  /** With these backends and this choice instead of the classpath's and the user's (tests). */
  TracingStackExtension(Supplier<Backends> backends, Supplier<String> chosen) {
    this.backends = backends;
    this.chosen = chosen;
  }

  @Override
  public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
    String name = chosen.get();
    String reason = backends.get().provider(name).unavailableReason();
    return reason == null
        ? ConditionEvaluationResult.enabled("tracing stack " + name + " can run here")
        : ConditionEvaluationResult.disabled(reason);
  }

  @Override
  public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
    return parameterContext.getParameter().getType() == TracingStack.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext)
      throws ParameterResolutionException {
    return sharedStack(extensionContext);
  }

  /** The shared stack, started on first use. */
  public static TracingStack stack(ExtensionContext context) {
    return new TracingStackExtension().sharedStack(context);
  }

  private TracingStack sharedStack(ExtensionContext context) {
    return context.getRoot().getStore(NAMESPACE)
        .getOrComputeIfAbsent(StartedStack.class, k -> new StartedStack(backends.get().provider(chosen.get()).start()),
            StartedStack.class)
        .stack;
  }

  @Override
  public void testFailed(ExtensionContext context, Throwable cause) {
    StartedStack started = context.getRoot().getStore(NAMESPACE).get(StartedStack.class, StartedStack.class);
    if (started == null) {
      return;
    }
    StringBuilder out = new StringBuilder();
    out.append("\n==== ").append(context.getDisplayName()).append(" failed; component logs (last ")
        .append(LOG_TAIL_LINES).append(" lines each) ====\n");
    for (ComponentLog log : started.stack.logs()) {
      out.append("---- ").append(log.component()).append(" (").append(log.file()).append(")\n")
          .append(log.tail(LOG_TAIL_LINES)).append('\n');
    }
    System.err.println(out);
  }

  /** Closed by JUnit when the root context closes, i.e. once at the end of the test run. */
  private static final class StartedStack implements ExtensionContext.Store.CloseableResource {
    private final TracingStack stack;

    StartedStack(TracingStack stack) {
      this.stack = stack;
    }

    @Override
    public void close() {
      stack.close();
    }
  }
}
