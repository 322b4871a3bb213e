package io.traceharness.trace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class TraceSummaryTest {

  @Test
  void aConnectedOtelTraceIsSummedUp() {
    TraceSummary s = TraceSummary.of(TraceFixtures.otelTrace());

    assertThat(s.traceId()).isEqualTo(TraceFixtures.OTEL_TRACE_ID);
    assertThat(s.rootService()).isEqualTo("producer");
    assertThat(s.rootName()).isEqualTo("POST /produce");
    assertThat(s.spanCount()).isEqualTo(4);
    assertThat(s.start()).isEqualTo(Instant.parse("2026-01-01T00:00:00.123456789Z"));
    assertThat(s.duration()).isEqualTo(Duration.ofMillis(250));
    assertThat(s.status()).isEqualTo(TraceSummary.Status.CONNECTED);
    assertThat(s.anomalies()).isEmpty();
  }

  @Test
  void anOrphanMakesTheTraceBroken() {
    TraceSummary s = TraceSummary.of(TraceFixtures.apmTrace());

    assertThat(s.rootService()).isEqualTo("java-client");
    assertThat(s.rootName()).isEqualTo("client-top-level");
    assertThat(s.services()).containsExactly("java-client", "producer", "consumer");
    assertThat(s.status()).isEqualTo(TraceSummary.Status.BROKEN);
    assertThat(s.anomalies()).singleElement().asString().startsWith("orphan:");
  }

  @Test
  void aSkewedChildLeavesTheTraceConnectedWithAnomalies() {
    Trace trace = Trace.parse("t1", List.of(
        TraceFixtures.doc("transaction", "a", null, "client", "top", 0, 100),
        TraceFixtures.doc("transaction", "b", "a", "producer", "POST /produce", 90, 30)));

    TraceSummary s = TraceSummary.of(trace);

    assertThat(s.status()).isEqualTo(TraceSummary.Status.ANOMALIES);
    assertThat(s.anomalies()).singleElement().asString().startsWith("clock skew:");
  }

  @Test
  void twoRootsMakeTheTraceBroken() {
    Trace trace = Trace.parse("t1", List.of(
        TraceFixtures.doc("transaction", "a", null, "client", "top", 0, 100),
        TraceFixtures.doc("transaction", "b", null, "producer", "POST /produce", 10, 30)));

    assertThat(TraceSummary.Status.of(trace)).isEqualTo(TraceSummary.Status.BROKEN);
  }

  @Test
  void statusesParseFromTheirIds() {
    assertThat(TraceSummary.Status.parse("Broken")).isEqualTo(TraceSummary.Status.BROKEN);
    assertThat(TraceSummary.Status.CONNECTED.id()).isEqualTo("connected");
    assertThatThrownBy(() -> TraceSummary.Status.parse("fine"))
        .hasMessage("unknown trace status 'fine': use connected, broken or anomalies");
  }

  @Test
  void aFilterKeepsTracesOfItsServiceAndStatus() {
    TraceSummary broken = TraceSummary.of(TraceFixtures.apmTrace());

    assertThat(TraceFilter.all().accepts(broken)).isTrue();
    assertThat(TraceFilter.all().service("producer").accepts(broken)).isTrue();
    assertThat(TraceFilter.all().service("other").accepts(broken)).isFalse();
    assertThat(TraceFilter.all().status(TraceSummary.Status.BROKEN).accepts(broken)).isTrue();
    assertThat(TraceFilter.all().status(TraceSummary.Status.CONNECTED).accepts(broken)).isFalse();
    assertThat(TraceFilter.all().service(" ").service()).isNull();
  }
}
