package io.traceharness.lambda;

import com.linecorp.armeria.server.Server;
import com.linecorp.armeria.server.ServerBuilder;
import io.traceharness.support.WorkDirs;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.lambda.LambdaClient;

/**
 * An emulated AWS Lambda service that runs functions in real runtime processes: the AWS runtime
 * interface client for {@code java11}/{@code java17}/{@code java21}, a Node.js bootstrap for
 * {@code nodejs18.x}/{@code nodejs20.x}/{@code nodejs22.x}. Its control plane speaks Lambda's REST API, so the AWS SDK's
 * {@code LambdaClient} drives it unchanged ({@link #client()}, or your own with
 * {@code endpointOverride(emulator.endpoint())}, any static credentials and {@link #region()}).
 *
 * <pre>{@code
 * try (LambdaEmulator lambda = LambdaEmulator.builder().build().start()) {
 *   DeployedFunction fn = lambda.deploy(FunctionDefinition.nodejs("hello", "index.handler")
 *       .code(Path.of("target/hello.zip")).build());
 *   InvokeResult r = fn.invoke("{}");
 *   System.out.println(r.payloadAsString() + "\n" + Files.readString(lambda.logFile("hello")));
 * }
 * }</pre>
 *
 * <h2>Execution environments</h2>
 * Each environment is one child process ({@link io.traceharness.support.ChildProcess}: it dies with
 * this JVM, even on SIGKILL) with its own Runtime API on a loopback port. It serves one invocation at a
 * time; a busy function gets another one up to its reserved concurrency and the account limit
 * ({@link Builder#accountConcurrency(int)}, default 10), beyond which {@code Invoke} answers 429
 * {@code TooManyRequestsException} as Lambda does (the SDK retries it like Lambda's throttles).
 * Idle environments are reaped after {@link Builder#keepAlive(Duration)}; a timed-out one is shut
 * down and replaced; a configuration or code update retires the old ones. Each ends with Lambda's
 * Shutdown phase (SIGTERM to the runtime when an extension is registered, {@code SHUTDOWN} to the
 * external extensions, SIGKILL at AWS's limits).
 *
 * <h2>No chroot: {@code /var/task} and {@code /opt}</h2>
 * Each function version gets a task root (the zip extracted; the working directory and
 * {@code LAMBDA_TASK_ROOT}) and an opt dir (its layers extracted in order). In the function's
 * environment values, {@code /opt} and {@code /var/task} paths (anywhere in a value, e.g.
 * {@code JAVA_TOOL_OPTIONS=-javaagent:/opt/agent.jar} or {@code AWS_LAMBDA_EXEC_WRAPPER=/opt/otel-handler})
 * are rewritten to those directories, and {@code TRACEHARNESS_OPT_DIR} names the opt dir, so layer
 * scripts written as {@code ${TRACEHARNESS_OPT_DIR:-/opt}} work here and in a real Lambda.
 * {@code AWS_LAMBDA_EXEC_WRAPPER} is honoured as Lambda does: the runtime's command becomes
 * {@code <wrapper> <original command…>}. The Java RIC hard-codes {@code /opt/java/lib} for layer
 * jars; here those jars are linked into the task root's {@code lib/} under a {@code ~opt-java-lib-}
 * prefix, which sorts them after the function's own jars as the RIC's class loader would order them.
 * {@code TRACEHARNESS_RUNTIME_API} repeats the Runtime API's {@code host:port} so instrumentation can
 * ignore the bootstrap's own calls.
 *
 * <h2>Logs</h2>
 * Each function's log, as CloudWatch shows it ({@code INIT_START}, {@code START}, the runtime's
 * output, {@code END}, {@code REPORT} with durations and memory), is kept in
 * {@code <work dir>/lambda/<function>.log} ({@link #logFile(String)}, {@link #logs(String)}); a
 * {@link Builder#logSubscriber} gets each line as a CloudWatch Logs subscription does ({@link LogEvents}).
 *
 * <h2>Parts</h2>
 * This class is the facade. The {@code FunctionRegistry} holds functions and layers (the control
 * plane and {@link #deploy(FunctionDefinition)} both change them there), the {@code InstancePool} the
 * execution environments and the concurrency limits, the {@code Invoker} runs invocations in them,
 * {@code RuntimeEnvironment} starts their processes and {@code CloudWatchLog} writes the logs.
 *
 * <h2>Hooks for the stack</h2>
 * {@link Builder#environmentHook(EnvironmentHook)} sees each environment before its process starts (and adds
 * environment entries) and after it ends; {@link #invoke(String, byte[], InvokeOptions)} is the
 * in-process {@code Invoke} API Gateway uses; {@link #function(String)} and {@link #invocations()}
 * tell what the service holds and did.
 *
 * <h2>Differences from AWS</h2>
 * Only {@code $LATEST} exists (no versions or aliases); code comes as zip bytes only; asynchronous
 * invocations are not retried; the init phase may last {@link Builder#initTimeout(Duration)} (default
 * 30 s rather than Lambda's 10 s, as this machine may be busy); {@code javaNN} runs on an installed
 * JDK of that major version if there is one, else on this JVM, and Node runtimes on the {@code node}
 * found on {@code PATH}; the Node bootstrap answers as soon as the handler's promise or callback
 * settles ({@code callbackWaitsForEmptyEventLoop} is not honoured).
 */
public final class LambdaEmulator implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(LambdaEmulator.class);

  private final String region;
  private final String accountId;
  private final int accountConcurrency;
  private final Duration keepAlive;
  private final Path workDir;
  private final int port;
  private final Workers workers = new Workers();
  private final FreezeStats freezes;
  private final InstancePool pool;
  private final FunctionRegistry registry;
  private final CloudWatchLog log;
  private final Invoker invoker;
  private volatile boolean stopped;
  private Server server;
  private volatile LambdaClient client;
  private final Thread shutdownHook = new Thread(this::stop, "lambda-emulator-shutdown");

  private LambdaEmulator(Builder b) {
    this.region = b.region;
    this.accountId = b.accountId;
    this.accountConcurrency = b.accountConcurrency;
    this.keepAlive = b.keepAlive;
    this.workDir = b.workDir != null ? b.workDir : WorkDirs.root().resolve("lambda");
    this.port = b.port;
    this.freezes = b.freeze ? new FreezeStats() : null;
    this.pool = new InstancePool(accountConcurrency, keepAlive, workDir, workers, freezes);
    this.registry = new FunctionRegistry(region, accountId, workDir, b.activationDelay, pool);
    this.log = new CloudWatchLog(workDir, region, accountId, b.logSubscriber);
    this.invoker = new Invoker(registry, pool, new RuntimeEnvironment(region, b.initTimeout, b.hook, workers), log,
        workers);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Binds the control plane on 127.0.0.1 and returns this emulator, running. */
  public synchronized LambdaEmulator start() {
    if (server != null) {
      throw new IllegalStateException("the Lambda emulator is already started");
    }
    long t0 = System.nanoTime();
    try {
      Files.createDirectories(workDir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    ServerBuilder sb = Server.builder()
        .http(new InetSocketAddress("127.0.0.1", port))
        .requestTimeoutMillis(0)
        .maxRequestLength(FunctionRegistry.MAX_ZIP_BYTES * 2L);
    new ControlPlane(registry, invoker, this::endpoint).addTo(sb);
    server = sb.build();
    server.start().join();
    Runtime.getRuntime().addShutdownHook(shutdownHook);
    long period = Math.max(200, Math.min(5_000, keepAlive.toMillis() / 4));
    workers.scheduler().scheduleWithFixedDelay(pool::reap, period, period, TimeUnit.MILLISECONDS);
    LOG.info("Lambda emulator ready at {} in {} ms (region {}, account {}, concurrency {}, logs {})", endpoint(),
        (System.nanoTime() - t0) / 1_000_000, region, accountId, accountConcurrency, workDir);
    return this;
  }

  /** The control plane's URL, for {@code LambdaClient.builder().endpointOverride(...)}. */
  public URI endpoint() {
    return URI.create("http://127.0.0.1:" + server.activeLocalPort());
  }

  public String region() {
    return region;
  }

  public String accountId() {
    return accountId;
  }

  /**
   * Lambda's {@code InvalidParameterValueException} message for a runtime it no longer accepts, or
   * {@code null} when the runtime may be used; for tools that check a descriptor before deploying.
   */
  public static String deprecatedRuntimeMessage(String runtime) {
    return Runtimes.refusal(runtime);
  }

  /** The runtimes this emulator runs. */
  public static java.util.SortedSet<String> supportedRuntimes() {
    return new java.util.TreeSet<>(Runtimes.SUPPORTED);
  }

  /** A {@code LambdaClient} pointed at this emulator (static test credentials; long read timeout). */
  public LambdaClient client() {
    LambdaClient c = client;
    if (c == null) {
      synchronized (this) {
        c = client;
        if (c == null) {
          c = newClient();
          client = c;
        }
      }
    }
    return c;
  }

  /** A new {@code LambdaClient} for this emulator, configured as {@link #client()}; the caller closes it. */
  public LambdaClient newClient() {
    return LambdaClient.builder()
        .endpointOverride(endpoint())
        .region(Region.of(region))
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
        .httpClient(UrlConnectionHttpClient.builder().socketTimeout(Duration.ofMinutes(16)).build())
        .build();
  }

  /**
   * Deploys the function as {@code CreateFunction} would (or, when it exists,
   * {@code UpdateFunctionCode} and {@code UpdateFunctionConfiguration}), and returns once it is
   * {@code Active}. The timeout is rounded up to whole seconds, as Lambda counts it; without a role
   * the function gets this account's {@code lambda-role}.
   */
  public DeployedFunction deploy(FunctionDefinition definition) {
    long timeoutSeconds = Math.max(1, (definition.timeout().toMillis() + 999) / 1000);
    FunctionDefinition.Builder requested = definition.toBuilder().timeout(Duration.ofSeconds(timeoutSeconds));
    if (definition.role() == null) {
      requested.role("arn:aws:iam::" + accountId + ":role/lambda-role");
    }
    FunctionConfig deployed = registry.deploy(requested.build(), Zips.read(definition.code()));
    return new DeployedFunction(this, definition, deployed.arn());
  }

  /** {@link #deploy(FunctionDefinition)} of {@code definition.build()}. */
  public DeployedFunction deploy(FunctionDefinition.Builder definition) {
    return deploy(definition.build());
  }

  /**
   * Publishes a layer version as {@code PublishLayerVersion} does and returns its version ARN, for
   * {@code FunctionDefinition.Builder.layer(arn)}.
   *
   * @param content a layer zip, or a directory laid out as {@code /opt} (zipped here)
   */
  public String publishLayer(String name, Path content, String description, List<String> compatibleRuntimes) {
    return registry.publishLayer(name, Zips.read(content), description, compatibleRuntimes).layerVersionArn();
  }

  /**
   * A synchronous ({@code RequestResponse}) invoke from inside this JVM, as API Gateway's Lambda
   * integration makes it. Function errors come back as results (200 + {@code functionError}); refusals
   * by the service (unknown function, throttling…) as results with {@code serviceError}.
   */
  public InvokeResult invoke(String functionName, byte[] payload, InvokeOptions options) {
    try {
      return invoker.invoke(functionName, payload, options).join();
    } catch (ServiceException e) {
      return serviceErrorResult(e);
    } catch (CompletionException e) {
      if (e.getCause() instanceof ServiceException se) {
        return serviceErrorResult(se);
      }
      throw e;
    }
  }

  private static InvokeResult serviceErrorResult(ServiceException e) {
    return new InvokeResult(e.status(), e.body().toString().getBytes(StandardCharsets.UTF_8), null, null,
        UUID.randomUUID().toString(), null, e.type());
  }

  /** The function's configuration as of now, with its state and tracing mode. */
  public Optional<FunctionConfig> function(String name) {
    LambdaFunction fn = registry.find(name);
    return fn == null ? Optional.empty() : Optional.of(fn.config());
  }

  /** Every invocation so far, oldest first. */
  public List<Invocation> invocations() {
    return invoker.invocations();
  }

  /** The function's log so far (empty when it has none). */
  /** Each environment's freezes, Shutdown phases and invocations held open by an extension, for diagnosis. */
  public LifecycleLog lifecycle() {
    return pool.lifecycle();
  }

  /** The cost of freezing and thawing environments, or {@code null} when built with {@code freeze(false)}. */
  public FreezeStats freezeStats() {
    return freezes;
  }

  public String logs(String functionName) {
    return log.read(functionName);
  }

  /** Where the function's log is written ({@link #logs(String)} reads it). */
  public Path logFile(String functionName) {
    return log.logFile(functionName);
  }

  /** Live execution environments per function (busy or idle). */
  public Map<String, Integer> instanceCounts() {
    return pool.counts();
  }

  /** The functions the service holds, by name (read-only snapshots). */
  public List<FunctionConfig> functions() {
    return registry.functions().stream().filter(fn -> !fn.deleted()).map(LambdaFunction::config).toList();
  }

  /**
   * The live execution environments (busy or idle, warm), per function in order of first use, with
   * the invocations each served so far.
   */
  public List<ExecutionEnvironment> environments() {
    List<Invocation> all = invocations();
    List<ExecutionEnvironment> out = new ArrayList<>();
    for (InstancePool.Live live : pool.live()) {
      String id = live.instance().id();
      List<Invocation> mine = all.stream().filter(i -> id.equals(i.instanceId())).toList();
      Duration init = mine.stream().map(Invocation::initDuration).filter(java.util.Objects::nonNull).findFirst().orElse(null);
      Instant last = mine.isEmpty() ? null : mine.get(mine.size() - 1).start();
      out.add(new ExecutionEnvironment(live.function(), id, live.busy(), mine.size(), init, last));
    }
    return out;
  }

  /** Process ids (watchdog process groups) of the live runtime processes, for leak checks. */
  public List<Long> runtimePids() {
    return pool.runtimePids();
  }

  @Override
  public void close() {
    stop();
  }

  /** Kills every execution environment and stops the control plane. */
  public synchronized void stop() {
    if (stopped) {
      return;
    }
    stopped = true;
    if (Thread.currentThread() != shutdownHook && server != null) {
      try {
        Runtime.getRuntime().removeShutdownHook(shutdownHook);
      } catch (IllegalStateException shuttingDown) {
        // the JVM is exiting: the hook runs anyway
      }
    }
    List<Instance> all = pool.stop();
    all.parallelStream().forEach(Instance::stop);
    if (client != null) {
      client.close();
    }
    if (server != null) {
      server.stop().join();
    }
    workers.shutdown();
    LOG.info("Lambda emulator stopped ({} execution environments killed)", all.size());
  }

  /** Options; {@link #build()} makes the emulator, {@link LambdaEmulator#start()} runs it. */
  public static final class Builder {
    private String region = "us-east-1";
    private String accountId = "000000000000";
    private int accountConcurrency = 10;
    private Duration keepAlive = Duration.ofMinutes(5);
    private Duration initTimeout = Duration.ofSeconds(30);
    private Duration activationDelay = Duration.ZERO;
    private EnvironmentHook hook;
    private java.util.function.Consumer<LogEvents> logSubscriber;
    private boolean freeze = true;
    private Path workDir;
    private int port;

    private Builder() {
    }

    public Builder region(String region) {
      this.region = region;
      return this;
    }

    public Builder accountId(String accountId) {
      this.accountId = accountId;
      return this;
    }

    /** Concurrent executions across all functions (Lambda's account limit); default 10. */
    public Builder accountConcurrency(int limit) {
      this.accountConcurrency = limit;
      return this;
    }

    /** How long an idle execution environment stays warm; default 5 minutes. */
    public Builder keepAlive(Duration keepAlive) {
      this.keepAlive = keepAlive;
      return this;
    }

    /** How long a runtime may take to reach its first {@code /next}; default 30 s. */
    public Builder initTimeout(Duration initTimeout) {
      this.initTimeout = initTimeout;
      return this;
    }

    /**
     * How long a new function stays {@code Pending} (and an update {@code InProgress}) after the
     * call returns; default zero, so the SDK's waiters see {@code Active} at their first poll.
     */
    public Builder activationDelay(Duration delay) {
      this.activationDelay = delay;
      return this;
    }

    /**
     * Whether execution environments freeze between invocations, as in AWS (default true): once the
     * runtime and every extension wait for their next event, their processes are stopped (SIGSTOP to
     * each process group) and the environment hook is told ({@link EnvironmentHook#frozen}); the next
     * invocation thaws them. Off, they keep running between invocations.
     */
    public Builder freeze(boolean freeze) {
      this.freeze = freeze;
      return this;
    }

    public Builder environmentHook(EnvironmentHook hook) {
      this.hook = hook;
      return this;
    }

    /**
     * Gets every line of the functions' logs as it is written, as a CloudWatch Logs subscription filter
     * (empty pattern) on each {@code /aws/lambda/<function>} group delivers it: an invocation's block at its
     * end, an environment's Shutdown output when it ends. Called on the service's threads, in log order
     * per function; keep it quick (hand the events to a queue).
     */
    public Builder logSubscriber(java.util.function.Consumer<LogEvents> subscriber) {
      this.logSubscriber = subscriber;
      return this;
    }

    /** Where logs, task roots and opt dirs go; default {@code <work dir>/lambda}. */
    public Builder workDir(Path workDir) {
      this.workDir = workDir;
      return this;
    }

    /** Control plane port; default a free one. */
    public Builder port(int port) {
      this.port = port;
      return this;
    }

    public LambdaEmulator build() {
      return new LambdaEmulator(this);
    }
  }
}
