package io.traceharness.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.traceharness.stack.TracingStack;
import io.traceharness.support.Users;
import io.traceharness.support.WorkDirs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * As root, a checkout in a directory other users cannot enter (under {@code /root}, mode 0700 on
 * Debian, or from {@code mktemp -d}): the whole stack starts from it as a test JVM starts it, a
 * function answers, the ready line says where the Elasticsearch node's files went, and the tail of
 * every component's log a failed test would print is there.
 */
class PrivateCheckoutIT {

  private static final Pattern NODE_DIR = Pattern.compile("node directory (\\S+), as user (\\S+) cannot enter (\\S+)\\)");

  @Test
  void asRootTheStackRunsFromADirectoryOtherUsersCannotEnter() throws Exception {
    Assumptions.assumeTrue(Users.isRoot(), "only as root does the node run as another user");
    Assumptions.assumeTrue(TracingStack.configuredBackend().equals("embedded"), "the embedded stack's question");
    Path home = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "private-",
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    Path work = home.resolve("checkout/target/traceharness");
    Files.createDirectories(work);
    Process probe = ChildJvm.start(work, ChildJvm.javaCommand(work, "-Xmx768m", PrivateCheckoutProbe.class.getName(), ""));
    Path nodeDir = null;
    try {
      JsonNode done = ChildJvm.awaitLine(probe, work, PrivateCheckoutProbe.DONE);
      assertThat(probe.waitFor(60, TimeUnit.SECONDS)).as("the probe closes its stack and exits").isTrue();
      assertThat(probe.exitValue()).as("the probe's exit code").isZero();
      String output = String.join("\n", ChildJvm.output(work));

      Matcher ready = NODE_DIR.matcher(output);
      assertThat(ready.find()).as("Elasticsearch's ready line names the node directory:\n%s", output).isTrue();
      nodeDir = Path.of(ready.group(1));
      assertThat(nodeDir).as("the node directory").startsWith(WorkDirs.cache().resolve("nodes"));
      assertThat(Path.of(ready.group(3))).as("the directory the node user cannot enter").isEqualTo(home);
      assertThat(done.path("invoke").asText()).as("the function's answer").contains("runtimeApi");

      Map<String, String> tails = new LinkedHashMap<>();
      done.path("logs").forEach(l -> tails.put(l.path("component").asText() + " " + l.path("file").asText(),
          l.path("tail").asText()));
      JsonNode es = null;
      for (JsonNode l : done.path("logs")) {
        if (l.path("component").asText().toLowerCase().contains("elasticsearch")) {
          es = l;
        }
      }
      assertThat(es).as("Elasticsearch among the component logs %s", tails.keySet()).isNotNull();
      assertThat(Path.of(es.path("file").asText())).as("Elasticsearch's log file").startsWith(nodeDir);
      assertThat(es.path("tail").asText()).as("the tail of Elasticsearch's log").contains("started");
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(home))).as("the private directory's mode")
          .isEqualTo("rwx------");

      System.out.printf("%n== PrivateCheckoutIT: the stack from %s (mode 0700) as root ==%n"
          + "node directory %s (user %s); function answered; %d component log tails:%n", home, nodeDir, ready.group(2),
          tails.size());
      tails.forEach((k, v) -> System.out.printf("  %-90s %d lines%n", k, v.isBlank() ? 0 : v.split("\n").length));
    } finally {
      if (probe.isAlive()) {
        probe.destroy();
        probe.waitFor(30, TimeUnit.SECONDS);
      }
      if (nodeDir != null && nodeDir.startsWith(WorkDirs.cache().resolve("nodes"))) {
        deleteTree(nodeDir.getParent());
      }
    }
  }

  private static void deleteTree(Path dir) throws Exception {
    if (!Files.exists(dir)) {
      return;
    }
    List<Path> paths = new ArrayList<>();
    try (Stream<Path> walk = Files.walk(dir)) {
      walk.forEach(paths::add);
    }
    for (int i = paths.size() - 1; i >= 0; i--) {
      Files.deleteIfExists(paths.get(i));
    }
  }
}
