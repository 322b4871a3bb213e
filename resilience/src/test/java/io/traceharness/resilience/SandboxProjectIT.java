package io.traceharness.resilience;

import static io.traceharness.assertj.TraceAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.traceharness.fixtures.ClientRun;
import io.traceharness.fixtures.Clients;
import io.traceharness.fixtures.Projects;
import io.traceharness.resilience.LeftBehindProcesses.Proc;
import io.traceharness.resilience.SecurityListeners.Listener;
import io.traceharness.stack.TracingStack;
import io.traceharness.trace.Trace;
import io.traceharness.trace.TraceConditions;
import io.traceharness.trace.Traces;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The sandbox command with a user's project, end to end: {@code io.traceharness.scenario.Main sandbox}
 * started as {@code ./mvnw -Psandbox -Dtraceharness.project=…} starts it (a JVM of its own, the
 * properties exec:exec passes: {@link ChildJvm}), its {@code sandbox.json} read, a route called by the
 * instrumented client with a {@code traceparent}, the trace read from the sandbox's Elasticsearch; then
 * SIGTERM, as Ctrl-C sends, and every process and port of the sandbox gone.
 *
 * <ul>
 *   <li>the post's {@code serverless.yml}, its {@code env.json} written before the sandbox starts and
 *   naming the APM Server port the test chose, as a user points a project at the sandbox;</li>
 *   <li>a SAM template whose parameter has no default, given with {@code -Dtraceharness.parameters};</li>
 *   <li>a project path that is no file, bad parameters, a template missing a parameter: one line and an
 *   exit code, and nothing left running.</li>
 * </ul>
 */
class SandboxProjectIT {

  private static final String MAIN = "io.traceharness.scenario.Main";
  private static final String POST_SERVICE = "serverless-aws-node-api-worker-otel";
  private static final ObjectMapper JSON = new ObjectMapper();
  /** SIGTERM to exit: the stack's shutdown stops Elasticsearch, which may take a while on a loaded machine. */
  private static final Duration STOP = Duration.ofSeconds(90);

  @BeforeAll
  static void embeddedOnly() {
    Assumptions.assumeTrue(TracingStack.configuredBackend().equals("embedded"),
        "the sandbox runs the embedded stack");
    Assumptions.assumeTrue(Files.isDirectory(Path.of("/proc/self/fd")), "needs Linux /proc");
  }

  @Test
  void thePostsServerlessProjectRunsOnThePortsItsEnvJsonNames() throws Exception {
    Path work = ChildJvm.workDir("sandbox-project", "serverless");
    Map<String, Integer> ports = freePorts();
    String stage = "sbx";
    String token = "sbx-secret";
    // what a user does first: env.json (from the post's env.json.template) pointed at where the sandbox will listen
    String apmServer = "http://127.0.0.1:" + ports.get("apmServer");
    Path yml = Projects.post(work.resolve("project"), "us-east-1", apmServer, token);
    // as the post advises: Active tracing off, or the X-Ray header replaces the client's trace context
    Files.writeString(yml, Files.readString(yml).replace("lambda: Active", "lambda: PassThrough"));
    Map<String, String> props = portProperties(ports);
    props.put("traceharness.project", yml.toString());
    props.put("traceharness.stage", stage);
    props.put("traceharness.apmSecretToken", token);

    runSandbox(work, props, sandbox -> {
      for (String component : ChildJvm.COMPONENTS) {
        assertThat(URI.create(sandbox.path(component).asText()).getPort()).as("%s's port in sandbox.json", component)
            .isEqualTo(ports.get(component));
      }
      assertThat(SecurityListeners.stillListening(ports.values())).as("ports listened on")
          .containsExactlyInAnyOrderElementsOf(ports.values());
      assertThat(sandbox.path("apmServer").asText()).as("the APM Server env.json names").isEqualTo(apmServer);
      assertThat(sandbox.path("apmSecretToken").asText()).isEqualTo(token);
      assertThat(names(sandbox.path("functions"))).containsExactlyInAnyOrder("producer", "consumer");
      assertThat(sandbox.path("routes")).hasSize(2);
      JsonNode produce = route(sandbox, "producer");
      JsonNode ping = route(sandbox, "consumer");
      assertThat(produce.path("method").asText()).isEqualToIgnoringCase("POST");
      assertThat(produce.path("path").asText()).endsWith("produce");
      assertThat(produce.path("url").asText()).startsWith("http://127.0.0.1:").endsWith("/" + stage + "/produce")
          .isEqualTo(sandbox.path("functions").path("producer").asText());
      assertThat(ping.path("method").asText()).isEqualToIgnoringCase("GET");
      assertThat(ping.path("path").asText()).endsWith("ping");
      assertThat(ping.path("url").asText()).endsWith("/" + stage + "/ping");

      String producer = POST_SERVICE + "-" + stage + "-producer";
      String consumer = POST_SERVICE + "-" + stage + "-consumer";
      ClientRun run = client(sandbox, produce.path("url").asText());
      assertThat(run.status()).as(run.describe()).isEqualTo(200);
      Trace trace = awaitTrace(sandbox, run.traceId(), "java-client", producer, consumer);
      assertThat(trace).hasSingleRoot().hasNoOrphans().hasServicesExactly("java-client", producer, consumer)
          .hasRootSatisfying(root -> root.hasService("java-client")
              .hasDescendantSatisfying(p -> p.isTransaction().hasService(producer)
                  .hasDescendantSatisfying(c -> c.isTransaction().hasService(consumer))));
      System.out.printf("%n== Sandbox with the post's serverless.yml (stage %s, ports %s) ==%n%s%n", stage, ports,
          trace.waterfall());
    });
  }

  @Test
  void aSamTemplateGetsItsParameterFromTheCommandLine() throws Exception {
    Path work = ChildJvm.workDir("sandbox-project", "sam");
    Path template = Projects.sam(work.resolve("project"));
    Map<String, String> props = new LinkedHashMap<>();
    props.put("traceharness.project", template.toString());
    props.put("traceharness.parameters", "Greeting=Howdy");

    runSandbox(work, props, sandbox -> {
      assertThat(names(sandbox.path("functions"))).containsExactlyInAnyOrder("EsmFunction", "JavaFunction");
      assertThat(route(sandbox, "EsmFunction").path("url").asText()).endsWith("/Prod/produce");
      assertThat(route(sandbox, "JavaFunction").path("url").asText()).endsWith("/ping");
      assertThat(ChildJvm.output(work)).as("what the sandbox does not emulate, one line each")
          .anySatisfy(l -> assertThat(l).startsWith("warning: ").contains("Alarms"));

      ClientRun run = client(sandbox, sandbox.path("functions").path("EsmFunction").asText());
      assertThat(run.status()).as(run.describe()).isEqualTo(200);
      assertThat(run.body()).contains("Howdy, ESM");
      Trace trace = awaitTrace(sandbox, run.traceId(), "java-client", "EsmFunction", "JavaFunction");
      assertThat(trace).hasSingleRoot().hasNoOrphans()
          .hasRootSatisfying(root -> root.hasService("java-client")
              .hasDescendantSatisfying(esm -> esm.isTransaction().hasService("EsmFunction")
                  .hasDescendantSatisfying(java -> java.isTransaction().hasService("JavaFunction"))));
      System.out.printf("%n== Sandbox with a SAM template (-Dtraceharness.parameters=Greeting=Howdy) ==%n%s%n",
          trace.waterfall());
    });
  }

  @Test
  void aProjectPathThatIsNoFileIsOneLineAndStartsNothing() throws Exception {
    Path work = ChildJvm.workDir("sandbox-project", "no-file");
    Path missing = work.resolve("nowhere/serverless.yml");
    Map<String, Integer> ports = freePorts();
    Map<String, String> props = portProperties(ports);
    props.put("traceharness.project", missing.toString());

    List<String> output = runToExit(work, props, 2);

    assertThat(output).containsExactly("-Dtraceharness.project=" + missing + ": no such file " + missing
        + "; name a serverless.yml or SAM template");
    assertNothingLeft(work, new TreeSet<>(ports.values()));
  }

  @Test
  void parametersThatAreNotNameValuePairsAreOneLineAndStartNothing() throws Exception {
    Path work = ChildJvm.workDir("sandbox-project", "bad-parameters");
    Path template = Projects.sam(work.resolve("project"));
    Map<String, String> props = new LinkedHashMap<>();
    props.put("traceharness.project", template.toString());
    props.put("traceharness.parameters", "Greeting=Howdy,Other");

    List<String> output = runToExit(work, props, 2);

    assertThat(output).singleElement().satisfies(l -> assertThat(l)
        .startsWith("-Dtraceharness.parameters=Greeting=Howdy,Other: \"Other\" is not NAME=VALUE")
        .endsWith("e.g. -Dtraceharness.parameters=Greeting=Howdy,Other=x"));
    assertNothingLeft(work, Set.of());
  }

  @Test
  void aTemplateMissingAParameterStopsTheStackAgainWithOneLine() throws Exception {
    Path work = ChildJvm.workDir("sandbox-project", "missing-parameter");
    Path template = Projects.sam(work.resolve("project"));
    Map<String, Integer> ports = freePorts();
    Map<String, String> props = portProperties(ports);
    props.put("traceharness.project", template.toString());

    List<String> output = runToExit(work, props, 1);

    // the stack started (its ready lines) before the template was read, then stopped again
    assertThat(output).filteredOn(l -> l.startsWith("cannot start the sandbox")).singleElement()
        .satisfies(l -> assertThat(l).startsWith("cannot start the sandbox with " + template + ": ")
            .contains("parameter Greeting has no Default").contains("-Dtraceharness.parameters=Greeting="));
    assertThat(output).noneMatch(l -> l.startsWith("\tat ") || l.startsWith("Exception in thread"));
    assertNothingLeft(work, new TreeSet<>(ports.values()));
  }

  // ------------------------------------------------------------------ the sandbox JVM

  /**
   * Starts the sandbox, hands {@code sandbox.json} to {@code check}, then stops it with SIGTERM and
   * checks that its processes are gone and its ports released. A failing check still stops it.
   */
  private static void runSandbox(Path work, Map<String, String> props, ThrowingConsumer<JsonNode> check)
      throws Exception {
    long t0 = System.nanoTime();
    Process sandbox = ChildJvm.start(work, ChildJvm.javaCommand(work, "-Xmx1g", props, MAIN, "sandbox"));
    JsonNode json;
    try {
      JsonNode printed = ChildJvm.awaitSandbox(sandbox, work);
      json = JSON.readTree(work.resolve("sandbox.json").toFile());
      assertThat(json).as("sandbox.json is what the sandbox printed").isEqualTo(printed);
      System.out.printf("sandbox (pid %d) running after %.1f s: %s%n", sandbox.pid(), (System.nanoTime() - t0) / 1e9,
          json.path("routes"));
      check.accept(json);
    } catch (Throwable failure) {
      sandbox.destroy();
      if (!sandbox.waitFor(STOP.toSeconds(), TimeUnit.SECONDS)) {
        sandbox.destroyForcibly();
      }
      throw failure;
    }
    stopAndCheck(sandbox, work, json);
  }

  /** SIGTERM, as Ctrl-C sends; then no process of the sandbox's tree alive and none of its ports bound. */
  private static void stopAndCheck(Process sandbox, Path work, JsonNode json) throws Exception {
    List<Proc> before = LeftBehindProcesses.tree(sandbox.pid(), LeftBehindProcesses.all());
    Map<Long, List<Listener>> listening = SecurityListeners.ownedBy(before.stream().map(Proc::pid).toList());
    Set<Integer> ports = new TreeSet<>();
    listening.values().forEach(ls -> ls.forEach(l -> ports.add(l.port())));
    urls(json).forEach(u -> ports.add(u.getPort()));
    assertThat(SecurityListeners.stillListening(ports)).as("the sandbox's ports before SIGTERM").isNotEmpty();

    long t0 = System.nanoTime();
    sandbox.destroy(); // SIGTERM: the sandbox's shutdown hook stops the stack
    boolean exited = sandbox.waitFor(STOP.toSeconds(), TimeUnit.SECONDS);
    double seconds = (System.nanoTime() - t0) / 1e9;
    if (!exited) {
      sandbox.destroyForcibly();
    }
    assertThat(exited).as("the sandbox JVM exited within %s of SIGTERM", STOP).isTrue();
    assertThat(ChildJvm.output(work)).as("what the sandbox printed on SIGTERM").contains("Stopping the sandbox");
    int left = assertNothingLeft(work, before, ports);
    System.out.printf("SIGTERM: exit %d after %.1f s; %d processes and %d ports before, %d processes left,"
        + " 0 ports bound%n", sandbox.exitValue(), seconds, before.size(), ports.size(), left);
  }

  /** Runs the sandbox until it exits on its own (within a minute), with this exit code; its output lines. */
  private static List<String> runToExit(Path work, Map<String, String> props, int exitCode) throws Exception {
    Process sandbox = ChildJvm.start(work, ChildJvm.javaCommand(work, "-Xmx1g", props, MAIN, "sandbox"));
    boolean exited = sandbox.waitFor(3, TimeUnit.MINUTES);
    if (!exited) {
      sandbox.destroyForcibly();
    }
    List<String> output = ChildJvm.output(work).stream()
        .filter(l -> !l.isBlank() && !l.startsWith("Picked up JAVA_TOOL_OPTIONS")).toList();
    assertThat(exited).as("the sandbox exits on its own; it printed %s", output).isTrue();
    assertThat(sandbox.exitValue()).as("exit code; it printed %s", output).isEqualTo(exitCode);
    return exited ? output.stream().filter(l -> !isStackLog(l)).toList() : output;
  }

  /** The stack's own log lines (slf4j-simple: "[thread] LEVEL logger - …"), printed while it starts and stops. */
  private static boolean isStackLog(String line) {
    return line.startsWith("[") && line.matches("\\[[^]]+] (TRACE|DEBUG|INFO|WARN|ERROR) .*");
  }

  private static void assertNothingLeft(Path work, Set<Integer> ports) {
    assertNothingLeft(work, List.of(), ports);
  }

  /**
   * Waits up to 20 s for nothing of the sandbox left: no process of {@code before} alive, none whose
   * command line or working directory names {@code work} (Elasticsearch's JVMs, the runtimes, the
   * watchdogs, even re-parented), none of {@code ports} bound; returns how many processes were left.
   */
  private static int assertNothingLeft(Path work, List<Proc> before, Set<Integer> ports) {
    Set<Long> mine = LeftBehindProcesses.selfAndAncestors();
    String dir = work.toString();
    java.util.function.Supplier<List<Proc>> alive = () -> LeftBehindProcesses.all().stream()
        .filter(p -> !mine.contains(p.pid()) && !p.zombie())
        .filter(p -> before.stream().anyMatch(p::sameAs) || p.cwd().startsWith(dir) || p.cmdline().contains(dir))
        .toList();
    List<Proc> left;
    Set<Integer> bound;
    try {
      await("nothing of the sandbox left").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200))
          .until(() -> alive.get().isEmpty() && SecurityListeners.stillListening(ports).isEmpty());
    } catch (ConditionTimeoutException timeout) {
      // reported below, with what is left
    }
    left = alive.get();
    bound = SecurityListeners.stillListening(ports);
    try {
      assertThat(left).as("processes of the sandbox still alive").extracting(p -> p.pid() + " " + p.shortName())
          .isEmpty();
      assertThat(bound).as("ports of the sandbox still bound").isEmpty();
    } finally {
      // this test must not leave behind what it looks for
      left.forEach(p -> ProcessHandle.of(p.pid()).ifPresent(ProcessHandle::destroyForcibly));
    }
    return left.size();
  }

  // ------------------------------------------------------------------ helpers

  /** A free loopback port for each component, all different: held open together, then released. */
  private static Map<String, Integer> freePorts() throws IOException {
    Map<String, Integer> ports = new LinkedHashMap<>();
    List<ServerSocket> held = new ArrayList<>();
    try {
      for (String component : ChildJvm.COMPONENTS) {
        ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        held.add(s);
        ports.put(component, s.getLocalPort());
      }
    } finally {
      for (ServerSocket s : held) {
        s.close();
      }
    }
    return ports;
  }

  private static Map<String, String> portProperties(Map<String, Integer> ports) {
    Map<String, String> props = new LinkedHashMap<>();
    ports.forEach((component, port) -> props.put("traceharness." + component + ".port", port.toString()));
    return props;
  }

  private static List<String> names(JsonNode object) {
    List<String> names = new ArrayList<>();
    object.fieldNames().forEachRemaining(names::add);
    return names;
  }

  private static JsonNode route(JsonNode sandbox, String function) {
    for (JsonNode r : sandbox.path("routes")) {
      if (r.path("function").asText().equals(function)) {
        return r;
      }
    }
    throw new AssertionError("no route of " + function + " in sandbox.json: " + sandbox.path("routes"));
  }

  /** Every URL in sandbox.json: the endpoints, the viewer, the routes. */
  private static List<URI> urls(JsonNode json) {
    List<URI> urls = new ArrayList<>();
    json.fields().forEachRemaining(f -> {
      if (f.getValue().isTextual() && f.getValue().asText().matches("https?://.*")) {
        urls.add(URI.create(f.getValue().asText()));
      }
    });
    json.path("routes").forEach(r -> urls.add(URI.create(r.path("url").asText())));
    return urls;
  }

  /** The post's instrumented Java client, reporting to the sandbox's APM Server with its token. */
  private static ClientRun client(JsonNode sandbox, String url) {
    ClientRun run = Clients.java().apmServerUrl(sandbox.path("apmServer").asText())
        .secretToken(sandbox.path("apmSecretToken").asText()).run(url);
    if (run.traceId() == null) {
      throw new AssertionError("the client printed no trace id: " + run.describe());
    }
    return run;
  }

  /** The trace as the sandbox's Elasticsearch holds it, once it has these services. */
  private static Trace awaitTrace(JsonNode sandbox, String traceId, String... services) {
    try (Traces traces = Traces.builder(URI.create(sandbox.path("elasticsearch").asText()))
        .atMost(Duration.ofSeconds(90)).build()) {
      return traces.await(traceId, TraceConditions.hasServices(services));
    }
  }

  @FunctionalInterface
  private interface ThrowingConsumer<T> {
    void accept(T t) throws Exception;
  }
}
