package io.traceharness.containers;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.json.jackson.JacksonJsonpMapper;
import co.elastic.clients.transport.rest_client.RestClientTransport;
import io.traceharness.apigateway.EmbeddedApiGateway;
import io.traceharness.apigateway.GatewayRequest;
import io.traceharness.diagnosis.Evidence;
import io.traceharness.stack.FunctionSpec;
import io.traceharness.stack.ComponentLog;
import io.traceharness.stack.Deployment;
import io.traceharness.stack.Endpoints;
import io.traceharness.stack.TelemetryPath;
import io.traceharness.stack.TracingStack;
import io.traceharness.support.WorkDirs;
import io.traceharness.trace.Traces;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.http.HttpHost;
import org.elasticsearch.client.RestClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.Testcontainers;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.elasticsearch.ElasticsearchContainer;
import org.testcontainers.lifecycle.Startables;
import org.testcontainers.localstack.LocalStackContainer;
import org.testcontainers.utility.MountableFile;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.lambda.LambdaClient;

/**
 * The tracing stack made of the real components in containers: Elasticsearch, APM Server, the
 * OpenTelemetry collector (contrib) running the post's {@code collector.yaml} (as today's collector
 * accepts it: {@code io/traceharness/containers/collector.yaml}), and for Lambda either
 * LocalStack (when {@code LOCALSTACK_AUTH_TOKEN} is set) or the AWS Lambda base images with the
 * Runtime Interface Emulator. All share one Docker network on which each answers under its
 * {@code docker-compose.yml} service name ({@code elasticsearch}, {@code apm-server},
 * {@code otel-collector}, {@code localstack}), so configuration written for the sandbox works here.
 *
 * <pre>{@code
 * if (ContainerStack.dockerAvailable()) {
 *   try (ContainerStack stack = ContainerStack.builder().build().start()) {
 *     URI es = stack.endpoints().elasticsearch();
 *     Deployment consumer = stack.deploy(FunctionSpec.nodejs("consumer", "handler.producer")
 *         .code(zip).otelLayer().http("GET", "/ping").build());
 *     URI viaApiGateway = consumer.url();
 *   }
 * }
 * // or, against a running `docker compose up` sandbox:
 * try (ContainerStack sandbox = ContainerStack.attach()) { ... }
 * }</pre>
 *
 * <p>Without Docker nothing here starts: check {@link #dockerAvailable()} and skip with
 * {@link #SKIP_REASON}.
 *
 * <p>What a function is and where it answers are {@link ContainerFunction} and
 * {@link RunningFunction}; deploying into LocalStack is {@link LocalStackDeployer}'s. What stays
 * here is one lifecycle (containers started, attached to, wired and stopped together) whose parts
 * share the network, the started-container list and the log wiring, which is why it is one class.
 */
public final class ContainerStack implements TracingStack {

  /** Why the containers suites were skipped, and how to run them. */
  public static final String SKIP_REASON = "Docker is not available here: containers suites skipped. "
      + "Run them with -Dtraceharness.stack=containers on a machine with Docker (GitHub Actions job `containers`).";

  /** The region LocalStack and the runtimes pretend to live in. */
  public static final String REGION = "us-east-1";

  /** The API Gateway stage functions are deployed to. */
  public static final String STAGE = "dev";

  /** The secret token APM Server requires unless another is configured (sandbox default too). */
  public static final String DEFAULT_SECRET_TOKEN = "traceharness";

  static final String ELASTICSEARCH_ALIAS = "elasticsearch";
  static final String APM_SERVER_ALIAS = "apm-server";
  static final String COLLECTOR_ALIAS = "otel-collector";
  static final String LOCALSTACK_ALIAS = "localstack";
  /** How containers reach a port of the test host that Testcontainers exposed. */
  static final String HOST_ALIAS = "host.testcontainers.internal";
  /** Where Lambda unpacks layers. */
  static final String LAYER_DIR = "/opt";
  static final int ELASTICSEARCH_PORT = 9200;
  static final int LOCALSTACK_PORT = 4566;
  /** The network {@code docker-compose.yml} creates (named, so LocalStack can start functions on it). */
  static final String SANDBOX_NETWORK = "traceharness";

  /** The post's collector configuration as collector-contrib accepts it; compose mounts the same file. */
  static final String COLLECTOR_CONFIG_RESOURCE = "io/traceharness/containers/collector.yaml";
  /** The EDOT path's collector configuration: Elastic's gateway, as collector-contrib accepts it. */
  static final String EDOT_COLLECTOR_CONFIG_RESOURCE = "io/traceharness/containers/edot-collector.yaml";

  /** Settings of the Elasticsearch node; {@code docker-compose.yml} sets the same. */
  static final Map<String, String> ELASTICSEARCH_ENV = Map.of(
      "discovery.type", "single-node",
      "xpack.security.enabled", "false",
      // the apm-data plugin installs the traces-apm* templates and ingest pipelines APM Server needs
      "xpack.apm_data.enabled", "true",
      // Testcontainers' ElasticsearchContainer sets it too; compose needs it said: on a nearly full disk the
      // node refuses APM Server's writes while its health check passes
      "cluster.routing.allocation.disk.threshold_enabled", "false",
      "ES_JAVA_OPTS", "-Xms512m -Xmx512m");

  /** LocalStack services the harness uses; {@code SERVICES} in {@code docker-compose.yml}. */
  static final List<String> LOCALSTACK_SERVICES = List.of("lambda", "apigateway", "iam", "logs");

  private static final Logger log = LoggerFactory.getLogger(ContainerStack.class);
  private static volatile Boolean dockerAvailable;

  private final boolean attached;
  private final Network.NetworkImpl network;
  private final ElasticsearchContainer elasticsearch;
  private final ApmServerContainer apmServer;
  private final OtelCollectorContainer collector;
  private final String localStackAuthToken;
  private final TelemetryPath path;
  private final Path logDir;
  private final List<GenericContainer<?>> started = new CopyOnWriteArrayList<>();
  private final List<ComponentLog> logs = new CopyOnWriteArrayList<>();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final RuntimeEmulatorInvoker runtimes = new RuntimeEmulatorInvoker();
  private LocalStackContainer localStack;
  private EmbeddedApiGateway apiGateway;
  private LambdaInvokeApi lambdaApi;
  private Endpoints endpoints;
  private URI localStackEndpoint;
  private URI localLambdaApi;
  private Traces traces;

  private ContainerStack(Endpoints attachedTo) {
    this.attached = true;
    this.endpoints = attachedTo;
    this.localStackEndpoint = attachedTo.lambda();
    this.network = null;
    this.elasticsearch = null;
    this.apmServer = null;
    this.collector = null;
    this.localStackAuthToken = null;
    // docker-compose.yml's collector runs the post's collector.yaml
    this.path = TelemetryPath.APM;
    this.logDir = null;
  }

  private ContainerStack(Builder builder) {
    this.attached = false;
    this.network = Network.builder().build();
    this.logDir = WorkDirs.root().resolve("containers");
    this.localStackAuthToken = builder.localStackAuthToken;
    this.elasticsearch = new ElasticsearchContainer(ContainerImages.ELASTICSEARCH)
        .withNetwork(network)
        .withNetworkAliases(ELASTICSEARCH_ALIAS)
        .withEnv(ELASTICSEARCH_ENV)
        // security is off: there is no CA certificate to copy out after start
        .withCertPath("");
    this.apmServer = new ApmServerContainer(ContainerImages.APM_SERVER)
        .withNetwork(network)
        .withNetworkAliases(APM_SERVER_ALIAS)
        .withElasticsearch("http://" + ELASTICSEARCH_ALIAS + ":" + ELASTICSEARCH_PORT)
        .withSecretToken(builder.secretToken)
        .dependsOn(elasticsearch);
    this.path = builder.path != null ? builder.path : TelemetryPath.configured();
    boolean edot = path == TelemetryPath.EDOT;
    this.collector = new OtelCollectorContainer(ContainerImages.OTEL_COLLECTOR)
        .withNetwork(network)
        .withNetworkAliases(COLLECTOR_ALIAS)
        .withCopyFileToContainer(builder.collectorConfig != null ? MountableFile.forHostPath(builder.collectorConfig)
            : MountableFile.forClasspathResource(edot ? EDOT_COLLECTOR_CONFIG_RESOURCE : COLLECTOR_CONFIG_RESOURCE),
            OtelCollectorContainer.CONFIG_PATH);
    if (edot) {
      // no APM Server in the functions' path: the collector writes OpenTelemetry-native documents
      collector.withElasticsearch("http://" + ELASTICSEARCH_ALIAS + ":" + ELASTICSEARCH_PORT, "").dependsOn(elasticsearch);
    } else {
      collector.withApmServer("http://" + APM_SERVER_ALIAS + ":" + ApmServerContainer.PORT, builder.secretToken)
          .dependsOn(apmServer);
    }
  }

  /** Options of a stack that starts its own containers. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Attaches to the {@code docker-compose.yml} sandbox already running on this machine (ports
   * 9200, 8200, 4317, 4318 and, with the {@code localstack} profile, 4566). Closing the result
   * leaves the sandbox running.
   *
   * @throws IllegalStateException when no sandbox answers on {@code localhost:9200}
   */
  public static ContainerStack attach() {
    String token = System.getenv().getOrDefault("APM_SERVER_TOKEN", DEFAULT_SECRET_TOKEN);
    return attach("localhost", token);
  }

  /** Attaches to a sandbox whose ports are published on {@code host}; see {@link #attach()}. */
  public static ContainerStack attach(String host, String secretToken) {
    URI elasticsearch = URI.create("http://" + host + ":" + ELASTICSEARCH_PORT);
    if (!answers(elasticsearch.resolve("/_cluster/health"))) {
      throw new IllegalStateException("no sandbox answers at " + elasticsearch
          + ": bring it up with sandbox/up.sh (or docker compose up -d --wait)");
    }
    URI localStack = URI.create("http://" + host + ":" + LOCALSTACK_PORT);
    boolean withLocalStack = answers(localStack.resolve("/_localstack/health"));
    Endpoints endpoints = new Endpoints(elasticsearch,
        URI.create("http://" + host + ":" + ApmServerContainer.PORT), secretToken,
        URI.create("http://" + host + ":" + OtelCollectorContainer.OTLP_HTTP_PORT),
        URI.create("http://" + host + ":" + OtelCollectorContainer.OTLP_GRPC_PORT),
        withLocalStack ? localStack : null, null, REGION);
    log.info("attached to the sandbox: elasticsearch {}, apm-server {}, collector {}, lambda {}",
        endpoints.elasticsearch(), endpoints.apmServer(), endpoints.otlpHttp(),
        withLocalStack ? "LocalStack " + localStack : "none (start the localstack profile to deploy functions)");
    return new ContainerStack(endpoints);
  }

  /**
   * Whether a Docker engine answers. Never throws: without Docker (or with a broken client
   * configuration) the answer is {@code false}. Checked once per JVM.
   */
  public static boolean dockerAvailable() {
    Boolean known = dockerAvailable;
    if (known == null) {
      boolean answer;
      try {
        answer = DockerClientFactory.instance().isDockerAvailable();
      } catch (RuntimeException | LinkageError e) {
        log.debug("Docker check failed", e);
        answer = false;
      }
      dockerAvailable = known = answer;
    }
    return known;
  }

  @Override
  public String backend() {
    return "containers";
  }

  @Override
  public TelemetryPath path() {
    return path;
  }

  @Override
  public Endpoints endpoints() {
    if (endpoints == null) {
      throw new IllegalStateException("the containers stack is not started");
    }
    return endpoints;
  }

  @Override
  public List<ComponentLog> logs() {
    return List.copyOf(logs);
  }

  /** The Docker network every container of this stack joins; LocalStack starts functions on it. */
  public String networkName() {
    return attached ? SANDBOX_NETWORK : network.getName();
  }

  /** Whether functions run in LocalStack (auth token given) rather than in Runtime Interface Emulators. */
  public boolean usesLocalStack() {
    return attached ? localStackEndpoint != null : localStackAuthToken != null;
  }

  /**
   * Deploys a function: into LocalStack behind a REST API when it runs, otherwise into its own
   * Lambda base image container. The function exports OTLP straight to the collector container.
   */
  RunningFunction deploy(ContainerFunction function) {
    requireStarted();
    function = function.internalized(hostToContainerPrefixes());
    if (localStackEndpoint != null) {
      return LocalStackDeployer.deploy(localStackEndpoint, function);
    }
    if (attached) {
      throw new IllegalStateException("the sandbox runs functions in LocalStack only: "
          + "set LOCALSTACK_AUTH_TOKEN and bring it up with the localstack profile (sandbox/up.sh does)");
    }
    return startRuntime(function);
  }

  // A function in an AWS Lambda base image with the Runtime Interface Emulator, on this stack's
  // network under its name, behind the harness's own API Gateway; its internal URLs reach that
  // gateway from other containers.
  private RunningFunction startRuntime(ContainerFunction function) {
    LambdaRuntimeContainer runtime = new LambdaRuntimeContainer(function.runtimeImage())
        .withNetwork(network)
        .withNetworkAliases(function.name())
        .withFunctionName(function.name())
        .withHandler(function.handler())
        .withTimeout(function.timeout())
        .withMemorySize(function.memoryMb())
        .withCode(function.code())
        .withEnv(function.containerEnvironment(LAYER_DIR));
    if (function.layer() != null) {
      // a container image takes layers as content in /opt, which is where Lambda unpacks them
      runtime.withCopyFileToContainer(MountableFile.forHostPath(function.layer()), LAYER_DIR);
    }
    start(function.name(), runtime);
    runtimes.register(function.name(), runtime.getInvocationsUrl());
    List<URI> urls = new ArrayList<>();
    List<URI> internal = new ArrayList<>();
    for (ContainerFunction.Route route : function.routes()) {
      URI url = apiGateway.route(route.method(), route.path(), function.name());
      urls.add(url);
      internal.add(URI.create("http://" + HOST_ALIAS + ":" + url.getPort() + url.getRawPath()));
    }
    return new RunningFunction(function.name(), "arn:aws:lambda:" + REGION + ":000000000000:function:" + function.name(),
        urls, internal);
  }

  /**
   * Deploys the function a {@link FunctionSpec} describes (routes, limits, environment, the
   * OpenTelemetry layer with {@code otelLayer()}; see {@link ContainerFunction#of(FunctionSpec)}).
   * The URLs returned reach it from the test host; handed to another function in its environment,
   * they are rewritten to what containers reach.
   */
  @Override
  public Deployment deploy(FunctionSpec spec) {
    RunningFunction deployed = deploy(ContainerFunction.of(spec));
    Map<FunctionSpec.HttpRoute, URI> urls = new LinkedHashMap<>();
    for (int i = 0; i < spec.routes().size(); i++) {
      urls.put(spec.routes().get(i), deployed.urls().get(i));
    }
    return new Deployment(deployed.name(), deployed.arn(), spec, urls);
  }

  @Override
  public synchronized Traces traces() {
    if (traces == null) {
      RestClient rest = RestClient.builder(HttpHost.create(endpoints().elasticsearch().toString())).build();
      traces = Traces.reader(new ElasticsearchClient(new RestClientTransport(rest, new JacksonJsonpMapper())));
    }
    return traces;
  }

  @Override
  public LambdaClient lambdaClient() {
    URI lambda = endpoints().lambda();
    if (lambda == null) {
      throw new IllegalStateException("no Lambda API: the sandbox runs functions in LocalStack only "
          + "(set LOCALSTACK_AUTH_TOKEN and bring it up with the localstack profile)");
    }
    return LambdaClient.builder().endpointOverride(lambda).region(Region.of(REGION))
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
        .httpClient(UrlConnectionHttpClient.create()).build();
  }

  /** What the harness's API Gateway in front of the runtimes saw; LocalStack's requests are not visible. */
  @Override
  public void collectEvidence(Evidence.Builder evidence) {
    if (apiGateway == null) {
      return;
    }
    for (GatewayRequest r : apiGateway.requests()) {
      if (r.function() != null) {
        evidence.gatewayRequest(new Evidence.GatewayRequest(r.time(), r.method(), r.path(), r.function(),
            r.traceparent(), r.xAmznTraceId(), r.status()));
      }
    }
  }

  /**
   * URL prefixes the test host uses and what containers use instead: LocalStack's mapped port is
   * {@code localstack:4566} on the network, the harness's API Gateway is the host port exposed to
   * containers.
   */
  Map<String, String> hostToContainerPrefixes() {
    Map<String, String> prefixes = new LinkedHashMap<>();
    if (localStackEndpoint != null) {
      prefixes.put(localStackEndpoint.toString().replaceAll("/+$", ""),
          "http://" + LOCALSTACK_ALIAS + ":" + LOCALSTACK_PORT);
    }
    if (apiGateway != null) {
      int port = apiGateway.endpoint().getPort();
      prefixes.put("http://127.0.0.1:" + port, "http://" + HOST_ALIAS + ":" + port);
      prefixes.put("http://localhost:" + port, "http://" + HOST_ALIAS + ":" + port);
    }
    return prefixes;
  }

  /** Stops every container this stack started, then its network. Idempotent. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true) || attached) {
      return;
    }
    List<GenericContainer<?>> reverse = new ArrayList<>(started);
    Collections.reverse(reverse);
    for (GenericContainer<?> container : reverse) {
      try {
        container.stop();
      } catch (RuntimeException e) {
        log.warn("could not stop {}: {}", container.getNetworkAliases(), e.toString());
      }
    }
    if (apiGateway != null) {
      apiGateway.close();
    }
    if (lambdaApi != null) {
      lambdaApi.close();
    }
    if (!started.isEmpty()) {
      network.close();
    }
  }

  ElasticsearchContainer elasticsearch() {
    return elasticsearch;
  }

  ApmServerContainer apmServer() {
    return apmServer;
  }

  OtelCollectorContainer collector() {
    return collector;
  }

  /** Environment of the LocalStack container for this stack's network. */
  Map<String, String> localStackEnv() {
    return localStackEnv(network.getName(), localStackAuthToken);
  }

  static Map<String, String> localStackEnv(String networkName, String authToken) {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("LOCALSTACK_AUTH_TOKEN", authToken);
    env.put("SERVICES", String.join(",", LOCALSTACK_SERVICES));
    // function containers join the stack's network, where otel-collector resolves
    env.put("LAMBDA_DOCKER_NETWORK", networkName);
    return env;
  }

  /**
   * Starts the containers (Elasticsearch, APM Server, collector, LocalStack if configured) and returns
   * this stack, started.
   *
   * @throws IllegalStateException when the stack was started or closed before, or is attached to a sandbox
   */
  public ContainerStack start() {
    if (attached || endpoints != null || closed.get()) {
      throw new IllegalStateException("the containers stack is already started, closed, or attached to a sandbox");
    }
    long t0 = System.nanoTime();
    try {
      Files.createDirectories(logDir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (localStackAuthToken != null) {
      // constructed only now: LocalStackContainer asks Docker for its socket path when built
      localStack = new LocalStackContainer(ContainerImages.LOCALSTACK)
          .withNetwork(network)
          .withNetworkAliases(LOCALSTACK_ALIAS)
          .withServices(LOCALSTACK_SERVICES.toArray(String[]::new))
          .withEnv(localStackEnv());
    }
    try {
      attachLog(ELASTICSEARCH_ALIAS, elasticsearch);
      attachLog(APM_SERVER_ALIAS, apmServer);
      attachLog(COLLECTOR_ALIAS, collector);
      started.add(elasticsearch);
      started.add(apmServer);
      started.add(collector);
      if (localStack != null) {
        attachLog(LOCALSTACK_ALIAS, localStack);
        started.add(localStack);
        Startables.deepStart(collector, localStack).join();
        localStackEndpoint = localStack.getEndpoint();
      } else {
        Startables.deepStart(collector).join();
        // functions in Lambda base images sit behind the harness's API Gateway, which they reach
        // (one function calling another) through the host port Testcontainers exposes to them
        apiGateway = EmbeddedApiGateway.builder().invoker(runtimes)
            .logFile(logDir.resolve("apigateway.log")).build().start();
        logs.add(new ComponentLog("apigateway", apiGateway.logFile()));
        Testcontainers.exposeHostPorts(apiGateway.endpoint().getPort());
        lambdaApi = LambdaInvokeApi.start(runtimes, REGION);
        localLambdaApi = lambdaApi.endpoint();
      }
    } catch (RuntimeException e) {
      close();
      throw e;
    }
    endpoints = new Endpoints(
        URI.create("http://" + elasticsearch.getHttpHostAddress()),
        apmServer.getEndpoint(), apmServer.getSecretToken(),
        collector.getOtlpHttpEndpoint(), collector.getOtlpGrpcEndpoint(),
        localStackEndpoint != null ? localStackEndpoint : localLambdaApi,
        apiGateway != null ? apiGateway.endpoint() : null, REGION);
    log.info("containers stack ready in {} ms: elasticsearch {}, apm-server {}, collector {}, lambda {}",
        (System.nanoTime() - t0) / 1_000_000, endpoints.elasticsearch(), endpoints.apmServer(),
        endpoints.otlpHttp(), localStack != null ? "LocalStack " + localStackEndpoint : "Runtime Interface Emulator");
    return this;
  }

  private void start(String name, GenericContainer<?> container) {
    attachLog(name, container);
    started.add(container);
    container.start();
  }

  private void attachLog(String name, GenericContainer<?> container) {
    Path file = logDir.resolve(name + ".log");
    container.withLogConsumer(new FileLogConsumer(file));
    logs.add(new ComponentLog(name, file));
  }

  private void requireStarted() {
    if (endpoints == null || closed.get()) {
      throw new IllegalStateException("the containers stack is not running");
    }
  }

  /** Options of a {@link ContainerStack}. */
  public static final class Builder {

    private String secretToken = DEFAULT_SECRET_TOKEN;
    private Path collectorConfig;
    private String localStackAuthToken = blankToNull(System.getenv("LOCALSTACK_AUTH_TOKEN"));
    private TelemetryPath path;

    private Builder() {
    }

    /**
     * How the functions' telemetry reaches Elasticsearch: {@link TelemetryPath#APM} (the post's
     * collector.yaml to APM Server) or {@link TelemetryPath#EDOT} (Elastic's gateway configuration,
     * the collector's {@code elasticsearch} exporter straight to Elasticsearch). Default
     * {@code -Dtraceharness.path}, else APM. APM Server runs either way, for the client's agent.
     */
    public Builder path(TelemetryPath path) {
      this.path = Objects.requireNonNull(path, "path");
      return this;
    }

    /** APM Server's secret token, also handed to the collector ({@code APM_SERVER_TOKEN}). */
    public Builder secretToken(String token) {
      this.secretToken = Objects.requireNonNull(token, "token");
      return this;
    }

    /**
     * The collector configuration to run; default the post's, {@code io/traceharness/containers/collector.yaml}
     * (on the EDOT path {@code edot-collector.yaml}).
     */
    public Builder collectorConfig(Path file) {
      this.collectorConfig = Objects.requireNonNull(file, "file");
      return this;
    }

    /**
     * Runs functions in LocalStack with this auth token; {@code null} or blank runs them in
     * Lambda base images instead. Default: the {@code LOCALSTACK_AUTH_TOKEN} environment variable.
     */
    public Builder localStackAuthToken(String token) {
      this.localStackAuthToken = blankToNull(token);
      return this;
    }

    /** The stack, configured but not started: no Docker call happens until {@link ContainerStack#start()}. */
    public ContainerStack build() {
      return new ContainerStack(this);
    }

    private static String blankToNull(String s) {
      return s == null || s.isBlank() ? null : s;
    }
  }

  /** Readiness check shared with the sandbox: a GET that answers 2xx. */
  static boolean answers(URI uri) {
    try {
      HttpResponse<Void> response = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build()
          .send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).GET().build(),
              HttpResponse.BodyHandlers.discarding());
      return response.statusCode() / 100 == 2;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
