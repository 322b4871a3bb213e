package io.traceharness.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.traceharness.resilience.LeftBehindProcesses.Proc;
import io.traceharness.resilience.SecurityListeners.Listener;
import io.traceharness.stack.TracingStack;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Nothing left behind: SIGKILL of a test JVM that started the embedded stack, of the sandbox JVM
 * and the demo JVM, and of the Maven process that started the sandbox, the demo or the benchmarks;
 * within 10 s no process of the stack remains and no port it listened on is still bound.
 *
 * <p>Each case runs its stack in a probe process started here and observes it from this JVM, as
 * another process would: before the kill it records the probe's process tree from {@code /proc}
 * (pids with their start times, process groups, working directories) and the ports those processes
 * listen on; after the kill it looks for any of them by pid, by process group and by name (command
 * line or working directory under the probe's work directory or a directory a stack process ran in,
 * which finds Elasticsearch's JVMs, the Node runtimes and the watchdog shells even once re-parented).
 *
 * <p>Maven is stood in for by {@link LeftBehindProbe} {@code maven}: a JVM that starts the sandbox
 * with the command line the {@code run-main} execution of exec-maven-plugin builds, and copies its
 * output the way exec:exec's stream pumps do. What the sandbox JVM can notice of Maven's death —
 * its parent process ending, its output pipe losing its reader — is the same; a real
 * {@code ./mvnw -Psandbox verify} would need the reactor installed or rebuilt (minutes on CI's 2
 * cores) to reach the same fork.
 */
class LeftBehindIT {

  private static final Duration BUDGET = Duration.ofSeconds(10);
  /** What a function's layer collector logs once its execution environment is up. */
  private static final String LAYER_COLLECTOR_READY = "OpenTelemetry Collector collector-";

  @BeforeAll
  static void embeddedOnly() {
    Assumptions.assumeTrue(TracingStack.configuredBackend().equals("embedded"),
        "processes left behind are a question for the embedded stack; containers are Docker's");
    Assumptions.assumeTrue(Files.isDirectory(Path.of("/proc/self/fd")), "needs Linux /proc");
  }

  @Test
  void sigkillOfATestJvmLeavesNothingBehind() throws Exception {
    Path work = ChildJvm.workDir("leftbehind", "test-jvm");
    Process probe = ChildJvm.start(work,
        ChildJvm.javaCommand(work, "-Xmx768m", LeftBehindProbe.class.getName(), "stack"));
    JsonNode ready = ChildJvm.awaitLine(probe, work, LeftBehindProbe.READY);
    Set<Integer> endpointPorts = new TreeSet<>();
    ready.path("endpoints").forEach(e -> endpointPorts.add(URI.create(e.asText()).getPort()));
    ready.path("runtimeApis").forEach(a -> endpointPorts.add(Integer.parseInt(a.asText().replaceAll(".*:", ""))));
    killAndCheck("SIGKILL of a test JVM that started the stack", probe, probe.pid(), work, endpointPorts);
  }

  @Test
  void sigkillOfTheSandboxJvmLeavesNothingBehind() throws Exception {
    Path work = ChildJvm.workDir("leftbehind", "sandbox-jvm");
    Process sandbox = ChildJvm.start(work,
        ChildJvm.javaCommand(work, "-Xmx1g", "io.traceharness.scenario.Main", "sandbox"));
    Set<Integer> ports = warmSandbox(ChildJvm.awaitSandbox(sandbox, work));
    killAndCheck("SIGKILL of the sandbox JVM", sandbox, sandbox.pid(), work, ports);
  }

  @Test
  void sigkillOfMavenRunningTheSandboxLeavesNothingBehind() throws Exception {
    Path work = ChildJvm.workDir("leftbehind", "maven");
    List<String> command = new ArrayList<>(
        ChildJvm.javaCommand(work, "-Xmx256m", LeftBehindProbe.class.getName(), "maven"));
    // what exec:exec runs for -Psandbox: ${java.home}/bin/java ${run.jvmArgs} -Dtraceharness.workDir=… -classpath … Main sandbox
    command.addAll(ChildJvm.javaCommand(work, "-Xmx1g", "io.traceharness.scenario.Main", "sandbox"));
    Process maven = ChildJvm.start(work, command);
    Set<Integer> ports = warmSandbox(ChildJvm.awaitSandbox(maven, work));
    killAndCheck("SIGKILL of Maven (exec:exec stand-in) running the sandbox", maven, maven.pid(), work, ports);
  }

  @Test
  void sigkillOfTheDemoJvmMidRunLeavesNothingBehind() throws Exception {
    Path work = ChildJvm.workDir("leftbehind", "demo-jvm");
    Process demo = ChildJvm.start(work, ChildJvm.javaCommand(work, "-Xmx1g", "io.traceharness.scenario.Main", "demo"));
    ChildJvm.awaitOutput(demo, work, LAYER_COLLECTOR_READY);
    killAndCheck("SIGKILL of the demo JVM mid-run", demo, demo.pid(), work, Set.of());
  }

  @Test
  void sigkillOfMavenRunningTheDemoLeavesNothingBehind() throws Exception {
    killMavenMidRun("demo");
  }

  @Test
  void sigkillOfMavenRunningTheBenchmarkLeavesNothingBehind() throws Exception {
    killMavenMidRun("bench");
  }

  /**
   * What {@code -Pdemo} and {@code -Pbench} run ({@code Main demo|bench}) ends by itself, so the kill
   * comes mid-run: once a function's layer collector is up, the client and the runtimes are busy.
   */
  private static void killMavenMidRun(String profile) throws Exception {
    Path work = ChildJvm.workDir("leftbehind", "maven-" + profile);
    List<String> command = new ArrayList<>(
        ChildJvm.javaCommand(work, "-Xmx256m", LeftBehindProbe.class.getName(), "maven"));
    command.addAll(ChildJvm.javaCommand(work, "-Xmx1g", "io.traceharness.scenario.Main", profile));
    Process maven = ChildJvm.start(work, command);
    ChildJvm.awaitOutput(maven, work, LAYER_COLLECTOR_READY);
    killAndCheck("SIGKILL of Maven (exec:exec stand-in) running the " + profile + " mid-run", maven, maven.pid(),
        work, Set.of());
  }

  // ------------------------------------------------------------------ the check

  /** What is left of the stack now: live processes and bound ports. */
  private record Left(List<Proc> processes, List<Proc> zombies, Set<Integer> ports) {
    boolean clean() {
      return processes.isEmpty() && ports.isEmpty();
    }
  }

  private static void killAndCheck(String what, Process probe, long rootPid, Path work, Set<Integer> endpointPorts)
      throws Exception {
    List<Proc> table = LeftBehindProcesses.all();
    List<Proc> before = LeftBehindProcesses.tree(rootPid, table);
    Set<Long> mine = LeftBehindProcesses.selfAndAncestors();
    Set<Long> myGroups = table.stream().filter(p -> mine.contains(p.pid())).map(Proc::pgrp).collect(Collectors.toSet());
    Set<Long> groups = before.stream().map(Proc::pgrp).filter(g -> !myGroups.contains(g))
        .collect(Collectors.toCollection(TreeSet::new));
    Map<Long, List<Listener>> listening = SecurityListeners.ownedBy(before.stream().map(Proc::pid).toList());
    Set<Integer> ports = new TreeSet<>(endpointPorts);
    listening.values().forEach(ls -> ls.forEach(l -> ports.add(l.port())));

    assertThat(before).as("the probe's process tree before the kill").hasSizeGreaterThan(3);
    assertThat(SecurityListeners.stillListening(ports)).as("ports the probe listened on, before the kill").isNotEmpty();

    long t0 = System.nanoTime();
    ProcessHandle.of(rootPid).ifPresent(ProcessHandle::destroyForcibly);
    // reaped at once, as the shell or CI runner that started it would: its zombie is no stack process
    probe.waitFor(5, java.util.concurrent.TimeUnit.SECONDS);
    Left left;
    try {
      left = await(what + ": nothing left").atMost(BUDGET).pollInterval(Duration.ofMillis(200))
          .until(() -> left(before, groups, work, ports, mine), Left::clean);
    } catch (ConditionTimeoutException timeout) {
      left = left(before, groups, work, ports, mine);
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    print(what, rootPid, before, groups, listening, ports, left, seconds);
    try {
      assertThat(left.processes()).as(what + ": processes of the stack alive %.1f s after the kill", seconds)
          .extracting(p -> p.pid() + " " + p.shortName()).isEmpty();
      assertThat(left.ports()).as(what + ": ports still bound %.1f s after the kill", seconds).isEmpty();
    } finally {
      // whatever is left would otherwise outlive the test run: this test must not leave behind what it looks for
      left.processes().forEach(p -> ProcessHandle.of(p.pid()).ifPresent(ProcessHandle::destroyForcibly));
    }
  }

  /**
   * The stack's processes alive now: those recorded before the kill (same pid and start time), any
   * in their process groups, and any named by the probe's work directory — in its command line or
   * as its working directory, as Elasticsearch's JVMs, the runtimes and the watchdogs are.
   */
  private static Left left(List<Proc> before, Set<Long> groups, Path work, Set<Integer> ports, Set<Long> mine) {
    String dir = work.toString();
    List<Proc> alive = new ArrayList<>();
    List<Proc> zombies = new ArrayList<>();
    for (Proc p : LeftBehindProcesses.all()) {
      if (mine.contains(p.pid())) {
        continue;
      }
      boolean recorded = before.stream().anyMatch(p::sameAs);
      boolean inGroup = groups.contains(p.pgrp());
      boolean named = p.cwd().startsWith(dir) || p.cmdline().contains(dir);
      if (recorded || inGroup || named) {
        (p.zombie() ? zombies : alive).add(p);
      }
    }
    return new Left(alive, zombies, SecurityListeners.stillListening(ports));
  }

  private static void print(String what, long rootPid, List<Proc> before, Set<Long> groups,
      Map<Long, List<Listener>> listening, Set<Integer> ports, Left left, double seconds) {
    StringBuilder out = new StringBuilder();
    out.append("\n== Nothing left behind: ").append(what).append(" (pid ").append(rootPid).append(") ==\n");
    out.append(String.format("%-8s %-8s %-8s %-36s %-26s %s%n", "pid", "ppid", "pgrp", "process", "listening", "after"));
    Set<Long> leftPids = left.processes().stream().map(Proc::pid).collect(Collectors.toSet());
    Set<Long> zombiePids = left.zombies().stream().map(Proc::pid).collect(Collectors.toSet());
    for (Proc p : before) {
      String listens = listening.getOrDefault(p.pid(), List.of()).stream().map(Listener::hostPort).distinct()
          .collect(Collectors.joining(","));
      String after = leftPids.contains(p.pid()) ? "LEFT" : zombiePids.contains(p.pid()) ? "zombie" : "gone";
      out.append(String.format("%-8d %-8d %-8d %-36s %-26s %s%n", p.pid(), p.ppid(), p.pgrp(), cut(p.shortName(), 36),
          cut(listens, 26), after));
    }
    for (Proc p : left.processes()) {
      if (before.stream().noneMatch(p::sameAs)) {
        out.append(String.format("%-8d %-8d %-8d %-36s %-26s %s%n", p.pid(), p.ppid(), p.pgrp(), cut(p.shortName(), 36),
            "", "LEFT (found by group or name)"));
      }
    }
    out.append(String.format("%-22s %-10s %-8s %-8s %-12s %s%n", "", "processes", "zombies", "groups", "ports bound",
        "seconds"));
    out.append(String.format("%-22s %-10d %-8s %-8d %-12d%n", "before the kill", before.size(), "", groups.size(),
        ports.size()));
    // a zombie holds no memory, file or port; it waits for its parent (init here) to collect its exit status
    out.append(String.format("%-22s %-10d %-8d %-8s %-12d %.1f%n", "left after the kill", left.processes().size(),
        left.zombies().size(), "", left.ports().size(), seconds));
    if (!left.ports().isEmpty()) {
      out.append("ports left: ").append(left.ports()).append('\n');
    }
    System.out.print(out);
  }

  private static String cut(String s, int max) {
    return s.length() <= max ? s : s.substring(0, max - 1) + "…";
  }

  // ------------------------------------------------------------------ probes

  /**
   * Calls the producer through API Gateway, which calls the consumer, so both runtimes and their
   * layer collectors exist when the kill comes; returns the ports of the sandbox's endpoints.
   */
  private static Set<Integer> warmSandbox(JsonNode sandbox) throws Exception {
    Set<Integer> ports = new TreeSet<>();
    for (String key : ChildJvm.COMPONENTS) {
      ports.add(URI.create(sandbox.path(key).asText()).getPort());
    }
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    Collection<String> statuses = new ArrayList<>();
    var functions = sandbox.path("functions").fields();
    while (functions.hasNext()) {
      var f = functions.next();
      URI url = URI.create(f.getValue().asText());
      boolean produce = url.getPath().endsWith("/produce");
      HttpRequest request = HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(90))
          .method(produce ? "POST" : "GET", produce ? HttpRequest.BodyPublishers.ofString("{}")
              : HttpRequest.BodyPublishers.noBody())
          .header("Content-Type", "application/json").build();
      HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
      statuses.add(f.getKey() + " " + r.statusCode());
    }
    assertThat(statuses).as("the sandbox's functions answer through API Gateway").allMatch(s -> s.endsWith(" 200"));
    return ports;
  }
}
