package io.traceharness.assertj;

import static io.traceharness.assertj.TraceAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.traceharness.trace.Trace;
import io.traceharness.trace.TraceFixtures;
import io.traceharness.trace.TraceLog;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class TraceAssertTest {

  private static final String WATERFALL = String.join("\n",
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
      "");

  private final Trace trace = AssertFixtures.apmTrace();

  @Test
  void healthyPartsOfTheFixturePass() {
    assertThat(trace)
        .hasTraceId(AssertFixtures.TRACE_ID)
        .hasSingleRoot()
        .hasServices("java-client", "consumer")
        .hasServicesExactly("consumer", "producer", "java-client")
        .hasSpanCount(6)
        .hasNoClockSkew()
        .hasPath("java-client", "producer", "consumer")
        .hasPath("producer", "consumer")
        .hasSpanSatisfying(s -> s.hasName("GET /ping"))
        .hasRootSatisfying(root -> root.hasService("java-client").isTransaction()
            .hasChildSatisfying(request -> request.isSpan().hasType("external").hasSubtype("http")
                .hasChildSatisfying(producer -> producer.isTransaction().hasService("producer")
                    .hasChildSatisfying(get -> get.hasType("external")
                        .hasChildSatisfying(consumer -> consumer.isTransaction().hasService("consumer"))))));
  }

  @Test
  void hasNoOrphansNamesTheOrphanAndMarksItInTheWaterfall() {
    assertThatThrownBy(() -> assertThat(trace).hasNoOrphans()).hasMessage(
        "Expected trace 4bf92f3577b34da6a3ce929d0e0e4736 to have no orphans but had 1:\n"
            + "  - orphan: span [orphan-call] (service consumer, id 3000000000000009) has parent.id"
            + " 00000000000000ff, which no document of the trace has (parent not exported, not yet"
            + " indexed, or from another trace)\n\n"
            + WATERFALL.replace("\n  orphan-call ", "\n> orphan-call "));
  }

  @Test
  void hasPathSaysHowFarThePathGotAndMarksWhereItStopped() {
    assertThatThrownBy(() -> assertThat(trace).hasPath("java-client", "producer", "billing")).hasMessage(
        "Expected trace 4bf92f3577b34da6a3ce929d0e0e4736 to have a path through services"
            + " [java-client, producer, billing] but the longest was [java-client, producer], ending at"
            + " span [GET] (service producer, id 2000000000000002): no span of billing hangs below it"
            + " through spans of producer\n\n"
            + WATERFALL.replace("\n        └─ GET  ", "\n>       └─ GET  "));
    assertThatThrownBy(() -> assertThat(trace).hasPath("billing", "producer")).hasMessageStartingWith(
        "Expected trace 4bf92f3577b34da6a3ce929d0e0e4736 to have a path through services [billing,"
            + " producer] but no span belongs to service billing; services were [java-client, producer,"
            + " consumer]\n\n");
  }

  @Test
  void eachTraceAssertionSaysWhatWasExpectedAndWhatWasFound() {
    assertFails(() -> assertThat(trace).hasTraceId("ffff"),
        "to have trace id <ffff> but was <4bf92f3577b34da6a3ce929d0e0e4736>");
    assertFails(() -> assertThat(trace).hasNoAnomalies(),
        "to have no anomalies but had 1:\n  - orphan: span [orphan-call] (service consumer, id"
            + " 3000000000000009) has parent.id 00000000000000ff, which no document of the trace has"
            + " (parent not exported, not yet indexed, or from another trace)");
    assertFails(() -> assertThat(trace).hasServices("java-client", "billing"),
        "to have services [java-client, billing] but [billing] is missing; services were"
            + " [java-client, producer, consumer]");
    assertFails(() -> assertThat(trace).hasServicesExactly("java-client", "producer", "billing"),
        "to have exactly services [java-client, producer, billing] but services were [java-client,"
            + " producer, consumer] (missing [billing], unexpected [consumer])");
    assertFails(() -> assertThat(trace).hasSpanCount(5), "to have 5 spans but had 6");
    assertFails(() -> assertThat(trace).hasNoErrors(),
        "to have no errors but had 1:\n  - Error: upstream said no (service consumer)");
    assertFails(() -> assertThat(trace).hasSpanSatisfying(s -> s.hasName("nope")),
        "to have a span satisfying the given assertions but none of its 6 spans did");
  }

  @Test
  void comparisonsFailWithExpectedAndActualSoIdesShowADiff() {
    SpanNodeAssertTest.assertComparison(() -> assertThat(trace).hasTraceId("ffff"), "ffff", AssertFixtures.TRACE_ID,
        "Expected trace " + AssertFixtures.TRACE_ID + " to have trace id <ffff> but was <" + AssertFixtures.TRACE_ID
            + ">\n\n" + WATERFALL);
    SpanNodeAssertTest.assertComparison(() -> assertThat(trace).hasSpanCount(5), 5, 6,
        "Expected trace " + AssertFixtures.TRACE_ID + " to have 5 spans but had 6");
    SpanNodeAssertTest.assertComparison(() -> assertThat(trace).hasServicesExactly("java-client", "producer"),
        new java.util.LinkedHashSet<>(List.of("java-client", "producer")), trace.services(),
        "Expected trace " + AssertFixtures.TRACE_ID + " to have exactly services [java-client, producer]");
  }

  @Test
  void hasSpanSatisfyingReportsTheNearestSpanWithItsFailureAndMarksIt() {
    SpanNodeAssertTest.assertComparison(
        () -> assertThat(trace).hasSpanSatisfying(s -> s.hasService("consumer").isSpan().hasName("orphan")),
        "orphan", "orphan-call",
        "Expected trace " + AssertFixtures.TRACE_ID + " to have a span satisfying the given assertions but none of"
            + " its 6 spans did; the nearest was [orphan-call] (service consumer, id 3000000000000009), which passed"
            + " 2 assertions before: Expected span [orphan-call] (service consumer, id 3000000000000009) to have name"
            + " <orphan> but was <orphan-call>\n\n"
            + WATERFALL.replace("\n  orphan-call ", "\n> orphan-call "));
    assertFails(() -> assertThat(trace).hasSpanSatisfying(s -> s.hasDurationBetween(Duration.ZERO, Duration.ZERO)),
        "to have a span satisfying the given assertions but none of its 6 spans did; the nearest was"
            + " [client-top-level] (service java-client, id 1000000000000001), which passed 0 assertions before:"
            + " Expected span [client-top-level] (service java-client, id 1000000000000001) to last between 0.000 ms"
            + " and 0.000 ms but lasted 120.000 ms");
  }

  @Test
  void hasSingleRootNamesEveryRoot() {
    Trace split = Trace.parse("t1", List.of(
        "{\"processor\":{\"event\":\"transaction\"},\"trace\":{\"id\":\"t1\"},\"transaction\":{\"id\":\"a\",\"name\":\"client\",\"duration\":{\"us\":1000}},\"service\":{\"name\":\"client\"},\"timestamp\":{\"us\":0}}",
        "{\"processor\":{\"event\":\"transaction\"},\"trace\":{\"id\":\"t1\"},\"transaction\":{\"id\":\"b\",\"name\":\"GET /ping\",\"duration\":{\"us\":500}},\"service\":{\"name\":\"consumer\"},\"timestamp\":{\"us\":200}}"));

    assertThatThrownBy(() -> assertThat(split).hasSingleRoot()).hasMessage(String.join("\n",
        "Expected trace t1 to have a single root but had 2: [client] (service client, id a), [GET /ping] (service consumer, id b)",
        "",
        "Trace t1: 2 spans (2 transactions), 2 services, 1.0 ms, 1 anomaly",
        "  NAME       SERVICE   TYPE         DURATION  SPAN ID  TIMELINE",
        "  client     client    transaction    1.0 ms  a        |████████████████████████████████████████|",
        "> GET /ping  consumer  transaction    500 µs  b        |        ████████████████████            |  <- extra root",
        "Anomalies:",
        "  - 2 roots (documents without parent.id): [client] (service client, id a), [GET /ping] (service consumer, id b); a trace has one root, so the context was not propagated to the others",
        ""));
    assertFails(() -> assertThat(split).hasRootSatisfying(r -> r.hasName("client")),
        "Expected trace t1 to have a single root but had 2: [client] (service client, id a), [GET /ping] (service consumer, id b)");
  }

  @Test
  void hasNoClockSkewGivesTheAmountAndHonoursATolerance() {
    Trace skewed = Trace.parse("t1", List.of(
        "{\"processor\":{\"event\":\"transaction\"},\"trace\":{\"id\":\"t1\"},\"transaction\":{\"id\":\"a\",\"name\":\"client\",\"duration\":{\"us\":10000}},\"service\":{\"name\":\"client\"},\"timestamp\":{\"us\":1000}}",
        "{\"processor\":{\"event\":\"transaction\"},\"trace\":{\"id\":\"t1\"},\"transaction\":{\"id\":\"b\",\"name\":\"GET /ping\",\"duration\":{\"us\":500}},\"parent\":{\"id\":\"a\"},\"service\":{\"name\":\"consumer\"},\"timestamp\":{\"us\":0}}"));

    assertFails(() -> assertThat(skewed).hasNoClockSkew(),
        "to have no clock skew but had 1:\n  - clock skew: span [GET /ping] (service consumer, id b)"
            + " starts 1.000 ms before its parent [client] (service client, id a)");
    assertThat(skewed).hasNoClockSkew(Duration.ofMillis(1));
    assertFails(() -> assertThat(skewed).hasNoClockSkew(Duration.ofNanos(999_000)),
        "to have no clock skew beyond 0.999 ms but had 1:");
    assertThatThrownBy(() -> assertThat(skewed).hasNoClockSkew()).hasMessageContaining(
        "> └─ GET /ping  consumer  transaction    500 µs  b        |██                                      |  <- clock skew: starts 1.000 ms before parent");
  }

  private static TraceLog line(String service, String message, TraceLog.Link link) {
    return new TraceLog(java.time.Instant.parse("2026-11-30T09:00:00Z"), service, "info", message, null,
        "logs-generic-default", null, link == TraceLog.Link.TRACE_ID ? AssertFixtures.TRACE_ID : null, null, service,
        "8f5a4d6e-1b2c-4d3e-9f00-0123456789ab", link);
  }

  @Test
  void hasLogLineFindsALineOfTheServiceThatCarriesTheTraceId() {
    Trace withLogs = TraceFixtures.withLogs(AssertFixtures.apmTrace(), List.of(
        line("producer", "Status: 200", TraceLog.Link.TRACE_ID), line("consumer", "Event: {}", TraceLog.Link.REQUEST_ID)));

    assertThat(withLogs).hasLogLine("producer", "Status: 200")
        .hasLogsSatisfying(logs -> org.assertj.core.api.Assertions.assertThat(logs).hasSize(2));
  }

  @Test
  void aLineWithoutTheTraceIdFailsAndTheMessagePrintsTheLogsAndTheTree() {
    Trace withLogs = TraceFixtures.withLogs(AssertFixtures.apmTrace(), List.of(
        line("consumer", "Event: {}", TraceLog.Link.REQUEST_ID)));

    assertThatThrownBy(() -> assertThat(withLogs).logsWithin(Duration.ofMillis(300)).hasLogLine("consumer", "Event:"))
        .isInstanceOf(AssertionError.class)
        .hasMessageStartingWith("Expected trace " + AssertFixtures.TRACE_ID + " to have a log line of consumer containing"
            + " \"Event:\" that carries its id within 300 ms, but the line was written during the trace's invocation"
            + " without the trace id")
        .hasMessageContaining("Logs found (1):\n  2026-11-30T09:00:00Z consumer info [request"
            + " 8f5a4d6e-1b2c-4d3e-9f00-0123456789ab] Event: {}")
        .hasMessageContaining("└─ GET /ping  consumer");
    assertThatThrownBy(() -> assertThat(withLogs).logsWithin(Duration.ZERO).hasLogLine("producer", "Status"))
        .hasMessageContaining("but no line of producer contains it");
  }

  @Test
  void aTraceNotReadFromElasticsearchHasNoLogsToAssert() {
    assertThatThrownBy(() -> assertThat(AssertFixtures.apmTrace()).hasLogLine("producer", "x"))
        .hasMessageContaining("it was not read from Elasticsearch");
  }

  @Test
  void nullTraceFailsFirst() {
    assertThatThrownBy(() -> assertThat((Trace) null).hasSingleRoot())
        .hasMessageContaining("Expecting actual not to be null");
  }

  /** The message's first paragraph (the waterfall follows it) starts with this expectation. */
  static void assertFails(Runnable assertion, String expectation) {
    assertThatThrownBy(assertion::run)
        .isInstanceOf(AssertionError.class)
        .satisfies(e -> {
          String message = e.getMessage();
          String headline = message.substring(0, message.indexOf("\n\nTrace "));
          String expected = expectation.startsWith("Expected ") ? expectation
              : "Expected trace " + (message.startsWith("Expected trace t1") ? "t1" : AssertFixtures.TRACE_ID)
                  + " " + expectation;
          org.assertj.core.api.Assertions.assertThat(headline).startsWith(expected);
        });
  }
}
