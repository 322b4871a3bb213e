package io.traceharness.scenario;

import io.traceharness.elasticsearch.EmbeddedElasticsearch;
import io.traceharness.embedded.EmbeddedStack;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The post's scenario timed: stack start (as a ratio to a bare Elasticsearch start measured in the
 * same run), deploy, cold invoke (as a ratio to a warm one), and the wait from the client's exit to
 * a complete trace, p50/p99 over {@code -Dbench.runs} client runs (default 50).
 */
public final class ScenarioBenchmark {

  private ScenarioBenchmark() {
  }

  public static void main(String[] args) {
    int runs = Integer.getInteger("bench.runs", 50);

    long t0 = System.nanoTime();
    EmbeddedElasticsearch bare = EmbeddedElasticsearch.builder().build();
    bare.start();
    Duration esStart = Duration.ofNanos(System.nanoTime() - t0);
    bare.stop();

    long t1 = System.nanoTime();
    // execution environments freeze between invocations, as the stack's default; -Dbench.freeze=false keeps them running
    try (EmbeddedStack stack = EmbeddedStack.builder().freeze(!"false".equals(System.getProperty("bench.freeze")))
        .build().start()) {
      Duration stackStart = Duration.ofNanos(System.nanoTime() - t1);
      BlogScenario scenario = BlogScenario.builder(stack).build();
      BlogScenario.Functions functions = scenario.deploy();

      BlogScenario.Result cold = scenario.run();
      List<Long> waits = new ArrayList<>();
      List<Long> warmClient = new ArrayList<>();
      int broken = 0;
      for (int i = 0; i < runs; i++) {
        BlogScenario.Result r = scenario.run();
        waits.add(r.traceWait().toMillis());
        warmClient.add(r.clientRun().toMillis());
        if (r.trace().size() < 5) {
          broken++;
        }
      }
      Collections.sort(waits);
      Collections.sort(warmClient);
      long warmMedian = warmClient.get(warmClient.size() / 2);
      System.out.printf("stack start            %6d ms   = %.2f x bare Elasticsearch start (%d ms)%n",
          stackStart.toMillis(), stackStart.toMillis() / (double) esStart.toMillis(), esStart.toMillis());
      System.out.printf("deploy both functions  %6d ms%n", functions.took().toMillis());
      System.out.printf("cold client run        %6d ms   = %.2f x warm client run (median %d ms)%n",
          cold.clientRun().toMillis(), cold.clientRun().toMillis() / (double) warmMedian, warmMedian);
      System.out.printf("trace-complete wait    p50 %d ms, p99 %d ms, max %d ms over %d runs (goal p50 <= 500, p99 <= 2000)%n",
          percentile(waits, 50), percentile(waits, 99), waits.get(waits.size() - 1), runs);
      System.out.printf("incomplete traces      %d of %d%n", broken, runs);
      var freezes = stack.lambda().freezeStats();
      if (freezes != null) {
        System.out.printf("freeze + thaw          p50 %.3f ms, p99 %.3f ms over %d invocations (goal p50 < 2 ms)%n",
            freezes.percentile(50).toNanos() / 1e6, freezes.percentile(99).toNanos() / 1e6, freezes.count());
      }
    }
  }

  private static long percentile(List<Long> sorted, int p) {
    int idx = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
    return sorted.get(Math.max(0, Math.min(sorted.size() - 1, idx)));
  }
}
