package io.traceharness.embedded;

import io.traceharness.apigateway.EmbeddedApiGateway;
import io.traceharness.apigateway.GatewayRequest;
import io.traceharness.apm.EmbeddedApmServer;
import io.traceharness.collector.CollectorExtension;
import io.traceharness.collector.EmbeddedCollector;
import io.traceharness.diagnosis.Evidence;
import io.traceharness.elasticsearch.EmbeddedElasticsearch;
import io.traceharness.forwarder.ServerlessForwarder;
import io.traceharness.lambda.DeployedFunction;
import io.traceharness.lambda.FunctionDefinition;
import io.traceharness.lambda.LambdaEmulator;
import io.traceharness.layers.OtelLayers;
import io.traceharness.stack.ComponentLog;
import io.traceharness.stack.Deployment;
import io.traceharness.stack.Endpoints;
import io.traceharness.stack.FunctionSpec;
import io.traceharness.stack.TelemetryPath;
import io.traceharness.stack.TracingStack;
import io.traceharness.support.LocalCertificateAuthority;
import io.traceharness.trace.Traces;
import java.net.URI;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.lambda.LambdaClient;

/**
 * The embedded backend: a real Elasticsearch node, and in this JVM the APM Server, the collector,
 * the Lambda service (running real runtime processes) and API Gateway.
 *
 * <p>A function deployed with its spec's {@code otelLayer()} gets the runtime's OpenTelemetry layer
 * (published on the Lambda service once per kind) and {@code AWS_LAMBDA_EXEC_WRAPPER=/opt/otel-handler} unless
 * it sets the wrapper itself. When its environment names a collector configuration
 * ({@code OPENTELEMETRY_COLLECTOR_CONFIG_URI} or {@code _FILE}, as the ADOT layer reads it), the
 * layer's collector is started from that file with the function's environment, before the runtime,
 * and the function exports to it; otherwise the function exports to the stack's own collector.
 *
 * <p>The {@link TelemetryPath} decides where that collector sends: {@link TelemetryPath#APM} (the
 * default, the post's path) forwards OTLP to APM Server, which writes APM documents;
 * {@link TelemetryPath#EDOT} runs Elastic's gateway configuration ({@link #edotCollectorConfig()}),
 * whose {@code elasticsearch} exporter writes OpenTelemetry-native documents straight to
 * Elasticsearch. APM Server runs in both, for the client's Elastic APM agent.
 *
 * <p>The functions' CloudWatch logs are shipped to Elasticsearch as the Elastic Serverless Forwarder
 * ships them ({@link ServerlessForwarder}, {@code logs-generic-default}) unless
 * {@link Builder#shipLogs(boolean) shipLogs(false)}; {@link #close()} ships the last lines first.
 *
 * <p>Components listen on free loopback ports unless the builder's {@link StackPorts} fixes them (the
 * sandbox asks for the well-known ones); fixed ports are checked before anything starts. API Gateway
 * speaks HTTPS and plaintext on its port, with a certificate of the local certificate authority.
 *
 * <p>Its parts: {@link StackCollector} (the stack's collector on each path), {@link StackGateways}
 * (the API Gateway APIs and the {@code execute-api} URLs pointed at them), {@link LayerCollectors}
 * (the layer collector of each execution environment), {@link StackEvidence} (what the diagnosis gets).
 *
 * <pre>{@code
 * try (EmbeddedStack stack = EmbeddedStack.builder().build().start()) {
 *   Deployment f = stack.deploy(FunctionSpec.nodejs("consumer", "handler.producer")
 *       .code(zip).otelLayer().http("GET", "/ping").build());
 *   ...
 * }
 * }</pre>
 */
public final class EmbeddedStack implements TracingStack {

  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedStack.class);
  /** System property: the Lambda service's account concurrency when the builder does not set it. */
  public static final String LAMBDA_CONCURRENCY = "traceharness.lambda.concurrency";
  /** System property: {@code false} keeps execution environments running between invocations when the builder does not say. */
  public static final String LAMBDA_FREEZE = "traceharness.lambda.freeze";

  private final String region;
  private final String secretToken;
  private final Map<String, Duration> clockSkew;
  private final int lambdaConcurrency;
  private final StackPorts ports;
  private final boolean freeze;
  private final boolean shipLogs;
  private final TelemetryPath path;
  private final StackGateways gateways = new StackGateways();
  private final LayerCollectors layerCollectors;
  private EmbeddedElasticsearch elasticsearch;
  private ServerlessForwarder logForwarder;
  private EmbeddedApmServer apm;
  private EmbeddedCollector collector;
  private LambdaEmulator lambda;
  private Traces traces;
  private final Map<OtelLayers.Kind, String> publishedLayers = new ConcurrentHashMap<>();
  private volatile boolean closed;

  private EmbeddedStack(Builder b) {
    this.region = b.region;
    this.secretToken = b.noSecretToken ? null : b.secretToken != null ? b.secretToken : randomToken();
    this.clockSkew = new ConcurrentHashMap<>(b.clockSkew);
    this.lambdaConcurrency = b.lambdaConcurrency;
    this.ports = b.ports;
    this.freeze = b.freeze;
    this.shipLogs = b.shipLogs;
    this.path = b.path != null ? b.path : TelemetryPath.configured();
    this.layerCollectors = new LayerCollectors(this::collector, clockSkew, gateways);
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Starts Elasticsearch, APM Server, the collector, the Lambda service and API Gateway, in that order.
   *
   * @throws IllegalStateException before anything starts when a fixed port is taken (each one named,
   *     with the property that moves it); when a component fails, after stopping those already started
   */
  public synchronized EmbeddedStack start() {
    long t0 = System.nanoTime();
    ports.checkAvailable();
    try {
      // also over HTTPS (elasticsearch().httpsEndpoint()), for configs that name an https:// Elasticsearch
      elasticsearch = EmbeddedElasticsearch.builder().httpPort(ports.elasticsearch())
          .https(LocalCertificateAuthority.shared().issueServer("elasticsearch")).build().start();
      // APM Server speaks TLS and plaintext on one port, so a layer collector's otlp exporter (TLS by
      // default) reaches it as it reaches Elastic Cloud; the Lambda environment trusts the local CA
      apm = EmbeddedApmServer.builder().elasticsearch(elasticsearch.endpoint()).secretToken(secretToken)
          .port(ports.apmServer()).tls(LocalCertificateAuthority.shared().issueServer("apm-server")).build().start();
      Map<String, String> collectorEnv = StackCollector.environment(path, elasticsearch.endpoint(), apm.endpoint(),
          secretToken);
      collector = EmbeddedCollector.builder().name("collector").config(StackCollector.config(path, ports, secretToken))
          .environment(collectorEnv).freePorts(false).build().start();
      LambdaEmulator.Builder lambdaBuilder = LambdaEmulator.builder().region(region)
          .accountConcurrency(lambdaConcurrency).port(ports.lambda()).freeze(freeze).environmentHook(layerCollectors);
      if (shipLogs) {
        logForwarder = ServerlessForwarder.builder(elasticsearch.client()).region(region).build();
        lambdaBuilder.logSubscriber(logForwarder);
      }
      lambda = lambdaBuilder.build().start();
      gateways.start(ports.apiGateway(), lambda);
      traces = Traces.reader(elasticsearch.client());
    } catch (RuntimeException | Error e) {
      close();
      throw e;
    }
    LOG.info("Embedded tracing stack ready in {} s ({} path): Elasticsearch {}, APM Server {}, OTLP {}, Lambda {},"
        + " API Gateway {}", String.format("%.1f", (System.nanoTime() - t0) / 1e9), path.name().toLowerCase(),
        elasticsearch.endpoint(), apm.endpoint(), collector.otlpHttpEndpoint(), lambda.endpoint(), gateways.main().endpoint());
    return this;
  }

  @Override
  public String backend() {
    return "embedded";
  }

  @Override
  public TelemetryPath path() {
    return path;
  }

  /**
   * The EDOT path's collector configuration as a file: Elastic's self-managed gateway
   * (elastic/elastic-agent {@code internal/pkg/otel/samples/linux/gateway.yml}), the one the stack's
   * collector runs on that path. A function uses it unchanged as its layer's collector with
   * {@code OPENTELEMETRY_COLLECTOR_CONFIG_URI=file:…} and {@link #edotEnvironment()} in its environment.
   */
  public Path edotCollectorConfig() {
    return EdotGateway.file();
  }

  /** What the EDOT configuration reads from its environment: Elasticsearch's endpoint, an empty API key. */
  public Map<String, String> edotEnvironment() {
    return StackCollector.edotEnvironment(elasticsearch.endpoint());
  }

  @Override
  public Endpoints endpoints() {
    return new Endpoints(elasticsearch.endpoint(), apm.endpoint(), secretToken, collector.otlpHttpEndpoint(),
        collector.otlpGrpcEndpoint(), lambda.endpoint(), gateways.main().endpoint(), region);
  }

  /**
   * Deploys the function on the Lambda service, then applies the spec's stack-level choices: the
   * OpenTelemetry layer (published once per kind, straight to the service) and the API Gateway
   * routes.
   */
  @Override
  public Deployment deploy(FunctionSpec spec) {
    DeployedFunction deployed = lambda.deploy(definition(spec));
    Map<FunctionSpec.HttpRoute, URI> urls = new LinkedHashMap<>();
    for (FunctionSpec.HttpRoute route : spec.routes()) {
      urls.put(route, gateways.route(route, spec.name()));
    }
    return new Deployment(deployed.name(), deployed.arn(), spec, urls);
  }

  /**
   * The local URL a function's environment gets for {@code url}, an
   * {@code http(s)://ID.execute-api.REGION.amazonaws.com/STAGE/…} URL (or a value holding such URLs),
   * as {@link #deploy} arranges it; {@code url} itself when it names no API of this stack.
   */
  public String localUrl(String url) {
    return gateways.localApiUrls(Map.of("v", url)).getOrDefault("v", url);
  }

  /** The Lambda service's definition of the spec's function, with the OpenTelemetry layer when asked for. */
  private FunctionDefinition definition(FunctionSpec spec) {
    FunctionDefinition.Builder b = FunctionDefinition.builder(spec.name()).runtime(spec.runtime())
        .handler(spec.handler()).code(spec.code()).env(spec.env()).timeout(spec.timeout()).memoryMb(spec.memoryMb())
        .activeTracing(spec.activeTracing()).layers(spec.layers());
    if (spec.reservedConcurrency() != null) {
      b.reservedConcurrency(spec.reservedConcurrency());
    }
    if (spec.otelLayer()) {
      b.layer(otelLayerArn(spec.runtime()));
      if (!spec.env().containsKey("AWS_LAMBDA_EXEC_WRAPPER")) {
        b.env("AWS_LAMBDA_EXEC_WRAPPER", "/opt/otel-handler");
      }
    }
    return b.build();
  }

  @Override
  public Traces traces() {
    return traces;
  }

  @Override
  public LambdaClient lambdaClient() {
    return lambda.client();
  }

  /** Every request the stack's API Gateways answered (the default stage's, other stages', the HTTP API's). */
  public List<GatewayRequest> gatewayRequests() {
    return gateways.requests();
  }

  @Override
  public void collectEvidence(Evidence.Builder evidence) {
    new StackEvidence(lambda, collector, layerCollectors.all()).collect(gatewayRequests(), evidence);
  }

  @Override
  public List<ComponentLog> logs() {
    List<ComponentLog> logs = new ArrayList<>();
    if (elasticsearch != null) {
      logs.add(new ComponentLog("elasticsearch", elasticsearch.logFile()));
    }
    if (apm != null) {
      logs.add(new ComponentLog("apm-server", apm.logFile()));
    }
    if (collector != null) {
      logs.add(new ComponentLog("collector", collector.logFile()));
    }
    layerCollectors.addLogs(logs);
    gateways.addLogs(logs);
    if (lambda != null) {
      Set<String> names = new LinkedHashSet<>();
      lambda.invocations().forEach(i -> names.add(i.function()));
      names.forEach(n -> logs.add(new ComponentLog("lambda " + n, lambda.logFile(n))));
    }
    return logs;
  }

  /** The Lambda emulator, for what the AWS API does not show (invocations, instance counts). */
  public LambdaEmulator lambda() {
    return lambda;
  }

  /** API Gateway, for the requests it saw. */
  public EmbeddedApiGateway apiGateway() {
    return gateways.main();
  }

  /** Every API Gateway API of the stack: the default stage's REST API, then those started at first use. */
  public List<EmbeddedApiGateway> apiGateways() {
    return gateways.all();
  }

  public EmbeddedApmServer apmServer() {
    return apm;
  }

  public EmbeddedElasticsearch elasticsearch() {
    return elasticsearch;
  }

  public EmbeddedCollector collector() {
    return collector;
  }

  /** The forwarder shipping the functions' logs to Elasticsearch; empty when built with {@code shipLogs(false)}. */
  public Optional<ServerlessForwarder> logForwarder() {
    return Optional.ofNullable(logForwarder);
  }

  /**
   * Shifts the timestamps of everything the function's layer collector forwards by {@code skew},
   * as if that sandbox's clock ran ahead (positive) or behind; applies to collectors started after
   * this call, so set it before the function's first invocation.
   */
  public EmbeddedStack clockSkew(String function, Duration skew) {
    clockSkew.put(function, skew);
    return this;
  }

  /** The layer collector extension of a function's latest environment, if its environment configured one. */
  public Optional<CollectorExtension> layerCollectorExtension(String function) {
    return layerCollectors.latest(function).map(LayerCollectors.LayerCollector::extension);
  }

  /** The layer collector started for a function, if its environment configured one. */
  public Optional<EmbeddedCollector> layerCollector(String function) {
    return layerCollectors.latest(function).map(LayerCollectors.LayerCollector::collector);
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    // functions first, so their last spans still reach APM Server; Elasticsearch last
    gateways.close();
    closeQuietly(lambda);
    // after the functions, so their last lines (Shutdown output included) are shipped
    closeQuietly(logForwarder);
    layerCollectors.close();
    closeQuietly(collector);
    closeQuietly(apm);
    closeQuietly(elasticsearch);
  }

  private String otelLayerArn(String runtime) {
    OtelLayers.Kind kind = OtelLayers.kindFor(runtime);
    return publishedLayers.computeIfAbsent(kind, k -> lambda.publishLayer("traceharness-otel-" + k.id(),
        OtelLayers.zip(k), "OpenTelemetry layer (" + k.id() + ")", List.of(runtime)));
  }

  static void closeQuietly(AutoCloseable c) {
    if (c == null) {
      return;
    }
    try {
      c.close();
    } catch (Exception e) {
      LOG.warn("stopping {} failed: {}", c.getClass().getSimpleName(), e.toString());
    }
  }

  private static String randomToken() {
    byte[] b = new byte[12];
    new SecureRandom().nextBytes(b);
    return HexFormat.of().formatHex(b);
  }

  public static final class Builder {
    private String region = "us-east-1";
    private String secretToken;
    private final Map<String, Duration> clockSkew = new LinkedHashMap<>();
    private int lambdaConcurrency = Integer.getInteger(LAMBDA_CONCURRENCY, 10);
    private StackPorts ports = StackPorts.free();
    private boolean noSecretToken;
    private boolean freeze = !"false".equalsIgnoreCase(System.getProperty(LAMBDA_FREEZE, "true"));
    private boolean shipLogs = true;
    private TelemetryPath path;

    private Builder() {
    }

    /**
     * How the functions' telemetry reaches Elasticsearch; default {@code -Dtraceharness.path}, else
     * {@link TelemetryPath#APM}.
     */
    public Builder path(TelemetryPath path) {
      this.path = java.util.Objects.requireNonNull(path, "path");
      return this;
    }

    /**
     * Whether Lambda execution environments freeze between invocations, as in AWS (see
     * {@link LambdaEmulator.Builder#freeze(boolean)}); on by default, or {@code -Dtraceharness.lambda.freeze=false}
     * for the shared stack of a test JVM. A frozen environment's processes are stopped and its layer
     * collector paused: a span its SDK has not exported when the invocation ends (one that ended after
     * the layer's flush, or a batch nothing flushes) waits for the next invocation, as on AWS, and is
     * lost if the environment shuts down first; the diagnosis names both ({@code EXPORTED_AFTER_THAW},
     * {@code LOST_AT_SHUTDOWN}). Off: environments keep running, batch timers fire between invocations.
     */
    public Builder freeze(boolean freeze) {
      this.freeze = freeze;
      return this;
    }

    /**
     * Whether the functions' CloudWatch logs are shipped to Elasticsearch ({@code logs-generic-default}),
     * as the Elastic Serverless Forwarder subscribed to their log groups ships them (see
     * {@link ServerlessForwarder}); on by default. Lines that carry a trace id (ECS-JSON {@code trace.id})
     * are then linked to their trace ({@code Traces.logs}).
     */
    public Builder shipLogs(boolean ship) {
      this.shipLogs = ship;
      return this;
    }

    /**
     * Concurrent executions across all functions (Lambda's account limit, 1,000 on AWS); beyond it
     * Invoke answers 429 and API Gateway 500. Default 10, or {@code -Dtraceharness.lambda.concurrency}:
     * each execution environment is a process, and the shared stack of a test JVM takes no builder.
     */
    public Builder lambdaConcurrency(int limit) {
      this.lambdaConcurrency = limit;
      return this;
    }

    public Builder region(String region) {
      this.region = region;
      return this;
    }

    /** APM Server's secret token; random by default. */
    public Builder secretToken(String token) {
      this.secretToken = java.util.Objects.requireNonNull(token, "token: use noSecretToken() for none");
      this.noSecretToken = false;
      return this;
    }

    /** No secret token: APM Server accepts every agent, as one configured without one does. */
    public Builder noSecretToken() {
      this.secretToken = null;
      this.noSecretToken = true;
      return this;
    }

    /**
     * The ports the components listen on; default {@link StackPorts#free()}. Fixed ones are checked
     * before anything starts.
     */
    public Builder ports(StackPorts ports) {
      this.ports = java.util.Objects.requireNonNull(ports, "ports");
      return this;
    }

    /**
     * Shifts the timestamps of everything a function's layer collector forwards by {@code skew}, as
     * if that sandbox's clock ran ahead (positive) or behind: the post's screenshot of a child drawn
     * outside its parent.
     */
    public Builder clockSkew(String function, Duration skew) {
      clockSkew.put(function, skew);
      return this;
    }

    public EmbeddedStack build() {
      return new EmbeddedStack(this);
    }
  }
}
