package io.traceharness.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.traceharness.junit.TracingStackTest;
import io.traceharness.scenario.BlogScenario;
import io.traceharness.stack.TracingStack;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;

/**
 * The post's scenario under load: light clients in this JVM (no JVM per call) each make their own
 * trace and call the producer through API Gateway with {@code traceparent}, {@code concurrency} at a
 * time; the post's Node functions (OpenTelemetry layer, a layer collector per execution environment)
 * do the rest. Every trace must end complete (client, producer, consumer) and connected (one root,
 * no orphan) in Elasticsearch, checked in bulk: one aggregation and one search per poll over all
 * pending traces. Prints p50/p99 of trace-complete latency (client call end to the poll that saw
 * the trace complete) and throughput.
 *
 * <p>{@code -Dtraceharness.load.scenarios=N} (default 1,000) and {@code
 * -Dtraceharness.load.concurrency=N} (default ten per core, 20 on two cores) size it to the machine;
 * both are printed.
 */
@TracingStackTest
class LoadIT {

  private static final int SCENARIOS = Integer.getInteger("traceharness.load.scenarios", 1000);
  private static final int CONCURRENCY = Integer.getInteger("traceharness.load.concurrency",
      10 * Runtime.getRuntime().availableProcessors());
  /**
   * A bound, not a target: clients stop starting scenarios after this long, and the test then fails
   * saying how many it made (about 4 minutes for 1,000 on a busy 2-core machine).
   */
  private static final Duration CALL_BUDGET = Duration.ofMinutes(10);
  /** After the last call, traces have this long to complete. */
  private static final Duration SETTLE = Duration.ofSeconds(90);
  private static final Duration POLL = Duration.ofMillis(250);
  private static final String CLIENT = "load-client";

  @Test
  void everyTraceCompleteAndConnectedUnderLoad(TracingStack stack) throws Exception {
    BlogScenario scenario = BlogScenario.builder(stack).suffix("-load").build();
    BlogScenario.Functions functions = scenario.deploy();
    Set<String> services = Set.of(CLIENT, scenario.producerName(), scenario.consumerName());
    URI produce = functions.producer().url();
    URI elasticsearch = stack.endpoints().elasticsearch();

    ExecutorService clients = Executors.newFixedThreadPool(CONCURRENCY);
    ExecutorService io = Executors.newFixedThreadPool(4);
    ScheduledExecutorService poller = Executors.newSingleThreadScheduledExecutor();
    LightClient client = new LightClient(stack.endpoints().apmServer(), stack.endpoints().apmSecretToken(), CLIENT, io);
    // Starts one at a time and opens one slot more each time the scenario that first ran in the
    // newest slot finishes, up to CONCURRENCY. That scenario is the one that found every execution
    // environment busy and waited for a cold start of each function, so cold starts come one pair
    // at a time. Opening a slot per finished scenario instead reaches 20 within seconds: some 40
    // Node.js cold starts at once, which on two cores can outlast API Gateway's 29 s (a 504).
    Semaphore slots = new Semaphore(1);
    AtomicInteger opened = new AtomicInteger(1);
    AtomicBoolean newestSlot = new AtomicBoolean(true);
    Map<String, Long> pending = new ConcurrentHashMap<>();
    List<Long> latenciesMs = Collections.synchronizedList(new ArrayList<>());
    Map<Integer, AtomicInteger> statuses = new ConcurrentHashMap<>();
    ConcurrentLinkedQueue<String> errors = new ConcurrentLinkedQueue<>();
    AtomicReference<Map<String, String>> lacking = new AtomicReference<>(Map.of());
    AtomicInteger polls = new AtomicInteger();
    AtomicInteger pollErrors = new AtomicInteger();
    AtomicReference<String> lastPollError = new AtomicReference<>("");
    int made = 0;
    long t0 = System.nanoTime();
    long callsEnd;
    long end;
    try {
      // one bulk check of every pending trace per interval, on its own thread so clients never wait for it
      poller.scheduleWithFixedDelay(() -> {
        try {
          if (!pending.isEmpty()) {
            lacking.set(poll(elasticsearch, pending, services, latenciesMs));
            polls.incrementAndGet();
          }
        } catch (RuntimeException e) {
          // an exception would cancel the schedule; the next poll tries again
          pollErrors.incrementAndGet();
          lastPollError.set(e.toString());
        }
      }, 0, POLL.toMillis(), TimeUnit.MILLISECONDS);
      long callDeadline = t0 + CALL_BUDGET.toNanos();
      for (; made < SCENARIOS && System.nanoTime() < callDeadline; made++) {
        // a slot per running scenario: never more than CONCURRENCY clients at once
        slots.acquire();
        boolean firstInNewestSlot = newestSlot.getAndSet(false);
        clients.execute(() -> {
          try {
            LightClient.Call c = client.call("POST", produce, "{\"message\":\"load\"}");
            statuses.computeIfAbsent(c.status(), k -> new AtomicInteger()).incrementAndGet();
            pending.put(c.traceId(), c.endNanos());
          } catch (RuntimeException e) {
            errors.add(e.toString());
          } finally {
            if (firstInNewestSlot && opened.getAndUpdate(n -> Math.min(CONCURRENCY, n + 1)) < CONCURRENCY) {
              newestSlot.set(true);
              slots.release(2);
            } else {
              slots.release();
            }
          }
        });
      }
      clients.shutdown();
      assertThat(clients.awaitTermination(2, TimeUnit.MINUTES)).as("clients finished").isTrue();
      callsEnd = System.nanoTime();
      try {
        await("every trace complete and connected").atMost(SETTLE).pollInterval(POLL).until(pending::isEmpty);
      } catch (ConditionTimeoutException e) {
        // reported below with what the traces lack
      }
      end = System.nanoTime();
    } finally {
      clients.shutdownNow();
      poller.shutdownNow();
      io.shutdownNow();
    }

    List<Long> sorted = new ArrayList<>(latenciesMs);
    Collections.sort(sorted);
    double callSeconds = (callsEnd - t0) / 1e9;
    Map<String, String> figures = new LinkedHashMap<>();
    figures.put("scenarios (requested / made)", SCENARIOS + " / " + made + " (" + CONCURRENCY
        + " at a time, " + Runtime.getRuntime().availableProcessors()
        + " cores; ramped up by one per cold start)");
    figures.put("client statuses", new java.util.TreeMap<>(statuses).toString() + (errors.isEmpty() ? "" : ", errors " + errors.size()));
    figures.put("traces complete and connected", sorted.size() + " of " + made);
    figures.put("trace-complete latency p50 / p99 / max", pct(sorted, 50) + " / " + pct(sorted, 99) + " / "
        + (sorted.isEmpty() ? "-" : sorted.get(sorted.size() - 1)) + " ms");
    figures.put("throughput", String.format(Locale.ROOT, "%.1f scenarios/s over %.1f s of calls; all traces complete after %.1f s",
        made / callSeconds, callSeconds, (end - t0) / 1e9));
    figures.put("Elasticsearch polls (errors)", polls.get() + " (" + pollErrors.get() + ")"
        + (pollErrors.get() == 0 ? "" : "; last error: " + lastPollError.get()));
    StringBuilder b = new StringBuilder("\n== LoadIT\n");
    figures.forEach((k, v) -> b.append(String.format("%-40s %s%n", k, v)));
    System.out.println(b);

    assertThat(errors).as("client errors").isEmpty();
    assertThat(statuses.keySet()).as("statuses the clients got").containsOnly(200);
    if (!pending.isEmpty()) {
      String first = pending.keySet().iterator().next();
      throw new AssertionError(pending.size() + " of " + made + " traces not complete and connected within " + SETTLE
          + " of the last call; what they lack: " + summarize(lacking.get()) + "\nDiagnosis of " + first + ":\n"
          + stack.diagnose(first, List.of(CLIENT, scenario.producerName(), scenario.consumerName())));
    }
    assertThat(sorted).as("traces complete and connected").hasSize(made);
    assertThat(made).as("scenarios made within " + CALL_BUDGET.toMinutes() + " minutes").isEqualTo(SCENARIOS);
  }

  /** Checks every pending trace in bulk; the complete ones leave with their latency. Answers what the rest lack. */
  private static Map<String, String> poll(URI elasticsearch, Map<String, Long> pending, Set<String> services,
      List<Long> latenciesMs) {
    Map<String, String> verdicts = BulkTraces.check(elasticsearch, List.copyOf(pending.keySet()), services);
    long now = System.nanoTime();
    Map<String, String> lacking = new LinkedHashMap<>();
    verdicts.forEach((id, lacks) -> {
      if (lacks.isEmpty()) {
        Long callEnd = pending.remove(id);
        if (callEnd != null) {
          latenciesMs.add((now - callEnd) / 1_000_000);
        }
      } else {
        lacking.put(id, lacks);
      }
    });
    return lacking;
  }

  private static String summarize(Map<String, String> lacking) {
    Map<String, Integer> byReason = new java.util.TreeMap<>();
    lacking.values().forEach(r -> byReason.merge(r, 1, Integer::sum));
    return byReason.toString();
  }

  private static String pct(List<Long> sorted, int p) {
    if (sorted.isEmpty()) {
      return "-";
    }
    int i = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
    return Long.toString(sorted.get(Math.max(0, Math.min(sorted.size() - 1, i))));
  }
}
