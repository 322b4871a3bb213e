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

/** The GitHub Actions pipeline runs README's test command, and the containers suites next to it. */
class WorkflowTest {

  private static final Path ROOT = RepositoryFiles.repositoryRoot();
  private final Map<String, Object> workflow = load(ROOT.resolve(".github/workflows/ci.yml"));
  private final Map<String, Map<String, Object>> jobs = map(workflow.get("jobs"));

  @Test
  void embeddedJobRunsReadmesTestCommandExactly() {
    assertThat(runs("embedded")).contains(readmeTestCommand());
  }

  @Test
  void containersJobRunsTheSameCommandOnTheContainersStack() {
    assertThat(jobs.get("containers")).containsEntry("runs-on", "ubuntu-latest");
    assertThat(runs("containers")).contains(readmeTestCommand() + " -Dtraceharness.stack=containers");
    assertThat(map(jobs.get("containers").get("env")))
        .containsEntry("LOCALSTACK_AUTH_TOKEN", "${{ secrets.LOCALSTACK_AUTH_TOKEN }}");
  }

  @Test
  void bothJobsSetUpJava17WithMavenCacheAndNode20() {
    for (String job : List.of("embedded", "containers")) {
      assertThat(with(job, "actions/setup-java"))
          .as(job + " setup-java")
          .containsEntry("distribution", "temurin")
          .containsEntry("java-version", "17")
          .containsEntry("cache", "maven");
      assertThat(with(job, "actions/setup-node")).as(job + " setup-node").containsEntry("node-version", "20");
    }
  }

  @Test
  void reportsAndComponentLogsAreUploadedWhenAJobFails() {
    for (String job : List.of("embedded", "containers")) {
      Map<String, Object> upload = step(job, "actions/upload-artifact");
      assertThat(upload).as(job + " upload step").containsEntry("if", "failure()");
      assertThat(String.valueOf(map(upload.get("with")).get("path")))
          .contains("**/target/*-reports", "**/target/traceharness/**/*.log");
    }
  }

  @Test
  void aNewPushCancelsTheRunningPipelineOfTheSameRef() {
    assertThat(map(workflow.get("concurrency")))
        .containsEntry("cancel-in-progress", true)
        .extractingByKey("group").asString().contains("github.ref");
  }

  /** The command in the first code block under README's "Run all tests" heading. */
  static String readmeTestCommand() {
    try {
      String readme = Files.readString(ROOT.resolve("README.md"));
      Matcher m = Pattern.compile("## Run all tests\\s+```\\w*\\n(.+?)\\n", Pattern.DOTALL).matcher(readme);
      assertThat(m.find()).as("README has a 'Run all tests' code block").isTrue();
      return m.group(1).trim();
    } catch (IOException e) {
      throw new AssertionError(e);
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
    try {
      return new Yaml().load(Files.readString(file));
    } catch (IOException e) {
      throw new AssertionError("cannot read " + file, e);
    }
  }
}
