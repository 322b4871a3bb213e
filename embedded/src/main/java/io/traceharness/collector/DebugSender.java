package io.traceharness.collector;

import com.google.protobuf.Message;
import io.traceharness.otlp.OtlpJson;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.util.HexFormat;

/**
 * The {@code debug} exporter (and the older {@code logging} exporter): writes what passes to the
 * collector's log. basic: counts; normal: one line per span; detailed: the whole request as OTLP/JSON.
 */
final class DebugSender implements Sender {

  private final CollectorConfig.DebugSpec spec;
  private final CollectorLog log;

  DebugSender(CollectorConfig.DebugSpec spec, CollectorLog log) {
    this.spec = spec;
    this.log = log;
  }

  @Override
  public String destination(Signal signal) {
    return "log " + log.file();
  }

  @Override
  public void send(Signal signal, Message request) {
    String kind = switch (signal) {
      case TRACES -> "Traces";
      case METRICS -> "Metrics";
      default -> "Logs";
    };
    log.detail(spec.id() + "\t" + kind + "\t{\"" + signal.itemName() + "\": " + signal.count(request) + "}");
    if (spec.verbosity() == CollectorConfig.Verbosity.NORMAL && signal == Signal.TRACES) {
      for (ResourceSpans rs : ((ExportTraceServiceRequest) request).getResourceSpansList()) {
        String service = rs.getResource().getAttributesList().stream()
            .filter(kv -> kv.getKey().equals("service.name")).map(KeyValue::getValue)
            .map(v -> v.getStringValue()).findFirst().orElse("");
        for (ScopeSpans ss : rs.getScopeSpansList()) {
          for (Span s : ss.getSpansList()) {
            log.detail(spec.id() + "\t" + service + " " + s.getName() + " " + s.getKind()
                + " trace_id=" + hex(s.getTraceId().toByteArray()) + " span_id=" + hex(s.getSpanId().toByteArray())
                + " parent_span_id=" + hex(s.getParentSpanId().toByteArray()));
          }
        }
      }
    } else if (spec.verbosity() == CollectorConfig.Verbosity.DETAILED) {
      log.detail(spec.id() + "\t" + OtlpJson.print(request));
    }
  }

  private static String hex(byte[] b) {
    return HexFormat.of().formatHex(b);
  }
}
