package io.traceharness.support;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ends this JVM when the process that started it is gone, the way surefire's forks end with
 * Maven. {@code exec:exec} starts the demo, sandbox and benchmarks in a JVM of their own; when
 * Maven is killed with SIGKILL (a CI time limit, an IDE's stop button) nothing tells that JVM, and
 * init adopts it and its stack. {@link System#exit} runs the shutdown hooks, which stop the
 * stack's child processes.
 *
 * <pre>{@code
 * public static void main(String[] args) {
 *   ParentWatch.exitWhenParentDies();
 *   ...
 * }
 * }</pre>
 *
 * <p>Public because the scenario module's mains and the benchmarks call it.
 */
public final class ParentWatch {

  private static final Logger LOG = LoggerFactory.getLogger(ParentWatch.class);
  private static final long POLL_MILLIS = 500;
  /** What a shell reports for a process ended by SIGHUP, the signal a lost terminal sends. */
  static final int EXIT_CODE = 129;
  /**
   * How long the shutdown hooks get once the parent is gone. The child reaper needs about 3 s;
   * an orderly close can wait far longer on a component the reaper already stopped (APM Server
   * draining into a stopped Elasticsearch), and with nobody left to wait for this JVM, its ports
   * and memory must not be held for that.
   */
  static final long EXIT_GRACE_MILLIS = 5_000;
  private static ScheduledExecutorService watcher;

  private ParentWatch() {
  }

  /**
   * Watches the current parent from a daemon thread (twice a second) and exits once it is gone or
   * this JVM has been adopted by another process (init or a subreaper). Does nothing when the JVM
   * has no parent to lose (already adopted by init), and nothing the second time.
   */
  public static synchronized void exitWhenParentDies() {
    if (watcher != null) {
      return;
    }
    Optional<ProcessHandle> parent = ProcessHandle.current().parent();
    if (parent.isEmpty() || parent.get().pid() == 1) {
      return;
    }
    long watched = parent.get().pid();
    watcher = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "traceharness-parent-watch");
      t.setDaemon(true);
      return t;
    });
    watcher.scheduleWithFixedDelay(() -> {
      if (isOrphaned(watched, ProcessHandle.current().parent())) {
        LOG.warn("The process that started this JVM ({}) is gone: stopping", watched);
        watcher.shutdown();
        haltAfter(EXIT_GRACE_MILLIS);
        System.exit(EXIT_CODE);
      }
    }, POLL_MILLIS, POLL_MILLIS, TimeUnit.MILLISECONDS);
  }

  /** Halts the JVM, shutdown hooks finished or not, {@code millis} from now (from a daemon thread). */
  private static void haltAfter(long millis) {
    CompletableFuture.delayedExecutor(millis, TimeUnit.MILLISECONDS).execute(() -> {
      LOG.warn("Shutdown hooks still running after {} ms: halting", millis);
      Runtime.getRuntime().halt(EXIT_CODE);
    });
  }

  /**
   * The kernel hands an orphan to init or a subreaper the moment its parent dies, whereas the dead
   * parent stays a zombie (alive to {@link ProcessHandle#isAlive()}) until its own parent reaps it,
   * and a reaped parent's pid may be reused: so the parent pid changing is the sign.
   */
  static boolean isOrphaned(long parentPid, Optional<ProcessHandle> currentParent) {
    return currentParent.map(ProcessHandle::pid).orElse(-1L) != parentPid;
  }
}
