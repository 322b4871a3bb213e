package io.traceharness.lambda;

import java.time.Instant;

/**
 * The freeze of one execution environment between invocations, as Lambda freezes it: the runtime's
 * and the extensions' process groups stop (SIGSTOP), its Telemetry API delivery pauses and what the
 * environment hook runs for it pauses too; thawed for its next invocation or its end, each freeze and
 * thaw costed in the {@link FreezeStats}. Guarded by the instance's monitor.
 */
final class Freezer {

  private final String function;
  private final String id;
  private final FreezeStats freezes;
  private final EnvironmentProcesses processes;
  private final Telemetry telemetry;
  private Runnable onFrozen = () -> { };
  private Runnable onThawed = () -> { };
  private boolean frozen;
  private long freezeCostNanos;

  /** @param freezes where freezes and thaws report their cost; {@code null}: never frozen */
  Freezer(String function, String id, FreezeStats freezes, EnvironmentProcesses processes, Telemetry telemetry) {
    this.function = function;
    this.id = id;
    this.freezes = freezes;
    this.processes = processes;
    this.telemetry = telemetry;
  }

  void onFreeze(Runnable frozen, Runnable thawed) {
    this.onFrozen = frozen;
    this.onThawed = thawed;
  }

  void freeze(LifecycleLog lifecycle) {
    if (freezes == null || frozen || processes.runtime() == null) {
      return;
    }
    long t0 = System.nanoTime();
    if (!processes.suspend()) {
      return;
    }
    telemetry.pause();
    onFrozen.run();
    frozen = true;
    freezeCostNanos = System.nanoTime() - t0;
    lifecycle.frozen(function, id, Instant.now());
  }

  void thaw(LifecycleLog lifecycle) {
    if (!frozen) {
      return;
    }
    long t0 = System.nanoTime();
    frozen = false;
    onThawed.run();
    processes.resume();
    telemetry.resume();
    freezes.record(freezeCostNanos + System.nanoTime() - t0);
    lifecycle.thawed(id, Instant.now());
  }

  boolean frozen() {
    return frozen;
  }
}
