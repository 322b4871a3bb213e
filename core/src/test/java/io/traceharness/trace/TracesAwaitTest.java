package io.traceharness.trace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Waiting, against a document source that delivers the fixture's documents a few at a time. */
class TracesAwaitTest {

  private static final String ID = TraceFixtures.APM_TRACE_ID;
  private final List<JsonNode> docs = TraceFixtures.lines("apm-trace.ndjson").stream().map(TracesAwaitTest::json).toList();

  /** Each read sees one more document than the one before, up to all of them. */
  private Traces arrivingOneByOne(AtomicInteger reads) {
    return new Traces.Builder(traceId -> docs.subList(0, Math.min(docs.size(), reads.incrementAndGet())))
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(10))
        .quietPeriod(Duration.ofMillis(100))
        .build();
  }

  @Test
  void awaitReturnsOnlyOnceNoNewDocumentArrivedForTheQuietPeriod() {
    AtomicInteger reads = new AtomicInteger();

    Trace trace = arrivingOneByOne(reads).await(ID, TraceConditions.hasAtLeastSpans(2));

    assertThat(trace.size()).as("the condition held at 2 spans, but more kept coming").isEqualTo(6);
    assertThat(trace.errors()).hasSize(1);
    assertThat(reads.get()).as("reads until quiet").isGreaterThan(docs.size());
  }

  @Test
  void timeoutNamesTheConditionAndPrintsTheLastState() {
    Traces traces = new Traces.Builder(traceId -> docs)
        .atMost(Duration.ofMillis(300)).pollInterval(Duration.ofMillis(50)).build();

    assertThatThrownBy(() -> traces.await(ID, TraceConditions.allOf(
            TraceConditions.hasServices("java-client", "billing"), TraceConditions.isComplete())))
        .isInstanceOf(AssertionError.class)
        .hasMessageStartingWith("Timed out after 300.0 ms waiting for trace " + ID
            + " to have services [java-client, billing] and be complete (a single root, no orphans) (")
        .hasMessageContaining(" reads).\nLast state:\n" + TraceFixtures.apmTrace().waterfall());
  }

  @Test
  void timeoutSaysWhenDocumentsKeptArriving() {
    AtomicInteger reads = new AtomicInteger();
    Traces traces = new Traces.Builder(traceId -> {
          int n = reads.incrementAndGet();
          return java.util.stream.IntStream.rangeClosed(1, n)
              .mapToObj(i -> json(TraceFixtures.doc("transaction", "s" + i, null, "busy", "tick " + i, i, 1)
                  .replace("\"t1\"", "\"" + ID + "\"")))
              .toList();
        })
        .atMost(Duration.ofMillis(400)).pollInterval(Duration.ofMillis(20)).quietPeriod(Duration.ofMillis(200)).build();

    assertThatThrownBy(() -> traces.await(ID))
        .hasMessageStartingWith("Timed out after 400.0 ms waiting for trace " + ID + " to have at least 1 span:"
            + " the condition held, but documents were still arriving (quiet period 200.0 ms)");
  }

  @Test
  void lambdaConditionsAreCalledTheGivenCondition() {
    Traces traces = new Traces.Builder(traceId -> List.of()).atMost(Duration.ofMillis(100)).build();

    assertThatThrownBy(() -> traces.await(ID, t -> t.size() > 3))
        .hasMessageStartingWith("Timed out after 100.0 ms waiting for trace " + ID + " to satisfy the given condition (")
        .hasMessageContaining("Last state:\nTrace " + ID + ": no transactions or spans\n");
  }

  @Test
  void awaitSatisfyingFailsWithTheAssertionsOwnMessage() {
    Traces traces = new Traces.Builder(traceId -> docs).atMost(Duration.ofMillis(200)).build();

    assertThatThrownBy(() -> traces.awaitSatisfying(ID, t -> assertThat(t.services()).contains("billing")))
        .hasMessageStartingWith("Trace " + ID + " did not satisfy the assertions within 200.0 ms:\n")
        .hasMessageContaining("billing");
    assertThat(traces.awaitSatisfying(ID, t -> assertThat(t.services()).contains("consumer")).size()).isEqualTo(6);
  }

  @Test
  void readersAreImmutable() {
    Traces traces = new Traces.Builder(traceId -> docs).build();
    Traces shorter = traces.atMost(Duration.ofSeconds(1));

    assertThat(traces.timeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(shorter.timeout()).isEqualTo(Duration.ofSeconds(1));
    assertThat(shorter.read(ID).size()).isEqualTo(6);
    assertThatThrownBy(() -> traces.quietPeriod(null)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> traces.pollInterval(Duration.ZERO)).hasMessage("pollInterval must be positive, was PT0S");
  }

  private static JsonNode json(String s) {
    try {
      return new ObjectMapper().readTree(s);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  void listenersAreToldOfTheAwaitedTraceAndOfTheLastStateOfOneThatTimedOut() {
    List<String> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
    try (SeenTraces.Subscription s = SeenTraces.listen((trace, how) -> seen.add(how + " " + trace.size()))) {
      arrivingOneByOne(new AtomicInteger()).await(ID, TraceConditions.hasAtLeastSpans(6));
      assertThatThrownBy(() -> arrivingOneByOne(new AtomicInteger()).atMost(Duration.ofMillis(300))
          .await(ID, TraceConditions.hasAtLeastSpans(7))).isInstanceOf(AssertionError.class);
    }
    arrivingOneByOne(new AtomicInteger()).await(ID);

    assertThat(seen).containsExactly("awaited 6", "await timed out 6");
  }
}
