package io.traceharness.scenario;

import static io.traceharness.assertj.TraceAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import io.traceharness.diagnosis.Diagnosis;
import io.traceharness.diagnosis.Diagnosis.Kind;
import io.opentelemetry.api.trace.SpanKind;
import io.traceharness.embedded.EmbeddedStack;
import io.traceharness.report.TraceReport;
import io.traceharness.scenario.BlogScenario.Language;
import io.traceharness.stack.TelemetryPath;
import io.traceharness.support.Ports;
import io.traceharness.trace.SpanNode;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The post's scenario on today's path (EDOT): the functions' layer collectors run Elastic's gateway
 * configuration, whose elasticsearch exporter writes OpenTelemetry-native documents with no APM
 * Server in between, while the client's Elastic APM agent still speaks intake v2 to APM Server. The
 * same whole-tree assertion as the 2021 path's suites, over a trace whose client spans are APM
 * documents and whose function spans are OpenTelemetry-native ones; and some of the breaks of
 * {@link BreakDiagnosisIT}, run by its own code on this stack.
 */
class EdotBlogScenarioIT {

  private static EmbeddedStack stack;

  @BeforeAll
  static void startEdotStack() {
    // The gateway configuration's batch processor (timeout 1s) holds what a layer collector received
    // when the environment freezes, as the real layer's does (opentelemetry-lambda
    // collector/processor/decoupleprocessor/README.md: batched data waits for the next invocation, up
    // to the environment's shutdown): with freeze on, no function span reaches Elasticsearch before
    // the next invocation. This suite checks the schemas and the exporter, so its environments stay
    // thawed; LifecycleDiagnosisIT covers what a freeze holds back.
    stack = EmbeddedStack.builder().path(TelemetryPath.EDOT).freeze(false).build().start();
  }

  @AfterAll
  static void stopEdotStack() {
    if (stack != null) {
      stack.close();
    }
  }

  @Test
  void clientTraceCrossesBothNodeLambdasWithFunctionSpansInOtelNativeDocuments() {
    BlogScenario.Result r = BlogScenario.builder(stack).language(Language.NODEJS).suffix("-edot-node").build().run();

    ScenarioChecks.assertConnectedBlogTrace(stack, r);
    assertSchemas(r);
  }

  @Test
  void clientTraceCrossesBothJavaLambdasWithFunctionSpansInOtelNativeDocuments() {
    BlogScenario scenario = BlogScenario.builder(stack).language(Language.JAVA).suffix("-edot-java").build();
    warmUp(scenario.deploy());
    BlogScenario.Result r = scenario.run();

    ScenarioChecks.assertConnectedBlogTrace(stack, r);
    assertSchemas(r);
  }

  /**
   * Invokes both Java functions once through the Lambda API: their cold start (3–4 s alone, above
   * 20 s on a loaded machine, one function after the other) would otherwise outlast API Gateway's
   * 29 s integration timeout; this suite is about where the spans go, not about cold starts.
   */
  private static void warmUp(BlogScenario.Functions f) {
    for (var d : List.of(f.consumer(), f.producer())) {
      String event = d == f.consumer() ? "{\"httpMethod\":\"GET\",\"path\":\"/ping\",\"headers\":{}}"
          : "{\"httpMethod\":\"POST\",\"path\":\"/produce\",\"headers\":{\"Content-Type\":\"application/json\"},"
              + "\"body\":\"{\\\"name\\\":\\\"warm-up\\\"}\"}";
      stack.lambdaClient().invoke(i -> i.functionName(d.name())
          .payload(software.amazon.awssdk.core.SdkBytes.fromUtf8String(event)));
    }
  }

  /** The functions' spans never went through APM Server: they are in traces-*.otel-*, the client's in traces-apm*. */
  private static void assertSchemas(BlogScenario.Result r) {
    List<com.fasterxml.jackson.databind.JsonNode> docs = stack.traces().documents(r.traceId());
    for (SpanNode s : r.trace().spans()) {
      boolean function = !s.service().equals(r.expectedServices().get(0));
      assertThat(docs).as("document of %s", s.describe()).anySatisfy(d -> {
        String id = d.path("span_id").isTextual() ? d.path("span_id").asText() : d.path("span").path("id").asText();
        assertThat(id).isEqualTo(s.spanId());
        assertThat(d.has("trace_id")).as("%s is OpenTelemetry-native", s.describe()).isEqualTo(function);
      });
    }
    // kinds read from OpenTelemetry-native documents' "kind" field
    assertThat(r.trace()).hasRootSatisfying(root -> root.hasChildSatisfying(request -> request
        .hasChildSatisfying(p -> p.hasService(r.producer().name()).hasKind(SpanKind.SERVER)
            .hasChildSatisfying(get -> get.hasKind(SpanKind.CLIENT)
                .hasChildSatisfying(c -> c.hasService(r.consumer().name()).hasKind(SpanKind.SERVER))))));
    // the HTML report draws the joined tree: every span, both schemas
    String report = TraceReport.builder().trace(r.trace()).build().json();
    for (SpanNode s : r.trace().spans()) {
      assertThat(report).as("report of %s", r.traceId()).contains(s.spanId(), s.service());
    }
  }

  @Test
  void activeTracingWithXrayPropagatorIsDiagnosedOnThisPathToo() {
    new BreakDiagnosisIT().activeTracingWithXrayPropagatorSplitsTheTraceAndTheDiagnosisNamesTheXrayHeader(stack);
  }

  @Test
  void aCallerWithoutTraceparentIsDiagnosedOnThisPathToo() {
    new BreakDiagnosisIT().aCallerWithoutTraceparentStartsANewRootAndTheDiagnosisSaysSo(stack);
  }

  @Test
  void unreachableElasticsearchLeavesTheFunctionsOutAndTheDiagnosisNamesTheExportFailure() {
    String nowhere = "http://127.0.0.1:" + Ports.free();
    BlogScenario.Result r = BlogScenario.builder(stack).language(Language.NODEJS).suffix("-edot-noexport")
        .apmServerUrl(nowhere).awaitTimeout(Duration.ofSeconds(15)).build().run();

    assertThat(r.client().status()).isEqualTo(200);
    assertThat(r.trace()).hasServicesExactly("java-client");
    Diagnosis d = r.diagnose(stack);
    assertThat(d.findings(Kind.EXPORT_FAILED)).as(d.toString()).isNotEmpty().first().satisfies(f -> {
      assertThat(f.message()).contains("no span of producer-edot-noexport arrived")
          .contains("layer collector could not export").contains("elasticsearch/otel")
          .contains(nowhere.substring("http://".length()));
      assertThat(f.service()).isEqualTo("producer-edot-noexport");
    });
  }
}
