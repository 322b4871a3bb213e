package io.traceharness.collector;

import com.google.protobuf.Message;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.traceharness.otlp.OtlpSignal;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * The three OTLP signals as the collector's pipelines see them: the OTLP signal, what an item is
 * called, and the request's {@link SignalShape}, over which counting, merging, splitting and
 * attribute rewriting are written once.
 */
enum Signal {

  TRACES(OtlpSignal.TRACES, "spans", new SignalShape<>(ExportTraceServiceRequest.class,
      new SignalShape.Level<>(ExportTraceServiceRequest::getResourceSpansList,
          (r, groups) -> ExportTraceServiceRequest.newBuilder().addAllResourceSpans(groups).build()),
      new SignalShape.Level<>(ResourceSpans::getScopeSpansList,
          (g, scopes) -> g.toBuilder().clearScopeSpans().addAllScopeSpans(scopes).build()),
      new SignalShape.Level<>(ScopeSpans::getSpansList,
          (s, spans) -> s.toBuilder().clearSpans().addAllSpans(spans).build()),
      span -> 1,
      ResourceSpans::getResource, (g, resource) -> g.toBuilder().setResource(resource).build(),
      Span::getAttributesList, (span, attrs) -> span.toBuilder().clearAttributes().addAllAttributes(attrs).build())),

  METRICS(OtlpSignal.METRICS, "data points", new SignalShape<>(ExportMetricsServiceRequest.class,
      new SignalShape.Level<>(ExportMetricsServiceRequest::getResourceMetricsList,
          (r, groups) -> ExportMetricsServiceRequest.newBuilder().addAllResourceMetrics(groups).build()),
      new SignalShape.Level<>(ResourceMetrics::getScopeMetricsList,
          (g, scopes) -> g.toBuilder().clearScopeMetrics().addAllScopeMetrics(scopes).build()),
      new SignalShape.Level<>(ScopeMetrics::getMetricsList,
          (s, metrics) -> s.toBuilder().clearMetrics().addAllMetrics(metrics).build()),
      Signal::dataPoints,
      ResourceMetrics::getResource, (g, resource) -> g.toBuilder().setResource(resource).build(),
      null, null)),

  LOGS(OtlpSignal.LOGS, "log records", new SignalShape<>(ExportLogsServiceRequest.class,
      new SignalShape.Level<>(ExportLogsServiceRequest::getResourceLogsList,
          (r, groups) -> ExportLogsServiceRequest.newBuilder().addAllResourceLogs(groups).build()),
      new SignalShape.Level<>(ResourceLogs::getScopeLogsList,
          (g, scopes) -> g.toBuilder().clearScopeLogs().addAllScopeLogs(scopes).build()),
      new SignalShape.Level<>(ScopeLogs::getLogRecordsList,
          (s, records) -> s.toBuilder().clearLogRecords().addAllLogRecords(records).build()),
      record -> 1,
      ResourceLogs::getResource, (g, resource) -> g.toBuilder().setResource(resource).build(),
      LogRecord::getAttributesList,
      (record, attrs) -> record.toBuilder().clearAttributes().addAllAttributes(attrs).build()));

  private final OtlpSignal otlp;
  private final String itemName;
  private final SignalShape<?, ?, ?, ?> shape;

  Signal(OtlpSignal otlp, String itemName, SignalShape<?, ?, ?, ?> shape) {
    this.otlp = otlp;
    this.itemName = itemName;
    this.shape = shape;
  }

  OtlpSignal otlp() {
    return otlp;
  }

  static Signal of(OtlpSignal otlp) {
    return valueOf(otlp.name());
  }

  /** What one item of this signal is called in logs and stats: spans, data points, log records. */
  String itemName() {
    return itemName;
  }

  String defaultPath() {
    return otlp.defaultPath();
  }

  /** The pipeline type name: traces, metrics, logs. */
  String pipelineType() {
    return otlp.pipelineType();
  }

  static Optional<Signal> byName(String pipelineType) {
    return Arrays.stream(values()).filter(s -> s.pipelineType().equals(pipelineType)).findFirst();
  }

  int count(Message request) {
    return shape.count(request);
  }

  Message merge(List<Message> requests) {
    return shape.merge(requests);
  }

  /** Pieces of at most {@code max} items; a metric's data points stay together, so a piece may exceed it by one metric. */
  List<Message> split(Message request, int max) {
    return shape.split(request, max);
  }

  Message mapResources(Message request, UnaryOperator<Resource> f) {
    return shape.mapResources(request, f);
  }

  /** Rewrites span or log-record attributes; metrics pass unchanged. */
  Message mapItemAttributes(Message request, UnaryOperator<List<KeyValue>> f) {
    return shape.mapItemAttributes(request, f);
  }

  static int dataPoints(Metric m) {
    return switch (m.getDataCase()) {
      case GAUGE -> m.getGauge().getDataPointsCount();
      case SUM -> m.getSum().getDataPointsCount();
      case HISTOGRAM -> m.getHistogram().getDataPointsCount();
      case EXPONENTIAL_HISTOGRAM -> m.getExponentialHistogram().getDataPointsCount();
      case SUMMARY -> m.getSummary().getDataPointsCount();
      default -> 0;
    };
  }
}
