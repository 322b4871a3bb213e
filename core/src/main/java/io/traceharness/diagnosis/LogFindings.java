package io.traceharness.diagnosis;

import io.traceharness.diagnosis.Diagnosis.Finding;
import io.traceharness.diagnosis.Diagnosis.Kind;
import io.traceharness.trace.TraceLog;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Findings of the trace's logs: functions whose lines carry no trace id ({@link Kind#LOGS_UNLINKED}). */
final class LogFindings {

  private final Evidence ev;
  private final List<Finding> findings;

  LogFindings(DiagnosisContext context) {
    this.ev = context.evidence();
    this.findings = context.findings();
  }

  /**
   * Functions whose own lines (not the service's {@code START}/{@code END}/{@code REPORT}) were
   * written during the trace's invocations, none of them carrying the trace id.
   */
  void find() {
    Map<String, List<TraceLog>> byFunction = new LinkedHashMap<>();
    for (TraceLog l : ev.logs) {
      String key = l.function() != null ? l.function() : l.service();
      if (key != null && !l.isPlatformLine()) {
        byFunction.computeIfAbsent(key, k -> new ArrayList<>()).add(l);
      }
    }
    byFunction.forEach((function, lines) -> {
      if (lines.stream().anyMatch(l -> l.link() == TraceLog.Link.TRACE_ID)) {
        return;
      }
      TraceLog first = lines.get(0);
      String sample = first.message().strip();
      sample = sample.length() > 120 ? sample.substring(0, 117) + "..." : sample;
      findings.add(new Finding(Kind.LOGS_UNLINKED, function + " wrote " + lines.size() + " log line"
          + (lines.size() == 1 ? "" : "s") + " during its invocation in this trace (request id " + first.requestId()
          + "), none with the trace id (e.g. \"" + sample + "\"): its logs will not link to this trace in Kibana."
          + " Log the active span's trace id (ECS-JSON \"trace.id\", \"span.id\")",
          first.service(), first.function(), null, null, null, first.requestId(), List.of()));
    });
  }
}
