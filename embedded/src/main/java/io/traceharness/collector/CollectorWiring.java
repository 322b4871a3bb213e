package io.traceharness.collector;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a collector's configuration wires at each start: one {@link Pipeline} per configured pipeline
 * (exporters behind their {@link ExporterHelper}, processors in front, in the configured order) and
 * each receiver feeding the pipelines that name it. A receiver listens at its first start's address
 * again at every later start, where senders point.
 */
final class CollectorWiring {

  private final CollectorConfig config;
  private final SpanArrivals arrivals;
  private final FreezeGate gate;
  private final FailureLog failures;
  private final boolean freePorts;
  private final Duration clockSkew;
  private final Map<String, String> environment;
  private final String extensionId;
  private final String serviceInstanceId;
  /** Where each receiver listened at its first start: a restart listens there again, where senders point. */
  private final Map<String, URI[]> boundAt = new LinkedHashMap<>();
  private final Map<String, Integer> telemetryBoundAt = new LinkedHashMap<>();
  private final List<Pipeline> pipelines = new ArrayList<>();
  private final List<OtlpReceiver> receivers = new ArrayList<>();
  private final List<TelemetryApiReceiver> telemetryReceivers = new ArrayList<>();
  private CollectorLog log;

  CollectorWiring(CollectorConfig config, SpanArrivals arrivals, FreezeGate gate, FailureLog failures,
      boolean freePorts, Duration clockSkew, Map<String, String> environment, String extensionId,
      String serviceInstanceId) {
    this.config = config;
    this.arrivals = arrivals;
    this.gate = gate;
    this.failures = failures;
    this.freePorts = freePorts;
    this.clockSkew = clockSkew;
    this.environment = environment;
    this.extensionId = extensionId;
    this.serviceInstanceId = serviceInstanceId;
  }

  /** Builds fresh pipelines and starts the receivers; what started before a failure is left for {@link #stop}. */
  void start(CollectorLog log) {
    this.log = log;
    pipelines.clear();
    receivers.clear();
    telemetryReceivers.clear();
    Map<String, Map<Signal, List<Pipeline>>> byReceiver = new LinkedHashMap<>();
    for (CollectorConfig.PipelineSpec p : config.pipelines()) {
      Pipeline pipeline = buildPipeline(p);
      pipelines.add(pipeline);
      for (String r : p.receivers()) {
        byReceiver.computeIfAbsent(r, k -> new EnumMap<>(Signal.class))
            .computeIfAbsent(p.signal(), k -> new ArrayList<>()).add(pipeline);
      }
    }
    byReceiver.forEach((id, wiring) -> {
      if (config.receivers().get(id) instanceof CollectorConfig.TelemetryApiSpec t) {
        TelemetryApiReceiver receiver = new TelemetryApiReceiver(t, wiring.getOrDefault(Signal.LOGS, List.of()), log,
            environment, extensionId, serviceInstanceId);
        telemetryReceivers.add(receiver);
        Integer port = telemetryBoundAt.get(id);
        if (port == null) {
          receiver.start(freePorts);
          telemetryBoundAt.put(id, receiver.port());
        } else {
          receiver.startAt(port);
        }
        return;
      }
      OtlpReceiver receiver = new OtlpReceiver((CollectorConfig.OtlpReceiverSpec) config.receivers().get(id), wiring,
          log, arrivals);
      receivers.add(receiver);
      URI[] at = boundAt.get(id);
      if (at == null) {
        receiver.start(freePorts);
        boundAt.put(id, new URI[] {receiver.grpcEndpoint(), receiver.httpEndpoint()});
      } else {
        receiver.startAt(at[0], at[1]);
      }
    });
  }

  List<Pipeline> pipelines() {
    return pipelines;
  }

  List<OtlpReceiver> otlpReceivers() {
    return receivers;
  }

  private Pipeline buildPipeline(CollectorConfig.PipelineSpec p) {
    List<ExporterHelper> exporters = new ArrayList<>();
    for (String id : p.exporters()) {
      CollectorConfig.ExporterSpec spec = config.exporters().get(id);
      ExporterHelper helper;
      if (spec instanceof CollectorConfig.OtlpGrpcSpec g) {
        helper = new ExporterHelper(p.id(), id, p.signal(), g.retry(), g.queue(), new OtlpGrpcSender(g), log, failures, gate);
      } else if (spec instanceof CollectorConfig.OtlpHttpSpec h) {
        helper = new ExporterHelper(p.id(), id, p.signal(), h.retry(), h.queue(), new OtlpHttpSender(h), log, failures, gate);
      } else if (spec instanceof CollectorConfig.ElasticsearchSpec es) {
        // the exporter retries on its own (its retry section); it has no retry_on_failure
        helper = new ExporterHelper(p.id(), id, p.signal(),
            new CollectorConfig.RetrySpec(false, Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ZERO, 1, 0),
            es.queue(), new ElasticsearchSender(es, p.id(), log, failures), log, failures, gate);
      } else {
        // the debug exporter writes synchronously and cannot fail: no queue, no retry
        helper = new ExporterHelper(p.id(), id, p.signal(),
            new CollectorConfig.RetrySpec(false, Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ZERO, 1, 0),
            new CollectorConfig.QueueSpec(false, 1, 1), new DebugSender((CollectorConfig.DebugSpec) spec, log), log,
            failures, gate);
      }
      exporters.add(helper);
    }
    SignalConsumer head = new Pipeline.FanOut(exporters);
    List<String> processors = p.processors();
    for (int i = processors.size() - 1; i >= 0; i--) {
      CollectorConfig.ProcessorSpec spec = config.processors().get(processors.get(i));
      SignalConsumer next = head;
      if (spec instanceof CollectorConfig.BatchSpec b) {
        head = new BatchProcessor(b, p.signal(), next, log, p.id(), gate);
      } else if (spec instanceof CollectorConfig.AttributesSpec a) {
        head = new AttributesProcessor(a, p.signal(), next);
      } else if (spec instanceof CollectorConfig.TransformSpec t) {
        head = new TransformProcessor(t, p.signal(), next);
      } else {
        // memory_limiter (validated, not enforced: see the startup warning) and decouple, whose work (exports
        // off the receiver's thread) the exporters' sending queue already does here
        head = next;
      }
    }
    if (!clockSkew.isZero()) {
      head = new ClockShift(clockSkew, head);
    }
    return new Pipeline(p.id(), p.signal(), head, exporters);
  }

  String describeReceivers() {
    List<String> parts = new ArrayList<>();
    for (OtlpReceiver r : receivers) {
      parts.add(r.id() + " (" + OtlpReceiver.describe(r.grpcEndpoint(), r.httpEndpoint()) + ")");
    }
    for (TelemetryApiReceiver r : telemetryReceivers) {
      parts.add(r.id() + " (Telemetry API listener on 127.0.0.1:" + r.port() + ")");
    }
    return "receivers " + (parts.isEmpty() ? "none" : String.join(", ", parts));
  }

  String describePipelines() {
    List<String> parts = new ArrayList<>();
    for (CollectorConfig.PipelineSpec p : config.pipelines()) {
      parts.add(p.id() + " " + p.receivers() + " -> " + p.processors() + " -> " + p.exporters());
    }
    return String.join(", ", parts);
  }

  /** The first otlp receiver with the protocol; throws naming the config when none runs. */
  OtlpReceiver firstReceiver(boolean grpc) {
    return receivers.stream().filter(r -> (grpc ? r.grpcEndpoint() : r.httpEndpoint()) != null).findFirst()
        .orElseThrow(() -> new IllegalStateException("no otlp receiver with protocol " + (grpc ? "grpc" : "http")
            + " runs in a pipeline of " + config));
  }

  /** Stops the receivers, flushes the batch processors and lets each exporter drain for {@code drain}. */
  void stop(Duration drain) {
    for (TelemetryApiReceiver r : telemetryReceivers) {
      try {
        r.close();
      } catch (RuntimeException e) {
        log.warn("receiver " + r.id() + " did not stop cleanly: " + e);
      }
    }
    for (OtlpReceiver r : receivers) {
      try {
        r.close();
      } catch (RuntimeException e) {
        log.warn("receiver " + r.id() + " did not stop cleanly: " + e);
      }
    }
    for (Pipeline p : pipelines) {
      p.flush();
    }
    for (Pipeline p : pipelines) {
      for (ExporterHelper e : p.exporters()) {
        e.shutdown(drain);
      }
    }
  }
}
