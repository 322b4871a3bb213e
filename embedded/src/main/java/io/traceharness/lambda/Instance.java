package io.traceharness.lambda;

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
  private static final Pattern INVOCATION = Pattern.compile("^/2018-06-01/runtime/invocation/([^/]+)/(response|error)$");

  private final String id;
  private final Revision revision;
  private final Path dir;
  private final ScheduledExecutorService scheduler;
  private final CompletableFuture<Duration> ready = new CompletableFuture<>();
  private final CompletableFuture<Void> exited = new CompletableFuture<>();
  private Server server;
  private ChildProcess process;
  private long startNanos;
  private volatile long lastUsedNanos = System.nanoTime();
  private volatile boolean retired;
  private volatile long lastMemoryMb;

  private Call current;
  private Call undelivered;
  private CompletableFuture<HttpResponse> waitingNext;
  private String initErrorType;
  private byte[] initErrorBody;
  private long initLogEnd = -1;

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
    long logStart;
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
    this.id = id;
    this.revision = revision;
    this.dir = dir;
    this.scheduler = scheduler;
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

  CompletableFuture<Void> exited() {
    return exited;
  }

  ChildProcess process() {
    return process;
  }

  Path logFile() {
    return dir.resolve("runtime.log");
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

  /** Starts the runtime process; {@link #ready()} completes at its first {@code /next}. */
  void startProcess(List<String> command, Map<String, String> env) {
    startNanos = System.nanoTime();
    ChildProcess p = ChildProcess.builder("lambda-" + revision.config().name() + "-" + id)
        .command(command)
        .directory(revision.taskRoot())
        .clearEnvironment()
        .env(env)
        .logFile(logFile())
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
      call.logStart = ProcessReadings.size(logFile());
      call.startNanos = System.nanoTime();
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
    if (waiter != null) {
      waiter.complete(event);
    }
  }

  private HttpResponse serve(ServiceRequestContext ctx, HttpRequest req) {
    String path = ctx.path();
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
    Duration initDuration = null;
    synchronized (this) {
      if (!ready.isDone()) {
        initDuration = Duration.ofNanos(System.nanoTime() - startNanos);
        initLogEnd = ProcessReadings.size(logFile());
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
    if (initDuration != null) {
      ready.complete(initDuration);
    }
    if (settledCall != null) {
      settledCall.settled.complete(null);
    }
    return answer;
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
    }
    ready.completeExceptionally(new InitFailure(Outcome.error(initErrorType, initErrorBody), null));
    return json(HttpStatus.ACCEPTED, "{\"status\":\"OK\"}");
  }

  private void onTimeout(Call call) {
    if (call.outcome.isDone()) {
      return;
    }
    retired = true;
    String seconds = String.format("%.2f", call.timeout.toMillis() / 1000.0);
    complete(call, Outcome.platformError("Sandbox.Timedout", "RequestId: " + call.requestId
        + " Error: Task timed out after " + seconds + " seconds",
        java.time.Instant.now() + " " + call.requestId + " Task timed out after " + seconds + " seconds"));
    // off the timer thread: stopping waits for the process group to go
    CompletableFuture.runAsync(this::kill);
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
    if (server != null) {
      server.closeAsync();
    }
  }

  private void finishWithExit(Call call) {
    if (!call.outcome.isDone()) {
      String msg = "RequestId: " + call.requestId + " Error: Runtime exited with error: " + exitStatus();
      complete(call, Outcome.platformError("Runtime.ExitError", msg, msg + "\nRuntime.ExitError"));
    }
    call.settled.complete(null);
  }

  private String exitStatus() {
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
      call.endNanos = System.nanoTime();
      if (call.timer != null) {
        call.timer.cancel(false);
      }
    }
    call.outcome.complete(outcome);
    // a runtime that never asks for the next event still ends its invocation's log
    scheduler.schedule(() -> call.settled.complete(null), 200, TimeUnit.MILLISECONDS);
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

  /** Kills the process group at once (timeouts, stop, reaping). */
  void kill() {
    retired = true;
    ChildProcess p = process;
    if (p != null) {
      p.stop(Duration.ZERO);
    } else {
      onExit();
    }
  }

  /** Ends the instance: the process, then its Runtime API. */
  void stop() {
    kill();
    if (server != null) {
      server.closeAsync();
    }
  }

  /** Init output: the log up to the first {@code /next} (or the failure). */
  String initLog() {
    long end = initLogEnd < 0 ? ProcessReadings.size(logFile()) : initLogEnd;
    return ProcessReadings.read(logFile(), 0, end);
  }

  String invocationLog(Call call) {
    return ProcessReadings.read(logFile(), call.logStart, ProcessReadings.size(logFile()));
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
