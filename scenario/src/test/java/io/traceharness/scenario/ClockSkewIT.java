package io.traceharness.scenario;

import static io.traceharness.assertj.TraceAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.traceharness.diagnosis.Diagnosis;
import io.traceharness.diagnosis.Diagnosis.Kind;
import io.traceharness.junit.TracingStackTest;
import io.traceharness.embedded.EmbeddedStack;
import io.traceharness.stack.TracingStack;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The post's screenshot: a child drawn outside its parent because two clocks disagree. */
@TracingStackTest
class ClockSkewIT {

  @Test
  void skewedConsumerKeepsTheTreeAndTheSkewReportNamesTheSpan(TracingStack stack) {
    assumeTrue(stack instanceof EmbeddedStack, "clock skew is an option of the embedded stack's layer collectors");
    ((EmbeddedStack) stack).clockSkew("consumer-skew", Duration.ofMillis(1500));

    BlogScenario.Result r = BlogScenario.builder(stack).suffix("-skew").build().run();

    assertThat(r.trace()).hasSingleRoot().hasNoOrphans().hasPath("java-client", "producer-skew", "consumer-skew");
    Diagnosis d = r.diagnose(stack);
    assertThat(d.isClean()).as(d.toString()).isTrue();
    assertThat(d.findings(Kind.CLOCK_SKEW)).as(d.toString()).isNotEmpty()
        .anySatisfy(f -> assertThat(f.message()).contains("consumer-skew").contains("disagree"));
  }
}
