package io.traceharness.assertj;

import static io.traceharness.assertj.TraceAssertions.assertThat;
import static io.traceharness.assertj.TraceAssertTest.assertFails;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.opentelemetry.api.trace.SpanKind;
import io.traceharness.trace.SpanNode;
import io.traceharness.trace.Trace;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;

class SpanNodeAssertTest {

  private final Trace trace = AssertFixtures.apmTrace();
  private final SpanNode root = trace.span("1000000000000001").orElseThrow();
  private final SpanNode ping = trace.span("3000000000000001").orElseThrow();
  private final SpanNode orphan = trace.span("3000000000000009").orElseThrow();
  private static final String PING_NAME = "[GET /ping] (service consumer, id 3000000000000001)";
  private static final String PING = "Expected span " + PING_NAME + " ";

  @Test
  void passingAssertionsChain() {
    assertThat(ping).hasService("consumer").hasName("GET /ping").hasSpanId("3000000000000001")
        .isTransaction().hasType("request").hasKind(SpanKind.SERVER).hasOutcome(SpanNode.Outcome.SUCCESS)
        .hasResult("HTTP 2xx").hasLabel("faas_trigger", "http")
        .hasDurationBetween(Duration.ofMillis(50), Duration.ofMillis(50))
        .hasParentId("2000000000000002")
        .hasParentSatisfying(p -> p.isSpan().hasService("producer").hasSubtype("http"))
        .hasChildCount(0);
    assertThat(root).isRoot()
        .hasChildrenSatisfyingExactly(c -> c.hasName("client-request"))
        .hasChildrenSatisfyingInAnyOrder(c -> c.hasService("java-client"))
        .hasDescendantSatisfying(d -> d.hasService("consumer").isTransaction());
  }

  @Test
  void failureNamesTheSpanAndMarksItInTheWaterfall() {
    assertThatThrownBy(() -> assertThat(ping).hasParentId("0a33000000000000")).hasMessage(String.join("\n",
        PING + "to have parent 0a33000000000000 but was [GET] (service producer, id 2000000000000002)",
        "",
        "Trace 4bf92f3577b34da6a3ce929d0e0e4736: 6 spans (3 transactions), 3 services, 120.0 ms, 1 anomaly",
        "  NAME                   SERVICE      TYPE                 DURATION  SPAN ID           TIMELINE",
        "  client-top-level       java-client  transaction request  120.0 ms  1000000000000001  |████████████████████████████████████████|",
        "  └─ client-request      java-client  span external/http   110.0 ms  1000000000000002  | ██████████████████████████████████████ |",
        "     └─ POST /produce    producer     transaction request  100.0 ms  2000000000000001  |   ██████████████████████████████████   |",
        "        └─ GET           producer     span external/http    80.0 ms  2000000000000002  |      ████████████████████████████      |",
        ">          └─ GET /ping  consumer     transaction request   50.0 ms  3000000000000001  |          █████████████████             |",
        "  orphan-call            consumer     span app/internal      5.3 ms  3000000000000009  |             ███                        |  <- orphan: parent 00000000000000ff not found",
        "Anomalies:",
        "  - orphan: span [orphan-call] (service consumer, id 3000000000000009) has parent.id 00000000000000ff, which no document of the trace has (parent not exported, not yet indexed, or from another trace)",
        "Errors:",
        "  - Error: upstream said no (service consumer, in [GET /ping] (service consumer, id 3000000000000001))",
        ""));
  }

  @Test
  void eachSpanAssertionSaysWhatWasExpectedAndWhatWasFound() {
    assertFails(() -> assertThat(ping).hasService("producer"), PING + "to have service <producer> but was <consumer>");
    assertFails(() -> assertThat(ping).hasName("GET /pong"), PING + "to have name <GET /pong> but was <GET /ping>");
    assertFails(() -> assertThat(ping).hasSpanId("ab"), PING + "to have span id <ab> but was <3000000000000001>");
    assertFails(() -> assertThat(ping).isSpan(), PING + "to be a span but was a transaction");
    assertFails(() -> assertThat(orphan).isTransaction(),
        "Expected span [orphan-call] (service consumer, id 3000000000000009) to be a transaction but was a span");
    assertFails(() -> assertThat(ping).hasType("messaging"), PING + "to have type <messaging> but was <request>");
    assertFails(() -> assertThat(ping).hasSubtype("http"), PING + "to have subtype <http> but was <none>");
    assertFails(() -> assertThat(ping).hasKind(SpanKind.CLIENT), PING + "to have kind <CLIENT> but was <SERVER>");
    assertFails(() -> assertThat(root).hasKind(SpanKind.SERVER),
        "Expected span [client-top-level] (service java-client, id 1000000000000001) to have kind <SERVER> but its document carries no kind (APM Server keeps no span.kind for OTLP spans: assert isTransaction() or hasType() instead)");
    assertFails(() -> assertThat(ping).hasOutcome(SpanNode.Outcome.FAILURE), PING + "to have outcome <FAILURE> but was <SUCCESS>");
    assertFails(() -> assertThat(ping).hasResult("HTTP 5xx"), PING + "to have result <HTTP 5xx> but was <HTTP 2xx>");
    assertFails(() -> assertThat(ping).hasLabel("faas_trigger", "sqs"), PING + "to have label <faas_trigger=sqs> but was <http>");
    assertFails(() -> assertThat(ping).hasDurationBetween(Duration.ofMillis(1), Duration.ofMillis(10)),
        PING + "to last between 1.000 ms and 10.000 ms but lasted 50.000 ms");
    assertFails(() -> assertThat(ping).isRoot(), PING + "to be a root but had parent [GET] (service producer, id 2000000000000002)");
    assertFails(() -> assertThat(orphan).hasParentSatisfying(p -> p.hasName("x")),
        "Expected span [orphan-call] (service consumer, id 3000000000000009) to have a parent satisfying the given"
            + " assertions but its parent 00000000000000ff, which is not in the trace (orphan)");
    assertFails(() -> assertThat(ping).hasParentSatisfying(p -> p.hasName("POST")),
        PING + "to have a parent satisfying the given assertions but its parent [GET] (service producer, id"
            + " 2000000000000002) did not: Expected span [GET] (service producer, id 2000000000000002) to have"
            + " name <POST> but was <GET>");
    assertFails(() -> assertThat(root).hasChildCount(2),
        "Expected span [client-top-level] (service java-client, id 1000000000000001) to have 2 children but had 1:"
            + " [client-request] (service java-client, id 1000000000000002)");
    assertFails(() -> assertThat(ping).hasChildSatisfying(c -> c.hasName("x")),
        PING + "to have a child satisfying the given assertions but it has no children");
    assertFails(() -> assertThat(root).hasDescendantSatisfying(c -> c.hasService("billing")),
        "Expected span [client-top-level] (service java-client, id 1000000000000001) to have a descendant"
            + " satisfying the given assertions but none of its 4 descendants did");
  }

  @Test
  void comparisonsFailWithExpectedAndActualSoIdesShowADiff() {
    assertComparison(() -> assertThat(ping).hasService("producer"), "producer", "consumer",
        PING + "to have service <producer> but was <consumer>\n\nTrace ");
    assertComparison(() -> assertThat(ping).hasParentId("0a33000000000000"), "0a33000000000000", "2000000000000002",
        PING + "to have parent 0a33000000000000 but was [GET] (service producer, id 2000000000000002)\n\nTrace ");
    assertComparison(() -> assertThat(ping).hasOutcome(SpanNode.Outcome.FAILURE), SpanNode.Outcome.FAILURE,
        SpanNode.Outcome.SUCCESS, PING + "to have outcome <FAILURE> but was <SUCCESS>");
    assertComparison(() -> assertThat(ping).hasLabel("faas_trigger", "sqs"), "sqs", "http",
        PING + "to have label <faas_trigger=sqs> but was <http>");
    assertComparison(() -> assertThat(ping).hasSubtype("http"), "http", null,
        PING + "to have subtype <http> but was <none>");
    assertComparison(() -> assertThat(root).hasChildCount(2), 2, 1,
        "Expected span [client-top-level] (service java-client, id 1000000000000001) to have 2 children but had 1");
    // the parent's comparison survives being wrapped in the child's failure
    assertComparison(() -> assertThat(ping).hasParentSatisfying(p -> p.hasName("POST")), "POST", "GET",
        PING + "to have a parent satisfying the given assertions but its parent [GET] (service producer, id"
            + " 2000000000000002) did not: Expected span [GET] (service producer, id 2000000000000002) to have"
            + " name <POST> but was <GET>\n\nTrace ");
  }

  @Test
  void hasDescendantSatisfyingReportsTheNearestDescendantWithItsFailure() {
    assertComparison(() -> assertThat(root)
            .hasDescendantSatisfying(d -> d.hasService("consumer").isTransaction().hasName("GET /pong")),
        "GET /pong", "GET /ping",
        "Expected span [client-top-level] (service java-client, id 1000000000000001) to have a descendant satisfying"
            + " the given assertions but none of its 4 descendants did; the nearest was " + PING_NAME + ", which"
            + " passed 2 assertions before: " + PING + "to have name <GET /pong> but was <GET /ping>\n\nTrace ");
    assertThatThrownBy(() -> assertThat(root)
            .hasDescendantSatisfying(d -> d.hasService("consumer").isTransaction().hasName("GET /pong")))
        .hasMessageContaining("\n>          └─ GET /ping  consumer ");
    assertFails(() -> assertThat(ping).hasDescendantSatisfying(d -> d.hasName("x")),
        PING + "to have a descendant satisfying the given assertions but none of its 0 descendants did");
  }

  /** The failure compares {@code expected} with {@code actual} and its message starts with {@code message}. */
  static void assertComparison(Runnable assertion, Object expected, Object actual, String message) {
    assertThatThrownBy(assertion::run).isInstanceOfSatisfying(AssertionFailedError.class, e -> {
      org.assertj.core.api.Assertions.assertThat(e.getMessage()).startsWith(message);
      org.assertj.core.api.Assertions.assertThat(e.getExpected().getValue()).as("expected").isEqualTo(expected);
      org.assertj.core.api.Assertions.assertThat(e.getActual().getValue()).as("actual").isEqualTo(actual);
    });
  }

  @Test
  void nestedFailuresReportTheInnermostSpan() {
    assertFails(() -> assertThat(trace).hasRootSatisfying(r -> r.hasChildSatisfying(c -> c.hasChildSatisfying(
            p -> p.hasChildSatisfying(g -> g.hasChildSatisfying(x -> x.hasService("billing")))))),
        PING + "to have service <billing> but was <consumer>");
    assertThatThrownBy(() -> assertThat(ping).describedAs("Span 5").hasOutcome(SpanNode.Outcome.FAILURE))
        .hasMessageStartingWith("[Span 5] " + PING + "to have outcome <FAILURE> but was <SUCCESS>\n\n");
  }

  @Test
  void childrenAssertionsListWhatEachChildLacked() {
    Trace fan = Trace.parse("t1", java.util.List.of(
        span("transaction", "a", null, "root", 0, 10_000),
        span("span", "b", "a", "first", 1_000, 1_000),
        span("span", "c", "a", "second", 2_000, 1_000)));
    SpanNode fanRoot = fan.roots().get(0);
    String root = "Expected span [root] (service s, id a) ";

    assertFails(() -> assertThat(fanRoot).hasChildSatisfying(c -> c.hasName("third")),
        root + "to have a child satisfying the given assertions but none of its 2 children did:\n"
            + "  - Expected span [first] (service s, id b) to have name <third> but was <first>\n"
            + "  - Expected span [second] (service s, id c) to have name <third> but was <second>");
    assertFails(() -> assertThat(fanRoot).hasChildrenSatisfyingExactly(c -> c.hasName("second"), c -> c.hasName("first")),
        root + "to have children satisfying the given assertions in order but child 1 did not: Expected span"
            + " [first] (service s, id b) to have name <second> but was <first>");
    assertThat(fanRoot).hasChildrenSatisfyingInAnyOrder(c -> c.hasName("second"), c -> c.hasName("first"));
    assertFails(() -> assertThat(fanRoot).hasChildrenSatisfyingInAnyOrder(c -> c.hasName("first"), c -> c.hasName("third")),
        root + "to have children satisfying the 2 given assertions in any order but assertion 2 matched none of them:\n"
            + "  - Expected span [first] (service s, id b) to have name <third> but was <first>\n"
            + "  - Expected span [second] (service s, id c) to have name <third> but was <second>");
    assertFails(() -> assertThat(fanRoot).hasChildrenSatisfyingInAnyOrder(c -> c.hasName("first"), c -> c.hasName("first")),
        root + "to have children satisfying the 2 given assertions in any order but no one-to-one assignment"
            + " satisfies them all (assertion 2 competes for the same children as the others)");
    assertFails(() -> assertThat(fanRoot).hasChildrenSatisfyingExactly(c -> c.hasName("first")),
        root + "to have 1 child but had 2: [first] (service s, id b), [second] (service s, id c)");
    assertThatThrownBy(() -> assertThat(fanRoot).hasChildSatisfying(c -> c.hasName("third")))
        .hasMessageContaining("\n> root ");
  }

  private static String span(String event, String id, String parent, String name, long startUs, long durationUs) {
    String body = event.equals("transaction")
        ? "\"transaction\":{\"id\":\"" + id + "\",\"name\":\"" + name + "\",\"duration\":{\"us\":" + durationUs + "}}"
        : "\"span\":{\"id\":\"" + id + "\",\"name\":\"" + name + "\",\"duration\":{\"us\":" + durationUs + "}}";
    return "{\"processor\":{\"event\":\"" + event + "\"},\"trace\":{\"id\":\"t1\"}," + body
        + (parent == null ? "" : ",\"parent\":{\"id\":\"" + parent + "\"}")
        + ",\"service\":{\"name\":\"s\"},\"timestamp\":{\"us\":" + startUs + "}}";
  }
}
