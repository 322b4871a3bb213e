package io.traceharness.bench;

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
      if (!p.waitFor(10, TimeUnit.MINUTES)) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        System.out.println(cls + " did not finish in 10 minutes");
        failures++;
      } else if (p.exitValue() != 0) {
        System.out.println(cls + " exited " + p.exitValue());
        failures++;
      }
    }
    return failures == 0 ? 0 : 1;
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
