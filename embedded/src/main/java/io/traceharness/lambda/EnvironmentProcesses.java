package io.traceharness.lambda;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.traceharness.support.ChildProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The processes of one execution environment: the runtime's, the external extensions' (the layers'
 * executables) and the extensions the environment hook runs in this JVM; how they are started, stopped
 * and continued (freeze and thaw), killed, and ended in the Shutdown phase.
 */
final class EnvironmentProcesses {

  /** The Shutdown phase's limits (AWS Lambda Developer Guide, "Lambda execution environment", Shutdown phase). */
  static final long EXTERNAL_SHUTDOWN_LIMIT_MS = 2_000;
  static final long INTERNAL_SHUTDOWN_LIMIT_MS = 500;
  /** What the runtime gets of the limit after SIGTERM when external extensions are registered. */
  static final long RUNTIME_SHUTDOWN_SHARE_MS = 300;

  private final String name;
  private final Path taskRoot;
  private final List<ChildProcess> extensionProcesses = new CopyOnWriteArrayList<>();
  private final Map<String, ChildProcess> extensionsByName = new ConcurrentHashMap<>();
  /** The environment hook's extensions, run in this JVM: name → completed when each has ended. */
  private final Map<String, CompletableFuture<Void>> hostedExtensions = new ConcurrentHashMap<>();
  private volatile ChildProcess runtime;

  /** @param name the processes' name, {@code lambda-<function>-<instance id>} */
  EnvironmentProcesses(String name, Path taskRoot) {
    this.name = name;
    this.taskRoot = taskRoot;
  }

  /** An extension of the environment hook's, run in this JVM: {@code ended} completes when it has ended. */
  void hosted(String extension, CompletableFuture<Void> ended) {
    hostedExtensions.put(extension, ended);
  }

  /** Starts one external extension, writing to {@code logFile} (shared by every extension). */
  ChildProcess startExtension(Path exe, Map<String, String> env, Path logFile) {
    String extension = exe.getFileName().toString();
    ChildProcess p = ChildProcess.builder(name + "-" + extension)
        .command(List.of(exe.toString()))
        .directory(taskRoot)
        .clearEnvironment()
        .env(env)
        .logFile(logFile)
        .appendLog(true)
        .start();
    extensionProcesses.add(p);
    extensionsByName.put(extension, p);
    return p;
  }

  ChildProcess startRuntime(List<String> command, Map<String, String> env, Path logFile) {
    ChildProcess p = ChildProcess.builder(name)
        .command(command)
        .directory(taskRoot)
        .clearEnvironment()
        .env(env)
        .logFile(logFile)
        .appendLog(true)
        .start();
    runtime = p;
    return p;
  }

  /** The runtime's process; {@code null} before it started. */
  ChildProcess runtime() {
    return runtime;
  }

  /** Stops every process group (SIGSTOP); {@code false} when the runtime's could not be stopped. */
  boolean suspend() {
    if (!runtime.suspend()) {
      return false;
    }
    extensionProcesses.forEach(ChildProcess::suspend);
    return true;
  }

  /** Continues every process group (SIGCONT). */
  void resume() {
    extensionProcesses.forEach(ChildProcess::resume);
    ChildProcess p = runtime;
    if (p != null) {
      p.resume();
    }
  }

  /**
   * Kills every process group at once, the extensions' first.
   *
   * @return whether there was a runtime process to kill
   */
  boolean kill() {
    extensionProcesses.forEach(e -> e.stop(Duration.ZERO));
    ChildProcess p = runtime;
    if (p != null) {
      p.stop(Duration.ZERO);
      return true;
    }
    return false;
  }

  /**
   * The processes' part of the Shutdown phase (see {@link Instance#shutdown}): the runtime is killed at
   * once without extensions, else gets SIGTERM and its share of the limit; every extension registered
   * for {@code SHUTDOWN} gets the event and the rest of the limit, the others SIGKILL.
   *
   * @return whether there was a runtime process to end
   */
  boolean shutdown(String reason, Extensions extensions) {
    List<Extensions.Agent> agents = extensions.agents();
    boolean external = agents.stream().anyMatch(a -> a.external);
    boolean internal = agents.stream().anyMatch(a -> !a.external);
    long start = System.nanoTime();
    long limitMs = external ? EXTERNAL_SHUTDOWN_LIMIT_MS : internal ? INTERNAL_SHUTDOWN_LIMIT_MS : 0;
    long deadlineMs = System.currentTimeMillis() + limitMs;
    ChildProcess p0 = runtime;
    if (p0 != null) {
      if (agents.isEmpty()) {
        p0.kill();
      } else {
        long runtimeMs = internal ? INTERNAL_SHUTDOWN_LIMIT_MS : RUNTIME_SHUTDOWN_SHARE_MS;
        p0.terminate();
        if (!awaitExit(p0, runtimeMs)) {
          p0.kill();
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
    for (String extension : told) {
      ChildProcess p = extensionsByName.get(extension);
      long leftMs = limitMs - (System.nanoTime() - start) / 1_000_000;
      if (p != null && !awaitExit(p, Math.max(0, leftMs))) {
        p.kill();
      }
      CompletableFuture<Void> hosted = hostedExtensions.get(extension);
      if (hosted != null) {
        // an extension of the hook's ends when it says so; past the limit the hook's afterStop ends it
        awaitEnd(hosted, Math.max(0, leftMs));
      }
    }
    for (ChildProcess p : extensionProcesses) {
      p.stop(Duration.ZERO);
    }
    if (p0 != null) {
      p0.stop(Duration.ZERO);
      return true;
    }
    return false;
  }

  /** How a process ended, as Lambda words it: {@code exit status 1}, {@code signal: killed}. */
  static String statusOf(ChildProcess process) {
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

  private static void awaitEnd(CompletableFuture<Void> ended, long millis) {
    try {
      ended.get(millis, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
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
}
