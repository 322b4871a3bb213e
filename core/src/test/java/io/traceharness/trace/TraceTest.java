package io.traceharness.trace;

import static io.traceharness.trace.TraceFixtures.doc;
import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.trace.SpanKind;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TraceTest {

  @Test
  void apmDocumentsBecomeNodesWithTheirFields() {
    Trace trace = TraceFixtures.apmTrace();

    assertThat(trace.traceId()).isEqualTo(TraceFixtures.APM_TRACE_ID);
    assertThat(trace.size()).as("the other trace's document is skipped").isEqualTo(6);
    SpanNode root = trace.roots().get(0);
    assertThat(root.service()).isEqualTo("java-client");
    assertThat(root.name()).isEqualTo("client-top-level");
    assertThat(root.isTransaction()).isTrue();
    assertThat(root.type()).contains("request");
    assertThat(root.result()).contains("HTTP 2xx");
    assertThat(root.agentName()).contains("java");
    assertThat(root.kind()).as("Elastic agents send no kind").isEmpty();
    assertThat(root.start()).isEqualTo(Instant.parse("2026-01-01T00:00:00Z"));
    assertThat(root.duration()).isEqualTo(Duration.ofMillis(120));

    SpanNode request = trace.span("1000000000000002").orElseThrow();
    assertThat(request.isSpan()).isTrue();
    assertThat(request.typeLabel()).isEqualTo("span external/http");
    assertThat(request.transactionId()).as("Elastic agents' spans carry transaction.id").contains("1000000000000001");

    SpanNode ping = trace.span("3000000000000001").orElseThrow();
    assertThat(ping.kind()).contains(SpanKind.SERVER);
    assertThat(ping.labels()).containsEntry("faas_trigger", "http");
    assertThat(ping.numericLabels()).containsEntry("http_response_status_code", 200.0);

    SpanNode get = trace.span("2000000000000002").orElseThrow();
    assertThat(get.transactionId()).as("OTLP spans carry no transaction.id").isEmpty();

    SpanNode orphan = trace.span("3000000000000009").orElseThrow();
    assertThat(orphan.outcome()).isEqualTo(SpanNode.Outcome.FAILURE);
    assertThat(orphan.start()).isEqualTo(Instant.parse("2026-01-01T00:00:00.040Z"));
    assertThat(orphan.duration()).as("µs precision").isEqualTo(Duration.ofNanos(5_250_000));

    assertThat(trace.errors()).singleElement().satisfies(e -> {
      assertThat(e.type()).isEqualTo("Error");
      assertThat(e.message()).isEqualTo("upstream said no");
      assertThat(e.in(trace)).contains(ping);
    });
  }

  @Test
  void treeFollowsParentIdAndOrdersChildrenByStart() {
    Trace trace = TraceFixtures.apmTrace();

    assertThat(trace.roots()).extracting(SpanNode::name).containsExactly("client-top-level");
    assertThat(trace.roots().get(0).subtree()).extracting(SpanNode::name)
        .containsExactly("client-top-level", "client-request", "POST /produce", "GET", "GET /ping");
    SpanNode ping = trace.span("3000000000000001").orElseThrow();
    assertThat(ping.parent()).map(SpanNode::name).contains("GET");
    assertThat(ping.depth()).isEqualTo(4);
    assertThat(ping.trace()).isSameAs(trace);
    assertThat(trace.topLevel()).extracting(SpanNode::name).containsExactly("client-top-level", "orphan-call");
    assertThat(trace.services()).containsExactly("java-client", "producer", "consumer");
    assertThat(trace.isComplete()).isFalse();

    Trace children = Trace.parse("t1", List.of(
        doc("transaction", "a", null, "s", "root", 0, 10),
        doc("span", "c", "a", "s", "late", 6, 1),
        doc("span", "b", "a", "s", "early", 2, 1)));
    assertThat(children.roots().get(0).children()).extracting(SpanNode::name).containsExactly("early", "late");
    assertThat(children.isComplete()).isTrue();
    assertThat(children.anomalies()).isEmpty();
  }

  @Test
  void orphanNamesTheSpanAndTheMissingParent() {
    Trace trace = TraceFixtures.apmTrace();

    assertThat(trace.orphans()).extracting(SpanNode::spanId).containsExactly("3000000000000009");
    assertThat(trace.anomalies()).singleElement().satisfies(a -> {
      assertThat(a).isInstanceOf(Anomaly.Orphan.class);
      assertThat(a.spanIds()).containsExactly("3000000000000009", "00000000000000ff");
      assertThat(a.description()).isEqualTo(
          "orphan: span [orphan-call] (service consumer, id 3000000000000009) has parent.id"
              + " 00000000000000ff, which no document of the trace has (parent not exported, not yet"
              + " indexed, or from another trace)");
    });
  }

  @Test
  void severalRootsAreOneAnomalyNamingEachRoot() {
    Trace trace = Trace.parse("t1", List.of(
        doc("transaction", "a", null, "client", "first", 0, 10),
        doc("transaction", "b", null, "producer", "second", 1, 5)));

    assertThat(trace.roots()).hasSize(2);
    assertThat(trace.anomalies()).singleElement().satisfies(a -> {
      assertThat(a).isInstanceOf(Anomaly.MultipleRoots.class);
      assertThat(a.spanIds()).containsExactly("a", "b");
      assertThat(a.description()).isEqualTo("2 roots (documents without parent.id): [first] (service"
          + " client, id a), [second] (service producer, id b); a trace has one root, so the context"
          + " was not propagated to the others");
    });
  }

  @Test
  void duplicateIdsAreReportedAndChildrenHangUnderTheEarliest() {
    Trace trace = Trace.parse("t1", List.of(
        doc("transaction", "a", null, "client", "root", 0, 10),
        doc("span", "d", "a", "client", "call", 1, 5),
        doc("span", "d", "a", "client", "call again", 2, 5),
        doc("span", "x", "d", "client", "inner", 3, 1)));

    assertThat(trace.anomalies()).singleElement().satisfies(a -> {
      assertThat(a).isInstanceOf(Anomaly.DuplicateId.class);
      assertThat(a.spanIds()).containsExactly("d");
      assertThat(a.description()).isEqualTo("duplicate id: 2 documents have span id d: [call] (service"
          + " client), [call again] (service client) (reported twice, or two spans created with one id)");
    });
    assertThat(trace.span("d")).map(SpanNode::name).contains("call");
    assertThat(trace.span("x").flatMap(SpanNode::parent)).map(SpanNode::name).contains("call");
    assertThat(trace.size()).isEqualTo(4);
  }

  @Test
  void cycleIsCutAtItsEarliestSpanAndReported() {
    Trace trace = Trace.parse("t1", List.of(
        doc("transaction", "r", null, "s", "root", 0, 20),
        doc("span", "p", "q", "s", "p-span", 1, 5),
        doc("span", "q", "p", "s", "q-span", 2, 5),
        doc("span", "self", "self", "s", "self-span", 3, 1)));

    assertThat(trace.anomalies()).hasSize(3);
    assertThat(trace.anomalies().get(0)).isInstanceOf(Anomaly.Cycle.class);
    assertThat(trace.anomalies().get(0).spanIds()).containsExactly("p", "q");
    assertThat(trace.anomalies().get(0).description()).isEqualTo(
        "cycle: [p-span] (service s, id p) -> [q-span] (service s, id q) -> p (parent.id links loop back)");
    assertThat(trace.anomalies().get(1).spanIds()).containsExactly("self");
    assertThat(trace.anomalies().get(2)).as("q starts after p but ends after it").isInstanceOf(Anomaly.ClockSkew.class);
    assertThat(trace.topLevel()).extracting(SpanNode::spanId).containsExactly("r", "p", "self");
    assertThat(trace.span("p").orElseThrow().children()).extracting(SpanNode::spanId).containsExactly("q");
    assertThat(trace.span("self").orElseThrow().children()).isEmpty();
    assertThat(trace.waterfall()).contains("<- cycle: parent q is its own descendant");
  }

  @Test
  void clockSkewGivesTheOverhangInMilliseconds() {
    Trace trace = Trace.parse("t1", List.of(
        doc("transaction", "a", null, "client", "root", 10, 100),
        doc("transaction", "b", "a", "lambda", "early", 7.5, 20),
        doc("span", "c", "a", "client", "late", 100, 12.25)));

    assertThat(trace.anomalies()).hasSize(2).allSatisfy(a -> assertThat(a).isInstanceOf(Anomaly.ClockSkew.class));
    Anomaly.ClockSkew early = (Anomaly.ClockSkew) trace.anomalies().get(0);
    assertThat(early.startsEarlyBy()).isEqualTo(Duration.ofNanos(2_500_000));
    assertThat(early.amount()).isEqualTo(Duration.ofNanos(2_500_000));
    assertThat(early.spanIds()).containsExactly("b", "a");
    assertThat(early.description()).isEqualTo(
        "clock skew: span [early] (service lambda, id b) starts 2.500 ms before its parent [root] (service client, id a)");
    assertThat(trace.anomalies().get(1).description()).isEqualTo(
        "clock skew: span [late] (service client, id c) ends 2.250 ms after its parent [root] (service client, id a)");
  }

  @Test
  void waterfallDrawsTheTreeOnTheTraceTimeline() {
    assertThat(TraceFixtures.apmTrace().waterfall()).isEqualTo(String.join("\n",
        "Trace 4bf92f3577b34da6a3ce929d0e0e4736: 6 spans (3 transactions), 3 services, 120.0 ms, 1 anomaly",
        "  NAME                   SERVICE      TYPE                 DURATION  SPAN ID           TIMELINE",
        "  client-top-level       java-client  transaction request  120.0 ms  1000000000000001  |████████████████████████████████████████|",
        "  └─ client-request      java-client  span external/http   110.0 ms  1000000000000002  | ██████████████████████████████████████ |",
        "     └─ POST /produce    producer     transaction request  100.0 ms  2000000000000001  |   ██████████████████████████████████   |",
        "        └─ GET           producer     span external/http    80.0 ms  2000000000000002  |      ████████████████████████████      |",
        "           └─ GET /ping  consumer     transaction request   50.0 ms  3000000000000001  |          █████████████████             |",
        "  orphan-call            consumer     span app/internal      5.3 ms  3000000000000009  |             ███                        |  <- orphan: parent 00000000000000ff not found",
        "Anomalies:",
        "  - orphan: span [orphan-call] (service consumer, id 3000000000000009) has parent.id 00000000000000ff, which no document of the trace has (parent not exported, not yet indexed, or from another trace)",
        "Errors:",
        "  - Error: upstream said no (service consumer, in [GET /ping] (service consumer, id 3000000000000001))",
        ""));
  }

  @Test
  void waterfallMarksAHighlightedSpanAndBranches() {
    Trace trace = Trace.parse("t1", List.of(
        doc("transaction", "a", null, "client", "root", 0, 1000),
        doc("span", "b", "a", "client", "first", 0, 400),
        doc("span", "c", "b", "client", "inner", 100, 100),
        doc("span", "d", "a", "client", "second", 500, 0.25)));

    assertThat(trace.waterfall(trace.span("c").orElseThrow())).isEqualTo(String.join("\n",
        "Trace t1: 4 spans (1 transaction), 1 service, 1.00 s",
        "  NAME         SERVICE  TYPE                 DURATION  SPAN ID  TIMELINE",
        "  root         client   transaction request    1.00 s  a        |████████████████████████████████████████|",
        "  ├─ first     client   span app             400.0 ms  b        |████████████████                        |",
        "> │  └─ inner  client   span app             100.0 ms  c        |    ████                                |",
        "  └─ second    client   span app               250 µs  d        |                    █                   |",
        ""));
  }

  @Test
  void largeTraceWaterfallKeepsHeadTailAndTheMarkedSpan() {
    List<String> docs = new java.util.ArrayList<>();
    docs.add(doc("transaction", "root", null, "s", "root", 0, 1000));
    for (int i = 1; i <= 500; i++) {
      docs.add(doc("span", "c" + i, "root", "s", "child " + i, i, 0.5));
    }
    Trace trace = Trace.parse("t1", docs);

    List<String> lines = trace.waterfall(trace.span("c300").orElseThrow()).lines().toList();

    assertThat(lines).hasSize(2 + 100 + 1 + 11 + 1 + 50);
    assertThat(lines.get(102)).isEqualTo("  … 195 spans not shown …");
    assertThat(lines).filteredOn(l -> l.startsWith(">")).singleElement().asString().contains("child 300 ");
    assertThat(lines.get(114)).isEqualTo("  … 145 spans not shown …");
    assertThat(lines.get(lines.size() - 1)).contains("child 500 ");
  }

  @Test
  void emptyTraceSaysSo() {
    Trace trace = Trace.parse("t1", List.of());

    assertThat(trace.isEmpty()).isTrue();
    assertThat(trace.waterfall()).isEqualTo("Trace t1: no transactions or spans\n");
  }

  @Test
  void nestedAndDottedFieldsReadAlike() {
    Trace nested = Trace.parse("t1", List.of(
        "{\"processor\":{\"event\":\"transaction\"},\"trace\":{\"id\":\"t1\"},\"transaction\":{\"id\":\"a\",\"name\":\"n\",\"duration\":{\"us\":5}},\"service\":{\"name\":\"s\"},\"@timestamp\":\"2026-01-01T00:00:00.000123Z\"}"));
    Trace dotted = Trace.parse("t1", List.of(
        "{\"processor.event\":\"transaction\",\"trace.id\":\"t1\",\"transaction.id\":\"a\",\"transaction.name\":\"n\",\"transaction.duration.us\":5,\"service.name\":\"s\",\"@timestamp\":\"2026-01-01T00:00:00.000123Z\"}"));

    for (Trace t : List.of(nested, dotted)) {
      SpanNode n = t.roots().get(0);
      assertThat(Map.of("id", n.spanId(), "name", n.name(), "service", n.service()))
          .isEqualTo(Map.of("id", "a", "name", "n", "service", "s"));
      assertThat(n.start()).isEqualTo(Instant.parse("2026-01-01T00:00:00.000123Z"));
      assertThat(n.duration()).isEqualTo(Duration.ofNanos(5_000));
    }
  }

  @Test
  void dottedSpanTypeOfElasticAgentsIsSplit() {
    Trace trace = Trace.parse("t1", List.of(
        "{\"processor\":{\"event\":\"span\"},\"trace\":{\"id\":\"t1\"},\"span\":{\"id\":\"b\",\"name\":\"GET\",\"type\":\"external.http\"},\"parent\":{\"id\":\"a\"},\"timestamp\":{\"us\":0}}"));

    SpanNode span = trace.spans().get(0);
    assertThat(span.type()).contains("external");
    assertThat(span.subtype()).contains("http");
  }
}
