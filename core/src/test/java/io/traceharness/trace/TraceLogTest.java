package io.traceharness.trace;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class TraceLogTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String REQUEST = "8f5a4d6e-1b2c-4d3e-9f00-0123456789ab";

  private static JsonNode json(String s) throws Exception {
    return JSON.readTree(s);
  }

  /** What the log forwarder leaves of a Node.js console.log line (the runtime's tab-separated prefix). */
  @Test
  void aNodeRuntimeLineGivesItsRequestIdAndTheFunctionFromTheLogGroup() throws Exception {
    TraceLog l = TraceLog.of(json("{\"@timestamp\":\"2026-11-30T09:00:00.000001Z\",\"message\":\"2026-11-30T09:00:00.000Z\\t"
        + REQUEST + "\\tINFO\\tStatus: 200\",\"aws\":{\"cloudwatch\":{\"log_group\":\"/aws/lambda/producer\"}},"
        + "\"data_stream\":{\"type\":\"logs\",\"dataset\":\"generic\",\"namespace\":\"default\"}}"),
        TraceLog.Link.REQUEST_ID, "producer-service");

    assertThat(l.function()).isEqualTo("producer");
    assertThat(l.requestId()).isEqualTo(REQUEST);
    assertThat(l.service()).as("the service of the invocation's transaction").isEqualTo("producer-service");
    assertThat(l.traceId()).isNull();
    assertThat(l.dataStream()).isEqualTo("logs-generic-default");
    assertThat(l.timestamp()).isEqualTo(Instant.parse("2026-11-30T09:00:00.000001Z"));
    assertThat(l.isPlatformLine()).isFalse();
    assertThat(l.describe()).contains("[request " + REQUEST + "]").contains("Status: 200");
  }

  @Test
  void anEcsJsonLineKeepsItsOwnIdsAndService() throws Exception {
    TraceLog l = TraceLog.of(json("{\"@timestamp\":\"2026-11-30T09:00:00.000Z\",\"message\":\"Status: 200\","
        + "\"log\":{\"level\":\"info\",\"offset\":0},\"trace\":{\"id\":\"4bf92f3577b34da6a3ce929d0e0e4736\"},"
        + "\"span\":{\"id\":\"00f067aa0ba902b7\"},\"service\":{\"name\":\"orders\"},"
        + "\"faas\":{\"name\":\"producer\",\"execution\":\"" + REQUEST + "\"}}"));

    assertThat(l.link()).isEqualTo(TraceLog.Link.TRACE_ID);
    assertThat(l.traceId()).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
    assertThat(l.spanId()).isEqualTo("00f067aa0ba902b7");
    assertThat(l.level()).isEqualTo("info");
    assertThat(l.service()).isEqualTo("orders");
    assertThat(l.function()).isEqualTo("producer");
    assertThat(l.requestId()).isEqualTo(REQUEST);
  }

  @Test
  void theLambdaServicesLinesArePlatformLinesWithTheirRequestId() throws Exception {
    for (String line : List.of("START RequestId: " + REQUEST + " Version: $LATEST", "END RequestId: " + REQUEST,
        "REPORT RequestId: " + REQUEST + "\tDuration: 2.00 ms\tBilled Duration: 3 ms")) {
      TraceLog l = TraceLog.of(json("{\"message\":" + JSON.writeValueAsString(line) + "}"), TraceLog.Link.REQUEST_ID, null);
      assertThat(l.isPlatformLine()).as(line).isTrue();
      assertThat(l.requestId()).as(line).isEqualTo(REQUEST);
    }
    assertThat(TraceLog.of(json("{\"message\":\"Event: {}\"}")).isPlatformLine()).isFalse();
  }

  /** The request ids of a trace's invocations, in each form the transaction documents give them. */
  @Test
  void invocationsComeFromEveryFormOfTheRequestId() throws Exception {
    List<JsonNode> docs = List.of(
        json("{\"service\":{\"name\":\"apm-fn\"},\"faas\":{\"execution\":\"a\"}}"),
        json("{\"service\":{\"name\":\"otel-fn\"},\"labels\":{\"faas_execution\":\"b\"}}"),
        json("{\"service\":{\"name\":\"otel-new\"},\"labels\":{\"faas_invocation_id\":\"c\"}}"),
        json("{\"resource\":{\"attributes\":{\"service.name\":\"native\"}},\"attributes\":{\"faas.invocation_id\":\"d\"}}"),
        json("{\"service\":{\"name\":\"client\"},\"transaction\":{\"id\":\"x\"}}"));

    assertThat(TraceLogReader.invocationsOf(docs)).containsExactly(java.util.Map.entry("a", "apm-fn"),
        java.util.Map.entry("b", "otel-fn"), java.util.Map.entry("c", "otel-new"), java.util.Map.entry("d", "native"));
  }

  @Test
  void aParsedTraceHasNoLogSource() {
    Trace t = Trace.parse("4bf92f3577b34da6a3ce929d0e0e4736", List.of());
    assertThat(t.hasLogSource()).isFalse();
    org.assertj.core.api.Assertions.assertThatIllegalStateException().isThrownBy(t::logs)
        .withMessageContaining("was not read from Elasticsearch");
  }
}
