package io.traceharness.collector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.Message;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.Span;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcessorsTest {

  @TempDir
  Path tmp;

  private final List<Message> sink = new CopyOnWriteArrayList<>();
  private final SignalConsumer capture = sink::add;

  private static CollectorConfig.AttributeAction action(String key, CollectorConfig.ActionType type, String value,
      String from) {
    return new CollectorConfig.AttributeAction(key, type,
        value == null ? null : AnyValue.newBuilder().setStringValue(value).build(), from);
  }

  private static Map<String, String> asMap(List<KeyValue> attrs) {
    return attrs.stream().collect(Collectors.toMap(KeyValue::getKey, kv -> kv.getValue().getStringValue()));
  }

  @Test
  void attributeActionsFollowTheRealSemantics() {
    List<KeyValue> input = List.of(Otlp.attr("http.method", "GET"), Otlp.attr("secret", "x"),
        Otlp.attr("env", "dev"));
    List<KeyValue> out = AttributesProcessor.apply(List.of(
        action("env", CollectorConfig.ActionType.INSERT, "prod", null),
        action("region", CollectorConfig.ActionType.INSERT, "eu-west-1", null),
        action("missing", CollectorConfig.ActionType.UPDATE, "y", null),
        action("http.method", CollectorConfig.ActionType.UPDATE, "POST", null),
        action("team", CollectorConfig.ActionType.UPSERT, "a", null),
        action("env", CollectorConfig.ActionType.UPSERT, "test", null),
        action("method.copy", CollectorConfig.ActionType.INSERT, null, "http.method"),
        action("nothing", CollectorConfig.ActionType.UPSERT, null, "absent"),
        action("secret", CollectorConfig.ActionType.DELETE, null, null)), input);

    assertThat(asMap(out)).containsExactlyInAnyOrderEntriesOf(Map.of(
        "http.method", "POST", "env", "test", "region", "eu-west-1", "team", "a", "method.copy", "POST"));
  }

  @Test
  void resourceProcessorChangesResourcesAndAttributesProcessorChangesSpans() throws Exception {
    var resource = new CollectorConfig.AttributesSpec("resource", true,
        List.of(action("deployment.environment", CollectorConfig.ActionType.UPSERT, "lambda", null)));
    var attributes = new CollectorConfig.AttributesSpec("attributes", false,
        List.of(action("faas.coldstart", CollectorConfig.ActionType.INSERT, "true", null)));
    SignalConsumer chain = new AttributesProcessor(resource, Signal.TRACES,
        new AttributesProcessor(attributes, Signal.TRACES, capture));

    chain.consume(Otlp.traces("producer", Otlp.newTraceId(), 2));

    var out = (ExportTraceServiceRequest) sink.get(0);
    assertThat(asMap(out.getResourceSpans(0).getResource().getAttributesList()))
        .containsEntry("service.name", "producer").containsEntry("deployment.environment", "lambda");
    assertThat(out.getResourceSpans(0).getScopeSpans(0).getSpansList())
        .hasSize(2)
        .allSatisfy(s -> assertThat(asMap(s.getAttributesList())).containsEntry("faas.coldstart", "true"));
  }

  @Test
  void batchSendsWhenSizeIsReached() throws Exception {
    try (CollectorLog log = new CollectorLog(tmp.resolve("c.log"))) {
      var batch = new BatchProcessor(new CollectorConfig.BatchSpec("batch", Duration.ofSeconds(30), 5, 0),
          Signal.TRACES, capture, log, "traces");
      String trace = Otlp.newTraceId();
      batch.consume(Otlp.traces("a", trace, 2));
      batch.consume(Otlp.traces("b", trace, 2));
      await("4 spans < send_batch_size 5: still buffered").during(Duration.ofMillis(100)).atMost(Duration.ofSeconds(1))
          .until(sink::isEmpty);
      batch.consume(Otlp.traces("c", trace, 1));
      awaitBatches(1);
      assertThat(Signal.TRACES.count(sink.get(0))).isEqualTo(5);
      assertThat(((ExportTraceServiceRequest) sink.get(0)).getResourceSpansCount()).isEqualTo(3);
      batch.flush();
    }
  }

  @Test
  void batchSendsAfterTimeoutAndSplitsAtMaxSize() throws Exception {
    try (CollectorLog log = new CollectorLog(tmp.resolve("c.log"))) {
      var batch = new BatchProcessor(new CollectorConfig.BatchSpec("batch", Duration.ofMillis(200), 100, 4),
          Signal.TRACES, capture, log, "traces");
      long t0 = System.nanoTime();
      batch.consume(Otlp.traces("a", Otlp.newTraceId(), 3));
      batch.consume(Otlp.traces("b", Otlp.newTraceId(), 7));
      awaitBatches(3);
      assertThat((System.nanoTime() - t0) / 1_000_000).as("sent after the 200 ms timeout").isGreaterThanOrEqualTo(190);
      assertThat(sink).extracting(Signal.TRACES::count).containsExactly(4, 4, 2);
      List<String> names = sink.stream().flatMap(m -> ((ExportTraceServiceRequest) m).getResourceSpansList().stream())
          .flatMap(rs -> rs.getScopeSpans(0).getSpansList().stream()).map(Span::getName).toList();
      assertThat(names).hasSize(10).as("order kept").startsWith("span-0", "span-1", "span-2", "span-0");
      batch.flush();
    }
  }

  @Test
  void batchFlushesWhatItHoldsOnStop() throws Exception {
    try (CollectorLog log = new CollectorLog(tmp.resolve("c.log"))) {
      var batch = new BatchProcessor(new CollectorConfig.BatchSpec("batch", Duration.ofMinutes(1), 1000, 0),
          Signal.TRACES, capture, log, "traces");
      batch.consume(Otlp.traces("a", Otlp.newTraceId(), 3));
      batch.flush();
      assertThat(sink).extracting(Signal.TRACES::count).containsExactly(3);
    }
  }

  private void awaitBatches(int count) {
    await(count + " batches sent").atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(10))
        .untilAsserted(() -> assertThat(sink).as("batches sent").hasSize(count));
  }
}
