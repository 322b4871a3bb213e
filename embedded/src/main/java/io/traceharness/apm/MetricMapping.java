package io.traceharness.apm;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.metrics.v1.HistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * OTLP gauges, sums and histograms → metricset documents, one per timestamp and attribute set,
 * internal runtime metrics to their shared data stream (elastic/apm-data input/otlp/metrics.go
 * {@code handleScopeMetrics}, {@code addMetric}, {@code numberSample}, {@code histogramSample},
 * {@code metricsets.upsert}).
 */
final class MetricMapping {

  /** Fields of a metricset document that are not metric samples. */
  private static final Set<String> METRICSET_FIELDS = Set.of("@timestamp", "timestamp",
      "observer", "service", "agent", "cloud", "host", "process", "container", "kubernetes", "labels",
      "numeric_labels", "processor", "metricset", "data_stream");

  private MetricMapping() {
  }

  static List<ApmDocument> translate(ObjectNode observer, ExportMetricsServiceRequest request) {
    List<ApmDocument> out = new ArrayList<>();
    for (ResourceMetrics rm : request.getResourceMetricsList()) {
      ObjectNode base = ResourceMapping.base(observer, rm.getResource());
      for (ScopeMetrics sm : rm.getScopeMetricsList()) {
        ObjectNode scoped = base.deepCopy();
        TraceMapping.scope(sm.getScope(), scoped);
        // samples with the same timestamp and attributes share one metricset document
        Map<String, ObjectNode> sets = new LinkedHashMap<>();
        for (Metric metric : sm.getMetricsList()) {
          switch (metric.getDataCase()) {
            case GAUGE -> metric.getGauge().getDataPointsList()
                .forEach(p -> number(sets, scoped, metric.getName(), p));
            case SUM -> metric.getSum().getDataPointsList()
                .forEach(p -> number(sets, scoped, metric.getName(), p));
            case HISTOGRAM -> metric.getHistogram().getDataPointsList()
                .forEach(p -> histogram(sets, scoped, metric.getName(), p));
            default -> { }
          }
        }
        for (ObjectNode doc : sets.values()) {
          List<String> names = new ArrayList<>();
          doc.fieldNames().forEachRemaining(n -> {
            if (!METRICSET_FIELDS.contains(n)) {
              names.add(n);
            }
          });
          Docs.dataStream(doc, "metrics", InternalMetrics.allInternal(names) ? "apm.internal"
              : "apm.app." + Docs.normalizeForDataset(doc.path("service").path("name").asText()));
          out.add(new ApmDocument(Docs.dataStreamName(doc), doc));
        }
      }
    }
    return out;
  }

  private static ObjectNode metricset(Map<String, ObjectNode> sets, ObjectNode base, long time, List<KeyValue> attributes) {
    String key = time + "|" + attributes;
    return sets.computeIfAbsent(key, k -> {
      ObjectNode doc = base.deepCopy();
      Docs.timestamp(doc, time);
      // APM Server writes timestamp.us only for transactions, spans and errors (modeljson/apmevent.pb.json.go)
      doc.remove("timestamp");
      Docs.put(doc, "processor.event", "metric");
      Docs.put(doc, "metricset.name", "app");
      for (KeyValue kv : attributes) {
        Labels.set(doc, kv.getKey(), kv.getValue());
      }
      return doc;
    });
  }

  private static void number(Map<String, ObjectNode> sets, ObjectNode base, String name, NumberDataPoint p) {
    ObjectNode doc = metricset(sets, base, p.getTimeUnixNano(), p.getAttributesList());
    if (p.hasAsInt()) {
      doc.put(name, p.getAsInt());
    } else {
      doc.put(name, p.getAsDouble());
    }
  }

  private static void histogram(Map<String, ObjectNode> sets, ObjectNode base, String name, HistogramDataPoint p) {
    ObjectNode doc = metricset(sets, base, p.getTimeUnixNano(), p.getAttributesList());
    ObjectNode h = doc.putObject(name);
    ArrayNode values = h.putArray("values");
    ArrayNode counts = h.putArray("counts");
    List<Double> bounds = p.getExplicitBoundsList();
    for (int i = 0; i < p.getBucketCountsCount(); i++) {
      long count = p.getBucketCounts(i);
      if (count == 0) {
        continue;
      }
      double value;
      if (bounds.isEmpty()) {
        value = 0;
      } else if (i == 0) {
        value = bounds.get(0) / 2;
      } else if (i >= bounds.size()) {
        value = bounds.get(bounds.size() - 1);
      } else {
        value = bounds.get(i - 1) + (bounds.get(i) - bounds.get(i - 1)) / 2;
      }
      values.add(value);
      counts.add(count);
    }
  }
}
