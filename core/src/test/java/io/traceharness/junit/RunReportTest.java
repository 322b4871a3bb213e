package io.traceharness.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import io.traceharness.assertj.TraceAssertions;
import io.traceharness.stack.Backends;
import io.traceharness.stack.ComponentLog;
import io.traceharness.stack.Deployment;
import io.traceharness.stack.Endpoints;
import io.traceharness.stack.FunctionSpec;
import io.traceharness.stack.TracingStack;
import io.traceharness.stack.TracingStackProvider;
import io.traceharness.trace.TraceConditions;
import io.traceharness.trace.TraceFixtures;
import io.traceharness.trace.Traces;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;
import software.amazon.awssdk.services.lambda.LambdaClient;

/**
 * The run report from a real JUnit Platform run, in process: two small test classes, one passing
 * (a trace awaited, another asserted) and one failing (an assertion on a trace), run through the
 * extension; then the page they leave behind is read.
 */
class RunReportTest {

  /** The two cases run only inside this test's launcher, never on their own. */
  static final class OnlyInsideRunReportTest implements ExecutionCondition {
    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
      return context.getConfigurationParameter("traceharness.runReportTest").isPresent()
          ? ConditionEvaluationResult.enabled("inside RunReportTest")
          : ConditionEvaluationResult.disabled("runs inside RunReportTest only");
    }
  }

  /** A backend whose traces are the fixtures and whose one component log is a file of this test's. */
  static final class FixtureStack implements TracingStack {
    static Path log;

    @Override
    public String backend() {
      return "fixtures";
    }

    @Override
    public Endpoints endpoints() {
      throw new UnsupportedOperationException("the fixture backend has no endpoints");
    }

    @Override
    public Deployment deploy(FunctionSpec spec) {
      throw new UnsupportedOperationException("the fixture backend deploys nothing");
    }

    @Override
    public Traces traces() {
      return TraceFixtures.reader();
    }

    @Override
    public LambdaClient lambdaClient() {
      throw new UnsupportedOperationException("the fixture backend has no Lambda API");
    }

    @Override
    public List<ComponentLog> logs() {
      return List.of(new ComponentLog("lambda", log));
    }

    @Override
    public void close() {
    }
  }

  static TracingStackExtension fixtureExtension() {
    TracingStackProvider provider = new TracingStackProvider() {
      @Override
      public String name() {
        return "fixtures";
      }

      @Override
      public TracingStack start() {
        return new FixtureStack();
      }
    };
    return new TracingStackExtension(() -> Backends.of(provider), () -> "fixtures");
  }

  @ExtendWith(OnlyInsideRunReportTest.class)
  static class PassingCase {
    @RegisterExtension
    static TracingStackExtension stack = fixtureExtension();

    @BeforeAll
    static void setUpAwaitsATraceToo(TracingStack stack) {
      stack.traces().await(TraceFixtures.APM_TRACE_ID);
    }

    @Test
    void awaitsTheOtelTrace(TracingStack stack) {
      stack.traces().await(TraceFixtures.OTEL_TRACE_ID, TraceConditions.hasServices("producer"));
    }

    @Test
    void assertsTheApmTrace(TracingStack stack) {
      TraceAssertions.assertThat(stack.traces().read(TraceFixtures.APM_TRACE_ID)).hasServices("java-client");
    }
  }

  @ExtendWith(OnlyInsideRunReportTest.class)
  static class FailingCase {
    @RegisterExtension
    static TracingStackExtension stack = fixtureExtension();

    @Test
    void expectsAServiceTheTraceLacks(TracingStack stack) {
      TraceAssertions.assertThat(stack.traces().read(TraceFixtures.APM_TRACE_ID))
          .hasPath("java-client", "producer", "billing");
    }
  }

  private static EngineExecutionResults run(Path workDir, Class<?>... classes) {
    EngineTestKit.Builder kit = EngineTestKit.engine("junit-jupiter")
        .configurationParameter("traceharness.runReportTest", "true")
        .configurationParameter("traceharness.workDir", workDir.toString())
        .configurationParameter("traceharness.runId", "run-1");
    for (Class<?> c : classes) {
      kit.selectors(selectClass(c));
    }
    return kit.execute();
  }

  @Test
  void listsEveryTestWithItsOutcomeItsTracesAndTheLogsOfTheFailedOne(@TempDir Path dir) throws IOException {
    FixtureStack.log = dir.resolve("lambda.log");
    Files.writeString(FixtureStack.log, "START RequestId: 42\nTask timed out after 3.00 seconds\n");

    EngineExecutionResults results = run(dir.resolve("traceharness"), PassingCase.class, FailingCase.class);

    results.testEvents().assertStatistics(s -> s.started(3).succeeded(2).failed(1));
    Path page = dir.resolve("traceharness").resolve("run-report.html");
    assertThat(page).isRegularFile();
    String html = Files.readString(page);
    assertThat(html).contains("3 tests, 1 failed");
    assertThat(html).containsSubsequence(
        "RunReportTest$FailingCase", "expectsAServiceTheTraceLacks()", "FAILED",
        "RunReportTest$PassingCase", "(@BeforeAll / @AfterAll)", "PASSED",
        "RunReportTest$PassingCase", "assertsTheApmTrace()", "PASSED",
        "RunReportTest$PassingCase", "awaitsTheOtelTrace()", "PASSED");
    // each test with the trace it looked at, and how
    String summary = TraceFixtures.reader().read(TraceFixtures.APM_TRACE_ID).waterfall().lines().findFirst().orElseThrow();
    assertThat(html).containsSubsequence("id=\"entry-1\"", "data-trace-id=\"" + TraceFixtures.APM_TRACE_ID + "\"",
        "awaited", summary, "client-top-level");
    assertThat(html).containsSubsequence("id=\"entry-2\"", "data-trace-id=\"" + TraceFixtures.APM_TRACE_ID + "\"",
        "asserted", summary, "client-top-level");
    assertThat(html).containsSubsequence("id=\"entry-3\"", "data-trace-id=\"" + TraceFixtures.OTEL_TRACE_ID + "\"",
        "awaited");
    // the failed test: its failure, the diagnosis of its trace, the component's log tail
    assertThat(html).containsSubsequence("id=\"entry-0\"", "billing", "class=\"diagnosis\"", "ORPHAN",
        "lambda", "Task timed out after 3.00 seconds");
    assertThat(html.split("Task timed out after 3.00 seconds", -1)).as("log tails of the failed test only").hasSize(2);
    // drawn by the trace report's own page when opened
    assertThat(html).contains("id=\"trace-template\"").contains("\"traceId\":\"" + TraceFixtures.APM_TRACE_ID + "\"");
  }

  @Test
  void aSecondTestJvmOfTheSameRunAddsItsTestsToThePage(@TempDir Path dir) throws IOException {
    FixtureStack.log = dir.resolve("lambda.log");
    Path workDir = dir.resolve("traceharness");
    Path parts = Files.createDirectories(workDir.resolve("run-report"));
    // what another JVM of this run left (failsafe forks, or surefire before failsafe), and one of an older run
    Files.writeString(parts.resolve("run-1.999999.json"), """
        {"runId":"run-1","entries":[{"group":"other.ForkIT","name":"inAnotherJvm()","outcome":"PASSED",
         "failure":null,"traces":[],"logs":[],"tracesNotShown":0}]}""");
    Files.writeString(parts.resolve("run-0.999998.json"), """
        {"runId":"run-0","entries":[{"group":"old.StaleIT","name":"fromTheRunBefore()","outcome":"FAILED",
         "failure":"x","traces":[],"logs":[],"tracesNotShown":0}]}""");

    run(workDir, PassingCase.class);

    String html = Files.readString(workDir.resolve("run-report.html"));
    assertThat(html).contains("3 tests").contains("other.ForkIT").contains("inAnotherJvm()")
        .contains("awaitsTheOtelTrace()").doesNotContain("StaleIT");
    assertThat(parts.resolve("run-0.999998.json")).doesNotExist();
  }
}
