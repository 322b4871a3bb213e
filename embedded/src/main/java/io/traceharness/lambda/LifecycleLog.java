package io.traceharness.lambda;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What happened to execution environments between and after their invocations, kept for diagnosis
 * ({@link LambdaEmulator#lifecycle()}): each freeze, each Shutdown phase with its reason, and each
 * invocation that ran to its timeout because an extension never asked for its next event. The last
 * {@value #CAPACITY} of each are kept.
 *
 * <pre>{@code
 * lambda.lifecycle().freezes().forEach(f -> System.out.println(f.instanceId() + " frozen " + f.from() + " to " + f.to()));
 * }</pre>
 */
public final class LifecycleLog {

  static final int CAPACITY = 10_000;

  /** An environment frozen from {@code from} to {@code to}; {@code to} is null while it is still frozen. */
  public record Freeze(String function, String instanceId, Instant from, Instant to) {
  }

  /** An environment's Shutdown phase began at {@code at} ({@code spindown}, {@code timeout} or {@code failure}). */
  public record Shutdown(String function, String instanceId, Instant at, String reason) {
  }

  /**
   * An invocation the runtime had answered whose Invoke phase ran to the function's timeout because
   * these extensions never asked for their next event.
   */
  public record ExtensionTimeout(String function, String instanceId, String requestId, List<String> extensions,
      Instant at, Duration timeout) {

    public ExtensionTimeout {
      extensions = List.copyOf(extensions);
    }
  }

  private final Deque<Freeze> freezes = new ArrayDeque<>();
  private final Map<String, Freeze> frozenNow = new LinkedHashMap<>();
  private final Deque<Shutdown> shutdowns = new ArrayDeque<>();
  private final Deque<ExtensionTimeout> extensionTimeouts = new ArrayDeque<>();

  synchronized void frozen(String function, String instanceId, Instant at) {
    frozenNow.put(instanceId, new Freeze(function, instanceId, at, null));
  }

  synchronized void thawed(String instanceId, Instant at) {
    Freeze f = frozenNow.remove(instanceId);
    if (f != null) {
      add(freezes, new Freeze(f.function(), instanceId, f.from(), at));
    }
  }

  synchronized void shutdown(Shutdown s) {
    add(shutdowns, s);
  }

  synchronized void extensionTimeout(ExtensionTimeout t) {
    add(extensionTimeouts, t);
  }

  /** Every freeze, oldest first; those still going last, with no end. */
  public synchronized List<Freeze> freezes() {
    List<Freeze> all = new ArrayList<>(freezes);
    all.addAll(frozenNow.values());
    return all;
  }

  public synchronized List<Shutdown> shutdowns() {
    return List.copyOf(shutdowns);
  }

  public synchronized List<ExtensionTimeout> extensionTimeouts() {
    return List.copyOf(extensionTimeouts);
  }

  private static <T> void add(Deque<T> q, T item) {
    if (q.size() == CAPACITY) {
      q.removeFirst();
    }
    q.addLast(item);
  }
}
