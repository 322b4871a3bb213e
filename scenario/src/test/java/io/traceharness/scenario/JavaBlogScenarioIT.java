package io.traceharness.scenario;

import io.traceharness.junit.TracingStackTest;
import io.traceharness.scenario.BlogScenario.Language;
import io.traceharness.stack.TracingStack;
import org.junit.jupiter.api.Test;

/** The Java twins of the post's functions, with the OpenTelemetry Java agent layer. */
@TracingStackTest
class JavaBlogScenarioIT {

  @Test
  void clientTraceCrossesBothJavaLambdas(TracingStack stack) {
    BlogScenario.Result r = BlogScenario.builder(stack).language(Language.JAVA).suffix("-java").build().run();

    ScenarioChecks.assertConnectedBlogTrace(stack, r);
    ScenarioChecks.assertLogsLinked(stack, r);
  }
}
