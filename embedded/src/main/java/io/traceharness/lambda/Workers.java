package io.traceharness.lambda;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/** The service's threads: blocking work (process starts and stops, unzipping) and timers. */
final class Workers {

  private final ExecutorService blocking = Executors.newCachedThreadPool(daemon("lambda-emulator"));
  private final ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(1, daemon("lambda-emulator-timer"));

  ExecutorService blocking() {
    return blocking;
  }

  ScheduledExecutorService scheduler() {
    return scheduler;
  }

  /** Runs on the service's threads, or here once they are gone (after {@link #shutdown()}). */
  void background(Runnable task) {
    try {
      blocking.execute(task);
    } catch (RejectedExecutionException e) {
      task.run();
    }
  }

  void shutdown() {
    scheduler.shutdownNow();
    blocking.shutdownNow();
  }

  private static ThreadFactory daemon(String name) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, name + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}
