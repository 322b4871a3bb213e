package io.traceharness.apm;

import static io.traceharness.apm.OtlpMappingTest.field;
import static io.traceharness.apm.OtlpInputs.resource;
import static io.traceharness.otlp.OtlpValues.kv;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.ByteString;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.metrics.v1.Gauge;
import io.opentelemetry.proto.metrics.v1.Histogram;
import io.opentelemetry.proto.metrics.v1.HistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.metrics.v1.Sum;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/** OTLP metrics → metricset documents, OTLP logs → log documents. */
class OtlpMetricsAndLogsTest {

  private final OtlpMapper mapper = new OtlpMapper(Docs.object());

  @Test
  void dataPointsWithTheSameTimeAndAttributesShareOneMetricset() {
    long t = 1_700_000_000_000_000_000L;
    ExportMetricsServiceRequest request = ExportMetricsServiceRequest.newBuilder().addResourceMetrics(
        ResourceMetrics.newBuilder().setResource(resource("service.name", "Producer"))
            .addScopeMetrics(ScopeMetrics.newBuilder()
                .addMetrics(Metric.newBuilder().setName("invocations").setSum(Sum.newBuilder()
                    .addDataPoints(NumberDataPoint.newBuilder().setTimeUnixNano(t).setAsInt(3)
                        .addAttributes(kv("faas.trigger", "http")))))
                .addMetrics(Metric.newBuilder().setName("memory.used").setGauge(Gauge.newBuilder()
                    .addDataPoints(NumberDataPoint.newBuilder().setTimeUnixNano(t).setAsDouble(0.5)
                        .addAttributes(kv("faas.trigger", "http")))))
                .addMetrics(Metric.newBuilder().setName("latency").setHistogram(Histogram.newBuilder()
                    .addDataPoints(HistogramDataPoint.newBuilder().setTimeUnixNano(t + 1)
                        .addAllExplicitBounds(List.of(10.0, 20.0)).addAllBucketCounts(List.of(1L, 0L, 2L)))))))
        .build();
    List<ApmDocument> docs = mapper.metrics(request);
    assertThat(docs).hasSize(2);
    assertThat(docs).extracting(ApmDocument::dataStream).containsOnly("metrics-apm.app.producer-default");
    JsonNode first = docs.get(0).source();
    assertThat(field(first, "processor.event")).isEqualTo("metric");
    assertThat(first.get("invocations").asLong()).isEqualTo(3);
    assertThat(first.get("memory.used").asDouble()).isEqualTo(0.5);
    assertThat(field(first, "labels.faas_trigger")).isEqualTo("http");
    JsonNode histogram = docs.get(1).source().get("latency");
    assertThat(histogram.get("values").toString()).isEqualTo("[5.0,20.0]");
    assertThat(histogram.get("counts").toString()).isEqualTo("[1,2]");
  }

  @Test
  void logRecordsBecomeLogDocumentsOfTheService() {
    byte[] trace = HexFormat.of().parseHex(OtlpInputs.TRACE);
    ExportLogsServiceRequest request = ExportLogsServiceRequest.newBuilder().addResourceLogs(ResourceLogs.newBuilder()
        .setResource(resource("service.name", "consumer"))
        .addScopeLogs(ScopeLogs.newBuilder().addLogRecords(LogRecord.newBuilder()
            .setTimeUnixNano(1_700_000_000_000_000_000L).setSeverityText("INFO").setSeverityNumberValue(9)
            .setBody(AnyValue.newBuilder().setStringValue("handled ping"))
            .setTraceId(ByteString.copyFrom(trace))
            .addAttributes(kv("request.id", "r-1"))))).build();
    List<ApmDocument> docs = mapper.logs(request);
    assertThat(docs).extracting(ApmDocument::dataStream).containsExactly("logs-apm.app.consumer-default");
    JsonNode doc = docs.get(0).source();
    assertThat(field(doc, "message")).isEqualTo("handled ping");
    assertThat(field(doc, "log.level")).isEqualTo("INFO");
    assertThat(field(doc, "trace.id")).isEqualTo(OtlpInputs.TRACE);
    assertThat(field(doc, "labels.request_id")).isEqualTo("r-1");
    // apm-data v1.22.0 logs.go / modeljson: no processor.event and no event.kind for a plain log
    // (APM Server 8.19 systemtest/approvals/TestOTLPGRPCLogs.approved.json has neither)
    assertThat(field(doc, "processor.event")).isNull();
    assertThat(field(doc, "event.kind")).isNull();
  }
}
