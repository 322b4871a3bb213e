package io.traceharness.scenario;

import static io.traceharness.assertj.TraceAssertions.assertThat;

import io.traceharness.junit.TracingStackTest;
import io.traceharness.scenario.BlogScenario.Language;
import io.traceharness.stack.TracingStack;
import org.junit.jupiter.api.Test;

/** The post's scenario as it is: Node.js functions with the OpenTelemetry layer, the Java client with the Elastic APM agent. */
@TracingStackTest
class NodeBlogScenarioIT {

  @Test
  void clientTraceCrossesBothNodeLambdas(TracingStack stack) {
    BlogScenario.Result r = BlogScenario.builder(stack).language(Language.NODEJS).suffix("-node").build().run();

    ScenarioChecks.assertConnectedBlogTrace(stack, r);
    ScenarioChecks.assertLogsLinked(stack, r);
  }

  @Test
  void thePostsNodeClientIsTracedToo(TracingStack stack) {
    BlogScenario.Result r = BlogScenario.builder(stack).language(Language.NODEJS).suffix("-node")
        .client(BlogScenario.Client.NODE).build().run();

    ScenarioChecks.assertConnectedBlogTrace(stack, r);
    assertThat(r.trace()).hasRootSatisfying(root -> root.hasService("node-client"));
  }
}
