package io.traceharness.apm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/** What Elasticsearch 8.19's apm-data pipelines do to a document (x-pack/plugin/apm-data ingest-pipelines/*.yaml). */
class IngestPipelinesTest {

  private final IngestPipelines pipelines =
      new IngestPipelines(Clock.fixed(Instant.parse("2026-01-02T03:04:05Z"), ZoneOffset.UTC));

  private ObjectNode run(String json) throws Exception {
    ObjectNode doc = (ObjectNode) Docs.JSON.readTree(json);
    pipelines.apply(doc);
    return doc;
  }

  /** traces-apm@pipeline.yaml. */
  @Test
  void tracesGetProcessorEventDurationInMicrosAndSuccessCountFromTheRepresentativeCount() throws Exception {
    JsonNode tx = run("""
        {"data_stream":{"type":"traces","dataset":"apm","namespace":"default"},
         "transaction":{"type":"request","representative_count":4.0},
         "event":{"duration":2500999,"outcome":"success"}}""");
    assertThat(tx.at("/processor/event").asText()).isEqualTo("transaction");
    assertThat(tx.at("/transaction/duration/us").asLong()).isEqualTo(2500);
    assertThat(tx.at("/event/duration").isMissingNode()).isTrue();
    assertThat(tx.at("/event/success_count").asDouble()).isEqualTo(4.0);
    assertThat(tx.at("/event/ingested").asText()).isEqualTo("2026-01-02T03:04:05Z");

    JsonNode span = run("""
        {"data_stream":{"type":"traces","dataset":"apm","namespace":"default"},
         "span":{"id":"a"},"event":{"outcome":"failure"}}""");
    assertThat(span.at("/processor/event").asText()).isEqualTo("span");
    // the script's default: no event.duration gives 0
    assertThat(span.at("/span/duration/us").asLong()).isZero();
    assertThat(span.at("/event/success_count").asInt()).isZero();

    JsonNode unknown = run("""
        {"data_stream":{"type":"traces","dataset":"apm","namespace":"default"},
         "span":{"id":"a","duration":{"us":7}},"event":{"outcome":"unknown","duration":9000}}""");
    assertThat(unknown.at("/span/duration/us").asLong()).as("kept when already there").isEqualTo(7);
    assertThat(unknown.at("/event/success_count").isMissingNode()).isTrue();
  }

  /** logs-apm.error@default-pipeline.yaml, logs-apm@pipeline.yaml, apm@pipeline.yaml. */
  @Test
  void logsGetEventDatasetAndUserAgentsAreParsed() throws Exception {
    JsonNode log = run("""
        {"data_stream":{"type":"logs","dataset":"apm.app.svc","namespace":"default"},"message":"m",
         "process":{"ppid":3},
         "user_agent":{"original":"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36"}}""");
    assertThat(log.at("/event/dataset").asText()).isEqualTo("apm.app.svc");
    assertThat(log.at("/processor/event").isMissingNode()).isTrue();
    assertThat(log.at("/process/parent/pid").asInt()).isEqualTo(3);
    assertThat(log.at("/user_agent/name").asText()).isEqualTo("Chrome");
    assertThat(log.at("/user_agent/version").asText()).isEqualTo("120.0.0.0");
    assertThat(log.at("/user_agent/os/full").asText()).isEqualTo("Windows 10");

    JsonNode error = run("""
        {"data_stream":{"type":"logs","dataset":"apm.error","namespace":"default"},
         "error":{"exception":[{"message":"boom"}]},"user_agent":{"original":"my-client/1.0"}}""");
    assertThat(error.at("/processor/event").asText()).isEqualTo("error");
    assertThat(error.at("/error/grouping_name").asText()).isEqualTo("boom");
    assertThat(error.at("/user_agent/name").asText()).isEqualTo("Other");
    assertThat(error.at("/user_agent/device/name").asText()).isEqualTo("Other");
    assertThat(error.at("/user_agent/os").isMissingNode()).isTrue();
  }
}
