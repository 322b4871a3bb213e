package io.traceharness.lambda;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.linecorp.armeria.common.AggregatedHttpRequest;
import com.linecorp.armeria.common.HttpData;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.ResponseHeaders;
import com.linecorp.armeria.common.ResponseHeadersBuilder;
import com.linecorp.armeria.common.metric.NoopMeterRegistry;
import com.linecorp.armeria.server.Server;
import com.linecorp.armeria.server.ServiceRequestContext;
import io.traceharness.support.ChildProcess;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One execution environment: a runtime process and the Runtime API it polls, on its own loopback
 * port ({@code AWS_LAMBDA_RUNTIME_API}). It serves one invocation at a time.
 */
final class Instance {

  /** Largest response a runtime may post for a synchronous invocation. */
  static final int MAX_RESPONSE_BYTES = 6_291_556;

  private static final String PREFIX = "/2018-06-01/runtime/";
  /** {@code shutdownReason} values (AWS Runtime Interface Emulator, {@code lambda/interop/model.go}). */
  static final String REASON_SPINDOWN = "spindown";
  static final String REASON_TIMEOUT = "timeout";
  static final String REASON_FAILURE = "failure";
  /** The Shutdown phase's limits (AWS Lambda Developer Guide, "Lambda execution environment", Shutdown phase). */
  static final long EXTERNAL_SHUTDOWN_LIMIT_MS = 2_000;
  static final long INTERNAL_SHUTDOWN_LIMIT_MS = 500;
  /** What the runtime gets of the limit after SIGTERM when external extensions are registered. */
  static final long RUNTIME_SHUTDOWN_SHARE_MS = 300;
  private static final Pattern INVOCATION = Pattern.compile("^/2018-06-01/runtime/invocation/([^/]+)/(response|error)$");

  private final String id;
  private final Revision revision;
  private final Path dir;
  private final ScheduledExecutorService scheduler;
  private final CompletableFuture<Duration> ready = new CompletableFuture<>();
  private final CompletableFuture<Void> exited = new CompletableFuture<>();
  private final Extensions extensions;
  private final List<ChildProcess> extensionProcesses = new java.util.concurrent.CopyOnWriteArrayList<>();
  private final Map<String, ChildProcess> extensionsByName = new java.util.concurrent.ConcurrentHashMap<>();
  /** The sandbox hook's extensions, run in this JVM: name → completed when each has ended. */
  private final Map<String, CompletableFuture<Void>> hostedExtensions = new java.util.concurrent.ConcurrentHashMap<>();
  private final java.util.concurrent.atomic.AtomicBoolean shuttingDown = new java.util.concurrent.atomic.AtomicBoolean();
  private final CompletableFuture<String> shutDown = new CompletableFuture<>();
  private java.util.function.Consumer<String> shutdownOutput = text -> { };
  private volatile long shutdownLogStart = -1;
  private volatile long shutdownExtLogStart = -1;
  private final Telemetry telemetry;
  private Server server;
  private ChildProcess process;
  private long startNanos;
  private volatile long lastUsedNanos = System.nanoTime();
  private volatile boolean retired;
  /** Why the environment was retired when Lambda itself ends it for a reason other than {@code spindown}. */
  private volatile String retiredFor;
  private volatile long lastMemoryMb;

  private Call current;
  private Call undelivered;
  private CompletableFuture<HttpResponse> waitingNext;
  private boolean runtimeReady;
  private final FreezeStats freezes;
  private Runnable onFrozen = () -> { };
  private Runnable onThawed = () -> { };
  private boolean frozen;
  private long freezeCostNanos;
  private LifecycleLog lifecycle = new LifecycleLog();
  private String initErrorType;
  private byte[] initErrorBody;
  private long initLogEnd = -1;
  private long initExtLogEnd = -1;

  /** One invocation handed to this instance. */
  static final class Call {
    final String requestId;
    final byte[] payload;
    final String traceHeader;
    final String clientContext;
    final String functionArn;
    final Duration timeout;
    final CompletableFuture<Outcome> outcome = new CompletableFuture<>();
    /** Completed once the runtime asked for its next event (or died): its output is all written by then. */
    final CompletableFuture<Void> settled = new CompletableFuture<>();
    long startNanos;
    long endNanos;
    /** When the runtime and every extension handed the event had asked for their next one (0: not yet). */
    long phaseEndNanos;
    /** How many extensions got this invocation's {@code INVOKE} event. */
    int extensionsInvoked;
    long deadlineMs;
    long logStart;
    long extLogStart;
    String telemetryStatus = "success";
    ScheduledFuture<?> timer;

    Call(String requestId, byte[] payload, String traceHeader, String clientContext, String functionArn,
        Duration timeout) {
      this.requestId = requestId;
      this.payload = payload;
      this.traceHeader = traceHeader;
      this.clientContext = clientContext;
      this.functionArn = functionArn;
      this.timeout = timeout;
    }
  }

  Instance(String id, Revision revision, Path dir, ScheduledExecutorService scheduler) {
    this(id, revision, dir, scheduler, null);
  }

  /** @param freezes where frozen environments report their freeze and thaw cost; {@code null}: never frozen */
  Instance(String id, Revision revision, Path dir, ScheduledExecutorService scheduler, FreezeStats freezes) {
    this.freezes = freezes;
    this.id = id;
    this.revision = revision;
    this.dir = dir;
    this.scheduler = scheduler;
    FunctionConfig c = revision.config();
    String[] arn = c.arn().split(":");
    this.extensions = new Extensions(c.name(), c.handler(), arn.length > 4 ? arn[4] : "");
    this.telemetry = new Telemetry(extensions, scheduler, logFile(), extensionLogFile());
  }

  Extensions extensions() {
    return extensions;
  }

  String id() {
    return id;
  }

  Revision revision() {
    return revision;
  }

  Path dir() {
    return dir;
  }

  boolean started() {
    return process != null;
  }

  boolean retired() {
    return retired;
  }

  void markIdle() {
    lastUsedNanos = System.nanoTime();
  }

  void retire() {
    retired = true;
  }

  boolean alive() {
    return process != null && process.isAlive() && !exited.isDone();
  }

  long lastUsedNanos() {
    return lastUsedNanos;
  }

  CompletableFuture<Duration> ready() {
    return ready;
  }

  /**
   * The environment is over: its runtime has exited and, when it is shut down, the Shutdown phase is done
   * (the extensions had their {@code SHUTDOWN} and their share of the limit, which outlasts the runtime's).
   */
  CompletableFuture<Void> over() {
    return exited.thenCompose(x -> shuttingDown.get() ? shutDown.<Void>thenApply(r -> null)
        : CompletableFuture.<Void>completedFuture(null));
  }

  CompletableFuture<Void> exited() {
    return exited;
  }

  ChildProcess process() {
    return process;
  }

  Path logFile() {
    return dir.resolve("runtime.log");
  }

  /** What the external extensions write (the Telemetry API's {@code extension} stream; the function's log). */
  Path extensionLogFile() {
    return dir.resolve("extensions.log");
  }

  /** Marks the end of Init in both outputs. */
  private synchronized void markInitEnd() {
    initLogEnd = ProcessReadings.size(logFile());
    initExtLogEnd = ProcessReadings.size(extensionLogFile());
  }

  /** Starts the Runtime API; {@code host:port} for {@code AWS_LAMBDA_RUNTIME_API}. */
  String startRuntimeApi() {
    server = Server.builder()
        .http(new InetSocketAddress("127.0.0.1", 0))
        .requestTimeoutMillis(0)
        .maxRequestLength(MAX_RESPONSE_BYTES * 4L)
        .meterRegistry(NoopMeterRegistry.get())
        .serviceUnder("/", (ctx, req) -> serve(ctx, req))
        .build();
    server.start().join();
    return "127.0.0.1:" + server.activeLocalPort();
  }

  /**
   * Init begins: {@code platform.initStart}, and the external extensions about to start (the layers'
   * executables by file name, and those the sandbox hook runs in this JVM) are awaited;
   * {@link Extensions#registered()} completes once each has registered.
   */
  void beginInit(List<String> executables, List<HostedExtension> hosted) {
    startNanos = System.nanoTime();
    try {
      java.nio.file.Files.deleteIfExists(logFile());
      java.nio.file.Files.deleteIfExists(extensionLogFile());
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    FunctionConfig c = revision.config();
    String[] arn = c.arn().split(":");
    ObjectNode initStart = Json.MAPPER.createObjectNode()
        .put("initializationType", "on-demand")
        .put("phase", "init")
        .put("runtimeVersion", c.runtime().replace(".x", "") + ".v1")
        .put("runtimeVersionArn", "arn:aws:lambda:" + (arn.length > 3 ? arn[3] : "") + "::runtime:traceharness-" + c.runtime())
        .put("functionName", c.name())
        .put("functionVersion", "$LATEST");
    telemetry.platform("platform.initStart", initStart);
    List<String> names = new ArrayList<>(executables);
    hosted.forEach(h -> names.add(h.name()));
    extensions.launching(names);
    extensions.registered().whenComplete((x, failure) -> {
      if (failure != null) {
        markInitEnd();
        ready.completeExceptionally(failure);
        CompletableFuture.runAsync(this::kill);
      }
    });
    for (HostedExtension h : hosted) {
      hostedExtensions.put(h.name(), h.ended());
      h.ended().whenComplete((x, failure) -> {
        if (ready.isDone()) {
          retired = true;
        }
        extensions.exited(h.name(), failure == null ? "exit status 0" : "exit status 1");
      });
    }
  }

  /**
   * Starts the external extensions (executables of the layers' {@code extensions/}, in name order), which
   * share the runtime's log.
   */
  void startExtensions(List<Path> executables, Map<String, String> env) {
    for (Path exe : executables) {
      String name = exe.getFileName().toString();
      ChildProcess p = ChildProcess.builder("lambda-" + revision.config().name() + "-" + id + "-" + name)
          .command(List.of(exe.toString()))
          .directory(revision.taskRoot())
          .clearEnvironment()
          .env(env)
          .logFile(extensionLogFile())
          .appendLog(true)
          .start();
      extensionProcesses.add(p);
      extensionsByName.put(name, p);
      p.process().onExit().thenRun(() -> {
        if (ready.isDone()) {
          // an extension that dies after init leaves an environment Lambda would reset
          retired = true;
        }
        extensions.exited(name, statusOf(p));
      });
    }
  }

  /** Starts the runtime process; {@link #ready()} completes once it and every extension wait for their next event. */
  void startProcess(List<String> command, Map<String, String> env) {
    if (startNanos == 0) {
      startNanos = System.nanoTime();
    }
    ChildProcess p = ChildProcess.builder("lambda-" + revision.config().name() + "-" + id)
        .command(command)
        .directory(revision.taskRoot())
        .clearEnvironment()
        .env(env)
        .logFile(logFile())
        .appendLog(true)
        .start();
    synchronized (this) {
      process = p;
    }
    p.process().onExit().thenRun(this::onExit);
  }

  /** Hands an invocation to the runtime (now, or at its next {@code /next}). */
  void dispatch(Call call) {
    HttpResponse event;
    CompletableFuture<HttpResponse> waiter;
    synchronized (this) {
      lastUsedNanos = System.nanoTime();
      current = call;
      // what the environment writes once thawed (a timer left behind firing) belongs to this invocation
      call.logStart = ProcessReadings.size(logFile());
      call.extLogStart = ProcessReadings.size(extensionLogFile());
      thaw();
      call.startNanos = System.nanoTime();
      call.deadlineMs = System.currentTimeMillis() + call.timeout.toMillis();
      maxMemoryUsedMb();
      if (exited.isDone()) {
        finishWithExit(call);
        return;
      }
      if (waitingNext == null) {
        undelivered = call;
        waiter = null;
        event = null;
      } else {
        waiter = waitingNext;
        waitingNext = null;
        event = eventFor(call);
      }
      call.timer = scheduler.schedule(() -> onTimeout(call), call.timeout.toMillis(), TimeUnit.MILLISECONDS);
    }
    ObjectNode start = Json.MAPPER.createObjectNode().put("requestId", call.requestId).put("version", "$LATEST");
    if (call.traceHeader != null) {
      start.putObject("tracing").put("type", "X-Amzn-Trace-Id").put("value", call.traceHeader);
    }
    telemetry.platform("platform.start", start);
    if (waiter != null) {
      waiter.complete(event);
    }
    // every extension registered for INVOKE gets the event as the runtime does (Extensions API, "Invoke phase")
    ObjectNode invoke = Json.MAPPER.createObjectNode()
        .put("eventType", "INVOKE")
        .put("deadlineMs", call.deadlineMs)
        .put("requestId", call.requestId)
        .put("invokedFunctionArn", call.functionArn);
    invoke.putObject("tracing").put("type", "X-Amzn-Trace-Id").put("value", call.traceHeader);
    call.extensionsInvoked = extensions.deliver("INVOKE", invoke);
  }

  private HttpResponse serve(ServiceRequestContext ctx, HttpRequest req) {
    String path = ctx.path();
    if (path.startsWith(Extensions.PREFIX)) {
      return extensions.serve(path, req);
    }
    if (path.equals(Telemetry.PATH) || path.equals(Telemetry.PATH + "/")) {
      return telemetry.serve(req);
    }
    if (req.method() == HttpMethod.GET && path.equals(PREFIX + "invocation/next")) {
      return HttpResponse.of(onNext());
    }
    if (req.method() == HttpMethod.POST && path.equals(PREFIX + "init/error")) {
      return HttpResponse.of(req.aggregate().thenApply(this::onInitError));
    }
    Matcher m = INVOCATION.matcher(path);
    if (req.method() == HttpMethod.POST && m.matches()) {
      String requestId = m.group(1);
      boolean success = m.group(2).equals("response");
      return HttpResponse.of(req.aggregate().thenApply(agg -> success ? onResponse(requestId, agg)
          : onError(requestId, agg)));
    }
    return json(HttpStatus.NOT_FOUND, "{\"errorMessage\":\"Not found\",\"errorType\":\"NotFound\"}");
  }

  private CompletableFuture<HttpResponse> onNext() {
    Call settledCall = null;
    CompletableFuture<HttpResponse> answer;
    boolean initEnds = false;
    synchronized (this) {
      if (!ready.isDone() && !runtimeReady) {
        runtimeReady = true;
        initEnds = true;
        extensions.closeRegistration();
      }
      if (current != null && current.outcome.isDone()) {
        settledCall = current;
        current = null;
      }
      if (undelivered != null) {
        answer = CompletableFuture.completedFuture(eventFor(undelivered));
        undelivered = null;
      } else {
        if (waitingNext != null) {
          waitingNext.complete(json(HttpStatus.BAD_REQUEST,
              "{\"errorMessage\":\"Replaced by a newer /next\",\"errorType\":\"InvalidStateTransition\"}"));
        }
        waitingNext = new CompletableFuture<>();
        answer = waitingNext;
      }
    }
    if (initEnds) {
      // Init ends when the runtime and every extension wait for their next event
      extensions.idle().thenRun(this::endInit);
    }
    if (settledCall != null) {
      Call c = settledCall;
      extensions.idle().thenRun(() -> settle(c));
    }
    return answer;
  }

  private void endInit() {
    String extensionError = extensions.initError();
    markInitEnd();
    String status = extensionError == null ? "success" : "error";
    double initMs = (System.nanoTime() - startNanos) / 1e6;
    telemetry.platform("platform.initRuntimeDone", Json.MAPPER.createObjectNode()
        .put("initializationType", "on-demand").put("phase", "init").put("status", status));
    ObjectNode initReport = Json.MAPPER.createObjectNode()
        .put("initializationType", "on-demand").put("phase", "init").put("status", status);
    initReport.putObject("metrics").put("durationMs", Math.round(initMs * 100) / 100.0);
    telemetry.platform("platform.initReport", initReport);
    telemetry.initOver();
    if (extensionError != null) {
      ready.completeExceptionally(new InitFailure(Outcome.platformError(extensionError,
          "Extension reported an init error: " + extensionError, null), null));
      CompletableFuture.runAsync(this::kill);
      return;
    }
    ready.complete(Duration.ofNanos(System.nanoTime() - startNanos));
  }

  /** The invocation's phase is over: the runtime and every extension wait for their next event. */
  private void settle(Call call) {
    boolean report = false;
    synchronized (this) {
      if (call.phaseEndNanos == 0) {
        call.phaseEndNanos = System.nanoTime();
        report = true;
      }
    }
    if (report) {
      long end = call.extensionsInvoked > 0 && call.phaseEndNanos > call.endNanos ? call.phaseEndNanos : call.endNanos;
      double ms = call.endNanos == 0 ? 0 : (end - call.startNanos) / 1e6;
      ObjectNode r = Json.MAPPER.createObjectNode().put("requestId", call.requestId).put("status", call.telemetryStatus);
      r.putObject("metrics")
          .put("durationMs", Math.round(ms * 100) / 100.0)
          .put("billedDurationMs", Math.max(1, (long) Math.ceil(ms)))
          .put("memorySizeMB", revision.config().memoryMb())
          .put("maxMemoryUsedMB", maxMemoryUsedMb());
      telemetry.platform("platform.report", r);
    }
    synchronized (this) {
      if (call.timer != null) {
        call.timer.cancel(false);
      }
      if (!call.settled.isDone()) {
        freeze();
      }
    }
    call.settled.complete(null);
  }

  /** Where the environment records its freezes, its Shutdown phase and extensions that outlived an invocation. */
  synchronized void lifecycle(LifecycleLog log) {
    this.lifecycle = log;
  }

  void onFreeze(Runnable frozen, Runnable thawed) {
    this.onFrozen = frozen;
    this.onThawed = thawed;
  }

  /**
   * Freezes the environment as Lambda does once an invocation is over: the runtime's and the
   * extensions' process groups stop (SIGSTOP) and what the sandbox hook runs for it pauses.
   */
  private synchronized void freeze() {
    if (freezes == null || frozen || retired || exited.isDone() || process == null) {
      return;
    }
    long t0 = System.nanoTime();
    if (!process.suspend()) {
      return;
    }
    extensionProcesses.forEach(ChildProcess::suspend);
    telemetry.pause();
    onFrozen.run();
    frozen = true;
    freezeCostNanos = System.nanoTime() - t0;
    lifecycle.frozen(revision.config().name(), id, java.time.Instant.now());
  }

  /** Lets a frozen environment run again (its next invocation, or its end). */
  synchronized void thaw() {
    if (!frozen) {
      return;
    }
    long t0 = System.nanoTime();
    frozen = false;
    onThawed.run();
    extensionProcesses.forEach(ChildProcess::resume);
    if (process != null) {
      process.resume();
    }
    telemetry.resume();
    freezes.record(freezeCostNanos + System.nanoTime() - t0);
    lifecycle.thawed(id, java.time.Instant.now());
  }

  synchronized boolean frozen() {
    return frozen;
  }

  private HttpResponse onResponse(String requestId, AggregatedHttpRequest req) {
    Call call = callFor(requestId);
    if (call == null) {
      return invalidRequestId();
    }
    byte[] body = req.content().array();
    if (body.length > MAX_RESPONSE_BYTES) {
      complete(call, Outcome.platformError("Function.ResponseSizeTooLarge", "Response payload size ("
          + body.length + " bytes) exceeded maximum allowed payload size (" + MAX_RESPONSE_BYTES + " bytes).", null));
      return json(HttpStatus.REQUEST_ENTITY_TOO_LARGE, "{\"errorMessage\":\"Exceeded maximum allowed payload size ("
          + MAX_RESPONSE_BYTES + " bytes).\",\"errorType\":\"RequestEntityTooLarge\"}");
    }
    complete(call, Outcome.success(body));
    return json(HttpStatus.ACCEPTED, "{\"status\":\"OK\"}");
  }

  private HttpResponse onError(String requestId, AggregatedHttpRequest req) {
    Call call = callFor(requestId);
    if (call == null) {
      return invalidRequestId();
    }
    byte[] body = req.content().array();
    String type = req.headers().get("Lambda-Runtime-Function-Error-Type");
    complete(call, Outcome.error(errorType(type, body), body.length == 0 ? "{}".getBytes(StandardCharsets.UTF_8) : body));
    return json(HttpStatus.ACCEPTED, "{\"status\":\"OK\"}");
  }

  private HttpResponse onInitError(AggregatedHttpRequest req) {
    synchronized (this) {
      if (ready.isDone()) {
        return json(HttpStatus.FORBIDDEN,
            "{\"errorMessage\":\"Init error already reported or init complete\",\"errorType\":\"InvalidStateTransition\"}");
      }
      initErrorBody = req.content().array();
      String header = req.headers().get("Lambda-Runtime-Function-Error-Type");
      initErrorType = header != null && !header.isBlank() ? header : errorType(null, initErrorBody);
      initLogEnd = ProcessReadings.size(logFile());
      initExtLogEnd = ProcessReadings.size(extensionLogFile());
    }
    ready.completeExceptionally(new InitFailure(Outcome.error(initErrorType, initErrorBody), null));
    return json(HttpStatus.ACCEPTED, "{\"status\":\"OK\"}");
  }

  private void onTimeout(Call call) {
    if (call.outcome.isDone()) {
      if (!call.settled.isDone()) {
        // the function's timeout bounds the whole Invoke phase, extensions included
        lifecycle.extensionTimeout(new LifecycleLog.ExtensionTimeout(revision.config().name(), id, call.requestId,
            extensions.busy(), java.time.Instant.now(), call.timeout));
        // settling gives the environment back, and the pool stops a retired one: with this reason
        retiredFor = REASON_TIMEOUT;
        retired = true;
        settle(call);
        CompletableFuture.runAsync(() -> shutdown(REASON_TIMEOUT));
      }
      return;
    }
    retiredFor = REASON_TIMEOUT;
    retired = true;
    String seconds = String.format("%.2f", call.timeout.toMillis() / 1000.0);
    complete(call, Outcome.platformError("Sandbox.Timedout", "RequestId: " + call.requestId
        + " Error: Task timed out after " + seconds + " seconds",
        java.time.Instant.now() + " " + call.requestId + " Task timed out after " + seconds + " seconds"));
    // off the timer thread: the Shutdown phase waits for the processes to go
    CompletableFuture.runAsync(() -> shutdown(REASON_TIMEOUT));
  }

  private void onExit() {
    Call call;
    CompletableFuture<HttpResponse> waiter;
    synchronized (this) {
      retired = true;
      call = current;
      waiter = waitingNext;
      waitingNext = null;
      if (initLogEnd < 0) {
        initLogEnd = ProcessReadings.size(logFile());
        initExtLogEnd = ProcessReadings.size(extensionLogFile());
      }
    }
    exited.complete(null);
    if (!ready.isDone()) {
      ready.completeExceptionally(new InitFailure(null, exitStatus()));
    }
    if (call != null) {
      finishWithExit(call);
    }
    if (waiter != null) {
      waiter.complete(HttpResponse.of(HttpStatus.SERVICE_UNAVAILABLE));
    }
    if (!shuttingDown.get()) {
      // a runtime that ended on its own: Lambda resets the environment, its extensions get SHUTDOWN "failure"
      CompletableFuture.runAsync(() -> shutdown(REASON_FAILURE));
    }
  }

  private void finishWithExit(Call call) {
    if (call.timer != null) {
      call.timer.cancel(false);
    }
    if (!call.outcome.isDone()) {
      String msg = "RequestId: " + call.requestId + " Error: Runtime exited with error: " + exitStatus();
      complete(call, Outcome.platformError("Runtime.ExitError", msg, msg + "\nRuntime.ExitError"));
    }
    call.settled.complete(null);
  }

  private String exitStatus() {
    return statusOf(process);
  }

  private static String statusOf(ChildProcess process) {
    int rc = process == null ? -1 : process.exitCode();
    if (rc > 128) {
      return switch (rc - 128) {
        case 9 -> "signal: killed";
        case 15 -> "signal: terminated";
        case 6 -> "signal: aborted";
        case 11 -> "signal: segmentation fault";
        default -> "signal: " + (rc - 128);
      };
    }
    return "exit status " + rc;
  }

  private void complete(Call call, Outcome outcome) {
    synchronized (this) {
      if (call.outcome.isDone()) {
        return;
      }
      // the timer stays: the function's timeout still bounds the extensions' part of the Invoke phase
      call.endNanos = System.nanoTime();
    }
    call.telemetryStatus = outcome.errorType() == null ? "success"
        : outcome.errorType().equals("Sandbox.Timedout") ? "timeout"
        : outcome.errorType().equals("Runtime.ExitError") ? "failure" : "error";
    ObjectNode done = Json.MAPPER.createObjectNode().put("requestId", call.requestId).put("status", call.telemetryStatus);
    done.putObject("metrics").put("durationMs", Math.round((call.endNanos - call.startNanos) / 1e4) / 100.0)
        .put("producedBytes", outcome.payload() == null ? 0 : outcome.payload().length);
    telemetry.platform("platform.runtimeDone", done);
    call.outcome.complete(outcome);
    // a runtime that never asks for the next event still ends its invocation's log
    scheduler.schedule(() -> extensions.idle().thenRun(() -> settle(call)), 200, TimeUnit.MILLISECONDS);
  }

  private synchronized Call callFor(String requestId) {
    Call c = current;
    return c != null && c.requestId.equals(requestId) && !c.outcome.isDone() ? c : null;
  }

  private HttpResponse eventFor(Call call) {
    long deadline = System.currentTimeMillis() + call.timeout.toMillis();
    ResponseHeadersBuilder h = ResponseHeaders.builder(HttpStatus.OK)
        .contentType(MediaType.JSON)
        .add("Lambda-Runtime-Aws-Request-Id", call.requestId)
        .add("Lambda-Runtime-Deadline-Ms", Long.toString(deadline))
        .add("Lambda-Runtime-Invoked-Function-Arn", call.functionArn)
        .add("Lambda-Runtime-Trace-Id", call.traceHeader);
    if (call.clientContext != null) {
      h.add("Lambda-Runtime-Client-Context", call.clientContext);
    }
    return HttpResponse.of(h.build(), HttpData.wrap(call.payload));
  }

  /** Kills the process groups at once (timeouts, stop, reaping): the runtime's and its extensions'. */
  void kill() {
    retired = true;
    thaw();
    extensionProcesses.forEach(e -> e.stop(Duration.ZERO));
    ChildProcess p = process;
    if (p != null) {
      p.stop(Duration.ZERO);
    } else {
      onExit();
    }
  }

  /** Ends the instance as Lambda spins an environment down (idle, replaced, deleted, service stopped). */
  void stop() {
    String reason = retiredFor;
    shutdown(reason != null ? reason : REASON_SPINDOWN);
  }

  /** Where the output the environment writes during its Shutdown phase goes (the function's log). */
  void onShutdownOutput(java.util.function.Consumer<String> output) {
    this.shutdownOutput = output;
  }

  /** Completes with the shutdown reason once the Shutdown phase is over and every process is gone. */
  CompletableFuture<String> shutDown() {
    return shutDown;
  }

  /**
   * The Shutdown phase, as AWS's Runtime Interface Emulator runs it ({@code lambda/rapid/shutdown.go},
   * {@code graceful_shutdown.go}) within the limits of the AWS Lambda Developer Guide ("Lambda execution
   * environment", Shutdown phase): a frozen environment is thawed first; without any registered
   * extension the runtime's process group is killed at once (0 ms); else the runtime gets SIGTERM and
   * up to 300 ms (500 ms when an internal extension is registered) before SIGKILL, then every external
   * extension registered for {@code SHUTDOWN} gets
   * {@code {"eventType":"SHUTDOWN","shutdownReason":…,"deadlineMs":…}} and the rest of the phase's limit
   * (2,000 ms with an external extension, 500 ms with internal ones only) to exit; the others, and the
   * late ones, get SIGKILL. Idempotent: the first reason wins.
   */
  void shutdown(String reason) {
    if (!shuttingDown.compareAndSet(false, true)) {
      shutDown.join();
      return;
    }
    Call inFlight;
    lifecycle.shutdown(new LifecycleLog.Shutdown(revision.config().name(), id, java.time.Instant.now(), reason));
    synchronized (this) {
      retired = true;
      inFlight = current;
      shutdownLogStart = ProcessReadings.size(logFile());
      shutdownExtLogStart = ProcessReadings.size(extensionLogFile());
    }
    try {
      thaw();
      // what is still buffered for a Telemetry API listener goes out before the processes end
      telemetry.close(Duration.ofMillis(INTERNAL_SHUTDOWN_LIMIT_MS));
      List<Extensions.Agent> agents = extensions.agents();
      boolean external = agents.stream().anyMatch(a -> a.external);
      boolean internal = agents.stream().anyMatch(a -> !a.external);
      long start = System.nanoTime();
      long limitMs = external ? EXTERNAL_SHUTDOWN_LIMIT_MS : internal ? INTERNAL_SHUTDOWN_LIMIT_MS : 0;
      long deadlineMs = System.currentTimeMillis() + limitMs;
      ChildProcess runtime = process;
      if (runtime != null) {
        if (agents.isEmpty()) {
          runtime.kill();
        } else {
          long runtimeMs = internal ? INTERNAL_SHUTDOWN_LIMIT_MS : RUNTIME_SHUTDOWN_SHARE_MS;
          runtime.terminate();
          if (!awaitExit(runtime, runtimeMs)) {
            runtime.kill();
          }
        }
      }
      ObjectNode event = Json.MAPPER.createObjectNode()
          .put("eventType", "SHUTDOWN")
          .put("shutdownReason", reason)
          .put("deadlineMs", deadlineMs);
      List<String> told = extensions.deliverNames("SHUTDOWN", event);
      for (Map.Entry<String, ChildProcess> e : extensionsByName.entrySet()) {
        if (!told.contains(e.getKey())) {
          e.getValue().kill();
        }
      }
      for (String name : told) {
        ChildProcess p = extensionsByName.get(name);
        long leftMs = limitMs - (System.nanoTime() - start) / 1_000_000;
        if (p != null && !awaitExit(p, Math.max(0, leftMs))) {
          p.kill();
        }
        CompletableFuture<Void> hosted = hostedExtensions.get(name);
        if (hosted != null) {
          // an extension of the hook's ends when it says so; past the limit the hook's afterStop ends it
          awaitEnd(hosted, Math.max(0, leftMs));
        }
      }
      for (ChildProcess p : extensionProcesses) {
        p.stop(Duration.ZERO);
      }
      if (runtime != null) {
        runtime.stop(Duration.ZERO);
      } else {
        onExit();
      }
    } finally {
      if (server != null) {
        server.closeAsync();
      }
      CompletableFuture<Void> blockWritten = inFlight == null ? CompletableFuture.completedFuture(null)
          : inFlight.settled.copy().completeOnTimeout(null, 5, TimeUnit.SECONDS);
      blockWritten.whenComplete((x, y) -> {
        String output = join(ProcessReadings.read(logFile(), shutdownLogStart, ProcessReadings.size(logFile())),
            ProcessReadings.read(extensionLogFile(), shutdownExtLogStart, ProcessReadings.size(extensionLogFile())));
        if (!output.isEmpty()) {
          try {
            shutdownOutput.accept(output);
          } catch (RuntimeException e) {
            // the log is best effort; the environment is gone either way
          }
        }
        shutDown.complete(reason);
      });
    }
  }

  private static void awaitEnd(CompletableFuture<Void> ended, long millis) {
    try {
      ended.get(millis, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      // ended badly, or late: the environment ends anyway
    }
  }

  private static boolean awaitExit(ChildProcess p, long millis) {
    try {
      return p.process().waitFor(millis, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** The platform's lines that end the init phase ({@code EXTENSION …}). */
  List<String> initPlatformLines() {
    return extensions.logLines();
  }

  /** Init output: the log up to the end of init (or the failure). */
  String initLog() {
    long end = initLogEnd < 0 ? ProcessReadings.size(logFile()) : initLogEnd;
    long extEnd = initExtLogEnd < 0 ? ProcessReadings.size(extensionLogFile()) : initExtLogEnd;
    // the extensions start, and register, before the runtime
    return join(ProcessReadings.read(extensionLogFile(), 0, extEnd), ProcessReadings.read(logFile(), 0, end));
  }

  String invocationLog(Call call) {
    long end = ProcessReadings.size(logFile());
    long extEnd = ProcessReadings.size(extensionLogFile());
    long shutdownStart = shutdownLogStart;
    long extShutdownStart = shutdownExtLogStart;
    return join(ProcessReadings.read(logFile(), call.logStart, shutdownStart >= 0 ? Math.min(end, shutdownStart) : end),
        ProcessReadings.read(extensionLogFile(), call.extLogStart,
            extShutdownStart >= 0 ? Math.min(extEnd, extShutdownStart) : extEnd));
  }

  /** Two slices of output, one after the other, each ending with a line break. */
  private static String join(String first, String second) {
    if (first.isEmpty() || first.endsWith("\n") || second.isEmpty()) {
      return first + second;
    }
    return first + "\n" + second;
  }

  /** Highest resident set size of the runtime's processes, in MB. */
  long maxMemoryUsedMb() {
    ChildProcess p = process;
    long maxKb = 0;
    if (p != null) {
      maxKb = ProcessReadings.peakRssKb(p);
    }
    // a process that already ended reports what was last seen of it
    lastMemoryMb = Math.max(lastMemoryMb, (maxKb + 1023) / 1024);
    return Math.max(1, lastMemoryMb);
  }

  /** The error document's {@code errorType} (what a person reads), else the runtime's header. */
  private static String errorType(String header, byte[] body) {
    Matcher m = Pattern.compile("\"errorType\"\\s*:\\s*\"([^\"]*)\"").matcher(new String(body, StandardCharsets.UTF_8));
    if (m.find() && !m.group(1).isBlank()) {
      return m.group(1);
    }
    return header != null && !header.isBlank() ? header : "Unhandled";
  }

  private static HttpResponse invalidRequestId() {
    return json(HttpStatus.BAD_REQUEST, "{\"errorMessage\":\"Invalid request ID\",\"errorType\":\"InvalidRequestID\"}");
  }

  private static HttpResponse json(HttpStatus status, String body) {
    return HttpResponse.of(status, MediaType.JSON, body);
  }

  /**
   * Init failed: the runtime reported it ({@code /init/error}: {@code outcome}) or the process ended
   * first ({@code exitStatus}, e.g. {@code exit status 1}).
   */
  static final class InitFailure extends RuntimeException {
    final Outcome outcome;
    final String exitStatus;

    InitFailure(Outcome outcome, String exitStatus) {
      super(outcome != null ? outcome.errorType() : "Runtime.ExitError: " + exitStatus, null, false, false);
      this.outcome = outcome;
      this.exitStatus = exitStatus;
    }

    Outcome outcomeFor(String requestId) {
      if (outcome != null) {
        return outcome;
      }
      String msg = "RequestId: " + requestId + " Error: Runtime exited with error: " + exitStatus;
      return Outcome.platformError("Runtime.ExitError", msg, msg + "\nRuntime.ExitError");
    }
  }
}
