package io.traceharness.forwarder;

import static org.assertj.core.api.Assertions.assertThat;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.json.jackson.JacksonJsonpMapper;
import co.elastic.clients.transport.rest_client.RestClientTransport;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.traceharness.lambda.LogEvents;
import java.time.Instant;
import java.util.List;
import org.apache.http.HttpHost;
import org.elasticsearch.client.RestClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The documents as the Elastic Serverless Forwarder builds them from a CloudWatch Logs subscription
 * (elastic/elastic-serverless-forwarder handlers/aws/cloudwatch_logs_trigger.py, shippers/es.py,
 * handlers/aws/utils.py cloudwatch_logs_object_id), then Elasticsearch's logs@json-pipeline.
 */
class ServerlessForwarderTest {

  private static final String STREAM = "2026/11/30/[$LATEST]0123456789abcdef0123456789abcdef";
  private static final String EVENT_ID = "00000001764495000000000000000000000000000000000000000001";
  private static final String REQUEST = "8f5a4d6e-1b2c-4d3e-9f00-0123456789ab";
  private static final Instant AT = Instant.ofEpochMilli(1764495000000L);

  // nothing is sent: the client is only handed to the bulk ingester, which connects at its first flush
  private final RestClient rest = RestClient.builder(new HttpHost("127.0.0.1", 9)).build();
  private final ServerlessForwarder forwarder = ServerlessForwarder.builder(
      new ElasticsearchClient(new RestClientTransport(rest, new JacksonJsonpMapper()))).region("eu-west-1").build();

  @AfterEach
  void close() throws Exception {
    forwarder.close();
    rest.close();
  }

  private static LogEvents events(String line) {
    return new LogEvents("000000000000", "/aws/lambda/producer", STREAM, "producer",
        List.of(new LogEvents.LogEvent(EVENT_ID, AT, line, REQUEST)));
  }

  private ObjectNode document(String line) {
    LogEvents e = events(line);
    return forwarder.document(e, e.logEvents().get(0), Instant.parse("2026-11-30T09:30:00.123456Z"));
  }

  @Test
  void aTextLineIsTheForwardersEventInLogsGenericDefault() {
    ObjectNode doc = document("2026-11-30T09:29:59.000Z\t" + REQUEST + "\tINFO\tStatus: 200");

    assertThat(doc.path("@timestamp").asText()).isEqualTo("2026-11-30T09:30:00.123456Z");
    assertThat(doc.path("message").asText()).isEqualTo("2026-11-30T09:29:59.000Z\t" + REQUEST + "\tINFO\tStatus: 200");
    assertThat(doc.at("/log/offset").asInt()).isZero();
    assertThat(doc.at("/log/file/path").asText()).isEqualTo("/aws/lambda/producer/" + STREAM);
    assertThat(doc.at("/aws/cloudwatch/log_group").asText()).isEqualTo("/aws/lambda/producer");
    assertThat(doc.at("/aws/cloudwatch/log_stream").asText()).isEqualTo(STREAM);
    assertThat(doc.at("/aws/cloudwatch/event_id").asText()).isEqualTo(EVENT_ID);
    assertThat(doc.at("/cloud/provider").asText()).isEqualTo("aws");
    assertThat(doc.at("/cloud/region").asText()).isEqualTo("eu-west-1");
    assertThat(doc.at("/cloud/account/id").asText()).isEqualTo("000000000000");
    assertThat(doc.path("tags").toString()).isEqualTo("[\"forwarded\",\"generic\"]");
    assertThat(doc.path("data_stream").toString())
        .isEqualTo("{\"type\":\"logs\",\"dataset\":\"generic\",\"namespace\":\"default\"}");
    assertThat(doc.at("/event/dataset").asText()).isEqualTo("generic");
    assertThat(doc.at("/faas/name").asText()).isEqualTo("producer");
    assertThat(doc.at("/faas/execution").asText()).isEqualTo(REQUEST);
    assertThat(doc.has("trace")).isFalse();
  }

  /** Expected digest: Python's hashlib.sha3_384 of "<group>-<stream>-<event id>", as get_hex_prefix computes it. */
  @Test
  void theIdIsTheForwardersCloudWatchLogsObjectId() {
    assertThat(ServerlessForwarder.objectId(events("x"), events("x").logEvents().get(0), 0)).isEqualTo("1764495000000-"
        + "24e09a4d90623e358609e7ccc7ed4ffc911c9225c8e9f82827419ff5e505c7b3596849b656d7b565042d0befb4853930-000000000000");
  }

  @Test
  void anEcsJsonLineBecomesFieldsAsLogsJsonPipelineMakesThem() {
    ObjectNode doc = document("{\"@timestamp\":\"2026-11-30T09:29:59.500Z\",\"log.level\":\"info\",\"message\":\"Status: 200\","
        + "\"ecs.version\":\"8.10.0\",\"service.name\":\"producer\",\"trace.id\":\"4bf92f3577b34da6a3ce929d0e0e4736\","
        + "\"span.id\":\"00f067aa0ba902b7\"}");

    assertThat(doc.path("message").asText()).isEqualTo("Status: 200");
    assertThat(doc.path("@timestamp").asText()).as("the line's own time").isEqualTo("2026-11-30T09:29:59.500Z");
    assertThat(doc.at("/trace/id").asText()).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
    assertThat(doc.at("/span/id").asText()).isEqualTo("00f067aa0ba902b7");
    assertThat(doc.at("/service/name").asText()).isEqualTo("producer");
    assertThat(doc.at("/log/level").asText()).isEqualTo("info");
    assertThat(doc.at("/log/offset").asInt()).as("merged into the forwarder's log object").isZero();
    assertThat(doc.has("trace.id")).isFalse();
  }

  @Test
  void whatIsNotAJsonObjectStaysTheMessage() {
    assertThat(document("{not json}").path("message").asText()).isEqualTo("{not json}");
    assertThat(document("[1,2]").path("message").asText()).isEqualTo("[1,2]");
    assertThat(document("{\"a\":1} trailing").path("message").asText()).isEqualTo("{\"a\":1} trailing");
  }

  @Test
  void jsonWithoutAMessageLosesTheOriginalAsThePipelineRemovesIt() {
    ObjectNode doc = document("{\"trace.id\":\"4bf92f3577b34da6a3ce929d0e0e4736\"}");

    assertThat(doc.has("message")).isFalse();
    assertThat(doc.at("/trace/id").asText()).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
  }
}
