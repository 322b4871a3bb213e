package io.traceharness.bench;

import io.traceharness.support.ParentWatch;
import java.io.IOException;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * What {@code ./mvnw -Pbench} runs in this module: every {@code io.traceharness.bench.*Benchmark},
 * each in its own JVM so one cannot disturb the next. The demo and sandbox profiles pass another
 * argument, and then there is nothing to do here.
 */
public final class BenchmarkRunner {

  private static final String PACKAGE = "io/traceharness/bench";

  private BenchmarkRunner() {
  }

  public static void main(String[] args) throws IOException, InterruptedException {
    if (args.length > 0 && !args[0].equals("bench")) {
      return;
    }
    // exec:exec runs this in a JVM of its own, which SIGKILL of Maven would otherwise leave running
    ParentWatch.exitWhenParentDies();
    System.exit(run(new ArrayList<>(discover())));
  }

  /** Runs each class's main in a JVM of its own with this JVM's classpath; 0 when all succeeded. */
  public static int run(List<String> classes) throws IOException, InterruptedException {
    String only = System.getProperty("bench.only");
    int failures = 0;
    for (String cls : classes) {
      if (only != null && !cls.contains(only)) {
        continue;
      }
      System.out.println();
      System.out.println("=== " + cls);
      System.out.flush();
      List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-Xmx1g", "-cp", System.getProperty("java.class.path")));
      System.getProperties().stringPropertyNames().stream()
          .filter(k -> k.startsWith("traceharness.") || k.startsWith("bench."))
          .forEach(k -> cmd.add(1, "-D" + k + "=" + System.getProperty(k)));
      cmd.add(cls);
      Process p = new ProcessBuilder(cmd).inheritIO().start();
      // not a ChildProcess, whose output would go to a file: SIGTERM lets its own hooks stop its stack
      Thread stop = new Thread(() -> stop(p), "benchmark-stop");
      Runtime.getRuntime().addShutdownHook(stop);
      try {
        if (!p.waitFor(10, TimeUnit.MINUTES)) {
          p.descendants().forEach(ProcessHandle::destroyForcibly);
          p.destroyForcibly();
          System.out.println(cls + " did not finish in 10 minutes");
          failures++;
        } else if (p.exitValue() != 0) {
          System.out.println(cls + " exited " + p.exitValue());
          failures++;
        }
      } finally {
        removeHook(stop);
      }
    }
    return failures == 0 ? 0 : 1;
  }

  private static void stop(Process p) {
    p.destroy();
    try {
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      p.destroyForcibly();
    }
  }

  private static void removeHook(Thread hook) {
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      // the JVM is exiting and the hook is running: it stops the benchmark
    }
  }

  private static TreeSet<String> discover() throws IOException {
    TreeSet<String> found = new TreeSet<>();
    Enumeration<URL> roots = BenchmarkRunner.class.getClassLoader().getResources(PACKAGE);
    for (URL url : Collections.list(roots)) {
      if (url.getProtocol().equals("jar")) {
        try (JarFile jar = ((JarURLConnection) url.openConnection()).getJarFile()) {
          jar.stream().map(e -> e.getName())
              .filter(n -> n.startsWith(PACKAGE + "/") && n.endsWith("Benchmark.class") && !n.contains("$"))
              .forEach(n -> found.add(n.substring(0, n.length() - ".class".length()).replace('/', '.')));
        }
      } else if (url.getProtocol().equals("file")) {
        try (Stream<Path> files = Files.list(Path.of(url.toURI()))) {
          files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith("Benchmark.class") && !n.contains("$"))
              .forEach(n -> found.add(PACKAGE.replace('/', '.') + "." + n.substring(0, n.length() - 6)));
        } catch (URISyntaxException e) {
          throw new IOException(e);
        }
      }
    }
    return found;
  }
}
