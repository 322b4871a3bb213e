package io.traceharness.embedded;

import io.traceharness.apigateway.EmbeddedApiGateway;
import io.traceharness.apigateway.FunctionInvoker;
import io.traceharness.apigateway.GatewayRequest;
import io.traceharness.apm.EmbeddedApmServer;
import io.traceharness.collector.CollectorExtension;
import io.traceharness.collector.EmbeddedCollector;
import io.traceharness.diagnosis.Evidence;
import io.traceharness.elasticsearch.EmbeddedElasticsearch;
import io.traceharness.forwarder.ServerlessForwarder;
import io.traceharness.lambda.DeployedFunction;
import io.traceharness.lambda.FunctionConfig;
import io.traceharness.lambda.FunctionDefinition;
import io.traceharness.lambda.HostedExtension;
import io.traceharness.lambda.LambdaEmulator;
import io.traceharness.lambda.SandboxContext;
import io.traceharness.lambda.SandboxHook;
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
import java.nio.file.Files;
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
import java.util.concurrent.CompletableFuture;
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
  /** One certificate for every API Gateway of the stack, as {@code *.execute-api.REGION.amazonaws.com} has one. */
  private LocalCertificateAuthority.ServerCertificate gatewayCertificate;
  private final boolean freeze;
  private final boolean shipLogs;
  private final TelemetryPath path;
  private EmbeddedElasticsearch elasticsearch;
  private ServerlessForwarder logForwarder;
  private EmbeddedApmServer apm;
  private EmbeddedCollector collector;
  private LambdaEmulator lambda;
  private EmbeddedApiGateway gateway;
  private Traces traces;
  private final Map<String, LayerCollector> layerCollectors = new ConcurrentHashMap<>();
  private final Map<OtelLayers.Kind, String> publishedLayers = new ConcurrentHashMap<>();
  /** A project's other APIs: REST APIs of other stages ({@code REST:Prod}) and the HTTP API ({@code HTTP}). */
  private final Map<String, EmbeddedApiGateway> otherGateways = new ConcurrentHashMap<>();
  private volatile boolean closed;

  /** The collector extension of one execution environment of a function, and its collector. */
  private record LayerCollector(String function, String instanceId, CollectorExtension extension,
      EmbeddedCollector collector) {
  }

  private EmbeddedStack(Builder b) {
    this.region = b.region;
    this.secretToken = b.noSecretToken ? null : b.secretToken != null ? b.secretToken : randomToken();
    this.clockSkew = new ConcurrentHashMap<>(b.clockSkew);
    this.lambdaConcurrency = b.lambdaConcurrency;
    this.ports = b.ports;
    this.freeze = b.freeze;
    this.shipLogs = b.shipLogs;
    this.path = b.path != null ? b.path : TelemetryPath.configured();
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
      Map<String, String> collectorEnv = new LinkedHashMap<>();
      if (path == TelemetryPath.EDOT) {
        collectorEnv.putAll(edotEnvironment());
      } else {
        collectorEnv.put("APM_SERVER_URL", apm.endpoint().toString());
        if (secretToken != null) {
          collectorEnv.put("APM_SERVER_TOKEN", secretToken);
        }
      }
      collector = EmbeddedCollector.builder().name("collector").config(stackCollectorConfig())
          .environment(collectorEnv).freePorts(false).build().start();
      LambdaEmulator.Builder lambdaBuilder = LambdaEmulator.builder().region(region)
          .accountConcurrency(lambdaConcurrency).port(ports.lambda()).freeze(freeze).sandboxHook(new LayerCollectors());
      if (shipLogs) {
        logForwarder = ServerlessForwarder.builder(elasticsearch.client()).region(region).build();
        lambdaBuilder.logSubscriber(logForwarder);
      }
      lambda = lambdaBuilder.build().start();
      gatewayCertificate = LocalCertificateAuthority.shared().issueServer("api-gateway");
      gateway = EmbeddedApiGateway.builder().stage("dev").port(ports.apiGateway()).tls(gatewayCertificate)
          .invoker(FunctionInvoker.lambda(lambda)).build().start();
      traces = Traces.reader(elasticsearch.client());
    } catch (RuntimeException | Error e) {
      close();
      throw e;
    }
    LOG.info("Embedded tracing stack ready in {} s ({} path): Elasticsearch {}, APM Server {}, OTLP {}, Lambda {},"
        + " API Gateway {}", String.format("%.1f", (System.nanoTime() - t0) / 1e9), path.name().toLowerCase(),
        elasticsearch.endpoint(), apm.endpoint(), collector.otlpHttpEndpoint(), lambda.endpoint(), gateway.endpoint());
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
    // the node runs without security: the exporter sends no Authorization header for an empty key
    return Map.of(EdotGateway.ENDPOINT_ENV, elasticsearch.endpoint().toString(), EdotGateway.API_KEY_ENV, "");
  }

  @Override
  public Endpoints endpoints() {
    return new Endpoints(elasticsearch.endpoint(), apm.endpoint(), secretToken, collector.otlpHttpEndpoint(),
        collector.otlpGrpcEndpoint(), lambda.endpoint(), gateway.endpoint(), region);
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
      urls.put(route, gatewayFor(route).route(route.method(), route.path(), spec.name()));
    }
    return new Deployment(deployed.name(), deployed.arn(), spec, urls);
  }

  /**
   * The API a route belongs to: the stack's REST API for its default stage, else a REST API of the
   * route's stage or the HTTP API ({@code $default} stage), started at first use, as API Gateway
   * gives each API its own invoke URL.
   */
  private EmbeddedApiGateway gatewayFor(FunctionSpec.HttpRoute route) {
    if (route.api() == FunctionSpec.Api.REST && (route.stage() == null || route.stage().equals(gateway.stage()))) {
      return gateway;
    }
    String key = route.api() == FunctionSpec.Api.HTTP ? "HTTP" : "REST:" + route.stage();
    synchronized (otherGateways) {
      if (closed) {
        throw new IllegalStateException("the stack is closed");
      }
      return otherGateways.computeIfAbsent(key, k -> {
        boolean http = route.api() == FunctionSpec.Api.HTTP;
        return EmbeddedApiGateway.builder().stage(http ? EmbeddedApiGateway.DEFAULT_STAGE : route.stage())
            .payloadFormatVersion(http ? "2.0" : "1.0").invoker(FunctionInvoker.lambda(lambda)).tls(gatewayCertificate)
            .logFile(gateway.logFile().resolveSibling("apigateway-" + k.replace(':', '-').toLowerCase() + ".log"))
            .build().start();
      });
    }
  }

  /**
   * A function written for AWS calls its APIs at {@code https://ID.execute-api.REGION.amazonaws.com/STAGE/…}
   * (a descriptor builds such URLs from {@code #{ApiGatewayRestApi}} or {@code ${ServerlessRestApi}});
   * as {@code /opt} and {@code /var/task}, those are pointed at the local API Gateway: the REST API of
   * that stage, else the HTTP API. The scheme stays: {@code https://} (all API Gateway serves) goes to
   * the gateway's HTTPS endpoint, whose certificate the runtimes trust through the local certificate
   * authority; {@code http://} to its plaintext one.
   */
  private Map<String, String> localApiUrls(Map<String, String> env) {
    Map<String, String> rewritten = new LinkedHashMap<>();
    env.forEach((k, v) -> {
      java.util.regex.Matcher m = EXECUTE_API.matcher(v);
      StringBuilder out = new StringBuilder();
      boolean changed = false;
      while (m.find()) {
        boolean https = m.group(1).equals("https");
        String stage = m.group(3);
        EmbeddedApiGateway target = null;
        String rest = m.group(4) == null ? "" : m.group(4);
        if (stage != null && stage.equals(gateway.stage())) {
          target = gateway;
        } else if (stage != null && otherGateways.containsKey("REST:" + stage)) {
          target = otherGateways.get("REST:" + stage);
        }
        String replacement;
        if (target != null) {
          replacement = endpointFor(target, https) + rest;
        } else if (otherGateways.containsKey("HTTP")) {
          replacement = endpointFor(otherGateways.get("HTTP"), https) + (stage == null ? "" : "/" + stage) + rest;
        } else {
          continue;
        }
        m.appendReplacement(out, java.util.regex.Matcher.quoteReplacement(replacement));
        changed = true;
      }
      if (changed) {
        m.appendTail(out);
        rewritten.put(k, out.toString());
      }
    });
    return rewritten;
  }

  private static URI endpointFor(EmbeddedApiGateway gateway, boolean https) {
    return https ? gateway.httpsEndpoint() : gateway.endpoint();
  }

  /**
   * The local URL a function's environment gets for {@code url}, an
   * {@code http(s)://ID.execute-api.REGION.amazonaws.com/STAGE/…} URL (or a value holding such URLs),
   * as {@link #deploy} arranges it; {@code url} itself when it names no API of this stack.
   */
  public String localUrl(String url) {
    return localApiUrls(Map.of("v", url)).getOrDefault("v", url);
  }

  private static final java.util.regex.Pattern EXECUTE_API = java.util.regex.Pattern.compile(
      "(https?)://([a-z0-9]+)\\.execute-api\\.[a-z0-9-]+\\.amazonaws\\.com(?:/([A-Za-z0-9_$-]+))?([^\\s,;\"']*)");

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
    List<GatewayRequest> requests = new ArrayList<>(gateway.requests());
    otherGateways.values().forEach(g -> requests.addAll(g.requests()));
    return requests;
  }

  @Override
  public void collectEvidence(Evidence.Builder evidence) {
    for (GatewayRequest r : gatewayRequests()) {
      if (r.function() != null) {
        evidence.gatewayRequest(new Evidence.GatewayRequest(r.time(), r.method(), r.path(), r.function(),
            r.traceparent(), r.xAmznTraceId(), r.status()));
      }
    }
    lambda.invocations().forEach(i -> evidence.invocation(
        new Evidence.Invocation(i.start(), i.function(), i.requestId(), i.traceHeader(), i.errorType())));
    for (LayerCollector lc : layerCollectors.values()) {
      lc.collector().exportFailures().forEach(f -> evidence.exportFailure(
          new Evidence.ExportFailure(f.time(), lc.function(), f.exporter() + " → " + f.destination(), f.error())));
    }
    collector.exportFailures().forEach(f -> evidence.exportFailure(
        new Evidence.ExportFailure(f.time(), null, f.exporter() + " → " + f.destination(), f.error())));
    outagesOf(collector, "the stack's collector (" + collector.otlpHttpEndpoint() + ")", null, evidence);
    for (LayerCollector lc : layerCollectors.values()) {
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
    layerCollectors.values().forEach(lc -> all.add(lc.collector()));
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
    Map<String, List<io.traceharness.lambda.LifecycleLog.Freeze>> freezesOf = new LinkedHashMap<>();
    lambda.lifecycle().freezes().stream().filter(f -> f.to() != null)
        .sorted(java.util.Comparator.comparing(io.traceharness.lambda.LifecycleLog.Freeze::from))
        .forEach(f -> freezesOf.computeIfAbsent(f.function(), k -> new ArrayList<>()).add(f));
    Set<String> exportedRequests = new java.util.HashSet<>();
    for (EmbeddedCollector.ReceivedSpan r : firstSeen.values()) {
      if (r.invocationId() != null) {
        exportedRequests.add(r.invocationId());
      }
      String function = r.service() == null ? null : functionOfService.get(r.service());
      if (function == null || r.end() == null) {
        continue;
      }
      String instance = r.invocationId() == null ? null : instanceOfRequest.get(r.invocationId());
      for (io.traceharness.lambda.LifecycleLog.Freeze f : freezesOf.getOrDefault(function, List.of())) {
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
    for (io.traceharness.lambda.LifecycleLog.Shutdown s : lambda.lifecycle().shutdowns()) {
      List<String> unexported = !layered.getOrDefault(s.function(), false) ? List.of()
          : lambda.invocations().stream().filter(i -> i.instanceId().equals(s.instanceId()))
              .filter(i -> !exportedRequests.contains(i.requestId())
                  && !anyEndedDuring(firstSeen.values(), serviceOf.get(s.function()), i))
              .map(io.traceharness.lambda.Invocation::requestId).toList();
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
  private static boolean anyEndedDuring(java.util.Collection<EmbeddedCollector.ReceivedSpan> spans, String service,
      io.traceharness.lambda.Invocation i) {
    if (service == null || i.end() == null) {
      return false;
    }
    java.time.Instant until = i.end().plusSeconds(1);
    return spans.stream().anyMatch(r -> service.equals(r.service()) && r.end() != null && !r.end().isBefore(i.start())
        && !r.end().isAfter(until));
  }

  private static void outagesOf(EmbeddedCollector c, String component, String function, Evidence.Builder evidence) {
    for (EmbeddedCollector.Outage o : c.outages()) {
      evidence.outage(new Evidence.Outage(component, function, o.stopped(), o.restarted(),
          o.droppedAtStop() + " items still queued at stop were dropped; its export failures: " + c.exportFailures().size()));
    }
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
    layerCollectors.values().forEach(lc -> logs.add(new ComponentLog("collector of " + lc.function(), lc.collector().logFile())));
    if (gateway != null) {
      logs.add(new ComponentLog("api-gateway", gateway.logFile()));
    }
    otherGateways.forEach((k, g) -> logs.add(new ComponentLog("api-gateway " + k, g.logFile())));
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
    return gateway;
  }

  /** Every API Gateway API of the stack: the default stage's REST API, then those started at first use. */
  public List<EmbeddedApiGateway> apiGateways() {
    List<EmbeddedApiGateway> all = new ArrayList<>();
    if (gateway != null) {
      all.add(gateway);
    }
    all.addAll(otherGateways.values());
    return all;
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
    return layerCollectors.values().stream().filter(lc -> lc.function().equals(function))
        .map(LayerCollector::extension).reduce((a, b) -> b);
  }

  /** The layer collector started for a function, if its environment configured one. */
  public Optional<EmbeddedCollector> layerCollector(String function) {
    return layerCollectors.values().stream().filter(lc -> lc.function().equals(function))
        .map(LayerCollector::collector).reduce((a, b) -> b);
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    // functions first, so their last spans still reach APM Server; Elasticsearch last
    closeQuietly(gateway);
    synchronized (otherGateways) {
      otherGateways.values().forEach(EmbeddedStack::closeQuietly);
    }
    closeQuietly(lambda);
    // after the functions, so their last lines (Shutdown output included) are shipped
    closeQuietly(logForwarder);
    layerCollectors.values().forEach(lc -> closeQuietly(lc.extension()));
    closeQuietly(collector);
    closeQuietly(apm);
    closeQuietly(elasticsearch);
  }

  /**
   * The layer's collector, as the ADOT extension runs it: one per execution environment, started
   * before the runtime and stopped when the environment ends. Stopped collectors stay listed, so
   * their export failures still explain a trace afterwards.
   */
  private final class LayerCollectors implements SandboxHook {
    /** The end of each environment's collector extension, declared before it starts. */
    private final Map<String, CompletableFuture<Void>> ends = new ConcurrentHashMap<>();

    // the layer's extensions/collector: the environment waits for it to register, as for any external extension
    @Override
    public List<HostedExtension> extensions(SandboxContext ctx) {
      if (collectorConfigOf(ctx.environment()) == null) {
        return List.of();
      }
      CompletableFuture<Void> ended = new CompletableFuture<>();
      ends.put(ctx.instanceId(), ended);
      return List.of(new HostedExtension(CollectorExtension.NAME, ended));
    }

    @Override
    public Map<String, String> beforeStart(SandboxContext ctx) {
      Map<String, String> env = ctx.environment();
      Path config = collectorConfigOf(env);
      EmbeddedCollector target = collector;
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
      Map<String, String> extra = new LinkedHashMap<>(localApiUrls(env));
      if (target != null && target.hasOtlpHttpReceiver()) {
        extra.put("OTEL_EXPORTER_OTLP_ENDPOINT", target.otlpHttpEndpoint().toString());
      }
      return extra;
    }

    // the collector extension is frozen with its environment: a batch it still holds waits for the next invoke
    @Override
    public void frozen(SandboxContext ctx) {
      LayerCollector lc = layerCollectors.get(ctx.instanceId());
      if (lc != null) {
        lc.collector().pause();
      }
    }

    @Override
    public void thawed(SandboxContext ctx) {
      LayerCollector lc = layerCollectors.get(ctx.instanceId());
      if (lc != null) {
        lc.collector().resume();
      }
    }

    @Override
    public void afterStop(SandboxContext ctx) {
      LayerCollector lc = layerCollectors.get(ctx.instanceId());
      if (lc != null) {
        closeQuietly(lc.extension());
      }
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

  private String otelLayerArn(String runtime) {
    OtelLayers.Kind kind = OtelLayers.kindFor(runtime);
    return publishedLayers.computeIfAbsent(kind, k -> lambda.publishLayer("traceharness-otel-" + k.id(),
        OtelLayers.zip(k), "OpenTelemetry layer (" + k.id() + ")", List.of(runtime)));
  }

  private Evidence.FunctionFacts facts(FunctionConfig cfg) {
    Map<String, String> env = cfg.environment();
    String service = env.getOrDefault("OTEL_SERVICE_NAME", cfg.name());
    String propagators = env.getOrDefault("OTEL_PROPAGATORS", "tracecontext,baggage,xray-lambda (layer default)");
    boolean layer = !cfg.layers().isEmpty() || env.containsKey("AWS_LAMBDA_EXEC_WRAPPER");
    return new Evidence.FunctionFacts(cfg.name(), service, cfg.activeTracing(), propagators, layer);
  }

  /**
   * The stack's collector: OTLP on the chosen ports (0: free ones); on the APM path to APM Server with
   * its token if any, on the EDOT path Elastic's gateway configuration.
   */
  private String stackCollectorConfig() {
    if (path == TelemetryPath.EDOT) {
      return EdotGateway.onPorts(ports.otlpGrpc(), ports.otlpHttp());
    }
    return """
        receivers:
          otlp:
            protocols:
              grpc:
                endpoint: 127.0.0.1:%d
              http:
                endpoint: 127.0.0.1:%d
        processors:
          batch:
            timeout: 200ms
        exporters:
          otlp/elastic:
            endpoint: ${env:APM_SERVER_URL}
            tls:
              insecure: true
        %s
        service:
          pipelines:
            traces:
              receivers: [otlp]
              processors: [batch]
              exporters: [otlp/elastic]
            metrics:
              receivers: [otlp]
              processors: [batch]
              exporters: [otlp/elastic]
            logs:
              receivers: [otlp]
              processors: [batch]
              exporters: [otlp/elastic]
        """.formatted(ports.otlpGrpc(), ports.otlpHttp(), secretToken == null ? ""
        : "    headers:\n      Authorization: \"Bearer ${env:APM_SERVER_TOKEN}\"");
  }

  private static void closeQuietly(AutoCloseable c) {
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
