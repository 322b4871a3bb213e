package io.traceharness.bench;

import static org.awaitility.Awaitility.await;

import io.traceharness.elasticsearch.EmbeddedElasticsearch;
import io.traceharness.support.ChildProcess;
import io.traceharness.support.Ports;
import io.traceharness.support.Users;
import io.traceharness.support.Versions;
import io.traceharness.support.WorkDirs;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Start time of {@link EmbeddedElasticsearch} against a bare start of the same unpacked
 * distribution in the same run: {@code bin/elasticsearch} with the same elasticsearch.yml settings,
 * heap and user, launched by hand and timed to yellow cluster health. Two embedded series: with the
 * bare start's JVM options ({@code quickStart(false)}: what the harness itself costs) and with its
 * defaults (what a test waits for). Rounds alternate so all see the same machine load.
 * Goal: embedded / bare ≤ 1.3.
 */
public final class ElasticsearchStartBenchmark {

  private static final int ROUNDS = 3;
  private static final String HEAP = "512m";
  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(1)).build();

  private ElasticsearchStartBenchmark() {
  }

  public static void main(String[] args) throws Exception {
    String version = Versions.of("elasticsearch");
    Path home = WorkDirs.cache().resolve("elasticsearch-" + version);
    if (!Files.isExecutable(home.resolve("bin/elasticsearch"))) {
      System.out.println("warm-up: unpacking the distribution through a first embedded start");
      try (EmbeddedElasticsearch es = EmbeddedElasticsearch.builder().heap(HEAP).build()) {
        es.start();
      }
    }
    Path benchDir = WorkDirs.root().resolve("bench-elasticsearch");
    deleteTree(benchDir);
    List<Double> bare = new ArrayList<>();
    List<Double> sameOptions = new ArrayList<>();
    List<Double> defaults = new ArrayList<>();
    for (int round = 1; round <= ROUNDS; round++) {
      double b = bareStart(home, benchDir.resolve("bare-" + round));
      double same = embeddedStart(false);
      double quick = embeddedStart(true);
      bare.add(b);
      sameOptions.add(same);
      defaults.add(quick);
      System.out.printf(Locale.ROOT, "round %d: bare %.2f s, embedded (same JVM options) %.2f s, "
          + "embedded (defaults) %.2f s%n", round, b, same, quick);
    }
    double mb = median(bare);
    double ms = median(sameOptions);
    double md = median(defaults);
    System.out.printf(Locale.ROOT, "Elasticsearch %s start to yellow health, median of %d: bare %.2f s; "
        + "EmbeddedElasticsearch.start() with the same JVM options %.2f s, ratio %.2fx; with its defaults "
        + "(quick start) %.2f s, ratio %.2fx (goal <= 1.30x)%n", version, ROUNDS, mb, ms, ms / mb, md, md / mb);
  }

  private static double embeddedStart(boolean quickStart) {
    try (EmbeddedElasticsearch es = EmbeddedElasticsearch.builder().heap(HEAP).quickStart(quickStart).build()) {
      long t0 = System.nanoTime();
      es.start();
      return (System.nanoTime() - t0) / 1e9;
    }
  }

  /** A node configured by hand as a user would: copied config dir, our settings, started with bin/elasticsearch. */
  private static double bareStart(Path home, Path dir) throws Exception {
    Path config = dir.resolve("config");
    copyTree(home.resolve("config"), config);
    for (String d : List.of("data", "logs", "tmp")) {
      Files.createDirectories(dir.resolve(d));
    }
    int http = Ports.free();
    int transport = Ports.free();
    String cluster = "bench-bare-" + dir.getFileName();
    Files.writeString(config.resolve("elasticsearch.yml"), String.join("\n",
        "cluster.name: " + cluster,
        "node.name: " + cluster,
        "path.data: " + dir.resolve("data"),
        "path.logs: " + dir.resolve("logs"),
        "discovery.type: single-node",
        "http.port: " + http,
        "transport.port: " + transport,
        "xpack.security.enabled: false",
        "cluster.routing.allocation.disk.threshold_enabled: false", ""));
    List<String> cmd = new ArrayList<>();
    if (Users.isRoot()) {
      // Elasticsearch refuses root: the same unprivileged user the harness uses (it exists after the warm-up)
      run("chown", "-R", "traceharness:traceharness", dir.toString());
      cmd.addAll(List.of("setpriv", "--reuid=traceharness", "--regid=traceharness", "--init-groups"));
    }
    cmd.add(home.resolve("bin/elasticsearch").toString());
    long t0 = System.nanoTime();
    // under ChildProcess's watchdog like every other child, so a killed benchmark JVM leaves no node behind
    ChildProcess p = ChildProcess.builder("bench-bare-" + dir.getFileName()).command(cmd).directory(dir)
        .clearEnvironment().env(Map.of("ES_JAVA_HOME", System.getProperty("java.home"),
            "ES_PATH_CONF", config.toString(), "ES_TMPDIR", dir.resolve("tmp").toString(),
            "ES_JAVA_OPTS", "-Xms" + HEAP + " -Xmx" + HEAP, "HOME", System.getProperty("user.home")))
        .logFile(dir.resolve("console.log")).start();
    try {
      HttpRequest health = HttpRequest.newBuilder(
          URI.create("http://127.0.0.1:" + http + "/_cluster/health?wait_for_status=yellow&timeout=1s"))
          .timeout(Duration.ofSeconds(5)).build();
      // the same timeout and poll interval as EmbeddedElasticsearch, so the two starts compare
      await("bare node on port " + http + " to report yellow health").atMost(Duration.ofMinutes(3))
          .pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(100)).until(() -> {
            if (!p.isAlive()) {
              throw new IllegalStateException("bare node exited, see " + dir.resolve("console.log"));
            }
            try {
              HttpResponse<String> r = HTTP.send(health, HttpResponse.BodyHandlers.ofString());
              return r.statusCode() == 200 && r.body().contains("\"" + cluster + "\"");
            } catch (IOException notYet) {
              return false;
            }
          });
      return (System.nanoTime() - t0) / 1e9;
    } finally {
      p.stop(Duration.ofSeconds(30));
    }
  }

  private static void run(String... cmd) throws IOException, InterruptedException {
    new ProcessBuilder(cmd).inheritIO().start().waitFor(30, TimeUnit.SECONDS);
  }

  private static double median(List<Double> values) {
    double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  }

  private static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> all = Files.walk(from)) {
      for (Path p : (Iterable<Path>) all::iterator) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target, StandardCopyOption.REPLACE_EXISTING);
          target.toFile().setWritable(true, true);
        }
      }
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> all = Files.walk(dir)) {
      all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }
}
