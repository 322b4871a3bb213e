package io.traceharness.containers;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * The GitHub Actions pipeline runs README's test command, and the containers suites next to it.
 * Versions are not restated here: the Java version is the build's own, read from the root pom.
 */
class WorkflowTest {

  private static final Path ROOT = RepositoryFiles.repositoryRoot();
  private final Map<String, Object> workflow = load(ROOT.resolve(".github/workflows/ci.yml"));
  private final Map<String, Map<String, Object>> jobs = map(workflow.get("jobs"));

  @Test
  void embeddedJobRunsReadmesTestCommandAsInstallThenBuildsTheExample() {
    List<String> expected = List.of(readmeTestCommandAsInstall(), readmeExampleCommand());
    List<String> runs = runs("embedded");
    if (!runs.contains(".ci/run")) {
      assertThat(runs).as("run steps of the embedded job").containsSubsequence(expected);
    }
    List<String> commands = read(ROOT.resolve(".ci/run")).lines().map(String::strip)
        .filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
    assertThat(commands.subList(commands.size() - 2, commands.size())).as("the last commands of .ci/run")
        .isEqualTo(expected);
  }

  @Test
  void containersJobRunsTheSameCommandOnTheContainersStackWithTheLocalStackTokenFromSecrets() {
    assertThat(String.valueOf(jobs.get("containers").get("runs-on"))).as("a runner with Docker").startsWith("ubuntu-");
    assertThat(runs("containers")).contains(readmeTestCommand() + " -Dtraceharness.stack=containers");
    assertThat(String.valueOf(map(jobs.get("containers").get("env")).get("LOCALSTACK_AUTH_TOKEN")))
        .as("LOCALSTACK_AUTH_TOKEN").contains("secrets.LOCALSTACK_AUTH_TOKEN");
  }

  @Test
  void bothJobsSetUpTheBuildsJavaVersionAndNode() {
    String release = rootPomProperty("maven.compiler.release");
    for (String job : List.of("embedded", "containers")) {
      assertThat(String.valueOf(with(job, "actions/setup-java").get("java-version"))).as(job + " java-version")
          .isEqualTo(release);
      // the Node.js functions and the Node client are built and run with npm and node
      step(job, "actions/setup-node");
    }
  }

  @Test
  void reportsAndComponentLogsAreUploadedWhenAJobFails() {
    for (String job : List.of("embedded", "containers")) {
      Map<String, Object> upload = upload(job, "failure()");
      assertThat(String.valueOf(map(upload.get("with")).get("path")))
          .contains("**/target/*-reports", "**/target/traceharness/**/*.log");
    }
  }

  @Test
  void theRunReportsAreUploadedOnEveryRun() {
    for (String job : List.of("embedded", "containers")) {
      Map<String, Object> upload = upload(job, "always()");
      assertThat(String.valueOf(map(upload.get("with")).get("path")))
          .contains("**/target/traceharness/run-report.html");
    }
  }

  /** The job's {@code actions/upload-artifact} step that runs {@code if} the condition holds. */
  private Map<String, Object> upload(String job, String condition) {
    return steps(job).stream()
        .filter(s -> String.valueOf(s.get("uses")).startsWith("actions/upload-artifact@"))
        .filter(s -> condition.equals(s.get("if")))
        .findFirst().orElseThrow(() -> new AssertionError("job " + job + " has no upload step if " + condition
            + "; its steps: " + steps(job)));
  }

  /**
   * Today's major of each action, all running on Node 24 (GitHub retires Node 20 for actions): the
   * releases of actions/checkout (v7.0.0), actions/setup-java (v6.0.0), actions/setup-node (v7.0.0),
   * actions/upload-artifact (v7.0.0). A step on an older major runs on a runtime being retired.
   */
  static final Map<String, String> ACTION_MAJORS = Map.of("actions/checkout", "v7", "actions/setup-java", "v6",
      "actions/setup-node", "v7", "actions/upload-artifact", "v7");

  @Test
  void everyActionIsOnTodaysMajor() {
    for (String job : List.of("embedded", "containers")) {
      for (Map<String, Object> step : steps(job)) {
        Object uses = step.get("uses");
        if (uses == null) {
          continue;
        }
        String[] ref = String.valueOf(uses).split("@", 2);
        assertThat(ACTION_MAJORS).as("a known major for %s (job %s)", ref[0], job).containsKey(ref[0]);
        assertThat(ref[1]).as("%s in job %s", ref[0], job).isEqualTo(ACTION_MAJORS.get(ref[0]));
      }
    }
  }

  @Test
  void aNewPushCancelsTheRunningPipelineOfTheSameRef() {
    assertThat(map(workflow.get("concurrency")))
        .containsEntry("cancel-in-progress", true)
        .extractingByKey("group").asString().contains("github.ref");
  }

  private static String rootPomProperty(String name) {
    Matcher m = Pattern.compile("<" + Pattern.quote(name) + ">([^<]+)</").matcher(read(ROOT.resolve("pom.xml")));
    assertThat(m.find()).as("root pom property " + name).isTrue();
    return m.group(1).trim();
  }

  /** README's test command with install for verify: the same tests, and the jars for the example. */
  static String readmeTestCommandAsInstall() {
    String command = readmeTestCommand();
    assertThat(command).as("README's test command").endsWith(" verify");
    return command.substring(0, command.length() - "verify".length()) + "install";
  }

  /** The command that builds {@code examples/} in the first code block under README's "Use it in your project". */
  static String readmeExampleCommand() {
    Matcher m = Pattern.compile("## Use it in your project\\s.*?```\\w*\\n(.+?)```", Pattern.DOTALL)
        .matcher(read(ROOT.resolve("README.md")));
    assertThat(m.find()).as("README has a 'Use it in your project' code block").isTrue();
    return m.group(1).lines().map(String::strip).filter(l -> l.contains("examples/pom.xml")).findFirst()
        .orElseThrow(() -> new AssertionError("README's 'Use it in your project' block builds no examples/pom.xml"));
  }

  /** The command in the first code block under README's "Run all tests" heading. */
  static String readmeTestCommand() {
    Matcher m = Pattern.compile("## Run all tests\\s+```\\w*\\n(.+?)\\n", Pattern.DOTALL)
        .matcher(read(ROOT.resolve("README.md")));
    assertThat(m.find()).as("README has a 'Run all tests' code block").isTrue();
    return m.group(1).trim();
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new AssertionError("cannot read " + file, e);
    }
  }

  private List<String> runs(String job) {
    return steps(job).stream().map(s -> (String) s.get("run")).filter(r -> r != null).map(String::trim).toList();
  }

  private Map<String, Object> with(String job, String action) {
    return map(step(job, action).get("with"));
  }

  private Map<String, Object> step(String job, String action) {
    return steps(job).stream()
        .filter(s -> String.valueOf(s.get("uses")).startsWith(action + "@"))
        .findFirst().orElseThrow(() -> new AssertionError("job " + job + " has no " + action + " step"));
  }

  @SuppressWarnings("unchecked")
  private List<Map<String, Object>> steps(String job) {
    return (List<Map<String, Object>>) jobs.get(job).get("steps");
  }

  @SuppressWarnings("unchecked")
  private static <V> Map<String, V> map(Object o) {
    assertThat(o).isInstanceOf(Map.class);
    return (Map<String, V>) o;
  }

  private static Map<String, Object> load(Path file) {
    return new Yaml().load(read(file));
  }
}
