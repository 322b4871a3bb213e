package io.traceharness.forwarder;

import static org.assertj.core.api.Assertions.assertThat;

import co.elastic.clients.elasticsearch.core.search.Hit;
import com.fasterxml.jackson.databind.JsonNode;
import io.traceharness.elasticsearch.EmbeddedElasticsearch;
import io.traceharness.lambda.LogEvents;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The forwarder against the real node: the data stream it creates, what close() sends, a line shipped twice. */
class ServerlessForwarderIT {

  private static EmbeddedElasticsearch es;

  @BeforeAll
  static void startNode() {
    es = EmbeddedElasticsearch.builder().heap("256m").build().start();
  }

  @AfterAll
  static void stopNode() {
    if (es != null) {
      es.close();
    }
  }

  private static LogEvents events(String function, int lines, String requestId) {
    List<LogEvents.LogEvent> events = new ArrayList<>();
    Instant now = Instant.now();
    for (int i = 0; i < lines; i++) {
      events.add(new LogEvents.LogEvent(String.format("%056d", i + 1), now, "line " + i + " of " + function, requestId));
    }
    return new LogEvents("000000000000", "/aws/lambda/" + function, "2026/11/30/[$LATEST]" + UUID.randomUUID()
        .toString().replace("-", ""), function, events);
  }

  private static List<JsonNode> shipped(String function) throws Exception {
    es.client().indices().refresh(r -> r.index(ServerlessForwarder.DEFAULT_DATA_STREAM));
    return es.client().search(s -> s.index(ServerlessForwarder.DEFAULT_DATA_STREAM).size(1000)
            .query(q -> q.term(t -> t.field("faas.name").value(function))), JsonNode.class)
        .hits().hits().stream().map(Hit::source).toList();
  }

  @Test
  void closeShipsWhatWaitsAndTheLinesLandInTheLogsGenericDefaultDataStream() throws Exception {
    String request = UUID.randomUUID().toString();
    // a flush interval longer than the test: only close() can have sent them
    ServerlessForwarder forwarder = ServerlessForwarder.builder(es.client()).flushInterval(Duration.ofMinutes(5)).build();
    forwarder.accept(events("at-close", 120, request));
    forwarder.close();

    assertThat(forwarder.shipped()).isEqualTo(120);
    assertThat(forwarder.failed()).isZero();
    List<JsonNode> docs = shipped("at-close");
    assertThat(docs).hasSize(120).allSatisfy(d -> {
      assertThat(d.at("/faas/execution").asText()).isEqualTo(request);
      assertThat(d.at("/data_stream/dataset").asText()).isEqualTo("generic");
    });
    // this distribution has no data stream API to ask; the backing index's name says it
    assertThat(es.client().search(s -> s.index(ServerlessForwarder.DEFAULT_DATA_STREAM).size(1), JsonNode.class)
        .hits().hits().get(0).index()).as("a data stream's backing index, as the logs-*-* template makes it")
        .startsWith(".ds-logs-generic-default-");
  }

  @Test
  void aLineShippedTwiceIsStoredOnceAndTheConflictIsNotAFailure() throws Exception {
    LogEvents once = events("twice", 3, null);
    try (ServerlessForwarder forwarder = ServerlessForwarder.builder(es.client()).build()) {
      forwarder.accept(once);
      forwarder.close();
      assertThat(forwarder.shipped()).isEqualTo(3);
    }
    try (ServerlessForwarder again = ServerlessForwarder.builder(es.client()).build()) {
      again.accept(once);
      again.close();
      assertThat(again.shipped()).isZero();
      assertThat(again.failed()).as("ESF skips a 409: the line is there already").isZero();
    }
    assertThat(shipped("twice")).hasSize(3).allSatisfy(d -> assertThat(d.has("faas") && !d.at("/faas").has("execution"))
        .as("no request id outside an invocation").isTrue());
  }
}
