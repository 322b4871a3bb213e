package io.traceharness.collector;

import com.google.protobuf.Message;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code transform} processor (opentelemetry-collector-contrib {@code processor/transformprocessor}),
 * which opentelemetry-lambda's collector recommends over the deprecated {@code attributes},
 * {@code resource} and {@code span} processors: each statement of the signal's list runs in order on
 * every resource, span or log record its context names. Statement errors cannot occur at run time with
 * the {@link Ottl} subset, so {@code error_mode} only matters at startup, where any parse error stops
 * the collector as the real one does.
 */
final class TransformProcessor implements SignalConsumer {

  private final List<Ottl.Statement> statements;
  private final Signal signal;
  private final SignalConsumer next;

  TransformProcessor(CollectorConfig.TransformSpec spec, Signal signal, SignalConsumer next) {
    this.statements = switch (signal) {
      case TRACES -> spec.traceStatements();
      case LOGS -> spec.logStatements();
      default -> spec.metricStatements();
    };
    this.signal = signal;
    this.next = next;
  }

  @Override
  public void consume(Message request) throws ConsumeException {
    next.consume(statements.isEmpty() ? request : switch (signal) {
      case TRACES -> traces((ExportTraceServiceRequest) request);
      case LOGS -> logs((ExportLogsServiceRequest) request);
      default -> metrics((ExportMetricsServiceRequest) request);
    });
  }

  @Override
  public void flush() {
    next.flush();
  }

  private ExportTraceServiceRequest traces(ExportTraceServiceRequest req) {
    ExportTraceServiceRequest.Builder out = req.toBuilder().clearResourceSpans();
    for (ResourceSpans rs : req.getResourceSpansList()) {
      Map<String, AnyValue> resource = toMap(rs.getResource().getAttributesList());
      List<Item<Span.Builder>> spans = rs.getScopeSpansList().stream().flatMap(ss -> ss.getSpansList().stream())
          .map(s -> new Item<>(s.toBuilder(), toMap(s.getAttributesList()), "span", resource)).toList();
      run(resource, spans);
      ResourceSpans.Builder b = rs.toBuilder().setResource(withAttributes(rs.getResource(), resource)).clearScopeSpans();
      int i = 0;
      for (ScopeSpans ss : rs.getScopeSpansList()) {
        ScopeSpans.Builder sb = ss.toBuilder().clearSpans();
        for (int j = 0; j < ss.getSpansCount(); j++, i++) {
          Item<Span.Builder> it = spans.get(i);
          sb.addSpans(it.builder().setName(it.name()).clearAttributes().addAllAttributes(toList(it.attributes)));
        }
        b.addScopeSpans(sb);
      }
      out.addResourceSpans(b);
    }
    return out.build();
  }

  private ExportLogsServiceRequest logs(ExportLogsServiceRequest req) {
    ExportLogsServiceRequest.Builder out = req.toBuilder().clearResourceLogs();
    for (ResourceLogs rl : req.getResourceLogsList()) {
      Map<String, AnyValue> resource = toMap(rl.getResource().getAttributesList());
      List<Item<LogRecord.Builder>> records = rl.getScopeLogsList().stream()
          .flatMap(sl -> sl.getLogRecordsList().stream())
          .map(r -> new Item<>(r.toBuilder(), toMap(r.getAttributesList()), "log", resource)).toList();
      run(resource, records);
      ResourceLogs.Builder b = rl.toBuilder().setResource(withAttributes(rl.getResource(), resource)).clearScopeLogs();
      int i = 0;
      for (ScopeLogs sl : rl.getScopeLogsList()) {
        ScopeLogs.Builder sb = sl.toBuilder().clearLogRecords();
        for (int j = 0; j < sl.getLogRecordsCount(); j++, i++) {
          Item<LogRecord.Builder> it = records.get(i);
          sb.addLogRecords(it.builder().clearAttributes().addAllAttributes(toList(it.attributes)));
        }
        b.addScopeLogs(sb);
      }
      out.addResourceLogs(b);
    }
    return out.build();
  }

  private ExportMetricsServiceRequest metrics(ExportMetricsServiceRequest req) {
    ExportMetricsServiceRequest.Builder out = req.toBuilder().clearResourceMetrics();
    for (ResourceMetrics rm : req.getResourceMetricsList()) {
      Map<String, AnyValue> resource = toMap(rm.getResource().getAttributesList());
      run(resource, List.of());
      out.addResourceMetrics(rm.toBuilder().setResource(withAttributes(rm.getResource(), resource)));
    }
    return out.build();
  }

  /** Each statement in order: a resource statement once, an item statement on every item. */
  private <B> void run(Map<String, AnyValue> resource, List<Item<B>> items) {
    Ottl.Target onResource = new Item<>(null, null, "resource", resource);
    for (Ottl.Statement st : statements) {
      if (st.context().equals("resource")) {
        st.run(onResource);
      } else {
        items.forEach(st::run);
      }
    }
  }

  /** A span or log record while statements run: its attributes as a map, its name. */
  private static final class Item<B> implements Ottl.Target {
    private final B builder;
    private final Map<String, AnyValue> attributes;
    private final String context;
    private final Map<String, AnyValue> resource;
    private String name;

    Item(B builder, Map<String, AnyValue> attributes, String context, Map<String, AnyValue> resource) {
      this.builder = builder;
      this.attributes = attributes;
      this.context = context;
      this.resource = resource;
      this.name = builder instanceof Span.Builder s ? s.getName() : null;
    }

    B builder() {
      return builder;
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public Map<String, AnyValue> attributes(String ctx) {
      return ctx.equals("resource") ? resource : ctx.equals(context) ? attributes : null;
    }

    @Override
    public void name(String name) {
      if (this.name != null) {
        this.name = name;
      }
    }
  }

  private static Map<String, AnyValue> toMap(List<KeyValue> attrs) {
    Map<String, AnyValue> m = new LinkedHashMap<>();
    attrs.forEach(kv -> m.put(kv.getKey(), kv.getValue()));
    return m;
  }

  private static List<KeyValue> toList(Map<String, AnyValue> m) {
    return m.entrySet().stream().map(e -> KeyValue.newBuilder().setKey(e.getKey()).setValue(e.getValue()).build())
        .toList();
  }

  private static Resource withAttributes(Resource r, Map<String, AnyValue> attrs) {
    return r.toBuilder().clearAttributes().addAllAttributes(toList(attrs)).build();
  }
}
