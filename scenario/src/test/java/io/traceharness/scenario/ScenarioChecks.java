package io.traceharness.scenario;

import static io.traceharness.assertj.TraceAssertions.assertThat;

import io.traceharness.diagnosis.Diagnosis;
import io.traceharness.embedded.EmbeddedStack;
import io.traceharness.forwarder.ServerlessForwarder;
import io.traceharness.stack.TracingStack;
import io.traceharness.trace.SpanNode;
import io.traceharness.trace.TraceLog;

/** The whole-tree and log assertions of the post's scenario, shared by the Node and Java suites. */
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

  /**
   * The post's last section: the functions' CloudWatch logs, shipped to Elasticsearch, link to the trace
   * because the functions log its id; the Lambda service's own lines of the trace's invocations are
   * found by their request ids. On a stack that ships the functions' logs (the embedded one by default).
   */
  static void assertLogsLinked(TracingStack stack, BlogScenario.Result r) {
    if (!(stack instanceof EmbeddedStack embedded) || embedded.logForwarder().isEmpty()) {
      return;
    }
    String producer = r.producer().name();
    String consumer = r.consumer().name();
    assertThat(r.trace())
        .hasLogLine(producer, "Status: 200")
        .hasLogLine(producer, "Hello, the current time is")
        .hasLogLine(consumer, "Event: ")
        .hasLogsSatisfying(logs -> {
          for (String function : java.util.List.of(producer, consumer)) {
            org.assertj.core.api.Assertions.assertThat(logs).as("the Lambda service's lines of " + function)
                .anySatisfy(l -> {
                  org.assertj.core.api.Assertions.assertThat(l.function()).isEqualTo(function);
                  org.assertj.core.api.Assertions.assertThat(l.message()).startsWith("REPORT RequestId: ");
                  org.assertj.core.api.Assertions.assertThat(l.link()).isEqualTo(TraceLog.Link.REQUEST_ID);
                });
          }
          org.assertj.core.api.Assertions.assertThat(logs).filteredOn(l -> l.link() == TraceLog.Link.TRACE_ID)
              .allSatisfy(l -> {
                org.assertj.core.api.Assertions.assertThat(l.traceId()).isEqualTo(r.traceId());
                org.assertj.core.api.Assertions.assertThat(l.dataStream()).isEqualTo(ServerlessForwarder.DEFAULT_DATA_STREAM);
                org.assertj.core.api.Assertions.assertThat(l.document().at("/aws/cloudwatch/log_group").asText())
                    .isEqualTo("/aws/lambda/" + l.function());
                org.assertj.core.api.Assertions.assertThat(l.requestId()).isNotNull();
                org.assertj.core.api.Assertions.assertThat(l.spanId()).isNotNull();
              });
        });
  }
}
