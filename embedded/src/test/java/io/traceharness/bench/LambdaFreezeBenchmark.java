package io.traceharness.bench;

import io.traceharness.lambda.FreezeStats;
import io.traceharness.lambda.FunctionDefinition;
import io.traceharness.lambda.InvokeOptions;
import io.traceharness.lambda.InvokeResult;
import io.traceharness.lambda.LambdaEmulator;
import io.traceharness.support.WorkDirs;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What freezing an execution environment between invocations costs: the freeze (SIGSTOP of the
 * runtime's and extensions' process groups) plus the thaw (SIGCONT) per invocation, from
 * {@link FreezeStats}, and the warm invoke latency of the same Node.js function on an emulator that
 * freezes (the default, as AWS does) against one that does not, measured in the same run in
 * alternating blocks. {@code -Dbench.freezeRounds} sets the invocations per emulator (default 200).
 */
public final class LambdaFreezeBenchmark {

  private static final int BLOCK = 25;

  private LambdaFreezeBenchmark() {
  }

  public static void main(String[] args) {
    int rounds = Integer.getInteger("bench.freezeRounds", 200);
    long t0 = System.nanoTime();
    try (LambdaEmulator frozen = LambdaEmulator.builder().workDir(WorkDirs.root().resolve("bench-freeze-on"))
            .keepAlive(Duration.ofMinutes(10)).build().start();
        LambdaEmulator running = LambdaEmulator.builder().workDir(WorkDirs.root().resolve("bench-freeze-off"))
            .keepAlive(Duration.ofMinutes(10)).freeze(false).build().start()) {
      FunctionDefinition fn = LambdaColdStartBenchmark.nodeBare().build();
      frozen.deploy(fn);
      running.deploy(fn);
      byte[] payload = "{\"n\":1}".getBytes(StandardCharsets.UTF_8);
      for (int i = 0; i < 5; i++) {
        check(frozen.invoke(fn.name(), payload, InvokeOptions.defaults()));
        check(running.invoke(fn.name(), payload, InvokeOptions.defaults()));
      }
      List<Double> on = new ArrayList<>();
      List<Double> off = new ArrayList<>();
      for (int done = 0; done < rounds; done += BLOCK) {
        int n = Math.min(BLOCK, rounds - done);
        time(running, fn.name(), payload, n, off);
        time(frozen, fn.name(), payload, n, on);
      }
      FreezeStats stats = frozen.freezeStats();
      double p50 = stats.percentile(50).toNanos() / 1e6;
      double p99 = stats.percentile(99).toNanos() / 1e6;
      double onP50 = LambdaColdStartBenchmark.median(on);
      double offP50 = LambdaColdStartBenchmark.median(off);
      System.out.printf(Locale.ROOT, "freeze + thaw          p50 %.3f ms, p99 %.3f ms over %d cycles (goal p50 < 2 ms)%n",
          p50, p99, stats.count());
      System.out.printf(Locale.ROOT, "warm invoke, freeze on p50 %.2f ms, p99 %.2f ms = %.2f x freeze off (p50 %.2f ms,"
              + " p99 %.2f ms) over %d invocations each%n", onP50, LambdaColdStartBenchmark.percentile(on, 0.99),
          onP50 / offP50, offP50, LambdaColdStartBenchmark.percentile(off, 0.99), rounds);
    }
    System.out.printf(Locale.ROOT, "(benchmark took %.1f s)%n", (System.nanoTime() - t0) / 1e9);
  }

  private static void time(LambdaEmulator lambda, String function, byte[] payload, int n, List<Double> into) {
    for (int i = 0; i < n; i++) {
      long t = System.nanoTime();
      check(lambda.invoke(function, payload, InvokeOptions.defaults()));
      into.add((System.nanoTime() - t) / 1e6);
    }
  }

  private static InvokeResult check(InvokeResult r) {
    if (r.statusCode() != 200 || r.functionError() != null) {
      throw new IllegalStateException("benchmark invoke failed: " + r);
    }
    return r;
  }
}
