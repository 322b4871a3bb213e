package io.traceharness.junit;

import io.traceharness.stack.Backends;
import io.traceharness.stack.ComponentLog;
import io.traceharness.stack.TracingStack;
import io.traceharness.diagnosis.Diagnosis;
import io.traceharness.report.RunReport;
import io.traceharness.trace.Trace;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
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
 *
 * <p>At the end of the run it writes the run report, {@code target/traceharness/run-report.html}
 * (under {@code -Dtraceharness.workDir}): every test with its outcome, the traces it awaited or
 * asserted (waterfall and diagnosis) and, for a failed test, the component log tails.
 */
public final class TracingStackExtension implements ExecutionCondition, ParameterResolver, BeforeAllCallback,
    AfterAllCallback, BeforeEachCallback, TestWatcher {

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
  public void beforeAll(ExtensionContext context) {
    recorder(context).classStarted(context);
  }

  @Override
  public void afterAll(ExtensionContext context) {
    recorder(context).classFinished(context);
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    recorder(context).started(context);
  }

  @Override
  public void testSuccessful(ExtensionContext context) {
    recorder(context).finished(RunReport.Outcome.PASSED, null, List.of());
  }

  @Override
  public void testAborted(ExtensionContext context, Throwable cause) {
    recorder(context).finished(RunReport.Outcome.ABORTED, cause, List.of());
  }

  @Override
  public void testDisabled(ExtensionContext context, Optional<String> reason) {
    recorder(context).disabled(context, reason.orElse(null));
  }

  @Override
  public void testFailed(ExtensionContext context, Throwable cause) {
    RunRecorder recorder = recorder(context);
    StartedStack started = context.getRoot().getStore(NAMESPACE).get(StartedStack.class, StartedStack.class);
    if (started == null) {
      recorder.finished(RunReport.Outcome.FAILED, cause, List.of());
      return;
    }
    diagnoseWithTheStack(recorder.current(), started.stack);
    List<RunReport.Log> logs = new ArrayList<>();
    StringBuilder out = new StringBuilder();
    out.append("\n==== ").append(context.getDisplayName()).append(" failed; component logs (last ")
        .append(LOG_TAIL_LINES).append(" lines each) ====\n");
    for (ComponentLog log : started.stack.logs()) {
      String tail = log.tail(LOG_TAIL_LINES);
      logs.add(new RunReport.Log(log.component(), String.valueOf(log.file()), tail));
      out.append("---- ").append(log.component()).append(" (").append(log.file()).append(")\n")
          .append(tail).append('\n');
    }
    System.err.println(out);
    recorder.finished(RunReport.Outcome.FAILED, cause, logs);
  }

  /** A failed test's traces diagnosed with what the stack saw (invocations, export failures), while it runs. */
  private static void diagnoseWithTheStack(RunRecorder.TestRecord test, TracingStack stack) {
    if (test == null) {
      return;
    }
    for (Trace trace : test.tracesSeen()) {
      try {
        Diagnosis d = stack.diagnose(trace.traceId(), List.copyOf(trace.services()));
        test.diagnoses.put(trace.traceId(), d);
      } catch (RuntimeException e) {
        // the report then shows the diagnosis from the trace alone
      }
    }
  }

  private static RunRecorder recorder(ExtensionContext context) {
    return context.getRoot().getStore(NAMESPACE)
        .getOrComputeIfAbsent(RunRecorder.class, k -> RunRecorder.forRun(context), RunRecorder.class);
  }

  /**
   * Closed by JUnit when the root context closes, i.e. once at the end of the test run: as an
   * {@link AutoCloseable} by JUnit 5.13+ (which warns about a store value that is only a
   * {@code CloseableResource}), as a {@code CloseableResource} by older JUnit or with
   * {@code junit.jupiter.extensions.store.close.autocloseable.enabled=false}; either way once.
   */
  @SuppressWarnings("deprecation") // CloseableResource: deprecated since 5.13, kept for the cases above
  static final class StartedStack implements AutoCloseable, ExtensionContext.Store.CloseableResource {
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
