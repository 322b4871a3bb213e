package io.traceharness.collector;

import com.linecorp.armeria.client.ClientFactory;
import com.linecorp.armeria.client.WebClient;
import io.traceharness.support.WorkDirs;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An OpenTelemetry Collector running in this JVM, driven by the real collector's YAML config: the
 * collector a Lambda layer starts beside a function, forwarding what the function's OTel SDK sends
 * to APM Server.
 *
 * <pre>{@code
 * try (EmbeddedCollector collector = EmbeddedCollector.builder()
 *     .config(Path.of("fixtures/collector.yaml"))
 *     .environment(Map.of("APM_SERVER_URL", apm.endpoint().toString(), "APM_SERVER_TOKEN", token))
 *     .freePorts(true)
 *     .build()
 *     .start()) {
 *   env.put("OTEL_EXPORTER_OTLP_ENDPOINT", collector.otlpHttpEndpoint().toString());
 *   ...
 *   collector.stats().pipeline("traces").dropped();   // 0, or see collector.exportFailures()
 * }
 * }</pre>
 *
 * <p>Config errors surface from {@link Builder#build()} as {@link CollectorConfig.InvalidConfigException}
 * with the real collector's wording; components it does not run (the {@code awsxray} exporter)
 * are logged once as a warning and left out. Logs go to slf4j and to {@link #logFile()}.
 *
 * <p>This class owns the lifecycle (start, stop and the outages between, pause and resume, close)
 * and the counts; {@link CollectorWiring} builds the pipelines and receivers of each start.
 */
public final class EmbeddedCollector implements AutoCloseable {

  private static final AtomicInteger INSTANCES = new AtomicInteger();

  /** Items one exporter of one pipeline delivered, dropped (with the reason logged) and holds queued. */
  public record ExporterStats(String exporter, String destination, long sent, long dropped, long failedAttempts,
      int queued) {
  }

  /**
   * One pipeline's counts, in {@code items} (spans, data points or log records).
   *
   * @param received items the receivers handed to the pipeline
   * @param refused  items refused back to the client (it got a 503/Unavailable or 400 and may retry)
   */
  public record PipelineStats(String pipeline, String items, long received, long refused,
      List<ExporterStats> exporters) {

    public ExporterStats exporter(String id) {
      return exporters.stream().filter(e -> e.exporter().equals(id)).findFirst()
          .orElseThrow(() -> new IllegalArgumentException("pipeline " + pipeline + " has no exporter " + id
              + "; it has " + exporters.stream().map(ExporterStats::exporter).toList()));
    }

    /** Items delivered, summed over the pipeline's exporters (each exporter gets every item). */
    public long exported() {
      return exporters.stream().mapToLong(ExporterStats::sent).sum();
    }

    /** Items dropped, summed over the pipeline's exporters. */
    public long dropped() {
      return exporters.stream().mapToLong(ExporterStats::dropped).sum();
    }
  }

  /** Counts per pipeline at one moment. */
  public record Stats(List<PipelineStats> pipelines) {

    public PipelineStats pipeline(String id) {
      return pipelines.stream().filter(p -> p.pipeline().equals(id)).findFirst()
          .orElseThrow(() -> new IllegalArgumentException("no pipeline " + id + "; pipelines are "
              + pipelines.stream().map(PipelineStats::pipeline).toList()));
    }

    public long dropped() {
      return pipelines.stream().mapToLong(PipelineStats::dropped).sum();
    }
  }

  /**
   * A time the collector was stopped ({@link #stop()} to the next {@link #start()}): senders were
   * refused meanwhile.
   *
   * @param restarted null while it is still stopped
   * @param droppedAtStop items still queued or batched at stop, dropped (and counted) then
   */
  public record Outage(Instant stopped, Instant restarted, long droppedAtStop) {
  }

  /**
   * An export attempt that failed: retried later ({@code dropped == false}) or given up, its items
   * dropped. {@code error} is the exporter's error text, e.g. {@code rpc error: code = Unavailable
   * desc = ...} or {@code error exporting items, request to ... responded with HTTP Status Code 503}.
   */
  public record ExportFailure(Instant time, String pipeline, String exporter, String destination, int items,
      String error, boolean dropped) {
  }

  /**
   * A span as a receiver got it: when ({@code at}), and when its sender says it ended.
   *
   * @param service the resource's {@code service.name}, or null
   * @param invocationId the span's {@code faas.invocation_id} (a Lambda request id), or null
   */
  public record ReceivedSpan(Instant at, String traceId, String spanId, String name, String service, Instant end,
      String invocationId) {
  }

  private final CollectorConfig config;
  private final SpanArrivals arrivals = new SpanArrivals();
  private final FreezeGate gate = new FreezeGate();
  private final Duration shutdownTimeout;
  private final Path logFile;
  private final String name;
  private final FailureLog failures = new FailureLog(200);
  private final List<Outage> outages = new java.util.concurrent.CopyOnWriteArrayList<>();
  private final CollectorWiring wiring;
  private CollectorLog log;
  private volatile boolean started;
  private volatile boolean stopped;
  /** Completed when {@link #start()} has bound every receiver (Armeria's start future joined). */
  private final CompletableFuture<Void> ready = new CompletableFuture<>();

  private EmbeddedCollector(Builder b, CollectorConfig config) {
    this.config = config;
    this.shutdownTimeout = b.shutdownTimeout;
    this.name = b.name;
    // the collector's own service.instance.id, which the telemetryapi receiver puts on its resource
    this.wiring = new CollectorWiring(config, arrivals, gate, failures, b.freePorts, b.clockSkew, b.environment,
        b.extensionId, TelemetryApiLogs.newServiceInstanceId());
    this.logFile = b.logFile != null ? b.logFile : WorkDirs.root().resolve("logs").resolve(name + ".log");
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Binds the receivers, starts pipelines and exporters; logs one ready line. After {@link #stop()}
   * it starts again on the ports it had, with fresh pipelines, and the outage is recorded.
   */
  public synchronized EmbeddedCollector start() {
    if (started && !stopped) {
      return this;
    }
    boolean restart = stopped;
    long t0 = System.nanoTime();
    log = new CollectorLog(logFile);
    config.warnings().forEach(log::warn);
    try {
      wiring.start(log);
    } catch (RuntimeException e) {
      ready.completeExceptionally(e);
      stopQuietly();
      log.error("OpenTelemetry Collector " + name + " failed to start: " + e.getMessage(), e);
      log.close();
      throw e;
    }
    started = true;
    ready.complete(null);
    stopped = false;
    if (restart && !outages.isEmpty()) {
      Outage last = outages.remove(outages.size() - 1);
      outages.add(new Outage(last.stopped(), Instant.now(), last.droppedAtStop()));
    }
    log.info(String.format(java.util.Locale.ROOT, "OpenTelemetry Collector %s %s in %d ms: %s; pipelines %s",
        name, restart ? "ready again after " + Duration.between(outages.get(outages.size() - 1).stopped(),
            outages.get(outages.size() - 1).restarted()).toMillis() + " ms stopped" : "ready",
        (System.nanoTime() - t0) / 1_000_000, wiring.describeReceivers(), wiring.describePipelines()));
    return this;
  }

  private OtlpReceiver firstReceiver(boolean grpc) {
    requireStarted();
    return wiring.firstReceiver(grpc);
  }

  /** Whether an {@code otlp} receiver with the HTTP protocol runs (a collector may receive through telemetryapi only). */
  public boolean hasOtlpHttpReceiver() {
    requireStarted();
    return wiring.otlpReceivers().stream().anyMatch(r -> r.httpEndpoint() != null);
  }

  /** Base URL of the OTLP/HTTP receiver, e.g. {@code http://127.0.0.1:4318} (append {@code /v1/traces}). */
  public URI otlpHttpEndpoint() {
    return firstReceiver(false).httpEndpoint();
  }

  /** The OTLP/gRPC receiver as {@code http://127.0.0.1:4317}, what OTel SDKs take as endpoint. */
  public URI otlpGrpcEndpoint() {
    return firstReceiver(true).grpcEndpoint();
  }

  public CollectorConfig config() {
    return config;
  }

  /** Warnings about the config (components not run, unset variables), also logged at start. */
  public List<String> warnings() {
    return config.warnings();
  }

  public Path logFile() {
    return logFile;
  }

  public Stats stats() {
    return new Stats(wiring.pipelines().stream().map(Pipeline::stats).toList());
  }

  /** The most recent export failures (at most 200), oldest first. */
  public List<ExportFailure> exportFailures() {
    return failures.snapshot();
  }

  /** The spans its receivers got (the last 20,000), oldest first. */
  public List<ReceivedSpan> receivedSpans() {
    return arrivals.snapshot();
  }

  /** The times it was stopped, oldest first; the last one has no restart time while it is stopped. */
  public List<Outage> outages() {
    return List.copyOf(outages);
  }

  /** True when every receiver endpoint answers HTTP (what a function's SDK needs before it starts). */
  public boolean ping() {
    if (!started || stopped) {
      return false;
    }
    try (ClientFactory factory = ClientFactory.builder().build()) {
      for (OtlpReceiver r : wiring.otlpReceivers()) {
        for (URI u : new URI[] {r.grpcEndpoint(), r.httpEndpoint()}) {
          if (u == null) {
            continue;
          }
          try {
            WebClient.builder(u).factory(factory).responseTimeout(Duration.ofSeconds(2)).build()
                .get("/").aggregate().join();
          } catch (RuntimeException e) {
            return false;
          }
        }
      }
    }
    return true;
  }

  /**
   * Waits until {@link #start()} (perhaps on another thread) has bound every receiver, then checks
   * that they answer; throws when the collector is not started within {@code timeout} or does not
   * answer.
   */
  public EmbeddedCollector awaitReady(Duration timeout) {
    try {
      ready.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      throw new IllegalStateException("collector " + name + " did not answer within " + timeout);
    } catch (ExecutionException e) {
      throw new IllegalStateException("collector " + name + " failed to start", e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted waiting for collector " + name, e);
    }
    if (!ping()) {
      throw new IllegalStateException("collector " + name + " is started but does not answer"
          + (stopped ? " (it was stopped)" : ""));
    }
    return this;
  }

  /**
   * Stops receiving (senders are refused until the next {@link #start()}), flushes the batch processors, lets each exporter's queue drain for the shutdown
   * timeout, and drops (counting and logging) what is left.
   */
  public synchronized void stop() {
    gate.resume();
    halt(true);
  }

  /**
   * Pauses the collector as a frozen Lambda execution environment pauses its collector extension:
   * batch timers and exporters (an export in flight too) wait until {@link #resume()}.
   */
  public void pause() {
    gate.pause();
  }

  /** Lets a paused collector run again. */
  public void resume() {
    gate.resume();
  }

  public boolean paused() {
    return gate.paused();
  }

  /** An outage is a stop that may be followed by a start; {@link #close()} is the end, not an outage. */
  private void halt(boolean outage) {
    halt(outage, shutdownTimeout);
  }

  /**
   * Ends the collector as its Lambda extension does on {@code SHUTDOWN}: receivers stop, batches are flushed
   * and exporters drain for at most {@code drain} (what is left is dropped and counted).
   */
  synchronized void shutdownWithin(Duration drain) {
    gate.resume();
    halt(false, drain.isNegative() ? Duration.ZERO : drain);
  }

  private void halt(boolean outage, Duration drain) {
    if (!started || stopped) {
      return;
    }
    stopped = true;
    long t0 = System.nanoTime();
    Instant at = Instant.now();
    long droppedBefore = stats().dropped();
    stopQuietly(drain);
    Stats s = stats();
    if (outage) {
      outages.add(new Outage(at, null, s.dropped() - droppedBefore));
    }
    log.info(String.format(java.util.Locale.ROOT, "OpenTelemetry Collector %s stopped in %d ms; %s", name,
        (System.nanoTime() - t0) / 1_000_000, s.pipelines().stream()
            .map(p -> p.pipeline() + ": received " + p.received() + " " + p.items() + ", exported " + p.exported()
                + ", dropped " + p.dropped())
            .toList()));
    log.close();
  }

  private void stopQuietly() {
    stopQuietly(shutdownTimeout);
  }

  private void stopQuietly(Duration drain) {
    wiring.stop(drain);
  }

  private void requireStarted() {
    if (!started) {
      throw new IllegalStateException("collector " + name + " is not started");
    }
  }

  @Override
  public synchronized void close() {
    gate.resume();
    halt(false);
  }

  @Override
  public String toString() {
    return "EmbeddedCollector[" + name + ", " + config + "]";
  }

  /** Options of an {@link EmbeddedCollector}. */
  public static final class Builder {
    private String yaml;
    private Path configFile;
    private Map<String, String> environment = System.getenv();
    private boolean freePorts;
    private Duration shutdownTimeout = Duration.ofSeconds(5);
    private Path logFile;
    private String name = "collector-" + INSTANCES.incrementAndGet();
    private Duration clockSkew = Duration.ZERO;
    private String extensionId;

    private Builder() {
    }

    /** The identifier the Extensions API gave the collector's extension: receivers that subscribe use it. */
    Builder extensionId(String extensionId) {
      this.extensionId = extensionId;
      return this;
    }

    /** The collector.yaml to run. */
    public Builder config(Path file) {
      this.configFile = Objects.requireNonNull(file, "file");
      this.yaml = null;
      return this;
    }

    /** Collector config as YAML text. */
    public Builder config(String yaml) {
      this.yaml = Objects.requireNonNull(yaml, "yaml");
      this.configFile = null;
      return this;
    }

    /** What {@code ${VAR}} references resolve against: the function's environment (default: this JVM's). */
    public Builder environment(Map<String, String> environment) {
      this.environment = Map.copyOf(environment);
      return this;
    }

    /**
     * Bind every receiver on a free port instead of the configured one (4317/4318 by default), so
     * several function sandboxes can each run a collector on one machine.
     */
    public Builder freePorts(boolean freePorts) {
      this.freePorts = freePorts;
      return this;
    }

    /** How long {@link #stop()} lets exporters drain their queues (default 5 s). */
    public Builder shutdownTimeout(Duration timeout) {
      this.shutdownTimeout = Objects.requireNonNull(timeout, "timeout");
      return this;
    }

    /**
     * Shifts every span received by {@code skew} before the processors, as if the sending host's
     * clock ran ahead (positive) or behind. A harness option, not a collector setting.
     */
    public Builder clockSkew(Duration skew) {
      this.clockSkew = Objects.requireNonNull(skew, "skew");
      return this;
    }

    /** Name in logs and the default log file name ({@code collector-N}). */
    public Builder name(String name) {
      this.name = Objects.requireNonNull(name, "name");
      return this;
    }

    /** Where the collector's log goes (default {@code <work dir>/logs/<name>.log}). */
    public Builder logFile(Path logFile) {
      this.logFile = logFile;
      return this;
    }

    /** Parses and validates the config; throws {@link CollectorConfig.InvalidConfigException} naming the key. */
    public EmbeddedCollector build() {
      if (yaml == null && configFile == null) {
        throw new IllegalStateException("no collector config: call config(Path) or config(String)");
      }
      CollectorConfig config = configFile != null ? CollectorConfig.load(configFile, environment)
          : CollectorConfig.parse(yaml, environment);
      return new EmbeddedCollector(this, config);
    }
  }
}
