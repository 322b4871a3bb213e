package io.traceharness.lambda;

import io.traceharness.stack.FunctionSpec;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.linecorp.armeria.server.Server;
import io.traceharness.support.WorkDirs;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.CreateFunctionRequest;
import software.amazon.awssdk.services.lambda.model.Environment;
import software.amazon.awssdk.services.lambda.model.FunctionCode;
import software.amazon.awssdk.services.lambda.model.ResourceConflictException;
import software.amazon.awssdk.services.lambda.model.TracingConfig;
import software.amazon.awssdk.services.lambda.model.TracingMode;

/**
 * An emulated AWS Lambda service that runs functions in real runtime processes: the AWS runtime
 * interface client for {@code java11}/{@code java17}/{@code java21}, a Node.js bootstrap for
 * {@code nodejs18.x}/{@code nodejs20.x}/{@code nodejs22.x}. Its control plane speaks Lambda's REST API, so the AWS SDK's
 * {@code LambdaClient} drives it unchanged ({@link #client()}, or your own with
 * {@code endpointOverride(emulator.endpoint())}, any static credentials and {@link #region()}).
 *
 * <pre>{@code
 * try (LambdaEmulator lambda = LambdaEmulator.builder().start()) {
 *   DeployedFunction fn = lambda.deploy(FunctionSpec.nodejs("hello", "index.handler")
 *       .code(Path.of("target/hello.zip")).build());
 *   InvokeResult r = fn.invoke("{}");
 *   System.out.println(r.payloadAsString() + "\n" + lambda.logs("hello"));
 * }
 * }</pre>
 *
 * <h2>Execution environments</h2>
 * Each environment is one child process ({@link io.traceharness.support.ChildProcess}: it dies with
 * this JVM, even on SIGKILL) with its own Runtime API on a loopback port. It serves one invocation at a
 * time; a busy function gets another one up to its reserved concurrency and the account limit
 * ({@link Builder#accountConcurrency(int)}, default 10), beyond which {@code Invoke} answers 429
 * {@code TooManyRequestsException} as Lambda does (the SDK retries it like Lambda's throttles).
 * Idle environments are reaped after {@link Builder#keepAlive(Duration)}; a timed-out one is killed
 * and replaced; a configuration or code update retires the old ones.
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
 * {@code <work dir>/lambda/<function>.log} ({@link #logs(String)}).
 *
 * <h2>Hooks for the stack</h2>
 * {@link Builder#sandboxHook(SandboxHook)} sees each environment before its process starts (and adds
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
  static final int MAX_PAYLOAD_BYTES = 6_291_456;
  static final int MAX_ZIP_BYTES = 50 * 1024 * 1024;
  private static final DateTimeFormatter STREAM_DATE = DateTimeFormatter.ofPattern("yyyy/MM/dd");
  private static final Pattern OPT = Pattern.compile("(?<![\\w.\\-/])/opt(?=/|$|[:;,\\s\"'=])");
  private static final Pattern TASK = Pattern.compile("(?<![\\w.\\-/])/var/task(?=/|$|[:;,\\s\"'=])");
  static final Set<String> RESERVED = Set.of("_HANDLER", "_X_AMZN_TRACE_ID", "AWS_DEFAULT_REGION", "AWS_REGION",
      "AWS_EXECUTION_ENV", "AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
      "AWS_LAMBDA_FUNCTION_VERSION", "AWS_LAMBDA_INITIALIZATION_TYPE", "AWS_LAMBDA_LOG_GROUP_NAME",
      "AWS_LAMBDA_LOG_STREAM_NAME", "AWS_ACCESS_KEY", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
      "AWS_SESSION_TOKEN", "AWS_LAMBDA_RUNTIME_API", "LAMBDA_TASK_ROOT", "LAMBDA_RUNTIME_DIR");

  // ZipFile in CreateFunction/PublishLayerVersion is base64 of up to 50 MB: beyond Jackson's default 20 M chars
  final ObjectMapper json = new ObjectMapper(com.fasterxml.jackson.core.JsonFactory.builder()
      .streamReadConstraints(com.fasterxml.jackson.core.StreamReadConstraints.builder()
          .maxStringLength(MAX_ZIP_BYTES / 3 * 4 + 1024).build())
      .build());
  private final String region;
  private final String accountId;
  private final int accountConcurrency;
  private final Duration keepAlive;
  private final Duration initTimeout;
  private final Duration activationDelay;
  private final SandboxHook hook;
  private final Path workDir;
  private final Object lock = new Object();
  private final Map<String, LambdaFunction> functions = new ConcurrentHashMap<>();
  private final Map<String, LayerVersion> layers = new ConcurrentHashMap<>();
  private final Map<String, AtomicLong> layerCounters = new ConcurrentHashMap<>();
  private final List<Invocation> invocations = Collections.synchronizedList(new ArrayList<>());
  private final ExecutorService blocking;
  private final ScheduledExecutorService scheduler;
  private final AtomicInteger instanceCounter = new AtomicInteger();
  private int accountInFlight;
  private volatile boolean stopped;
  private Server server;
  private volatile LambdaClient client;
  private final Thread shutdownHook = new Thread(this::stop, "lambda-emulator-shutdown");

  private LambdaEmulator(Builder b) {
    this.region = b.region;
    this.accountId = b.accountId;
    this.accountConcurrency = b.accountConcurrency;
    this.keepAlive = b.keepAlive;
    this.initTimeout = b.initTimeout;
    this.activationDelay = b.activationDelay;
    this.hook = b.hook;
    this.workDir = b.workDir != null ? b.workDir : WorkDirs.root().resolve("lambda");
    this.blocking = Executors.newCachedThreadPool(daemon("lambda-emulator"));
    this.scheduler = Executors.newScheduledThreadPool(1, daemon("lambda-emulator-timer"));
  }

  public static Builder builder() {
    return new Builder();
  }

  private LambdaEmulator start(int port) {
    long t0 = System.nanoTime();
    try {
      Files.createDirectories(workDir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    server = Server.builder()
        .http(new InetSocketAddress("127.0.0.1", port))
        .requestTimeoutMillis(0)
        .maxRequestLength(MAX_ZIP_BYTES * 2L)
        .serviceUnder("/", new ControlPlane(this))
        .build();
    server.start().join();
    Runtime.getRuntime().addShutdownHook(shutdownHook);
    long period = Math.max(200, Math.min(5_000, keepAlive.toMillis() / 4));
    scheduler.scheduleWithFixedDelay(this::reap, period, period, TimeUnit.MILLISECONDS);
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
   * Deploys through the control plane as a user would: {@code CreateFunction} (or, when the function
   * exists, {@code UpdateFunctionCode} and {@code UpdateFunctionConfiguration}) and waits until it is
   * {@code Active}.
   */
  public DeployedFunction deploy(FunctionSpec spec) {
    LambdaClient c = client();
    SdkBytes zip = SdkBytes.fromByteArray(Zips.read(spec.code()));
    int timeoutSeconds = (int) Math.max(1, (spec.timeout().toMillis() + 999) / 1000);
    String arn;
    try {
      arn = c.createFunction(CreateFunctionRequest.builder()
          .functionName(spec.name())
          .runtime(spec.runtime())
          .handler(spec.handler())
          .role("arn:aws:iam::" + accountId + ":role/lambda-role")
          .code(FunctionCode.builder().zipFile(zip).build())
          .timeout(timeoutSeconds)
          .memorySize(spec.memoryMb())
          .environment(Environment.builder().variables(spec.env()).build())
          .tracingConfig(TracingConfig.builder().mode(spec.activeTracing() ? TracingMode.ACTIVE : TracingMode.PASS_THROUGH).build())
          .layers(spec.layers())
          .build()).functionArn();
    } catch (ResourceConflictException exists) {
      c.updateFunctionCode(r -> r.functionName(spec.name()).zipFile(zip));
      c.waiter().waitUntilFunctionUpdatedV2(r -> r.functionName(spec.name()));
      arn = c.updateFunctionConfiguration(r -> r.functionName(spec.name())
          .runtime(spec.runtime())
          .handler(spec.handler())
          .timeout(timeoutSeconds)
          .memorySize(spec.memoryMb())
          .environment(Environment.builder().variables(spec.env()).build())
          .tracingConfig(TracingConfig.builder().mode(spec.activeTracing() ? TracingMode.ACTIVE : TracingMode.PASS_THROUGH).build())
          .layers(spec.layers())).functionArn();
    }
    if (spec.reservedConcurrency() != null) {
      c.putFunctionConcurrency(r -> r.functionName(spec.name()).reservedConcurrentExecutions(spec.reservedConcurrency()));
    }
    c.waiter().waitUntilFunctionActiveV2(r -> r.functionName(spec.name()));
    return new DeployedFunction(this, spec, arn);
  }

  /** {@link #deploy(FunctionSpec)} of {@code spec.build()}. */
  public DeployedFunction deploy(FunctionSpec.Builder spec) {
    return deploy(spec.build());
  }

  /**
   * A synchronous ({@code RequestResponse}) invoke from inside this JVM, as API Gateway's Lambda
   * integration makes it. Function errors come back as results (200 + {@code functionError}); refusals
   * by the service (unknown function, throttling…) as results with {@code serviceError}.
   */
  public InvokeResult invoke(String functionName, byte[] payload, InvokeOptions options) {
    try {
      return invokeAsync(functionName, payload, options).join();
    } catch (ServiceException e) {
      return serviceErrorResult(e);
    } catch (CompletionException e) {
      if (e.getCause() instanceof ServiceException se) {
        return serviceErrorResult(se);
      }
      throw e;
    }
  }

  private InvokeResult serviceErrorResult(ServiceException e) {
    return new InvokeResult(e.status(), e.body().toString().getBytes(StandardCharsets.UTF_8), null, null,
        UUID.randomUUID().toString(), null, e.type());
  }

  /** The function's configuration as of now, with its state and tracing mode. */
  public Optional<FunctionConfig> function(String name) {
    LambdaFunction fn = functions.get(functionName(name));
    return fn == null ? Optional.empty() : Optional.of(fn.config());
  }

  /** Every invocation so far, oldest first. */
  public List<Invocation> invocations() {
    synchronized (invocations) {
      return List.copyOf(invocations);
    }
  }

  /** The function's log so far (empty when it has none). */
  public String logs(String functionName) {
    Path f = logFile(functionName);
    try {
      return Files.isRegularFile(f) ? Files.readString(f) : "";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public Path logFile(String functionName) {
    return workDir.resolve(functionName(functionName) + ".log");
  }

  /** Live execution environments per function (busy or idle). */
  public Map<String, Integer> instanceCounts() {
    synchronized (lock) {
      Map<String, Integer> m = new LinkedHashMap<>();
      functions.values().forEach(f -> m.put(f.name, f.instances.size()));
      return m;
    }
  }

  /** Process ids (watchdog process groups) of the live runtime processes, for leak checks. */
  public List<Long> runtimePids() {
    synchronized (lock) {
      List<Long> pids = new ArrayList<>();
      for (LambdaFunction f : functions.values()) {
        for (Instance i : f.instances) {
          if (i.process() != null && i.process().isAlive()) {
            pids.add(i.process().pid());
          }
        }
      }
      return pids;
    }
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
    if (Thread.currentThread() != shutdownHook) {
      try {
        Runtime.getRuntime().removeShutdownHook(shutdownHook);
      } catch (IllegalStateException shuttingDown) {
        // the JVM is exiting: the hook runs anyway
      }
    }
    List<Instance> all = new ArrayList<>();
    synchronized (lock) {
      functions.values().forEach(f -> {
        all.addAll(f.instances);
        f.instances.clear();
        f.idle.clear();
      });
    }
    all.parallelStream().forEach(Instance::stop);
    if (client != null) {
      client.close();
    }
    if (server != null) {
      server.stop().join();
    }
    scheduler.shutdownNow();
    blocking.shutdownNow();
    LOG.info("Lambda emulator stopped ({} execution environments killed)", all.size());
  }

  // ---- service operations (used by the control plane) ----

  String arn(String name) {
    return "arn:aws:lambda:" + region + ":" + accountId + ":function:" + name;
  }

  /** A function name from a name, a partial ARN or an ARN (qualifier dropped). */
  static String functionName(String nameOrArn) {
    String s = nameOrArn;
    int i = s.indexOf("function:");
    if (i >= 0) {
      s = s.substring(i + "function:".length());
      int q = s.indexOf(':');
      if (q >= 0) {
        s = s.substring(0, q);
      }
    }
    return s;
  }

  LambdaFunction require(String nameOrArn) {
    LambdaFunction fn = functions.get(functionName(nameOrArn));
    if (fn == null || fn.deleted) {
      throw ServiceException.notFound("Function not found: " + arn(functionName(nameOrArn)));
    }
    return fn;
  }

  List<LambdaFunction> functions() {
    return functions.values().stream().sorted((a, b) -> a.name.compareTo(b.name)).toList();
  }

  FunctionConfig create(FunctionConfig requested, byte[] zip) {
    validate(requested, zip);
    String name = requested.name();
    LambdaFunction fn = new LambdaFunction(name, workDir.resolve("functions").resolve(name), logFile(name));
    if (functions.putIfAbsent(name, fn) != null) {
      throw ServiceException.conflict("Function already exist: " + name);
    }
    try {
      fn.code = zip;
      fn.deployment = layout(fn, requested, zip);
      fn.pendingUntilNanos = System.nanoTime() + activationDelay.toNanos();
      return new FunctionConfig(requested.name(), requested.arn(), requested.runtime(), requested.handler(),
          requested.memoryMb(), requested.timeout(), requested.environment(), requested.tracingMode(),
          requested.layers(), "Pending", null, fn.deployment.config().codeSha256(), zip.length,
          requested.reservedConcurrency(), fn.deployment.config().lastModified(), fn.deployment.config().revisionId(),
          requested.role(), requested.description());
    } catch (RuntimeException e) {
      functions.remove(name, fn);
      throw e;
    }
  }

  /** Applies a new configuration and/or code: a new deployment; old environments retire. */
  FunctionConfig update(LambdaFunction fn, FunctionConfig requested, byte[] newZip) {
    synchronized (fn) {
      if ("InProgress".equals(fn.lastUpdateStatus()) || "Pending".equals(fn.state())) {
        throw ServiceException.conflict("The operation cannot be performed at this time. An update is in progress for "
            + "resource: " + fn.deployment.config().arn());
      }
      byte[] zip = newZip != null ? newZip : fn.code;
      validate(requested, zip);
      Deployment d = layout(fn, requested, zip);
      fn.code = zip;
      fn.deployment = d;
      fn.updatingUntilNanos = System.nanoTime() + activationDelay.toNanos();
      retireStale(fn);
      FunctionConfig c = fn.config();
      return new FunctionConfig(c.name(), c.arn(), c.runtime(), c.handler(), c.memoryMb(), c.timeout(),
          c.environment(), c.tracingMode(), c.layers(), c.state(), "InProgress", c.codeSha256(), c.codeSize(),
          c.reservedConcurrency(), c.lastModified(), c.revisionId(), c.role(), c.description());
    }
  }

  void setReservedConcurrency(LambdaFunction fn, Integer reserved) {
    synchronized (fn) {
      Deployment d = fn.deployment;
      FunctionConfig c = d.config();
      fn.deployment = new Deployment(new FunctionConfig(c.name(), c.arn(), c.runtime(), c.handler(), c.memoryMb(),
          c.timeout(), c.environment(), c.tracingMode(), c.layers(), c.state(), c.lastUpdateStatus(), c.codeSha256(),
          c.codeSize(), reserved, c.lastModified(), c.revisionId(), c.role(), c.description()), d.generation(),
          d.taskRoot(), d.optDir());
    }
  }

  void delete(LambdaFunction fn) {
    fn.deleted = true;
    functions.remove(fn.name, fn);
    List<Instance> doomed;
    synchronized (lock) {
      doomed = new ArrayList<>(fn.instances);
      fn.instances.clear();
      fn.idle.clear();
    }
    doomed.forEach(i -> background(i::stop));
  }

  LayerVersion publishLayer(String name, byte[] zip, String description, List<String> compatibleRuntimes) {
    if (zip.length > MAX_ZIP_BYTES) {
      throw ServiceException.tooLarge("Request must be smaller than " + MAX_ZIP_BYTES + " bytes for the PublishLayerVersion operation");
    }
    long version = layerCounters.computeIfAbsent(name, k -> new AtomicLong()).incrementAndGet();
    String layerArn = "arn:aws:lambda:" + region + ":" + accountId + ":layer:" + name;
    Path content = workDir.resolve("layers").resolve(name).resolve(Long.toString(version));
    Zips.deleteTree(content);
    Zips.extract(zip, content);
    LayerVersion lv = new LayerVersion(name, version, layerArn, layerArn + ":" + version, content, Zips.sha256(zip),
        zip.length, description, compatibleRuntimes, Instant.now());
    layers.put(lv.layerVersionArn(), lv);
    return lv;
  }

  LayerVersion layer(String name, long version) {
    LayerVersion lv = layers.get("arn:aws:lambda:" + region + ":" + accountId + ":layer:" + name + ":" + version);
    if (lv == null) {
      throw ServiceException.notFound("The resource you requested does not exist.");
    }
    return lv;
  }

  LayerVersion layerByArn(String arn) {
    return layers.get(arn);
  }

  private void validate(FunctionConfig c, byte[] zip) {
    if (!Runtimes.SUPPORTED.contains(c.runtime())) {
      throw ServiceException.invalid("Value " + c.runtime() + " at 'runtime' failed to satisfy constraint: Member must "
          + "satisfy enum value set: " + Runtimes.SUPPORTED + " or be a valid ARN");
    }
    if (c.handler() == null || c.handler().isBlank()) {
      throw ServiceException.invalid("Handler is required for a function with a Zip package type.");
    }
    if (zip == null) {
      throw ServiceException.invalid("Please provide a source for function code.");
    }
    if (zip.length > MAX_ZIP_BYTES) {
      throw ServiceException.tooLarge("Request must be smaller than 69905067 bytes for the CreateFunction operation");
    }
    if (c.timeout().getSeconds() < 1 || c.timeout().getSeconds() > 900) {
      throw ServiceException.invalid("1 validation error detected: Value '" + c.timeout().getSeconds()
          + "' at 'timeout' failed to satisfy constraint: Member must have value between 1 and 900");
    }
    if (c.memoryMb() < 128 || c.memoryMb() > 10240) {
      throw ServiceException.invalid("1 validation error detected: Value '" + c.memoryMb()
          + "' at 'memorySize' failed to satisfy constraint: Member must have value between 128 and 10240");
    }
    List<String> reserved = c.environment().keySet().stream().filter(RESERVED::contains).sorted().toList();
    if (!reserved.isEmpty()) {
      throw ServiceException.invalid("Lambda was unable to configure your environment variables because the "
          + "environment variables you have provided contains reserved keys that are currently not supported for "
          + "modification. Reserved keys used in this request: " + String.join(", ", reserved));
    }
    for (String arn : c.layers()) {
      if (!layers.containsKey(arn)) {
        throw ServiceException.invalid("Layer version " + arn + " does not exist.");
      }
    }
  }

  /** Extracts code and layers for a new deployment of {@code fn}. */
  private Deployment layout(LambdaFunction fn, FunctionConfig requested, byte[] zip) {
    int generation;
    synchronized (fn) {
      generation = ++fn.generations;
    }
    Path base = fn.dir.resolve(Integer.toString(generation));
    Zips.deleteTree(base);
    Path task = base.resolve("task");
    Path opt = base.resolve("opt");
    Zips.extract(zip, task);
    try {
      Files.createDirectories(opt);
      for (String arn : requested.layers()) {
        Zips.overlay(layers.get(arn).content(), opt);
      }
      Path javaLib = opt.resolve("java").resolve("lib");
      if (Runtimes.isJava(requested.runtime()) && Files.isDirectory(javaLib)) {
        Files.createDirectories(task.resolve("lib"));
        try (var jars = Files.list(javaLib)) {
          for (Path jar : (Iterable<Path>) jars.filter(p -> p.toString().endsWith(".jar")).sorted()::iterator) {
            Files.createSymbolicLink(task.resolve("lib").resolve("~opt-java-lib-" + jar.getFileName()), jar);
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("could not lay out layers for " + fn.name, e);
    }
    FunctionConfig config = new FunctionConfig(requested.name(), arn(requested.name()), requested.runtime(),
        requested.handler(), requested.memoryMb(), requested.timeout(), requested.environment(),
        requested.tracingMode(), requested.layers(), "Active", "Successful", Zips.sha256(zip), zip.length,
        requested.reservedConcurrency(), Instant.now(), UUID.randomUUID().toString(), requested.role(),
        requested.description());
    return new Deployment(config, generation, task, opt);
  }

  /** Validates an invoke request before anything runs (what AWS checks up front). */
  LambdaFunction checkInvocable(String nameOrArn, byte[] payload) {
    LambdaFunction fn = require(nameOrArn);
    if ("Pending".equals(fn.state())) {
      throw ServiceException.conflict("The operation cannot be performed at this time. The function is currently in "
          + "the following state: Pending");
    }
    if (payload.length > MAX_PAYLOAD_BYTES) {
      throw ServiceException.tooLarge("Request must be smaller than " + MAX_PAYLOAD_BYTES
          + " bytes for the InvokeFunction operation");
    }
    if (payload.length > 0) {
      try {
        json.readTree(payload);
      } catch (IOException e) {
        throw new ServiceException(400, "InvalidRequestContentException", "Could not parse request body into json: "
            + "Could not parse payload into json: " + (e instanceof com.fasterxml.jackson.core.JsonProcessingException j ? j.getOriginalMessage() : e.getMessage()));
      }
    }
    return fn;
  }

  /** Runs an invocation; completes exceptionally with {@link ServiceException} for refusals. */
  CompletableFuture<InvokeResult> invokeAsync(String nameOrArn, byte[] payload, InvokeOptions options) {
    LambdaFunction fn = checkInvocable(nameOrArn, payload);
    return run(fn, payload.length == 0 ? "{}".getBytes(StandardCharsets.UTF_8) : payload, options);
  }

  /** An {@code Event} invoke: accepted at once, run in the background (waiting out throttles). */
  void invokeEvent(String nameOrArn, byte[] payload, InvokeOptions options) {
    LambdaFunction fn = checkInvocable(nameOrArn, payload);
    byte[] body = payload.length == 0 ? "{}".getBytes(StandardCharsets.UTF_8) : payload;
    blocking.execute(() -> {
      long giveUp = System.nanoTime() + TimeUnit.MINUTES.toNanos(6);
      while (!stopped && !fn.deleted && System.nanoTime() < giveUp) {
        try {
          run(fn, body, options).join();
          return;
        } catch (ServiceException | CompletionException e) {
          ServiceException se = e instanceof ServiceException s ? s
              : e.getCause() instanceof ServiceException s2 ? s2 : null;
          if (se == null || se.status() != 429) {
            LOG.warn("Asynchronous invocation of {} failed", fn.name, e);
            return;
          }
          try {
            Thread.sleep(100);
          } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
            return;
          }
        }
      }
    });
  }

  private CompletableFuture<InvokeResult> run(LambdaFunction fn, byte[] payload, InvokeOptions options) {
    Instance inst = acquire(fn);
    Deployment d = inst.deployment();
    FunctionConfig config = d.config();
    String requestId = UUID.randomUUID().toString();
    String trace = TraceHeader.forInvocation(options.traceHeader(), config.activeTracing());
    Instance.Call call = new Instance.Call(requestId, payload, trace, options.clientContext(), config.arn(),
        config.timeout());
    Instant start = Instant.now();
    boolean cold = !inst.started();
    CompletableFuture<Duration> init = cold ? CompletableFuture.supplyAsync(() -> launch(fn, inst), blocking)
        .thenCompose(ready -> ready) : CompletableFuture.completedFuture(null);
    CompletableFuture<InvokeResult> result = new CompletableFuture<>();
    init.whenComplete((initDuration, failure) -> {
      if (failure == null) {
        inst.dispatch(call);
        call.outcome.thenCombine(call.settled, (o, s) -> o).whenComplete((outcome, f) -> {
          try {
            result.complete(finish(fn, inst, call, start, outcome, initDuration, null, options));
          } catch (RuntimeException e) {
            result.completeExceptionally(e);
          }
        });
        return;
      }
      Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
      Outcome outcome;
      String initError;
      if (cause instanceof Instance.InitFailure f) {
        outcome = f.outcomeFor(requestId);
        initError = outcome.errorType();
      } else if (cause instanceof TimeoutException) {
        String seconds = String.format(Locale.ROOT, "%.2f", initTimeout.toMillis() / 1000.0);
        outcome = Outcome.platformError("Sandbox.Timedout", "RequestId: " + requestId
            + " Error: Task timed out after " + seconds + " seconds", Instant.now() + " " + requestId
            + " Task timed out after " + seconds + " seconds");
        initError = "Sandbox.Timedout";
      } else {
        LOG.warn("Could not start an execution environment for {}", fn.name, cause);
        background(inst::kill);
        release(fn, inst, false);
        result.completeExceptionally(new ServiceException(500, "ServiceException",
            "Could not start the execution environment: " + cause));
        return;
      }
      background(inst::kill);
      inst.exited().copy().orTimeout(5, TimeUnit.SECONDS).whenComplete((x, y) -> {
        try {
          result.complete(finish(fn, inst, call, start, outcome, null, initError, options));
        } catch (RuntimeException e) {
          result.completeExceptionally(e);
        }
      });
    });
    return result;
  }

  /** Starts an execution environment's process; the future completes at its first {@code /next}. */
  private CompletableFuture<Duration> launch(LambdaFunction fn, Instance inst) {
    Deployment d = inst.deployment();
    FunctionConfig c = d.config();
    try {
      Files.createDirectories(inst.dir());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    String runtimeApi = inst.startRuntimeApi();
    Map<String, String> env = environment(d, inst, runtimeApi);
    if (hook != null) {
      SandboxContext ctx = new SandboxContext(c.name(), c.runtime(), env, d.taskRoot(), d.optDir(), inst.id());
      Map<String, String> extra = hook.beforeStart(ctx);
      if (extra != null) {
        env.putAll(extra);
      }
      inst.exited().thenRun(() -> background(() -> {
        try {
          hook.afterStop(ctx);
        } catch (RuntimeException e) {
          LOG.warn("Sandbox hook failed after {} environment {} ended", c.name(), inst.id(), e);
        }
      }));
    }
    List<String> command = new ArrayList<>();
    String wrapper = env.get("AWS_LAMBDA_EXEC_WRAPPER");
    if (wrapper != null && !wrapper.isBlank()) {
      command.add(wrapper);
    }
    command.addAll(Runtimes.command(c.runtime(), c.handler(), c.memoryMb(), inst.dir()));
    inst.startProcess(command, env);
    return inst.ready().orTimeout(initTimeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** The environment Lambda gives a runtime process, with the function's own variables translated. */
  Map<String, String> environment(Deployment d, Instance inst, String runtimeApi) {
    FunctionConfig c = d.config();
    String task = d.taskRoot().toString();
    String opt = d.optDir().toString();
    Path runtimeDir = Runtimes.runtimeDir(c.runtime());
    Map<String, String> env = new LinkedHashMap<>();
    env.put("PATH", Runtimes.langBin(c.runtime()) + ":/usr/local/bin:/usr/bin/:/bin:" + opt + "/bin");
    env.put("LD_LIBRARY_PATH", "/lib64:/usr/lib64:" + runtimeDir + ":" + runtimeDir + "/lib:" + task + ":" + task
        + "/lib:" + opt + "/lib");
    env.put("LANG", "en_US.UTF-8");
    env.put("TZ", ":UTC");
    if (!Runtimes.isJava(c.runtime())) {
      String major = c.runtime().replaceAll("[^0-9]", "");
      env.put("NODE_PATH", opt + "/nodejs/node" + major + "/node_modules:" + opt + "/nodejs/node_modules:" + runtimeDir
          + "/node_modules:" + runtimeDir + ":" + task);
    }
    c.environment().forEach((k, v) -> env.put(k, translate(v, d)));
    env.put("_HANDLER", c.handler());
    env.put("AWS_REGION", region);
    env.put("AWS_DEFAULT_REGION", region);
    env.put("AWS_EXECUTION_ENV", Runtimes.executionEnv(c.runtime()));
    env.put("AWS_LAMBDA_FUNCTION_NAME", c.name());
    env.put("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", Integer.toString(c.memoryMb()));
    env.put("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST");
    env.put("AWS_LAMBDA_INITIALIZATION_TYPE", "on-demand");
    env.put("AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/" + c.name());
    env.put("AWS_LAMBDA_LOG_STREAM_NAME", logStream(inst));
    env.put("AWS_ACCESS_KEY_ID", "ASIAEMULATEDLAMBDA00");
    env.put("AWS_ACCESS_KEY", "ASIAEMULATEDLAMBDA00");
    env.put("AWS_SECRET_ACCESS_KEY", "emulated/lambda/secret/access/key/0000000");
    env.put("AWS_SESSION_TOKEN", "emulated-lambda-session-token");
    env.put("AWS_LAMBDA_RUNTIME_API", runtimeApi);
    env.put("LAMBDA_TASK_ROOT", task);
    env.put("LAMBDA_RUNTIME_DIR", runtimeDir.toString());
    env.put("AWS_XRAY_DAEMON_ADDRESS", "169.254.79.129:2000");
    env.put("_AWS_XRAY_DAEMON_ADDRESS", "169.254.79.129");
    env.put("_AWS_XRAY_DAEMON_PORT", "2000");
    env.put("AWS_XRAY_CONTEXT_MISSING", "LOG_ERROR");
    env.put("TRACEHARNESS_OPT_DIR", opt);
    env.put("TRACEHARNESS_RUNTIME_API", runtimeApi);
    return env;
  }

  private static String logStream(Instance inst) {
    return LocalDate.now(ZoneOffset.UTC).format(STREAM_DATE) + "/[$LATEST]" + inst.id();
  }

  /** {@code /opt} and {@code /var/task} paths in an environment value, pointed at this deployment's dirs. */
  static String translate(String value, Deployment d) {
    if (value == null) {
      return null;
    }
    String v = OPT.matcher(value).replaceAll(Matcher.quoteReplacement(d.optDir().toString()));
    return TASK.matcher(v).replaceAll(Matcher.quoteReplacement(d.taskRoot().toString()));
  }

  private Instance acquire(LambdaFunction fn) {
    List<Instance> stale = new ArrayList<>();
    Instance chosen = null;
    try {
      synchronized (lock) {
        if (stopped) {
          throw new ServiceException(503, "ServiceException", "The Lambda emulator is stopped");
        }
        Deployment d = fn.deployment;
        Integer reserved = d.config().reservedConcurrency();
        if (reserved != null && fn.inFlight >= reserved) {
          throw ServiceException.throttled("ReservedFunctionConcurrentInvocationLimitExceeded");
        }
        if (accountInFlight >= accountConcurrency) {
          throw ServiceException.throttled("ConcurrentInvocationLimitExceeded");
        }
        Instance i;
        while ((i = fn.idle.pollFirst()) != null) {
          if (!i.retired() && i.alive() && i.deployment().generation() == d.generation()) {
            chosen = i;
            break;
          }
          fn.instances.remove(i);
          stale.add(i);
        }
        if (chosen == null) {
          String id = HexFormat.of().formatHex(UUID.randomUUID().toString().getBytes(StandardCharsets.US_ASCII), 0, 16);
          chosen = new Instance(id, d, workDir.resolve("instances").resolve(fn.name + "-"
              + instanceCounter.incrementAndGet()), scheduler);
          fn.instances.add(chosen);
        }
        fn.inFlight++;
        accountInFlight++;
      }
    } finally {
      stale.forEach(s -> background(s::stop));
    }
    return chosen;
  }

  private void release(LambdaFunction fn, Instance inst, boolean reusable) {
    boolean keep;
    synchronized (lock) {
      fn.inFlight--;
      accountInFlight--;
      keep = reusable && !stopped && !fn.deleted && !inst.retired() && inst.alive()
          && inst.deployment().generation() == fn.deployment.generation();
      if (keep) {
        inst.markIdle();
        fn.idle.addFirst(inst);
      } else {
        fn.instances.remove(inst);
      }
    }
    if (!keep) {
      background(inst::stop);
    }
  }

  private void retireStale(LambdaFunction fn) {
    List<Instance> stale = new ArrayList<>();
    synchronized (lock) {
      for (Iterator<Instance> it = fn.idle.iterator(); it.hasNext(); ) {
        Instance i = it.next();
        it.remove();
        fn.instances.remove(i);
        stale.add(i);
      }
      fn.instances.forEach(Instance::retire);
    }
    stale.forEach(s -> background(s::stop));
  }

  private void reap() {
    long now = System.nanoTime();
    List<Instance> expired = new ArrayList<>();
    synchronized (lock) {
      for (LambdaFunction fn : functions.values()) {
        for (Iterator<Instance> it = fn.idle.iterator(); it.hasNext(); ) {
          Instance i = it.next();
          if (now - i.lastUsedNanos() > keepAlive.toNanos() || !i.alive()) {
            it.remove();
            fn.instances.remove(i);
            expired.add(i);
          }
        }
      }
    }
    expired.forEach(i -> background(i::stop));
  }

  /** Writes the invocation's log block, records it and answers. */
  private InvokeResult finish(LambdaFunction fn, Instance inst, Instance.Call call, Instant start, Outcome outcome,
      Duration initDuration, String initError, InvokeOptions options) {
    FunctionConfig c = inst.deployment().config();
    boolean dispatched = initError == null;
    long durationNanos = dispatched && call.endNanos > 0 ? call.endNanos - call.startNanos : 0;
    double ms = durationNanos / 1e6;
    StringBuilder log = new StringBuilder();
    boolean cold = initDuration != null || initError != null;
    if (cold) {
      log.append("INIT_START Runtime Version: ").append(c.runtime().replace(".x", "")).append(".v1\tRuntime Version ARN: ")
          .append("arn:aws:lambda:").append(region).append("::runtime:traceharness-").append(c.runtime()).append('\n');
      appendOutput(log, inst.initLog());
      if (initError != null) {
        log.append("INIT_REPORT Init Duration: ").append(fmt(Duration.between(start, Instant.now()).toNanos() / 1e6))
            .append(" ms\tPhase: init\tStatus: error\tError Type: ").append(initError).append('\n');
      }
    }
    log.append("START RequestId: ").append(call.requestId).append(" Version: $LATEST\n");
    if (dispatched) {
      appendOutput(log, inst.invocationLog(call));
    }
    if (outcome.platformLog() != null) {
      log.append(outcome.platformLog()).append('\n');
    }
    log.append("END RequestId: ").append(call.requestId).append('\n');
    double initMs = initDuration != null ? initDuration.toNanos() / 1e6 : 0;
    long billed = (long) Math.ceil(ms + initMs);
    log.append("REPORT RequestId: ").append(call.requestId).append("\tDuration: ").append(fmt(ms))
        .append(" ms\tBilled Duration: ").append(Math.max(1, billed)).append(" ms\tMemory Size: ").append(c.memoryMb())
        .append(" MB\tMax Memory Used: ").append(inst.maxMemoryUsedMb()).append(" MB\t");
    if (initDuration != null) {
      log.append("Init Duration: ").append(fmt(initMs)).append(" ms\t");
    }
    if (outcome.platformLog() != null || initError != null) {
      log.append("Status: error\tError Type: ").append(outcome.errorType());
    }
    log.append('\n');
    if (c.activeTracing() && call.traceHeader.contains("Sampled=1")) {
      log.append("XRAY TraceId: ").append(part(call.traceHeader, "Root")).append("\tSegmentId: ")
          .append(part(call.traceHeader, "Parent")).append("\tSampled: true\n");
    }
    String block = log.toString();
    synchronized (fn) {
      try {
        Files.createDirectories(fn.logFile.getParent());
        Files.writeString(fn.logFile, block, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
      } catch (IOException e) {
        LOG.warn("Could not write {}", fn.logFile, e);
      }
    }
    Instant end = Instant.now();
    invocations.add(new Invocation(fn.name, call.requestId, inst.id(), start, end, Duration.ofNanos(durationNanos),
        call.traceHeader, call.clientContext, outcome.errorType(), initDuration));
    boolean reusable = dispatched && outcome.platformLog() == null;
    release(fn, inst, reusable);
    String tail = null;
    if (options.tailLog()) {
      byte[] bytes = block.getBytes(StandardCharsets.UTF_8);
      int from = Math.max(0, bytes.length - 4096);
      tail = new String(bytes, from, bytes.length - from, StandardCharsets.UTF_8);
    }
    return new InvokeResult(200, outcome.payload(), outcome.failed() ? "Unhandled" : null, tail, call.requestId,
        "$LATEST", null);
  }

  private static void appendOutput(StringBuilder log, String output) {
    if (!output.isEmpty()) {
      log.append(output);
      if (!output.endsWith("\n")) {
        log.append('\n');
      }
    }
  }

  private static String part(String header, String key) {
    for (String p : header.split(";")) {
      if (p.startsWith(key + "=")) {
        return p.substring(key.length() + 1);
      }
    }
    return "";
  }

  private static String fmt(double ms) {
    return String.format(Locale.ROOT, "%.2f", ms);
  }

  static String base64Tail(String tail) {
    byte[] bytes = tail.getBytes(StandardCharsets.UTF_8);
    int from = Math.max(0, bytes.length - 4096);
    return Base64.getEncoder().encodeToString(java.util.Arrays.copyOfRange(bytes, from, bytes.length));
  }

  /** Runs on the emulator's threads, or here once they are gone (after {@link #stop()}). */
  private void background(Runnable task) {
    try {
      blocking.execute(task);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      task.run();
    }
  }

  private static ThreadFactory daemon(String name) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, name + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  /** Options; {@link #start()} binds 127.0.0.1 and returns the running emulator. */
  public static final class Builder {
    private String region = "us-east-1";
    private String accountId = "000000000000";
    private int accountConcurrency = 10;
    private Duration keepAlive = Duration.ofMinutes(5);
    private Duration initTimeout = Duration.ofSeconds(30);
    private Duration activationDelay = Duration.ZERO;
    private SandboxHook hook;
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

    public Builder sandboxHook(SandboxHook hook) {
      this.hook = hook;
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

    public LambdaEmulator start() {
      return new LambdaEmulator(this).start(port);
    }
  }
}
