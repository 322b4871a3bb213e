package io.traceharness.lambda;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The execution environments of every function and the concurrency limits over them: one
 * invocation per environment, a function's reserved concurrency and the account limit, beyond which
 * the service throttles (429). All of its state is guarded by one lock, held only for bookkeeping:
 * processes are started and stopped outside it.
 */
final class InstancePool implements FunctionRegistry.Environments {

  /** One function's environments. */
  private static final class Slots {
    final Deque<Instance> idle = new ArrayDeque<>();
    final Set<Instance> instances = new LinkedHashSet<>();
    int inFlight;
  }

  private final int accountConcurrency;
  private final FreezeStats freezes;
  private final Duration keepAlive;
  private final Path workDir;
  private final Workers workers;
  private final Object lock = new Object();
  private final Map<LambdaFunction, Slots> slots = new LinkedHashMap<>();
  private final AtomicInteger instanceCounter = new AtomicInteger();
  private int accountInFlight;
  private boolean stopped;
  private final LifecycleLog lifecycle = new LifecycleLog();

  InstancePool(int accountConcurrency, Duration keepAlive, Path workDir, Workers workers) {
    this(accountConcurrency, keepAlive, workDir, workers, null);
  }

  /** @param freezes where frozen environments report their cost; {@code null}: environments are not frozen */
  InstancePool(int accountConcurrency, Duration keepAlive, Path workDir, Workers workers, FreezeStats freezes) {
    this.freezes = freezes;
    this.accountConcurrency = accountConcurrency;
    this.keepAlive = keepAlive;
    this.workDir = workDir;
    this.workers = workers;
  }

  /** The freezes, shutdowns and extension timeouts of every environment. */
  LifecycleLog lifecycle() {
    return lifecycle;
  }

  /**
   * An environment for one invocation of {@code fn}: an idle one of its current revision, else a
   * new (not yet started) one; throttled beyond the limits.
   */
  Instance acquire(LambdaFunction fn) {
    List<Instance> stale = new ArrayList<>();
    Instance chosen = null;
    try {
      synchronized (lock) {
        if (stopped) {
          throw new ServiceException(503, "ServiceException", "The Lambda emulator is stopped");
        }
        Slots s = slots.computeIfAbsent(fn, k -> new Slots());
        Revision d = fn.revision();
        Integer reserved = d.config().reservedConcurrency();
        if (reserved != null && s.inFlight >= reserved) {
          throw ServiceException.throttled("ReservedFunctionConcurrentInvocationLimitExceeded");
        }
        if (accountInFlight >= accountConcurrency) {
          throw ServiceException.throttled("ConcurrentInvocationLimitExceeded");
        }
        Instance i;
        while ((i = s.idle.pollFirst()) != null) {
          if (!i.retired() && i.alive() && i.revision().generation() == d.generation()) {
            chosen = i;
            break;
          }
          s.instances.remove(i);
          stale.add(i);
        }
        if (chosen == null) {
          String id = HexFormat.of().formatHex(UUID.randomUUID().toString().getBytes(StandardCharsets.US_ASCII), 0, 16);
          chosen = new Instance(id, d, workDir.resolve("instances").resolve(fn.name() + "-"
              + instanceCounter.incrementAndGet()), workers.scheduler(), freezes);
          chosen.lifecycle(lifecycle);
          s.instances.add(chosen);
        }
        s.inFlight++;
        accountInFlight++;
      }
    } finally {
      stale.forEach(st -> workers.background(st::stop));
    }
    return chosen;
  }

  /** Ends an invocation: the environment goes back to the idle ones when it can serve another, else it stops. */
  void release(LambdaFunction fn, Instance inst, boolean reusable) {
    boolean keep;
    synchronized (lock) {
      Slots s = slots.get(fn);
      s.inFlight--;
      accountInFlight--;
      keep = reusable && !stopped && !fn.deleted() && !inst.retired() && inst.alive()
          && inst.revision().generation() == fn.revision().generation();
      if (keep) {
        inst.markIdle();
        s.idle.addFirst(inst);
      } else {
        s.instances.remove(inst);
      }
    }
    if (!keep) {
      workers.background(inst::stop);
    }
  }

  @Override
  public void replaced(LambdaFunction fn) {
    List<Instance> stale = new ArrayList<>();
    synchronized (lock) {
      Slots s = slots.get(fn);
      if (s == null) {
        return;
      }
      for (Iterator<Instance> it = s.idle.iterator(); it.hasNext(); ) {
        Instance i = it.next();
        it.remove();
        s.instances.remove(i);
        stale.add(i);
      }
      s.instances.forEach(Instance::retire);
    }
    stale.forEach(st -> workers.background(st::stop));
  }

  @Override
  public void deleted(LambdaFunction fn) {
    List<Instance> doomed;
    synchronized (lock) {
      Slots s = slots.get(fn);
      if (s == null) {
        return;
      }
      doomed = new ArrayList<>(s.instances);
      s.instances.clear();
      s.idle.clear();
    }
    doomed.forEach(i -> workers.background(i::stop));
  }

  /** Stops the environments idle for longer than the keep-alive (or dead). */
  void reap() {
    long now = System.nanoTime();
    List<Instance> expired = new ArrayList<>();
    synchronized (lock) {
      for (Slots s : slots.values()) {
        for (Iterator<Instance> it = s.idle.iterator(); it.hasNext(); ) {
          Instance i = it.next();
          if (now - i.lastUsedNanos() > keepAlive.toNanos() || !i.alive()) {
            it.remove();
            s.instances.remove(i);
            expired.add(i);
          }
        }
      }
    }
    expired.forEach(i -> workers.background(i::stop));
  }

  /** Live environments per function (busy or idle). */
  Map<String, Integer> counts() {
    synchronized (lock) {
      Map<String, Integer> m = new LinkedHashMap<>();
      slots.forEach((fn, s) -> {
        if (!fn.deleted()) {
          m.put(fn.name(), s.instances.size());
        }
      });
      return m;
    }
  }

  /** One live environment: its function, whether it is running an invocation, and the instance. */
  record Live(String function, boolean busy, Instance instance) {
  }

  /** Live environments of the functions not deleted, per function in order of first use. */
  List<Live> live() {
    synchronized (lock) {
      List<Live> out = new ArrayList<>();
      slots.forEach((fn, s) -> {
        if (!fn.deleted()) {
          s.instances.forEach(i -> out.add(new Live(fn.name(), !s.idle.contains(i), i)));
        }
      });
      return out;
    }
  }

  List<Long> runtimePids() {
    synchronized (lock) {
      List<Long> pids = new ArrayList<>();
      for (Slots s : slots.values()) {
        for (Instance i : s.instances) {
          if (i.process() != null && i.process().isAlive()) {
            pids.add(i.process().pid());
          }
        }
      }
      return pids;
    }
  }

  /** Refuses further invocations and hands back every environment, for the caller to stop. */
  List<Instance> stop() {
    List<Instance> all = new ArrayList<>();
    synchronized (lock) {
      stopped = true;
      slots.values().forEach(s -> {
        all.addAll(s.instances);
        s.instances.clear();
        s.idle.clear();
      });
    }
    return all;
  }

  boolean stopped() {
    synchronized (lock) {
      return stopped;
    }
  }
}
