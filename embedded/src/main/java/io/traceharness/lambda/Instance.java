package io.traceharness.lambda;

import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import io.traceharness.support.ChildProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * One execution environment: a runtime process and the Runtime API it polls, on its own loopback
 * port ({@code AWS_LAMBDA_RUNTIME_API}). It serves one invocation at a time. This class runs the
 * environment's phases (Init, Invoke, Shutdown) and holds its one lock; its parts are the
 * {@link RuntimeApi}, the {@link EnvironmentProcesses}, the {@link EnvironmentLogs}, the
 * {@link PlatformEvents} the phases send and the {@link Freezer}.
 */
final class Instance {

  /** {@code shutdownReason} values (AWS Runtime Interface Emulator, {@code lambda/interop/model.go}). */
  static final String REASON_SPINDOWN = "spindown";
  static final String REASON_TIMEOUT = "timeout";
  static final String REASON_FAILURE = "failure";

  private final String id;
  private final Revision revision;
  private final Path dir;
  private final ScheduledExecutorService scheduler;
  private final CompletableFuture<Duration> ready = new CompletableFuture<>();
  private final CompletableFuture<Void> exited = new CompletableFuture<>();
  private final Extensions extensions;
  private final EnvironmentProcesses processes;
  private final EnvironmentLogs logs;
  private final RuntimeApi runtimeApi;
  private final java.util.concurrent.atomic.AtomicBoolean shuttingDown = new java.util.concurrent.atomic.AtomicBoolean();
  private final CompletableFuture<String> shutDown = new CompletableFuture<>();
  private java.util.function.Consumer<String> shutdownOutput = text -> { };
  private final Telemetry telemetry;
  private long startNanos;
  private volatile long lastUsedNanos = System.nanoTime();
  private volatile boolean retired;
  /** Why the environment was retired when Lambda itself ends it for a reason other than {@code spindown}. */
  private volatile String retiredFor;
  private volatile long lastMemoryMb;

  private final PlatformEvents platform;
  private final Freezer freezer;
  private LifecycleLog lifecycle = new LifecycleLog();

  Instance(String id, Revision revision, Path dir, ScheduledExecutorService scheduler) {
    this(id, revision, dir, scheduler, null);
  }

  /** @param freezes where frozen environments report their freeze and thaw cost; {@code null}: never frozen */
  Instance(String id, Revision revision, Path dir, ScheduledExecutorService scheduler, FreezeStats freezes) {
    this.id = id;
    this.revision = revision;
    this.dir = dir;
    this.scheduler = scheduler;
    FunctionConfig c = revision.config();
    String[] arn = c.arn().split(":");
    this.extensions = new Extensions(c.name(), c.handler(), arn.length > 4 ? arn[4] : "");
    this.logs = new EnvironmentLogs(dir);
    this.processes = new EnvironmentProcesses("lambda-" + c.name() + "-" + id, revision.taskRoot());
    this.telemetry = new Telemetry(extensions, scheduler, logFile(), extensionLogFile());
    this.runtimeApi = new RuntimeApi(this, extensions, telemetry, logs);
    this.platform = new PlatformEvents(telemetry, extensions);
    this.freezer = new Freezer(c.name(), id, freezes, processes, telemetry);
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
    return processes.runtime() != null;
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
    ChildProcess process = processes.runtime();
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
    return processes.runtime();
  }

  Path logFile() {
    return logs.logFile();
  }

  /** What the external extensions write (the Telemetry API's {@code extension} stream; the function's log). */
  Path extensionLogFile() {
    return logs.extensionLogFile();
  }

  /** Starts the Runtime API; {@code host:port} for {@code AWS_LAMBDA_RUNTIME_API}. */
  String startRuntimeApi() {
    return runtimeApi.start();
  }

  /**
   * Init begins: {@code platform.initStart}, and the external extensions about to start (the layers'
   * executables by file name, and those the environment hook runs in this JVM) are awaited;
   * {@link Extensions#registered()} completes once each has registered.
   */
  void beginInit(List<String> executables, List<HostedExtension> hosted) {
    startNanos = System.nanoTime();
    logs.clear();
    platform.initStart(revision.config());
    List<String> names = new ArrayList<>(executables);
    hosted.forEach(h -> names.add(h.name()));
    extensions.launching(names);
    extensions.registered().whenComplete((x, failure) -> {
      if (failure != null) {
        logs.markInitEnd();
        ready.completeExceptionally(failure);
        CompletableFuture.runAsync(this::kill);
      }
    });
    for (HostedExtension h : hosted) {
      processes.hosted(h.name(), h.ended());
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
      ChildProcess p = processes.startExtension(exe, env, extensionLogFile());
      p.process().onExit().thenRun(() -> {
        if (ready.isDone()) {
          // an extension that dies after init leaves an environment Lambda would reset
          retired = true;
        }
        extensions.exited(name, EnvironmentProcesses.statusOf(p));
      });
    }
  }

  /** Starts the runtime process; {@link #ready()} completes once it and every extension wait for their next event. */
  void startProcess(List<String> command, Map<String, String> env) {
    if (startNanos == 0) {
      startNanos = System.nanoTime();
    }
    ChildProcess p = processes.startRuntime(command, env, logFile());
    p.process().onExit().thenRun(this::onExit);
  }

  /** Hands an invocation to the runtime (now, or at its next {@code /next}). */
  void dispatch(Call call) {
    Runnable delivery;
    synchronized (this) {
      lastUsedNanos = System.nanoTime();
      runtimeApi.assign(call);
      // what the environment writes once thawed (a timer left behind firing) belongs to this invocation
      logs.markInvocationStart(call);
      thaw();
      call.startNanos = System.nanoTime();
      call.deadlineMs = System.currentTimeMillis() + call.timeout.toMillis();
      maxMemoryUsedMb();
      if (exited.isDone()) {
        finishWithExit(call);
        return;
      }
      delivery = runtimeApi.deliver(call);
      call.timer = scheduler.schedule(() -> onTimeout(call), call.timeout.toMillis(), TimeUnit.MILLISECONDS);
    }
    platform.start(call);
    if (delivery != null) {
      delivery.run();
    }
    call.extensionsInvoked = platform.invoke(call);
  }

  /** Init is over once the runtime and every extension wait for their next event. */
  void endInit() {
    String extensionError = extensions.initError();
    logs.markInitEnd();
    String status = extensionError == null ? "success" : "error";
    double initMs = (System.nanoTime() - startNanos) / 1e6;
    platform.initDone(status, initMs);
    if (extensionError != null) {
      ready.completeExceptionally(new InitFailure(Outcome.platformError(extensionError,
          "Extension reported an init error: " + extensionError, null), null));
      CompletableFuture.runAsync(this::kill);
      return;
    }
    ready.complete(Duration.ofNanos(System.nanoTime() - startNanos));
  }

  /** The invocation's phase is over: the runtime and every extension wait for their next event. */
  void settle(Call call) {
    boolean report = false;
    synchronized (this) {
      if (call.phaseEndNanos == 0) {
        call.phaseEndNanos = System.nanoTime();
        report = true;
      }
    }
    if (report) {
      platform.report(call, revision.config().memoryMb(), maxMemoryUsedMb());
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
    freezer.onFreeze(frozen, thawed);
  }

  /**
   * Freezes the environment as Lambda does once an invocation is over: the runtime's and the
   * extensions' process groups stop (SIGSTOP) and what the environment hook runs for it pauses.
   */
  private synchronized void freeze() {
    if (retired || exited.isDone()) {
      return;
    }
    freezer.freeze(lifecycle);
  }

  /** Lets a frozen environment run again (its next invocation, or its end). */
  synchronized void thaw() {
    freezer.thaw(lifecycle);
  }

  synchronized boolean frozen() {
    return freezer.frozen();
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
      call = runtimeApi.current();
      waiter = runtimeApi.takeWaiting();
      logs.markInitEndIfOpen();
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
    return EnvironmentProcesses.statusOf(processes.runtime());
  }

  /** The runtime answered {@code call} (or the platform did for it): {@code platform.runtimeDone}. */
  void complete(Call call, Outcome outcome) {
    synchronized (this) {
      if (call.outcome.isDone()) {
        return;
      }
      // the timer stays: the function's timeout still bounds the extensions' part of the Invoke phase
      call.endNanos = System.nanoTime();
    }
    platform.runtimeDone(call, outcome);
    call.outcome.complete(outcome);
    // a runtime that never asks for the next event still ends its invocation's log
    scheduler.schedule(() -> extensions.idle().thenRun(() -> settle(call)), 200, TimeUnit.MILLISECONDS);
  }

  /** Kills the process groups at once (timeouts, stop, reaping): the runtime's and its extensions'. */
  void kill() {
    retired = true;
    thaw();
    if (!processes.kill()) {
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
      inFlight = runtimeApi.current();
      logs.markShutdownStart();
    }
    try {
      thaw();
      // what is still buffered for a Telemetry API listener goes out before the processes end
      telemetry.close(Duration.ofMillis(EnvironmentProcesses.INTERNAL_SHUTDOWN_LIMIT_MS));
      if (!processes.shutdown(reason, extensions)) {
        onExit();
      }
    } finally {
      runtimeApi.close();
      CompletableFuture<Void> blockWritten = inFlight == null ? CompletableFuture.completedFuture(null)
          : inFlight.settled.copy().completeOnTimeout(null, 5, TimeUnit.SECONDS);
      blockWritten.whenComplete((x, y) -> {
        String output = logs.shutdownLog();
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

  /** The platform's lines that end the init phase ({@code EXTENSION …}). */
  List<String> initPlatformLines() {
    return extensions.logLines();
  }

  /** Init output: the log up to the end of init (or the failure). */
  String initLog() {
    return logs.initLog();
  }

  String invocationLog(Call call) {
    return logs.invocationLog(call);
  }

  /** Highest resident set size of the runtime's processes, in MB. */
  long maxMemoryUsedMb() {
    ChildProcess p = processes.runtime();
    long maxKb = 0;
    if (p != null) {
      maxKb = ProcessReadings.peakRssKb(p);
    }
    // a process that already ended reports what was last seen of it
    lastMemoryMb = Math.max(lastMemoryMb, (maxKb + 1023) / 1024);
    return Math.max(1, lastMemoryMb);
  }
}
