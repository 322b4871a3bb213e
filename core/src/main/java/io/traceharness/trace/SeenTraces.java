package io.traceharness.trace;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Tells listeners of every trace a test awaited ({@link Traces#await}) or asserted
 * ({@code TraceAssertions.assertThat(trace)}), as it was then: how the JUnit extension's run report
 * learns which traces each test looked at. Nothing is kept when nobody listens.
 *
 * <pre>{@code
 * try (SeenTraces.Subscription s = SeenTraces.listen((trace, how) -> System.out.println(how + " " + trace.traceId()))) {
 *   traces.await(traceId);        // prints "awaited 4bf92f35…"
 * }
 * }</pre>
 */
public final class SeenTraces {

  /** Awaited: returned by an await. */
  public static final String AWAITED = "awaited";
  /** The last state of an await that timed out. */
  public static final String AWAIT_TIMED_OUT = "await timed out";
  /** Handed to {@code TraceAssertions.assertThat}. */
  public static final String ASSERTED = "asserted";

  /** Who is told; called on the thread that awaited or asserted, so it must be quick and thread-safe. */
  @FunctionalInterface
  public interface Listener {
    void seen(Trace trace, String how);
  }

  /** A registration; closing it stops the telling. */
  public interface Subscription extends AutoCloseable {
    @Override
    void close();
  }

  private static final List<Listener> LISTENERS = new CopyOnWriteArrayList<>();

  private SeenTraces() {
  }

  public static Subscription listen(Listener listener) {
    Objects.requireNonNull(listener, "listener");
    LISTENERS.add(listener);
    return () -> LISTENERS.remove(listener);
  }

  /** Tells every listener; a listener's failure never becomes the test's. */
  public static void seen(Trace trace, String how) {
    if (trace == null) {
      return;
    }
    for (Listener l : LISTENERS) {
      try {
        l.seen(trace, how);
      } catch (RuntimeException e) {
        org.slf4j.LoggerFactory.getLogger(SeenTraces.class).warn("a trace listener failed on {}", trace.traceId(), e);
      }
    }
  }
}
