package io.traceharness.scenario;

import static io.traceharness.assertj.TraceAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import io.traceharness.diagnosis.Diagnosis;
import io.traceharness.diagnosis.Diagnosis.Kind;
import io.traceharness.junit.TracingStackTest;
import io.traceharness.scenario.BlogScenario.Language;
import io.traceharness.stack.TracingStack;
import io.traceharness.support.Ports;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The breaks users hit, each asserted to be explained, not only detected: the post's warning about
 * Active tracing, a layer collector that cannot reach APM Server, one whose TLS exporter meets a
 * plaintext endpoint, a caller without {@code traceparent}, and functions whose logs do not carry the
 * trace id.
 */
@TracingStackTest
class BreakDiagnosisIT {

  @Test
  void activeTracingWithXrayPropagatorSplitsTheTraceAndTheDiagnosisNamesTheXrayHeader(TracingStack stack) {
    // ADOT's default propagators today: W3C first, X-Ray last; with Active tracing the X-Ray context wins
    BlogScenario.Result r = BlogScenario.builder(stack).language(Language.NODEJS).suffix("-xray")
        .activeTracing(true).propagators("tracecontext,xray").awaitTimeout(Duration.ofSeconds(20)).build().run();

    assertThat(r.client().status()).as(r.client().describe()).isEqualTo(200);
    assertThat(r.trace()).hasServicesExactly("java-client");
    Diagnosis d = r.diagnose(stack);
    assertThat(d.isClean()).isFalse();
    assertThat(d.findings(Kind.XRAY_REPLACED_CONTEXT)).as(d.toString()).singleElement().satisfies(f -> {
      assertThat(f.message()).contains("producer-xray's transaction").contains("Active tracing is on")
          .contains("X-Ray header (Root=1-").contains("OTEL_PROPAGATORS=tracecontext,xray");
      assertThat(f.service()).isEqualTo("producer-xray");
      // the functions' subtree hangs under API Gateway's X-Ray segment, which never reaches Elastic
      assertThat(stack.traces().read(f.otherTraceId())).hasServicesExactly("producer-xray", "consumer-xray");
    });
    assertThat(d.summary()).contains("2 disconnected subtrees");
  }

  @Test
  void unreachableApmServerLeavesTheFunctionsOutAndTheDiagnosisNamesTheExportFailure(TracingStack stack) {
    String nowhere = "http://127.0.0.1:" + Ports.free();
    BlogScenario.Result r = BlogScenario.builder(stack).language(Language.NODEJS).suffix("-noexport")
        .apmServerUrl(nowhere).awaitTimeout(Duration.ofSeconds(15)).build().run();

    assertThat(r.client().status()).isEqualTo(200);
    assertThat(r.trace()).hasServicesExactly("java-client");
    Diagnosis d = r.diagnose(stack);
    assertThat(d.findings(Kind.EXPORT_FAILED)).as(d.toString()).isNotEmpty().first()
        .satisfies(f -> {
          assertThat(f.message()).contains("no span of producer-noexport arrived")
              .contains("layer collector could not export").contains(nowhere.substring("http://".length()));
          assertThat(f.service()).isEqualTo("producer-noexport");
        });
  }

  /**
   * The post's collector.yaml unchanged against an endpoint that speaks plaintext only (the stack
   * collector's OTLP/gRPC receiver stands in for an APM Server without TLS): its otlp exporter uses TLS
   * by default (opentelemetry-collector config/configgrpc/configgrpc.go), so every export fails the
   * handshake and is retried, nothing arrives, and the diagnosis names the cause.
   */
  @Test
  void thePostsConfigAgainstAPlaintextEndpointFailsTheTlsHandshakeAndTheDiagnosisNamesTheCause(TracingStack stack) {
    String plaintext = stack.endpoints().otlpGrpc().toString();
    String hostPort = plaintext.substring(plaintext.indexOf("://") + 3);
    BlogScenario.Result r = BlogScenario.builder(stack).language(Language.NODEJS).suffix("-plaintext")
        .apmServerUrl(plaintext).awaitTimeout(Duration.ofSeconds(15)).build().run();

    assertThat(r.client().status()).isEqualTo(200);
    assertThat(r.trace()).hasServicesExactly("java-client");
    String handshake = "rpc error: code = Unavailable desc = connection error: desc = \"transport: authentication"
        + " handshake failed: tls: first record does not look like a TLS handshake\"";
    Diagnosis d = r.diagnose(stack);
    assertThat(d.findings(Kind.EXPORT_FAILED)).as(d.toString()).isNotEmpty().first().satisfies(f -> {
      assertThat(f.service()).isEqualTo("producer-plaintext");
      assertThat(f.message()).contains("no span of producer-plaintext arrived").contains(hostPort)
          .contains("last: " + handshake)
          .endsWith("the otlp exporter uses TLS by default; the endpoint speaks plaintext: set tls.insecure: true"
              + " or serve TLS");
    });
    // the real exporter retries Unavailable (exporterhelper) and logs each attempt; nothing is delivered
    assertThat(stack.logs()).filteredOn(l -> l.component().equals("collector of producer-plaintext")).isNotEmpty()
        .anySatisfy(l -> assertThat(l.tail(200)).contains("Exporting failed. Will retry the request after interval."
            + " exporter=otlp pipeline=traces error=\"" + handshake + "\""));
  }

  @Test
  void aCallerWithoutTraceparentStartsANewRootAndTheDiagnosisSaysSo(TracingStack stack) {
    BlogScenario.Result r = BlogScenario.builder(stack).language(Language.NODEJS).suffix("-bare")
        .clientSendsTraceparent(false).awaitTimeout(Duration.ofSeconds(15)).build().run();

    assertThat(r.client().status()).isEqualTo(200);
    Diagnosis d = r.diagnose(stack);
    assertThat(d.findings(Kind.NO_TRACEPARENT)).as(d.toString()).singleElement().satisfies(f -> {
      assertThat(f.message()).contains("producer-bare started a new trace").contains("without a traceparent header");
      assertThat(stack.traces().read(f.otherTraceId())).hasSingleRoot()
          .hasRootSatisfying(root -> root.hasService("producer-bare").isTransaction());
    });
  }

  /**
   * The post's functions logging plain lines ({@code LOG_TRACE_ID=false}, the sample as it was): the
   * trace is whole, but its functions' logs, shipped from CloudWatch, carry no trace id, so Kibana
   * cannot show them with the trace; they are found by request id and the diagnosis says so.
   */
  @Test
  void functionsLoggingWithoutTheTraceIdAreDiagnosed(TracingStack stack) {
    org.junit.jupiter.api.Assumptions.assumeTrue(stack instanceof io.traceharness.embedded.EmbeddedStack e
        && e.logForwarder().isPresent(), "the stack ships the functions' logs");
    BlogScenario.Result r = BlogScenario.builder(stack).language(Language.NODEJS).suffix("-nolog")
        .env("LOG_TRACE_ID", "false").build().run();

    assertThat(r.client().status()).isEqualTo(200);
    assertThat(r.trace()).hasSingleRoot().hasServices("producer-nolog", "consumer-nolog")
        .hasLogsSatisfying(logs -> assertThat(logs)
            .anySatisfy(l -> assertThat(l.message()).contains("Status: 200"))
            .anySatisfy(l -> assertThat(l.message()).contains("Event: ")));
    Diagnosis d = r.diagnose(stack);
    assertThat(d.isClean()).as(d.toString()).isTrue();
    assertThat(d.findings(Kind.LOGS_UNLINKED)).as(d.toString()).hasSize(2).anySatisfy(f -> {
      assertThat(f.function()).isEqualTo("producer-nolog");
      assertThat(f.service()).isEqualTo("producer-nolog");
      assertThat(f.requestId()).isNotNull();
      assertThat(f.message()).contains("none with the trace id").contains("Status: 200")
          .contains("logs will not link to this trace in Kibana");
    });
  }
}
