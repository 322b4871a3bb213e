package io.traceharness.diagnosis;

import static org.assertj.core.api.Assertions.assertThat;

import io.traceharness.diagnosis.Diagnosis.Kind;
import io.traceharness.trace.Trace;
import io.traceharness.trace.TraceLog;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class DiagnosisLogsTest {

  private static final String T = DiagnosisTest.T;
  private static final String REQUEST = "8f5a4d6e-1b2c-4d3e-9f00-0123456789ab";

  private static TraceLog line(String function, String message, TraceLog.Link link) {
    return new TraceLog(Instant.now(), function, null, message, null, "logs-generic-default", null,
        link == TraceLog.Link.TRACE_ID ? T : null, null, function, REQUEST, link);
  }

  private static Trace connected() {
    List<String> docs = DiagnosisTest.clientDocs(T);
    docs.addAll(DiagnosisTest.functionDocs(T, "1000000000000002", 10_000));
    return Trace.parse(T, docs);
  }

  @Test
  void aFunctionWhoseLinesCarryNoTraceIdIsNamedAndTheTraceStaysClean() {
    Diagnosis d = Diagnosis.of(DiagnosisTest.evidence(connected()).logs(List.of(
        line("producer", "START RequestId: " + REQUEST + " Version: $LATEST", TraceLog.Link.REQUEST_ID),
        line("producer", "2026-11-30T09:00:00.000Z\t" + REQUEST + "\tINFO\tStatus: 200", TraceLog.Link.REQUEST_ID),
        line("consumer", "Event: {}", TraceLog.Link.TRACE_ID))).build());

    assertThat(d.isClean()).as(d.toString()).isTrue();
    assertThat(d.findings(Kind.LOGS_UNLINKED)).singleElement().satisfies(f -> {
      assertThat(f.function()).isEqualTo("producer");
      assertThat(f.requestId()).isEqualTo(REQUEST);
      assertThat(f.message()).startsWith("producer wrote 1 log line during its invocation in this trace (request id "
          + REQUEST + "), none with the trace id").contains("Status: 200")
          .contains("its logs will not link to this trace in Kibana");
    });
  }

  @Test
  void platformLinesAloneSayNothing() {
    Diagnosis d = Diagnosis.of(DiagnosisTest.evidence(connected()).logs(List.of(
        line("producer", "REPORT RequestId: " + REQUEST + "\tDuration: 2.00 ms", TraceLog.Link.REQUEST_ID))).build());

    assertThat(d.findings(Kind.LOGS_UNLINKED)).isEmpty();
  }
}
