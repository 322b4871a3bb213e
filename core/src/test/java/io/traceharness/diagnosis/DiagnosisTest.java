package io.traceharness.diagnosis;

import static org.assertj.core.api.Assertions.assertThat;

import io.traceharness.diagnosis.Diagnosis.Kind;
import io.traceharness.trace.Trace;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class DiagnosisTest {

  static final String T = "9a6c8a973e20d2e902a4ab877538cda2";
  static final String XRAY_W3C = "5759e988bd862e3fe1be46a994272793";
  static final String XRAY_HEADER = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1";
  static final long T0 = Instant.parse("2026-01-01T00:00:00Z").toEpochMilli() * 1000;
  static final Instant AT = Instant.parse("2026-01-01T00:00:00.005Z");

  /** An APM-form document as the APM Server writes it. */
  static String doc(String traceId, String event, String id, String parent, String service, String name, long startOffsetUs,
      long durationUs) {
    String ts = Instant.ofEpochSecond(0, (T0 + startOffsetUs) * 1000).toString();
    String parentField = parent == null ? "" : "\"parent\":{\"id\":\"" + parent + "\"},";
    String body = event.equals("transaction")
        ? "\"transaction\":{\"id\":\"" + id + "\",\"name\":\"" + name + "\",\"type\":\"request\",\"duration\":{\"us\":" + durationUs + "}},\"span\":{\"id\":\"" + id + "\"},"
        : "\"span\":{\"id\":\"" + id + "\",\"name\":\"" + name + "\",\"type\":\"external\",\"subtype\":\"http\",\"duration\":{\"us\":" + durationUs + "}},";
    return "{\"@timestamp\":\"" + ts + "\",\"timestamp\":{\"us\":" + (T0 + startOffsetUs) + "},\"processor\":{\"event\":\"" + event
        + "\"},\"trace\":{\"id\":\"" + traceId + "\"}," + parentField + body + "\"service\":{\"name\":\"" + service
        + "\"},\"event\":{\"outcome\":\"success\"}}";
  }

  static List<String> clientDocs(String traceId) {
    List<String> d = new ArrayList<>();
    d.add(doc(traceId, "transaction", "1000000000000001", null, "java-client", "client-top-level", 0, 200_000));
    d.add(doc(traceId, "span", "1000000000000002", "1000000000000001", "java-client", "client-request", 5_000, 190_000));
    return d;
  }

  static List<String> functionDocs(String traceId, String parentOfProducer, long producerStartUs) {
    List<String> d = new ArrayList<>();
    d.add(doc(traceId, "transaction", "2000000000000001", parentOfProducer, "producer", "POST /produce", producerStartUs, 150_000));
    d.add(doc(traceId, "span", "2000000000000002", "2000000000000001", "producer", "GET", producerStartUs + 10_000, 100_000));
    d.add(doc(traceId, "transaction", "3000000000000001", "2000000000000002", "consumer", "GET /ping", producerStartUs + 20_000, 50_000));
    return d;
  }

  static Evidence.Builder evidence(Trace trace) {
    return Evidence.builder(trace).expectServices("java-client", "producer", "consumer")
        .function(new Evidence.FunctionFacts("producer", "producer", true, "tracecontext,baggage,xray-lambda", true))
        .function(new Evidence.FunctionFacts("consumer", "consumer", true, "tracecontext,baggage,xray-lambda", true));
  }

  @Test
  void aConnectedTraceIsClean() {
    List<String> docs = clientDocs(T);
    docs.addAll(functionDocs(T, "1000000000000002", 10_000));
    Diagnosis d = Diagnosis.of(evidence(Trace.parse(T, docs)).build());

    assertThat(d.isClean()).isTrue();
    assertThat(d.findings()).isEmpty();
    assertThat(d.summary()).isEqualTo("Trace " + T + " is connected: 5 spans, services [java-client, producer, consumer]");
  }

  @Test
  void saysWhichPropagatorOfTheListTookTheXrayContext() {
    assertThat(PropagationFindings.xrayPrecedence("tracecontext,baggage,xray-lambda"))
        .isEqualTo(" (xray-lambda comes after tracecontext, so the X-Ray context it extracted replaced the"
            + " traceparent's: the last propagator that finds a context wins; listing tracecontext last keeps the"
            + " caller's trace)");
    assertThat(PropagationFindings.xrayPrecedence("tracecontext,baggage,xray")).startsWith(" (xray comes after tracecontext");
    assertThat(PropagationFindings.xrayPrecedence("xray")).isEqualTo(" (xray is the only trace context propagator listed)");
    // tracecontext last, or no X-Ray propagator: the order explains nothing
    assertThat(PropagationFindings.xrayPrecedence("xray,tracecontext")).isEmpty();
    assertThat(PropagationFindings.xrayPrecedence("tracecontext")).isEmpty();
    assertThat(PropagationFindings.xrayPrecedence(null)).isEmpty();

    Trace client = Trace.parse(T, clientDocs(T));
    Diagnosis d = Diagnosis.of(evidence(client)
        .gatewayRequest(new Evidence.GatewayRequest(AT, "POST", "/dev/produce", "producer",
            "00-" + T + "-1000000000000002-01", XRAY_HEADER, 200))
        .invocation(new Evidence.Invocation(AT, "producer", "req-1", XRAY_HEADER, null))
        .otherTrace(Trace.parse(XRAY_W3C, functionDocs(XRAY_W3C, "53995c3f42cd8ad8", 10_000)))
        .build());
    assertThat(d.findings(Kind.XRAY_REPLACED_CONTEXT)).singleElement().satisfies(f -> assertThat(f.message())
        .contains("won over W3C trace context (xray-lambda comes after tracecontext")
        .endsWith("; the trace splits in two. Turn Active tracing off, or set OTEL_PROPAGATORS=tracecontext"));
  }

  @Test
  void namesTheXrayHeaderWhenActiveTracingMovesTheFunctionsIntoAnotherTrace() {
    Trace client = Trace.parse(T, clientDocs(T));
    Trace functions = Trace.parse(XRAY_W3C, functionDocs(XRAY_W3C, "53995c3f42cd8ad8", 10_000));
    Diagnosis d = Diagnosis.of(evidence(client)
        .gatewayRequest(new Evidence.GatewayRequest(AT, "POST", "/dev/produce", "producer",
            "00-" + T + "-1000000000000002-01", XRAY_HEADER, 200))
        .invocation(new Evidence.Invocation(AT, "producer", "req-1", XRAY_HEADER, null))
        .otherTrace(functions)
        .build());

    assertThat(d.isClean()).isFalse();
    assertThat(d.findings(Kind.XRAY_REPLACED_CONTEXT)).singleElement().satisfies(f -> {
      assertThat(f.message()).contains("producer's transaction [POST /produce]")
          .contains("is in trace " + XRAY_W3C + ", not " + T)
          .contains("carried traceparent 00-" + T + "-1000000000000002-01")
          .contains("Active tracing is on and OTEL_PROPAGATORS=tracecontext,baggage,xray-lambda")
          .contains("X-Ray header (" + XRAY_HEADER + ")")
          .contains("set OTEL_PROPAGATORS=tracecontext");
      assertThat(f.otherTraceId()).isEqualTo(XRAY_W3C);
      assertThat(f.spanId()).isEqualTo("2000000000000001");
      assertThat(f.service()).isEqualTo("producer");
      assertThat(f.function()).isEqualTo("producer");
      assertThat(f.parentId()).isNull();
      assertThat(f.requestId()).isNull();
    });
    assertThat(d.findings(Kind.CONTEXT_LOST)).singleElement().satisfies(f -> {
      assertThat(f.message()).contains("consumer's transaction [GET /ping]").contains("followed producer");
      assertThat(f.otherTraceId()).isEqualTo(XRAY_W3C);
      assertThat(f.spanId()).isEqualTo("3000000000000001");
      assertThat(f.service()).isEqualTo("consumer");
    });
    assertThat(d.summary()).startsWith("Trace " + T + " is broken: 2 disconnected subtrees, missing [producer, consumer]");
  }

  @Test
  void namesAMissingTraceparentAsTheCauseOfANewRoot() {
    Trace client = Trace.parse(T, clientDocs(T));
    String other = "11111111111111111111111111111111";
    Diagnosis d = Diagnosis.of(evidence(client)
        .gatewayRequest(new Evidence.GatewayRequest(AT, "POST", "/dev/produce", "producer", null, null, 200))
        .otherTrace(Trace.parse(other, functionDocs(other, null, 10_000)))
        .build());

    assertThat(d.findings(Kind.NO_TRACEPARENT)).singleElement().satisfies(f -> {
      assertThat(f.message()).isEqualTo("producer started a new trace " + other + " with root [POST /produce] (service"
          + " producer, id 2000000000000001): POST /dev/produce reached API Gateway without a traceparent header at " + AT
          + "; the caller did not propagate trace context");
      assertThat(f.otherTraceId()).isEqualTo(other);
      assertThat(f.spanId()).isEqualTo("2000000000000001");
      assertThat(f.function()).isEqualTo("producer");
    });
  }

  @Test
  void aSecondRootInsideOneTraceIsExplainedByTheBareRequest() {
    List<String> docs = clientDocs(T);
    docs.addAll(functionDocs(T, null, 10_000));
    Diagnosis d = Diagnosis.of(evidence(Trace.parse(T, docs))
        .gatewayRequest(new Evidence.GatewayRequest(AT, "POST", "/dev/produce", "producer", "", null, 200)).build());

    assertThat(d.findings(Kind.NO_TRACEPARENT)).singleElement().satisfies(f -> {
      assertThat(f.message()).startsWith("[POST /produce] (service producer, id 2000000000000001) is a new root");
      assertThat(f.spanId()).isEqualTo("2000000000000001");
      assertThat(f.service()).isEqualTo("producer");
      assertThat(f.otherTraceId()).as("the root is inside the diagnosed trace").isNull();
    });
  }

  @Test
  void namesTheExportFailureWhenAFunctionsSpansNeverArrive() {
    Trace client = Trace.parse(T, clientDocs(T));
    Diagnosis d = Diagnosis.of(evidence(client)
        .invocation(new Evidence.Invocation(AT, "producer", "req-7", null, null))
        .exportFailure(new Evidence.ExportFailure(AT.plusMillis(100), "producer", "otlp/elastic",
            "UNAVAILABLE: io exception: Connection refused: /127.0.0.1:1"))
        .build());

    assertThat(d.findings(Kind.EXPORT_FAILED)).singleElement().satisfies(f -> {
      assertThat(f.message()).isEqualTo("no span of producer arrived although it ran (request id req-7): producer's layer"
          + " collector could not export to otlp/elastic (1 failure; last: UNAVAILABLE: io exception: Connection refused:"
          + " /127.0.0.1:1)");
      assertThat(f.service()).isEqualTo("producer");
      assertThat(f.function()).isEqualTo("producer");
      assertThat(f.requestId()).isEqualTo("req-7");
      assertThat(f.spanId()).isNull();
    });
    assertThat(d.findings(Kind.MISSING_SERVICE)).singleElement().satisfies(f -> {
      assertThat(f.message()).contains("consumer has no span in trace " + T);
      assertThat(f.service()).isEqualTo("consumer");
      assertThat(f.requestId()).isNull();
    });
  }

  @Test
  void namesACollectorOutageDuringTheTraceAndIgnoresOnesOutsideIt() {
    Trace client = Trace.parse(T, clientDocs(T));
    Diagnosis d = Diagnosis.of(evidence(client)
        .outage(new Evidence.Outage("the stack's collector", null, AT.minusSeconds(1), AT.plusSeconds(4),
            "0 items still queued at stop were dropped"))
        .outage(new Evidence.Outage("the stack's collector", null, AT.minusSeconds(600), AT.minusSeconds(590), "long ago"))
        .build());

    assertThat(d.findings(Kind.COMPONENT_DOWN)).singleElement().satisfies(f -> assertThat(f.message())
        .isEqualTo("the stack's collector was stopped from " + AT.minusSeconds(1) + " to " + AT.plusSeconds(4)
            + " (5000 ms), while this trace was made: what was sent to it then was refused; 0 items still queued at"
            + " stop were dropped"));
    assertThat(d.isClean()).as("the missing services break it, not the outage").isFalse();

    List<String> docs = clientDocs(T);
    docs.addAll(functionDocs(T, "1000000000000002", 10_000));
    Diagnosis connected = Diagnosis.of(evidence(Trace.parse(T, docs))
        .outage(new Evidence.Outage("the stack's collector", null, AT, null, "")).build());
    assertThat(connected.isClean()).as("an outage alone breaks nothing").isTrue();
    assertThat(connected.findings(Kind.COMPONENT_DOWN)).singleElement()
        .satisfies(f -> assertThat(f.message()).contains("and is still down"));
  }

  private static List<String> neighbourDocs(String traceId) {
    List<String> docs = clientDocs(traceId);
    docs.addAll(functionDocs(traceId, "1000000000000002", 10_000));
    return docs;
  }

  /** Many clients: a neighbour's trace holding the function was that neighbour's call, not where ours went. */
  @Test
  void anotherCallersTraceIsNotWhereTheMissingServiceWent() {
    Trace client = Trace.parse(T, clientDocs(T));
    String neighbour = "22222222222222222222222222222222";
    Diagnosis d = Diagnosis.of(evidence(client)
        .gatewayRequest(new Evidence.GatewayRequest(AT, "POST", "/dev/produce", "producer",
            "00-" + T + "-1000000000000002-01", null, 200))
        .gatewayRequest(new Evidence.GatewayRequest(AT.plusMillis(50), "POST", "/dev/produce", "producer",
            "00-" + neighbour + "-3000000000000002-01", null, 200))
        .invocation(new Evidence.Invocation(AT, "producer", "req-1", null, null))
        .otherTrace(Trace.parse(neighbour, neighbourDocs(neighbour)))
        .build());

    assertThat(d.has(Kind.CONTEXT_LOST)).as(d.toString()).isFalse();
    assertThat(d.findings(Kind.MISSING_SERVICE)).anySatisfy(f -> assertThat(f.message())
        .startsWith("producer ran (request id req-1) but none of its spans reached Elasticsearch"));
  }

  @Test
  void aTlsHandshakeAgainstAPlaintextEndpointIsNamedAsTheCause() {
    Trace client = Trace.parse(T, clientDocs(T));
    String error = "rpc error: code = Unavailable desc = connection error: desc = \"transport: authentication handshake"
        + " failed: tls: first record does not look like a TLS handshake\"";
    Diagnosis d = Diagnosis.of(evidence(client)
        .invocation(new Evidence.Invocation(AT, "producer", "req-8", null, null))
        .exportFailure(new Evidence.ExportFailure(AT.plusMillis(100), "producer", "otlp/elastic", error))
        .build());

    assertThat(d.findings(Kind.EXPORT_FAILED)).singleElement().satisfies(f -> assertThat(f.message())
        .endsWith("(1 failure; last: " + error + "): the otlp exporter uses TLS by default; the endpoint speaks"
            + " plaintext: set tls.insecure: true or serve TLS"));
  }

  @Test
  void anOrphanPointsAtTheCallersSpanThatNeverArrived() {
    List<String> docs = clientDocs(T);
    docs.add(doc(T, "transaction", "3000000000000001", "2000000000000002", "consumer", "GET /ping", 30_000, 50_000));
    Diagnosis d = Diagnosis.of(Evidence.builder(Trace.parse(T, docs))
        .gatewayRequest(new Evidence.GatewayRequest(AT, "GET", "/dev/ping", "consumer", "00-" + T + "-2000000000000002-01", null, 200))
        .build());

    assertThat(d.findings(Kind.ORPHAN)).singleElement().satisfies(f -> {
      assertThat(f.message()).contains("its parent 2000000000000002 is the caller's span sent as traceparent to GET /dev/ping");
      assertThat(f.spanId()).isEqualTo("3000000000000001");
      assertThat(f.parentId()).isEqualTo("2000000000000002");
      assertThat(f.service()).isEqualTo("consumer");
    });
  }

  @Test
  void clockSkewIsReportedButDoesNotBreakTheTrace() {
    List<String> docs = clientDocs(T);
    // the functions' clock runs 500 ms ahead: producer starts after the client's span has ended
    docs.addAll(functionDocs(T, "1000000000000002", 500_000));
    Diagnosis d = Diagnosis.of(evidence(Trace.parse(T, docs)).build());

    assertThat(d.isClean()).isTrue();
    assertThat(d.findings(Kind.CLOCK_SKEW)).isNotEmpty().first().satisfies(f -> {
      assertThat(f.message()).contains("producer").contains("disagree");
      assertThat(f.spanId()).isEqualTo("2000000000000001");
      assertThat(f.parentId()).isEqualTo("1000000000000002");
    });
  }

  @Test
  void aChildOutlivingItsParentInOneServiceIsNotBlamedOnClocks() {
    List<String> docs = clientDocs(T);
    docs.add(doc(T, "transaction", "2000000000000001", "1000000000000002", "producer", "producer", 10_000, 2_000));
    docs.add(doc(T, "span", "2000000000000002", "2000000000000001", "producer", "GET", 11_000, 150_000));
    Diagnosis d = Diagnosis.of(Evidence.builder(Trace.parse(T, docs)).build());

    assertThat(d.findings(Kind.CLOCK_SKEW)).singleElement().satisfies(f -> assertThat(f.message())
        .contains("both come from producer, so no clock is to blame").doesNotContain("disagree"));
  }

  @Test
  void aFailedInvocationNamesItsFunctionAndRequest() {
    List<String> docs = clientDocs(T);
    docs.addAll(functionDocs(T, "1000000000000002", 10_000));
    Diagnosis d = Diagnosis.of(evidence(Trace.parse(T, docs))
        .invocation(new Evidence.Invocation(AT, "consumer", "req-9", null, "Runtime.ExitError")).build());

    assertThat(d.findings(Kind.FUNCTION_ERROR)).singleElement().satisfies(f -> {
      assertThat(f).hasToString("FUNCTION_ERROR: consumer failed with Runtime.ExitError (request id req-9)");
      assertThat(f.function()).isEqualTo("consumer");
      assertThat(f.requestId()).isEqualTo("req-9");
      assertThat(f.service()).isNull();
      assertThat(f.cycle()).isEmpty();
    });
  }

  @Test
  void parsesXrayAndW3cHeaders() {
    assertThat(PropagationFindings.xrayRootAsW3c(XRAY_HEADER)).contains(XRAY_W3C);
    assertThat(PropagationFindings.xrayRootAsW3c("Root=nonsense")).isEmpty();
    assertThat(PropagationFindings.traceparentTraceId("00-" + T + "-1000000000000002-01")).contains(T);
    assertThat(PropagationFindings.traceparentSpanId("00-" + T + "-1000000000000002-01")).contains("1000000000000002");
    assertThat(PropagationFindings.traceparentTraceId("garbage")).isEmpty();
  }
}
