package io.traceharness.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Maven killed with SIGKILL while {@code exec:exec} runs the demo: a shell stands in for Maven, the
 * probe for the demo's JVM, {@code sleep 600} for Elasticsearch.
 */
class ParentWatchIT {

  @Test
  void aJvmWhoseParentIsKilledBySigkillEndsWithItsChildProcessesWithin10Seconds() throws Exception {
    Path stderr = WorkDirs.root().resolve("parent-watch-probe.log");
    Files.createDirectories(stderr.getParent());
    List<String> cmd = new ArrayList<>(List.of("sh", "-c", "\"$@\" & wait", "sh",
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx64m",
        "-cp", System.getProperty("java.class.path")));
    for (String prop : List.of("traceharness.workDir", "traceharness.cacheDir")) {
      if (System.getProperty(prop) != null) {
        cmd.add("-D" + prop + "=" + System.getProperty(prop));
      }
    }
    cmd.add(ParentWatchProbe.class.getName());
    cmd.add(WorkDirs.root().resolve("logs").resolve("parent-watch-sleep.log").toString());
    Process parent = new ProcessBuilder(cmd).redirectError(stderr.toFile()).start();
    List<Long> pids = new ArrayList<>();
    try (BufferedReader out = new BufferedReader(new InputStreamReader(parent.getInputStream(),
        StandardCharsets.UTF_8))) {
      for (String line; (line = out.readLine()) != null; ) {
        if (line.startsWith("PIDS ")) {
          Arrays.stream(line.substring(5).trim().split(" ")).map(Long::valueOf).forEach(pids::add);
          break;
        }
      }
      assertThat(pids).as("pids the probe reported (its stderr: %s)", stderr).hasSize(3);
      long jvm = pids.get(0);
      assertThat(ProcessHandle.of(jvm).flatMap(ProcessHandle::parent).map(ProcessHandle::pid))
          .as("the probe JVM's parent").contains(parent.pid());
      assertThat(pids).as("probe JVM, watchdog, sleep before the kill").allMatch(ParentWatchIT::isAlive);

      new ProcessBuilder("kill", "-KILL", Long.toString(parent.pid())).start().waitFor(5, TimeUnit.SECONDS);
      assertThat(parent.waitFor(5, TimeUnit.SECONDS)).as("parent shell killed").isTrue();

      await("probe JVM " + jvm + ", watchdog " + pids.get(1) + " and sleep " + pids.get(2)
          + " to end after their parent was killed").atMost(Duration.ofSeconds(10))
          .pollInterval(Duration.ofMillis(200))
          .untilAsserted(() -> assertThat(pids).noneMatch(ParentWatchIT::isAlive));
      assertThat(Files.readString(stderr)).as("the probe's stderr")
          .contains("The process that started this JVM (" + parent.pid() + ") is gone: stopping");
    } finally {
      parent.destroyForcibly();
      pids.forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
    }
  }

  private static boolean isAlive(long pid) {
    return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
  }
}
