package io.traceharness.diagnosis;

import io.traceharness.diagnosis.Diagnosis.Finding;
import io.traceharness.trace.Trace;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * What every family of findings reads: the evidence, its trace, the trace's time window (from 2 s before
 * its start to 30 s after its end), the findings so far, and the evidence of one function within the window.
 */
final class DiagnosisContext {

  private static final Duration BEFORE = Duration.ofSeconds(2);
  private static final Duration AFTER = Duration.ofSeconds(30);

  private final Evidence ev;
  private final Trace trace;
  private final List<Finding> findings = new ArrayList<>();
  private final Instant from;
  private final Instant to;

  DiagnosisContext(Evidence ev) {
    this.ev = ev;
    this.trace = ev.trace;
    Instant start = trace.start().orElse(null);
    this.from = start == null ? Instant.MIN : start.minus(BEFORE);
    this.to = start == null ? Instant.MAX : start.plus(trace.duration()).plus(AFTER);
  }

  Evidence evidence() {
    return ev;
  }

  Trace trace() {
    return trace;
  }

  /** The findings so far, in the order they were made; the families add to it. */
  List<Finding> findings() {
    return findings;
  }

  /** Start of the trace's window. */
  Instant from() {
    return from;
  }

  /** End of the trace's window. */
  Instant to() {
    return to;
  }

  String serviceToFunction(String service) {
    return ev.functions.values().stream().filter(f -> service.equals(f.serviceName())).map(Evidence.FunctionFacts::name)
        .findFirst().orElse(service);
  }

  List<Evidence.GatewayRequest> requestsFor(String function) {
    return ev.gatewayRequests.stream().filter(r -> function.equals(r.function()))
        .filter(r -> PropagationFindings.traceparentTraceId(r.traceparent()).map(trace.traceId()::equals).orElse(false)
            || inWindow(r.at()))
        .toList();
  }

  List<Evidence.Invocation> invocationsFor(String function) {
    return ev.invocations.stream().filter(i -> function.equals(i.function()) && inWindow(i.start())).toList();
  }

  List<Evidence.ExportFailure> failuresInWindow(String function) {
    return ev.exportFailures.stream()
        .filter(f -> function == null || function.equals(f.function()) || f.function() == null)
        .filter(f -> inWindow(f.at()))
        .toList();
  }

  boolean inWindow(Instant at) {
    return at == null || (!at.isBefore(from) && !at.isAfter(to));
  }
}
