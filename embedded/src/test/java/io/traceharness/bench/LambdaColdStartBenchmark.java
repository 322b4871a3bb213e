package io.traceharness.bench;

import com.linecorp.armeria.common.HttpData;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.server.Server;
import io.traceharness.lambda.FunctionDefinition;
import io.traceharness.lambda.InvokeOptions;
import io.traceharness.lambda.InvokeResult;
import io.traceharness.lambda.Invocation;
import io.traceharness.lambda.LambdaEmulator;
import io.traceharness.layers.OtelLayers;
import io.traceharness.support.WorkDirs;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.lambda.model.Environment;

/**
 * Cold start (runtime process start → its first {@code /next}, Lambda's Init Duration) and warm
 * invoke latency of the emulated Lambda's runtimes, printed as ratios to the bare runtime measured
 * in the same run: bare {@code java21} and {@code nodejs20.x}, then the same functions with the
 * OpenTelemetry layer ({@link #withOtelLayer}; {@code -Dbench.bareOnly=true} skips them). Any other
 * variant is a spec carrying its layer ARNs and environment: {@link #measure(LambdaEmulator, FunctionDefinition, int, int)}.
 *
 * <pre>{@code
 * mvn -pl harness test-compile exec:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=io.traceharness.bench.LambdaColdStartBenchmark
 * }</pre>
 */
public final class LambdaColdStartBenchmark {

  static final String NODE_HANDLER = "exports.handler = async (event) => ({ ok: true, n: event.n || 0 });\n";

  /** Figures of one variant, in milliseconds. */
  public record Result(String label, String runtime, List<Double> coldMs, List<Double> warmMs) {
    public double coldMedian() {
      return median(coldMs);
    }

    public double warmMedian() {
      return median(warmMs);
    }

    public double warmP90() {
      return percentile(warmMs, 0.9);
    }
  }

  private LambdaColdStartBenchmark() {
  }

  public static void main(String[] args) {
    int coldRounds = Integer.getInteger("bench.coldRounds", 4);
    int warmRounds = Integer.getInteger("bench.warmRounds", 40);
    long t0 = System.nanoTime();
    Server otlp = otlpSink();
    try (LambdaEmulator lambda = LambdaEmulator.builder().keepAlive(Duration.ofMinutes(10)).build().start()) {
      List<Result> results = new ArrayList<>();
      results.add(measure(lambda, javaBare().build(), coldRounds, warmRounds));
      results.add(measure(lambda, nodeBare().build(), coldRounds, warmRounds));
      if (!Boolean.getBoolean("bench.bareOnly")) {
        String endpoint = "http://127.0.0.1:" + otlp.activeLocalPort();
        results.add(measure(lambda, withOtelLayer(lambda, javaBare(), "bench-java21-otel", endpoint), coldRounds,
            warmRounds));
        results.add(measure(lambda, withOtelLayer(lambda, nodeBare(), "bench-nodejs20-otel", endpoint), coldRounds,
            warmRounds));
      }
      System.out.println(report(results));
    } finally {
      otlp.stop().join();
    }
    System.out.printf(Locale.ROOT, "(benchmark took %.1f s)%n", (System.nanoTime() - t0) / 1e9);
  }

  /**
   * The same function with the OpenTelemetry layer of its runtime ({@link OtelLayers}), started
   * through {@code AWS_LAMBDA_EXEC_WRAPPER=/opt/otel-handler} and exporting to {@code otlpEndpoint}.
   */
  public static FunctionDefinition withOtelLayer(LambdaEmulator lambda, FunctionDefinition.Builder bare, String name,
      String otlpEndpoint) {
    FunctionDefinition base = bare.build();
    String layerName = "bench-otel-" + base.runtime().replace(".", "-");
    byte[] zip;
    try {
      zip = Files.readAllBytes(OtelLayers.zip(base.runtime()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    String arn = lambda.client().publishLayerVersion(r -> r.layerName(layerName)
        .content(c -> c.zipFile(SdkBytes.fromByteArray(zip)))).layerVersionArn();
    FunctionDefinition.Builder b = FunctionDefinition.builder(name).runtime(base.runtime()).handler(base.handler()).code(base.code())
        .memoryMb(base.memoryMb()).timeout(base.timeout()).env(base.environment()).layer(arn)
        .env("AWS_LAMBDA_EXEC_WRAPPER", "/opt/otel-handler")
        .env("OTEL_EXPORTER_OTLP_ENDPOINT", otlpEndpoint);
    return b.build();
  }

  /** Accepts OTLP/HTTP exports and drops them, so flushing at the end of each invoke does not wait. */
  static Server otlpSink() {
    Server server = Server.builder()
        .http(new InetSocketAddress("127.0.0.1", 0))
        .serviceUnder("/", (ctx, req) -> HttpResponse.of(req.aggregate().thenApply(agg ->
            HttpResponse.of(HttpStatus.OK, MediaType.parse("application/x-protobuf"), HttpData.empty()))))
        .build();
    server.start().join();
    return server;
  }

  /** {@code java21} running {@code BenchHandler} with nothing attached. */
  public static FunctionDefinition.Builder javaBare() {
    return FunctionDefinition.java("bench-java21", "io.traceharness.bench.fn.BenchHandler::handleRequest")
        .code(javaZip()).memoryMb(512).timeout(Duration.ofSeconds(30));
  }

  /** {@code nodejs20.x} running a one-line async handler with nothing attached. */
  public static FunctionDefinition.Builder nodeBare() {
    return FunctionDefinition.nodejs("bench-nodejs20", "index.handler").code(nodeZip()).memoryMb(512)
        .timeout(Duration.ofSeconds(30));
  }

  /**
   * Deploys {@code spec}, then {@code coldRounds} times forces a new execution environment (a
   * configuration change, as Lambda replaces environments after one) and reads the invocation's Init
   * Duration; then {@code warmRounds} warm invokes timed from the caller's side.
   */
  public static Result measure(LambdaEmulator lambda, FunctionDefinition spec, int coldRounds, int warmRounds) {
    lambda.deploy(spec);
    byte[] payload = "{\"n\":1}".getBytes(StandardCharsets.UTF_8);
    List<Double> cold = new ArrayList<>();
    for (int i = 0; i < coldRounds; i++) {
      Map<String, String> env = new java.util.HashMap<>(spec.environment());
      env.put("BENCH_ROUND", Integer.toString(i));
      lambda.client().updateFunctionConfiguration(r -> r.functionName(spec.name())
          .environment(Environment.builder().variables(env).build()));
      lambda.client().waiter().waitUntilFunctionUpdatedV2(r -> r.functionName(spec.name()));
      InvokeResult r = check(lambda.invoke(spec.name(), payload, InvokeOptions.defaults()));
      Invocation inv = lambda.invocations().stream().filter(x -> x.requestId().equals(r.requestId())).findFirst()
          .orElseThrow();
      if (inv.initDuration() == null) {
        throw new IllegalStateException("invocation " + r.requestId() + " of " + spec.name() + " was not a cold start");
      }
      cold.add(inv.initDuration().toNanos() / 1e6);
    }
    for (int i = 0; i < 5; i++) {
      check(lambda.invoke(spec.name(), payload, InvokeOptions.defaults()));
    }
    List<Double> warm = new ArrayList<>();
    for (int i = 0; i < warmRounds; i++) {
      long t = System.nanoTime();
      check(lambda.invoke(spec.name(), payload, InvokeOptions.defaults()));
      warm.add((System.nanoTime() - t) / 1e6);
    }
    return new Result(spec.name(), spec.runtime(), cold, warm);
  }

  /**
   * A table of medians; each variant's ratios are against the first result of the same runtime (its
   * bare runtime), and the last column compares with the first result overall.
   */
  public static String report(List<Result> results) {
    StringBuilder sb = new StringBuilder();
    sb.append("Lambda runtimes: cold start = process start -> first /next (Init Duration); warm = in-process invoke\n");
    sb.append(String.format(Locale.ROOT, "%-28s %10s %8s %10s %10s %8s %12s%n", "variant", "cold p50", "x bare",
        "warm p50", "warm p90", "x bare", "cold x first"));
    Result first = results.get(0);
    for (Result r : results) {
      Result base = results.stream().filter(x -> x.runtime().equals(r.runtime())).findFirst().orElse(r);
      sb.append(String.format(Locale.ROOT, "%-28s %8.0fms %7.2fx %8.1fms %8.1fms %7.2fx %11.2fx%n", r.label(),
          r.coldMedian(), r.coldMedian() / base.coldMedian(), r.warmMedian(), r.warmP90(),
          r.warmMedian() / base.warmMedian(), r.coldMedian() / first.coldMedian()));
    }
    return sb.toString();
  }

  private static InvokeResult check(InvokeResult r) {
    if (r.statusCode() != 200 || r.functionError() != null) {
      throw new IllegalStateException("benchmark invoke failed: " + r);
    }
    return r;
  }

  static Path javaZip() {
    Path classes = Path.of("target", "test-classes");
    Path pkg = classes.resolve("io/traceharness/bench/fn");
    Map<String, byte[]> entries = new java.util.LinkedHashMap<>();
    try (Stream<Path> files = Files.list(pkg)) {
      for (Path p : (Iterable<Path>) files.filter(f -> f.toString().endsWith(".class"))::iterator) {
        entries.put(classes.relativize(p).toString(), Files.readAllBytes(p));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("run from the harness module after test-compile", e);
    }
    return writeZip("bench-java.zip", entries);
  }

  static Path nodeZip() {
    return writeZip("bench-node.zip", Map.of("index.js", NODE_HANDLER.getBytes(StandardCharsets.UTF_8)));
  }

  private static Path writeZip(String name, Map<String, byte[]> entries) {
    Path dir = WorkDirs.root().resolve("bench");
    try {
      Files.createDirectories(dir);
      Path zip = dir.resolve(name);
      try (var out = new java.util.zip.ZipOutputStream(Files.newOutputStream(zip))) {
        for (var e : entries.entrySet()) {
          out.putNextEntry(new java.util.zip.ZipEntry(e.getKey()));
          out.write(e.getValue());
          out.closeEntry();
        }
      }
      return zip;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static double median(List<Double> values) {
    return percentile(values, 0.5);
  }

  static double percentile(List<Double> values, double p) {
    if (values.isEmpty()) {
      return Double.NaN;
    }
    List<Double> sorted = values.stream().sorted().toList();
    int idx = (int) Math.ceil(p * sorted.size()) - 1;
    return sorted.get(Math.max(0, Math.min(sorted.size() - 1, idx)));
  }
}
