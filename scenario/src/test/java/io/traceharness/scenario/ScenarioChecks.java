package io.traceharness.scenario;

import static io.traceharness.assertj.TraceAssertions.assertThat;

import io.traceharness.diagnosis.Diagnosis;
import io.traceharness.stack.TracingStack;
import io.traceharness.trace.SpanNode;

/** The whole-tree assertion of the post's scenario, shared by the Node and Java suites. */
final class ScenarioChecks {

  private ScenarioChecks() {
  }

  static void assertConnectedBlogTrace(TracingStack stack, BlogScenario.Result r) {
    org.assertj.core.api.Assertions.assertThat(r.client().status()).as(r.client().describe()).isEqualTo(200);
    org.assertj.core.api.Assertions.assertThat(r.client().body())
        .as("the post's answer")
        .startsWith("{\"message\":\"The response from the producer is {\\\"message\\\":\\\"Hello, the current time is ");
    Diagnosis diagnosis = r.diagnose(stack);
    org.assertj.core.api.Assertions.assertThat(diagnosis.isClean()).as(diagnosis.toString()).isTrue();

    String client = r.expectedServices().get(0);
    String producer = r.producer().name();
    String consumer = r.consumer().name();
    assertThat(r.trace())
        .hasSingleRoot()
        .hasNoOrphans()
        .hasServicesExactly(client, producer, consumer)
        .hasPath(client, producer, consumer)
        .hasRootSatisfying(root -> root.hasService(client).isTransaction().hasName("client-top-level")
            .hasOutcome(SpanNode.Outcome.SUCCESS)
            .hasChildSatisfying(request -> request.hasService(client).isSpan().hasName("client-request")
                .hasChildSatisfying(p -> p.hasService(producer).isTransaction().hasOutcome(SpanNode.Outcome.SUCCESS)
                    .hasChildSatisfying(get -> get.hasService(producer).isSpan().hasType("external")
                        .hasChildSatisfying(c -> c.hasService(consumer).isTransaction()
                            .hasOutcome(SpanNode.Outcome.SUCCESS))))));
    // the functions' invocation spans have an unset status and often no HTTP status code: APM Server
    // still stores success (apm-data v1.22.0 input/otlp/traces.go, end of TranslateTransaction); no
    // span of the trace may be a failure
    for (SpanNode s : r.trace().spans()) {
      org.assertj.core.api.Assertions.assertThat(s.traceId()).isEqualTo(r.traceId());
      org.assertj.core.api.Assertions.assertThat(s.outcome()).as("outcome of " + s.describe() + "\n" + r.trace().waterfall())
          .isNotEqualTo(SpanNode.Outcome.FAILURE);
    }
  }
}
