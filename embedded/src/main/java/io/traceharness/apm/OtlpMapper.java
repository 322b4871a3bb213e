package io.traceharness.apm;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import java.util.List;

/**
 * OTLP → the documents Elastic APM Server writes (elastic/apm-data {@code input/otlp}): spans
 * become transactions or spans, span events become errors or logs, data points become metricsets,
 * log records become logs. One class per signal and per semantic convention does the work:
 * {@link TraceMapping}, {@link MetricMapping}, {@link LogMapping}, with {@link ResourceMapping}
 * for the fields every document of a resource shares.
 */
final class OtlpMapper {

  private final ObjectNode observer;

  OtlpMapper(ObjectNode observer) {
    this.observer = observer;
  }

  List<ApmDocument> traces(ExportTraceServiceRequest request) {
    return TraceMapping.translate(observer, request);
  }

  List<ApmDocument> metrics(ExportMetricsServiceRequest request) {
    return MetricMapping.translate(observer, request);
  }

  List<ApmDocument> logs(ExportLogsServiceRequest request) {
    return LogMapping.translate(observer, request);
  }
}
