package io.traceharness.embedded;

import io.traceharness.apigateway.GatewayRequest;
import io.traceharness.collector.EmbeddedCollector;
import io.traceharness.diagnosis.Evidence;
import io.traceharness.lambda.FunctionConfig;
import io.traceharness.lambda.Invocation;
import io.traceharness.lambda.LambdaEmulator;
import io.traceharness.lambda.LifecycleLog;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The diagnosis evidence the embedded stack supplies: API Gateway requests, invocations, the
 * collectors' export failures and outages, function facts, and what the environments' lifecycle
 * did to spans.
 */
final class StackEvidence {

  private final LambdaEmulator lambda;
  private final EmbeddedCollector collector;
  private final Collection<LayerCollectors.LayerCollector> layerCollectors;

  StackEvidence(LambdaEmulator lambda, EmbeddedCollector collector,
      Collection<LayerCollectors.LayerCollector> layerCollectors) {
    this.lambda = lambda;
    this.collector = collector;
    this.layerCollectors = layerCollectors;
  }

  void collect(List<GatewayRequest> gatewayRequests, Evidence.Builder evidence) {
    for (GatewayRequest r : gatewayRequests) {
      if (r.function() != null) {
        evidence.gatewayRequest(new Evidence.GatewayRequest(r.time(), r.method(), r.path(), r.function(),
            r.traceparent(), r.xAmznTraceId(), r.status()));
      }
    }
    lambda.invocations().forEach(i -> evidence.invocation(
        new Evidence.Invocation(i.start(), i.function(), i.requestId(), i.traceHeader(), i.errorType())));
    for (LayerCollectors.LayerCollector lc : layerCollectors) {
      lc.collector().exportFailures().forEach(f -> evidence.exportFailure(
          new Evidence.ExportFailure(f.time(), lc.function(), f.exporter() + " → " + f.destination(), f.error())));
    }
    collector.exportFailures().forEach(f -> evidence.exportFailure(
        new Evidence.ExportFailure(f.time(), null, f.exporter() + " → " + f.destination(), f.error())));
    outagesOf(collector, "the stack's collector (" + collector.otlpHttpEndpoint() + ")", null, evidence);
    for (LayerCollectors.LayerCollector lc : layerCollectors) {
      outagesOf(lc.collector(), "the layer collector of environment " + lc.instanceId(), lc.function(), evidence);
    }
    Set<String> functionNames = new LinkedHashSet<>();
    lambda.invocations().forEach(i -> functionNames.add(i.function()));
    for (String name : functionNames) {
      lambda.function(name).ifPresent(cfg -> evidence.function(facts(cfg)));
    }
    lifecycleEvidence(functionNames, evidence);
  }

  /**
   * What the environments' lifecycle did to spans, from when each collector received them: spans
   * ended before a freeze and received after the thaw that followed; shutdowns with the invocations
   * whose spans (matched by {@code faas.invocation_id}) no collector ever received; invocations an
   * extension held to their timeout.
   */
  private void lifecycleEvidence(Set<String> functionNames, Evidence.Builder evidence) {
    Map<String, EmbeddedCollector.ReceivedSpan> firstSeen = new LinkedHashMap<>();
    List<EmbeddedCollector> all = new ArrayList<>();
    layerCollectors.forEach(lc -> all.add(lc.collector()));
    all.add(collector);
    for (EmbeddedCollector c : all) {
      for (EmbeddedCollector.ReceivedSpan r : c.receivedSpans()) {
        firstSeen.merge(r.traceId() + r.spanId(), r, (a, b) -> a.at().isBefore(b.at()) ? a : b);
      }
    }
    Map<String, String> functionOfService = new LinkedHashMap<>();
    Map<String, Boolean> layered = new LinkedHashMap<>();
    for (String name : functionNames) {
      lambda.function(name).ifPresent(cfg -> {
        Evidence.FunctionFacts f = facts(cfg);
        functionOfService.put(f.serviceName(), name);
        layered.put(name, f.otelLayer());
      });
    }
    Map<String, String> instanceOfRequest = new LinkedHashMap<>();
    lambda.invocations().forEach(i -> instanceOfRequest.put(i.requestId(), i.instanceId()));
    Map<String, List<LifecycleLog.Freeze>> freezesOf = new LinkedHashMap<>();
    lambda.lifecycle().freezes().stream().filter(f -> f.to() != null)
        .sorted(Comparator.comparing(LifecycleLog.Freeze::from))
        .forEach(f -> freezesOf.computeIfAbsent(f.function(), k -> new ArrayList<>()).add(f));
    Set<String> exportedRequests = new HashSet<>();
    for (EmbeddedCollector.ReceivedSpan r : firstSeen.values()) {
      if (r.invocationId() != null) {
        exportedRequests.add(r.invocationId());
      }
      String function = r.service() == null ? null : functionOfService.get(r.service());
      if (function == null || r.end() == null) {
        continue;
      }
      String instance = r.invocationId() == null ? null : instanceOfRequest.get(r.invocationId());
      for (LifecycleLog.Freeze f : freezesOf.getOrDefault(function, List.of())) {
        if (f.from().isAfter(r.at())) {
          break;
        }
        if (!f.from().isBefore(r.end()) && !f.to().isAfter(r.at()) && (instance == null || instance.equals(f.instanceId()))) {
          evidence.lateExport(new Evidence.LateExport(function, f.instanceId(), r.traceId(), r.spanId(), r.name(), r.end(),
              r.at(), f.from(), f.to()));
          break;
        }
      }
    }
    Map<String, String> serviceOf = new LinkedHashMap<>();
    functionOfService.forEach((service, function) -> serviceOf.put(function, service));
    for (LifecycleLog.Shutdown s : lambda.lifecycle().shutdowns()) {
      List<String> unexported = !layered.getOrDefault(s.function(), false) ? List.of()
          : lambda.invocations().stream().filter(i -> i.instanceId().equals(s.instanceId()))
              .filter(i -> !exportedRequests.contains(i.requestId())
                  && !anyEndedDuring(firstSeen.values(), serviceOf.get(s.function()), i))
              .map(Invocation::requestId).toList();
      evidence.environmentShutdown(new Evidence.EnvironmentShutdown(s.function(), s.instanceId(), s.at(), s.reason(),
          unexported));
    }
    lambda.lifecycle().extensionTimeouts().forEach(t -> evidence.extensionTimeout(new Evidence.ExtensionTimeout(
        t.function(), t.instanceId(), t.requestId(), t.extensions(), t.at(), t.timeout())));
  }

  /**
   * Whether a collector got a span of the service that ended while the invocation ran (or within a
   * second after: work the handler left running): a span of the invocation that names no request id,
   * as an SDK without the Lambda instrumentation makes.
   */
  private static boolean anyEndedDuring(Collection<EmbeddedCollector.ReceivedSpan> spans, String service,
      Invocation i) {
    if (service == null || i.end() == null) {
      return false;
    }
    Instant until = i.end().plusSeconds(1);
    return spans.stream().anyMatch(r -> service.equals(r.service()) && r.end() != null && !r.end().isBefore(i.start())
        && !r.end().isAfter(until));
  }

  private static void outagesOf(EmbeddedCollector c, String component, String function, Evidence.Builder evidence) {
    for (EmbeddedCollector.Outage o : c.outages()) {
      evidence.outage(new Evidence.Outage(component, function, o.stopped(), o.restarted(),
          o.droppedAtStop() + " items still queued at stop were dropped; its export failures: " + c.exportFailures().size()));
    }
  }

  private static Evidence.FunctionFacts facts(FunctionConfig cfg) {
    Map<String, String> env = cfg.environment();
    String service = env.getOrDefault("OTEL_SERVICE_NAME", cfg.name());
    String propagators = env.getOrDefault("OTEL_PROPAGATORS", "tracecontext,baggage,xray-lambda (layer default)");
    boolean layer = !cfg.layers().isEmpty() || env.containsKey("AWS_LAMBDA_EXEC_WRAPPER");
    return new Evidence.FunctionFacts(cfg.name(), service, cfg.activeTracing(), propagators, layer);
  }
}
