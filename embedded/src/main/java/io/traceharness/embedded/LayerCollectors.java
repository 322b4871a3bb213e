package io.traceharness.embedded;

import io.traceharness.collector.CollectorExtension;
import io.traceharness.collector.EmbeddedCollector;
import io.traceharness.lambda.HostedExtension;
import io.traceharness.lambda.EnvironmentContext;
import io.traceharness.lambda.EnvironmentHook;
import io.traceharness.stack.ComponentLog;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The layer's collector, as the ADOT extension runs it: one per execution environment, started
 * before the runtime and stopped when the environment ends. Stopped collectors stay listed, so
 * their export failures still explain a trace afterwards.
 */
final class LayerCollectors implements EnvironmentHook {

  /** The collector extension of one execution environment of a function, and its collector. */
  record LayerCollector(String function, String instanceId, CollectorExtension extension,
      EmbeddedCollector collector) {
  }

  private final Supplier<EmbeddedCollector> stackCollector;
  private final Map<String, Duration> clockSkew;
  private final StackGateways gateways;
  private final Map<String, LayerCollector> layerCollectors = new ConcurrentHashMap<>();
  /** The end of each environment's collector extension, declared before it starts. */
  private final Map<String, CompletableFuture<Void>> ends = new ConcurrentHashMap<>();

  /**
   * @param stackCollector the stack's collector, which a function without a collector configuration exports to
   * @param clockSkew the shift of each function's layer collector, read when its collector starts
   */
  LayerCollectors(Supplier<EmbeddedCollector> stackCollector, Map<String, Duration> clockSkew, StackGateways gateways) {
    this.stackCollector = stackCollector;
    this.clockSkew = clockSkew;
    this.gateways = gateways;
  }

  /** Every layer collector started so far, stopped ones included. */
  Collection<LayerCollector> all() {
    return layerCollectors.values();
  }

  /** The layer collector of a function's latest environment. */
  Optional<LayerCollector> latest(String function) {
    return layerCollectors.values().stream().filter(lc -> lc.function().equals(function)).reduce((a, b) -> b);
  }

  void addLogs(List<ComponentLog> logs) {
    layerCollectors.values().forEach(lc -> logs.add(new ComponentLog("collector of " + lc.function(), lc.collector().logFile())));
  }

  void close() {
    layerCollectors.values().forEach(lc -> EmbeddedStack.closeQuietly(lc.extension()));
  }

  // the layer's extensions/collector: the environment waits for it to register, as for any external extension
  @Override
  public List<HostedExtension> extensions(EnvironmentContext ctx) {
    if (collectorConfigOf(ctx.environment()) == null) {
      return List.of();
    }
    CompletableFuture<Void> ended = new CompletableFuture<>();
    ends.put(ctx.instanceId(), ended);
    return List.of(new HostedExtension(CollectorExtension.NAME, ended));
  }

  @Override
  public Map<String, String> beforeStart(EnvironmentContext ctx) {
    Map<String, String> env = ctx.environment();
    Path config = collectorConfigOf(env);
    EmbeddedCollector target = stackCollector.get();
    if (config != null) {
      CompletableFuture<Void> ended = ends.remove(ctx.instanceId());
      EmbeddedCollector.Builder builder = EmbeddedCollector.builder().name("collector-" + ctx.instanceId())
          .config(config).environment(env).freePorts(true)
          .clockSkew(clockSkew.getOrDefault(ctx.functionName(), Duration.ZERO));
      CollectorExtension ext;
      try {
        ext = CollectorExtension.start(builder, env);
      } catch (RuntimeException e) {
        ended.complete(null);
        throw e;
      }
      ext.ended().whenComplete((x, failure) -> ended.complete(null));
      target = ext.collector();
      if (target != null) {
        layerCollectors.put(ctx.instanceId(), new LayerCollector(ctx.functionName(), ctx.instanceId(), ext, target));
      }
    } else if (clockSkew.containsKey(ctx.functionName())) {
      throw new IllegalStateException("clock skew for " + ctx.functionName()
          + " needs a layer collector: set OPENTELEMETRY_COLLECTOR_CONFIG_FILE in its environment");
    }
    // the layer would send to the collector on localhost; point it at the one that runs here
    Map<String, String> extra = new LinkedHashMap<>(gateways.localApiUrls(env));
    if (target != null && target.hasOtlpHttpReceiver()) {
      extra.put("OTEL_EXPORTER_OTLP_ENDPOINT", target.otlpHttpEndpoint().toString());
    }
    return extra;
  }

  // the collector extension is frozen with its environment: a batch it still holds waits for the next invoke
  @Override
  public void frozen(EnvironmentContext ctx) {
    LayerCollector lc = layerCollectors.get(ctx.instanceId());
    if (lc != null) {
      lc.collector().pause();
    }
  }

  @Override
  public void thawed(EnvironmentContext ctx) {
    LayerCollector lc = layerCollectors.get(ctx.instanceId());
    if (lc != null) {
      lc.collector().resume();
    }
  }

  @Override
  public void afterStop(EnvironmentContext ctx) {
    LayerCollector lc = layerCollectors.get(ctx.instanceId());
    if (lc != null) {
      EmbeddedStack.closeQuietly(lc.extension());
    }
  }

  /** The collector configuration named by the function's environment, as the ADOT layer reads it. */
  private static Path collectorConfigOf(Map<String, String> env) {
    String uri = env.get("OPENTELEMETRY_COLLECTOR_CONFIG_URI");
    String file = env.get("OPENTELEMETRY_COLLECTOR_CONFIG_FILE");
    String value = uri != null && !uri.isBlank() ? uri : file;
    if (value == null || value.isBlank()) {
      return null;
    }
    String path = value.startsWith("file:") ? URI.create(value).getPath() : value;
    if (value.contains("://") && !value.startsWith("file:")) {
      throw new IllegalArgumentException("collector configuration " + value
          + ": only files of the function package or layers can be read here (file: URIs or paths)");
    }
    Path p = Path.of(path);
    if (!Files.isRegularFile(p)) {
      throw new IllegalArgumentException("collector configuration " + value + " does not exist in the function's package"
          + " (resolved to " + p + ")");
    }
    return p;
  }
}
