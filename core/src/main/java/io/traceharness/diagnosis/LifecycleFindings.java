package io.traceharness.diagnosis;

import io.traceharness.diagnosis.Diagnosis.Finding;
import io.traceharness.diagnosis.Diagnosis.Kind;
import io.traceharness.trace.SpanNode;
import io.traceharness.trace.Trace;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Findings of the Lambda lifecycle: spans a freeze held back until the next invocation thawed the
 * environment ({@link Kind#EXPORTED_AFTER_THAW}), spans lost when an environment was shut down
 * ({@link Kind#LOST_AT_SHUTDOWN}, replacing that service's {@link Kind#MISSING_SERVICE}), invocations an
 * extension held to their timeout ({@link Kind#EXTENSION_NOT_DONE}).
 */
final class LifecycleFindings {

  private final DiagnosisContext context;
  private final Evidence ev;
  private final Trace trace;
  private final List<Finding> findings;

  LifecycleFindings(DiagnosisContext context) {
    this.context = context;
    this.ev = context.evidence();
    this.trace = context.trace();
    this.findings = context.findings();
  }

  /** What the execution environments' freezes, shutdowns and extensions did to the trace. */
  void find() {
    exportedAfterThaw();
    lostAtShutdown();
    extensionsNotDone();
  }

  /** The trace's spans a freeze held back, one finding per freeze. */
  private void exportedAfterThaw() {
    Map<String, List<Evidence.LateExport>> byFreeze = new LinkedHashMap<>();
    ev.lateExports.stream().filter(l -> l.traceId().equals(trace.traceId()))
        .sorted(Comparator.comparing(Evidence.LateExport::ended))
        .forEach(l -> byFreeze.computeIfAbsent(l.instanceId() + "@" + l.frozenFrom(), k -> new ArrayList<>()).add(l));
    for (List<Evidence.LateExport> late : byFreeze.values()) {
      Evidence.LateExport first = late.get(0);
      List<String> spans = late.stream().map(l -> "'" + l.spanName() + "' (" + l.spanId() + ") ended "
          + l.ended() + ", exported " + l.exported() + ", " + Duration.between(l.ended(), l.exported()).toMillis()
          + " ms later").toList();
      String service = trace.span(first.spanId()).map(SpanNode::service).orElse(first.function());
      findings.add(new Finding(Kind.EXPORTED_AFTER_THAW, late.size() + " span" + (late.size() == 1 ? "" : "s") + " of "
          + first.function() + " reached the collector only after the next invocation thawed environment "
          + first.instanceId() + ": " + String.join("; ", spans) + ". The environment was frozen from "
          + first.frozenFrom() + " to " + first.thawedAt() + " ("
          + Duration.between(first.frozenFrom(), first.thawedAt()).toMillis() + " ms): " + first.function()
          + "'s SDK still held them when the invocation ended (its batch was not flushed before the response),"
          + " and Lambda freezes the environment then, as AWS does; they would be lost if it were shut down first."
          + " Flush before the response (the wrapper's force flush, or a simple span processor)",
          service, first.function(), first.spanId(), null, null, null, List.of()));
    }
  }

  /** Expected services missing because their environment was shut down with their spans unexported. */
  private void lostAtShutdown() {
    for (String service : ev.expectedServices) {
      if (trace.services().contains(service)) {
        continue;
      }
      String function = context.serviceToFunction(service);
      for (Evidence.Invocation inv : context.invocationsFor(function)) {
        Optional<Evidence.EnvironmentShutdown> lost = ev.shutdowns.stream()
            .filter(s -> s.function().equals(function) && s.unexported().contains(inv.requestId())).findFirst();
        if (lost.isEmpty()) {
          continue;
        }
        Evidence.EnvironmentShutdown s = lost.get();
        findings.removeIf(f -> f.kind() == Kind.MISSING_SERVICE && service.equals(f.service()));
        findings.add(new Finding(Kind.LOST_AT_SHUTDOWN, service + " ran (request id " + inv.requestId()
            + ") but none of its spans reached a collector: environment " + s.instanceId() + " was shut down at "
            + s.at() + " (reason " + s.reason() + ") with the spans of " + s.unexported().size() + " invocation"
            + (s.unexported().size() == 1 ? "" : "s") + " " + s.unexported() + " never exported; its SDK held them"
            + " past the invocation (no flush before the response) and the environment ended before the next"
            + " invocation could thaw it", service, function, null, null, null, inv.requestId(), List.of()));
        break;
      }
    }
  }

  /** Invocations of the trace's time that an extension held open until the function's timeout. */
  private void extensionsNotDone() {
    Set<String> requestIds = new LinkedHashSet<>();
    ev.invocations.stream().filter(i -> context.inWindow(i.start())).forEach(i -> requestIds.add(i.requestId()));
    for (Evidence.ExtensionTimeout t : ev.extensionTimeouts) {
      if (!requestIds.contains(t.requestId()) && !context.inWindow(t.at())) {
        continue;
      }
      String names = t.extensions().isEmpty() ? "an extension" : (t.extensions().size() == 1 ? "extension " : "extensions ")
          + String.join(", ", t.extensions());
      findings.add(new Finding(Kind.EXTENSION_NOT_DONE, t.function() + "'s invocation (request id " + t.requestId()
          + ") ran to its timeout of " + t.timeout().toMillis() + " ms although the runtime had answered: " + names
          + " never asked for " + (t.extensions().size() == 1 ? "its" : "their") + " next event (GET"
          + " /2020-01-01/extension/event/next) after INVOKE, and Lambda ends the Invoke phase only when every"
          + " extension has; the duration is billed to the timeout and the environment is shut down (reason timeout)",
          null, t.function(), null, null, null, t.requestId(), List.of()));
    }
  }
}
