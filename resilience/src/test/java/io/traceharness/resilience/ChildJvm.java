package io.traceharness.resilience;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A JVM started from a test on the test's classpath, as {@code exec:exec} starts the sandbox for
 * {@code -Psandbox} ({@code ${java.home}/bin/java ${run.jvmArgs} -Dtraceharness.workDir=… -classpath …
 * Main sandbox}), its output (stdout and stderr) in {@code <work>/}{@value #OUTPUT}; and waiting for the
 * lines it prints. Used by {@link LeftBehindIT} and {@link SandboxProjectIT}.
 */
final class ChildJvm {

  static final String OUTPUT = "probe.out";
  static final Duration START = Duration.ofMinutes(5);
  /** The sandbox's components, as in {@code -Dtraceharness.<component>.port} and the keys of its JSON. */
  static final List<String> COMPONENTS = List.of("elasticsearch", "apmServer", "otlpGrpc", "otlpHttp", "apiGateway",
      "lambda");
  private static final ObjectMapper JSON = new ObjectMapper();

  private ChildJvm() {
  }

  /** A new directory {@code target/<group>/<name>-<millis>} for one child's work and output. */
  static Path workDir(String group, String name) throws IOException {
    Path dir = Path.of("target", group, name + "-" + System.currentTimeMillis()).toAbsolutePath();
    Files.createDirectories(dir);
    return dir;
  }

  /** The command line for {@code mainClass arg}, every component on a free port. */
  static List<String> javaCommand(Path work, String heap, String mainClass, String arg) {
    return javaCommand(work, heap, Map.of(), mainClass, arg);
  }

  /**
   * The command line for {@code mainClass arg} with these system properties over the defaults: the
   * work directory, the embedded stack and every component on a free port (0) rather than the
   * sandbox's well-known ones, as other sandboxes may run on this machine.
   */
  static List<String> javaCommand(Path work, String heap, Map<String, String> properties, String mainClass,
      String arg) {
    String java = ProcessHandle.current().info().command()
        .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    // failsafe runs tests from a manifest-only jar; this property holds the real test classpath
    String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    Map<String, String> props = new LinkedHashMap<>();
    props.put("traceharness.workDir", work.toString());
    props.put("traceharness.stack", "embedded");
    COMPONENTS.forEach(c -> props.put("traceharness." + c + ".port", "0"));
    props.putAll(properties);
    List<String> command = new ArrayList<>(List.of(java, heap));
    props.forEach((k, v) -> command.add("-D" + k + "=" + v));
    command.addAll(List.of("-classpath", classpath, mainClass, arg));
    return command;
  }

  /** Starts {@code command}, its output to {@code <work>/}{@value #OUTPUT}, its input empty. */
  static Process start(Path work, List<String> command) throws IOException {
    return new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(work.resolve(OUTPUT).toFile())
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
        .start();
  }

  /** What the child printed so far. */
  static List<String> output(Path work) throws IOException {
    return Files.readAllLines(work.resolve(OUTPUT));
  }

  /** The JSON after {@code marker} in the child's output, once it is there. */
  static JsonNode awaitLine(Process child, Path work, String marker) {
    String line = await("child line " + marker.trim()).atMost(START).pollInterval(Duration.ofMillis(500))
        .until(() -> outputLine(child, work, marker), Optional::isPresent).orElseThrow();
    try {
      return JSON.readTree(line.substring(line.indexOf(marker) + marker.length()));
    } catch (IOException e) {
      throw new AssertionError("the child printed " + line, e);
    }
  }

  /** The sandbox's endpoints: the indented JSON it prints before "Sandbox running". */
  static JsonNode awaitSandbox(Process sandbox, Path work) throws IOException {
    awaitOutput(sandbox, work, "Sandbox running");
    StringBuilder json = new StringBuilder();
    boolean in = false;
    for (String l : output(work)) {
      if (l.equals("{")) {
        in = true;
        json.setLength(0);
      }
      if (in) {
        json.append(l).append('\n');
      }
      if (in && l.equals("}")) {
        in = false;
      }
    }
    return JSON.readTree(json.toString());
  }

  static void awaitOutput(Process child, Path work, String marker) {
    await("child line " + marker).atMost(START).pollInterval(Duration.ofMillis(500))
        .until(() -> outputLine(child, work, marker), Optional::isPresent);
  }

  private static Optional<String> outputLine(Process child, Path work, String marker) throws IOException {
    List<String> lines = output(work);
    Optional<String> found = lines.stream().filter(l -> l.contains(marker)).findFirst();
    if (found.isEmpty() && !child.isAlive()) {
      throw new AssertionError("the child ended with exit code " + child.exitValue() + " before printing " + marker
          + ":\n" + String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size())));
    }
    return found;
  }
}
