package io.traceharness.collector;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * The three OTLP signals and what the pipeline needs of each request type: count items, merge
 * requests into one, split one into pieces of at most N items, rewrite resource and item attributes.
 */
enum Signal {

  TRACES("spans", "/v1/traces") {
    @Override
    Message parse(byte[] body) throws InvalidProtocolBufferException {
      return ExportTraceServiceRequest.parseFrom(body);
    }

    @Override
    Message.Builder newBuilder() {
      return ExportTraceServiceRequest.newBuilder();
    }

    @Override
    Message emptyResponse() {
      return ExportTraceServiceResponse.getDefaultInstance();
    }

    @Override
    int count(Message request) {
      int n = 0;
      for (ResourceSpans rs : ((ExportTraceServiceRequest) request).getResourceSpansList()) {
        for (ScopeSpans ss : rs.getScopeSpansList()) {
          n += ss.getSpansCount();
        }
      }
      return n;
    }

    @Override
    Message merge(List<Message> requests) {
      ExportTraceServiceRequest.Builder b = ExportTraceServiceRequest.newBuilder();
      for (Message m : requests) {
        b.addAllResourceSpans(((ExportTraceServiceRequest) m).getResourceSpansList());
      }
      return b.build();
    }

    @Override
    List<Message> split(Message request, int max) {
      List<Message> out = new ArrayList<>();
      ExportTraceServiceRequest.Builder current = ExportTraceServiceRequest.newBuilder();
      int filled = 0;
      for (ResourceSpans rs : ((ExportTraceServiceRequest) request).getResourceSpansList()) {
        for (ScopeSpans ss : rs.getScopeSpansList()) {
          List<Span> spans = ss.getSpansList();
          int i = 0;
          while (i < spans.size()) {
            int take = Math.min(max - filled, spans.size() - i);
            current.addResourceSpans(rs.toBuilder().clearScopeSpans()
                .addScopeSpans(ss.toBuilder().clearSpans().addAllSpans(spans.subList(i, i + take))));
            i += take;
            filled += take;
            if (filled == max) {
              out.add(current.build());
              current = ExportTraceServiceRequest.newBuilder();
              filled = 0;
            }
          }
        }
      }
      if (filled > 0) {
        out.add(current.build());
      }
      return out;
    }

    @Override
    Message mapResources(Message request, UnaryOperator<Resource> f) {
      ExportTraceServiceRequest.Builder b = ((ExportTraceServiceRequest) request).toBuilder();
      for (ResourceSpans.Builder rs : b.getResourceSpansBuilderList()) {
        rs.setResource(f.apply(rs.getResource()));
      }
      return b.build();
    }

    @Override
    Message mapItemAttributes(Message request, UnaryOperator<List<KeyValue>> f) {
      ExportTraceServiceRequest.Builder b = ((ExportTraceServiceRequest) request).toBuilder();
      for (ResourceSpans.Builder rs : b.getResourceSpansBuilderList()) {
        for (ScopeSpans.Builder ss : rs.getScopeSpansBuilderList()) {
          for (Span.Builder span : ss.getSpansBuilderList()) {
            List<KeyValue> attrs = f.apply(span.getAttributesList());
            span.clearAttributes().addAllAttributes(attrs);
          }
        }
      }
      return b.build();
    }
  },

  METRICS("data points", "/v1/metrics") {
    @Override
    Message parse(byte[] body) throws InvalidProtocolBufferException {
      return ExportMetricsServiceRequest.parseFrom(body);
    }

    @Override
    Message.Builder newBuilder() {
      return ExportMetricsServiceRequest.newBuilder();
    }

    @Override
    Message emptyResponse() {
      return ExportMetricsServiceResponse.getDefaultInstance();
    }

    @Override
    int count(Message request) {
      int n = 0;
      for (ResourceMetrics rm : ((ExportMetricsServiceRequest) request).getResourceMetricsList()) {
        for (ScopeMetrics sm : rm.getScopeMetricsList()) {
          for (Metric m : sm.getMetricsList()) {
            n += dataPoints(m);
          }
        }
      }
      return n;
    }

    @Override
    Message merge(List<Message> requests) {
      ExportMetricsServiceRequest.Builder b = ExportMetricsServiceRequest.newBuilder();
      for (Message m : requests) {
        b.addAllResourceMetrics(((ExportMetricsServiceRequest) m).getResourceMetricsList());
      }
      return b.build();
    }

    /** A metric's data points stay together, so a piece may exceed {@code max} by one metric's worth. */
    @Override
    List<Message> split(Message request, int max) {
      List<Message> out = new ArrayList<>();
      ExportMetricsServiceRequest.Builder current = ExportMetricsServiceRequest.newBuilder();
      int filled = 0;
      for (ResourceMetrics rm : ((ExportMetricsServiceRequest) request).getResourceMetricsList()) {
        for (ScopeMetrics sm : rm.getScopeMetricsList()) {
          for (Metric m : sm.getMetricsList()) {
            int points = dataPoints(m);
            if (filled > 0 && filled + points > max) {
              out.add(current.build());
              current = ExportMetricsServiceRequest.newBuilder();
              filled = 0;
            }
            current.addResourceMetrics(rm.toBuilder().clearScopeMetrics()
                .addScopeMetrics(sm.toBuilder().clearMetrics().addMetrics(m)));
            filled += points;
          }
        }
      }
      if (current.getResourceMetricsCount() > 0) {
        out.add(current.build());
      }
      return out;
    }

    @Override
    Message mapResources(Message request, UnaryOperator<Resource> f) {
      ExportMetricsServiceRequest.Builder b = ((ExportMetricsServiceRequest) request).toBuilder();
      for (ResourceMetrics.Builder rm : b.getResourceMetricsBuilderList()) {
        rm.setResource(f.apply(rm.getResource()));
      }
      return b.build();
    }

    @Override
    Message mapItemAttributes(Message request, UnaryOperator<List<KeyValue>> f) {
      return request;
    }
  },

  LOGS("log records", "/v1/logs") {
    @Override
    Message parse(byte[] body) throws InvalidProtocolBufferException {
      return ExportLogsServiceRequest.parseFrom(body);
    }

    @Override
    Message.Builder newBuilder() {
      return ExportLogsServiceRequest.newBuilder();
    }

    @Override
    Message emptyResponse() {
      return ExportLogsServiceResponse.getDefaultInstance();
    }

    @Override
    int count(Message request) {
      int n = 0;
      for (ResourceLogs rl : ((ExportLogsServiceRequest) request).getResourceLogsList()) {
        for (ScopeLogs sl : rl.getScopeLogsList()) {
          n += sl.getLogRecordsCount();
        }
      }
      return n;
    }

    @Override
    Message merge(List<Message> requests) {
      ExportLogsServiceRequest.Builder b = ExportLogsServiceRequest.newBuilder();
      for (Message m : requests) {
        b.addAllResourceLogs(((ExportLogsServiceRequest) m).getResourceLogsList());
      }
      return b.build();
    }

    @Override
    List<Message> split(Message request, int max) {
      List<Message> out = new ArrayList<>();
      ExportLogsServiceRequest.Builder current = ExportLogsServiceRequest.newBuilder();
      int filled = 0;
      for (ResourceLogs rl : ((ExportLogsServiceRequest) request).getResourceLogsList()) {
        for (ScopeLogs sl : rl.getScopeLogsList()) {
          List<LogRecord> records = sl.getLogRecordsList();
          int i = 0;
          while (i < records.size()) {
            int take = Math.min(max - filled, records.size() - i);
            current.addResourceLogs(rl.toBuilder().clearScopeLogs()
                .addScopeLogs(sl.toBuilder().clearLogRecords().addAllLogRecords(records.subList(i, i + take))));
            i += take;
            filled += take;
            if (filled == max) {
              out.add(current.build());
              current = ExportLogsServiceRequest.newBuilder();
              filled = 0;
            }
          }
        }
      }
      if (filled > 0) {
        out.add(current.build());
      }
      return out;
    }

    @Override
    Message mapResources(Message request, UnaryOperator<Resource> f) {
      ExportLogsServiceRequest.Builder b = ((ExportLogsServiceRequest) request).toBuilder();
      for (ResourceLogs.Builder rl : b.getResourceLogsBuilderList()) {
        rl.setResource(f.apply(rl.getResource()));
      }
      return b.build();
    }

    @Override
    Message mapItemAttributes(Message request, UnaryOperator<List<KeyValue>> f) {
      ExportLogsServiceRequest.Builder b = ((ExportLogsServiceRequest) request).toBuilder();
      for (ResourceLogs.Builder rl : b.getResourceLogsBuilderList()) {
        for (ScopeLogs.Builder sl : rl.getScopeLogsBuilderList()) {
          for (LogRecord.Builder r : sl.getLogRecordsBuilderList()) {
            List<KeyValue> attrs = f.apply(r.getAttributesList());
            r.clearAttributes().addAllAttributes(attrs);
          }
        }
      }
      return b.build();
    }
  };

  private final String itemName;
  private final String defaultPath;

  Signal(String itemName, String defaultPath) {
    this.itemName = itemName;
    this.defaultPath = defaultPath;
  }

  /** What one item of this signal is called in logs and stats: spans, data points, log records. */
  String itemName() {
    return itemName;
  }

  String defaultPath() {
    return defaultPath;
  }

  /** The pipeline type name: traces, metrics, logs. */
  String pipelineType() {
    return name().toLowerCase(Locale.ROOT);
  }

  static Optional<Signal> byName(String pipelineType) {
    return Arrays.stream(values()).filter(s -> s.pipelineType().equals(pipelineType)).findFirst();
  }

  abstract Message parse(byte[] body) throws InvalidProtocolBufferException;

  abstract Message.Builder newBuilder();

  abstract Message emptyResponse();

  abstract int count(Message request);

  abstract Message merge(List<Message> requests);

  abstract List<Message> split(Message request, int max);

  abstract Message mapResources(Message request, UnaryOperator<Resource> f);

  /** Rewrites span or log-record attributes; metrics pass unchanged. */
  abstract Message mapItemAttributes(Message request, UnaryOperator<List<KeyValue>> f);

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
