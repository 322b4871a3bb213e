package io.traceharness.trace;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.trace.SpanKind;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Documents the collector's elasticsearch exporter writes in otel mapping mode. */
class OtelDocumentsTest {

  @Test
  void otelNativeDocumentsBecomeTheSameModel() {
    Trace trace = TraceFixtures.otelTrace();

    assertThat(trace.anomalies()).isEmpty();
    assertThat(trace.roots().get(0).subtree()).extracting(SpanNode::name)
        .containsExactly("POST /produce", "GET", "GET /ping", "compute");

    SpanNode root = trace.roots().get(0);
    assertThat(root.isTransaction()).isTrue();
    assertThat(root.kind()).contains(SpanKind.SERVER);
    assertThat(root.service()).isEqualTo("producer");
    assertThat(root.type()).contains("request");
    assertThat(root.transactionId()).contains("b7ad6b7169203331");
    assertThat(root.start()).as("@timestamp as epoch millis with nanos").isEqualTo(Instant.parse("2026-01-01T00:00:00.123456789Z"));
    assertThat(root.duration()).isEqualTo(Duration.ofMillis(250));
    assertThat(root.agentName()).contains("opentelemetry/java");
    assertThat(root.labels()).containsEntry("faas.trigger", "http");
    assertThat(root.numericLabels()).containsEntry("http.response.status_code", 200.0);
    assertThat(root.outcome()).as("unset status, HTTP 200").isEqualTo(SpanNode.Outcome.SUCCESS);

    SpanNode get = trace.span("c7ad6b7169203332").orElseThrow();
    assertThat(get.isSpan()).isTrue();
    assertThat(get.kind()).contains(SpanKind.CLIENT);
    assertThat(get.typeLabel()).isEqualTo("span external/http");
    assertThat(get.transactionId()).isEmpty();
    assertThat(get.outcome()).isEqualTo(SpanNode.Outcome.FAILURE);

    SpanNode ping = trace.span("d7ad6b7169203333").orElseThrow();
    assertThat(ping.isTransaction()).as("SERVER spans are transactions even with a parent").isTrue();
    assertThat(ping.outcome()).as("unset status, HTTP 503 on a server span").isEqualTo(SpanNode.Outcome.FAILURE);
    assertThat(ping.agentName()).contains("opentelemetry/nodejs");

    SpanNode compute = trace.span("e7ad6b7169203334").orElseThrow();
    assertThat(compute.typeLabel()).isEqualTo("span app/internal");
    assertThat(compute.duration()).isEqualTo(Duration.ofNanos(1000));
    assertThat(compute.outcome()).isEqualTo(SpanNode.Outcome.SUCCESS);
  }

  @Test
  void spanEventsAndOtherTracesAreSkipped() {
    Trace trace = Trace.parse(TraceFixtures.OTEL_TRACE_ID, java.util.List.of(
        "{\"@timestamp\":\"1767225600123.456789\",\"trace_id\":\"" + TraceFixtures.OTEL_TRACE_ID
            + "\",\"span_id\":\"b7ad6b7169203331\",\"event_name\":\"exception\"}",
        "{\"@timestamp\":\"1767225600123.456789\",\"trace_id\":\"ffffffffffffffffffffffffffffffff\","
            + "\"span_id\":\"b7ad6b7169203331\",\"name\":\"x\",\"kind\":\"Server\",\"duration\":1}"));

    assertThat(trace.isEmpty()).isTrue();
  }
}
