package io.traceharness.elasticsearch;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class StartFailureTest {

  private static final String BIND_FAILURE = """
      [2026-11-25T02:40:25,990][ERROR][o.e.b.Elasticsearch      ] [node] fatal exception while booting Elasticsearch
      org.elasticsearch.http.BindHttpException: Failed to bind to 127.0.0.1:9200
      \tat org.elasticsearch.server@8.19.21/org.elasticsearch.http.AbstractHttpServerTransport.bindAddress(AbstractHttpServerTransport.java:217)
      Caused by: java.net.BindException: Address already in use
      """;

  @Test
  void recognisesATakenPortInTheNodesOutput() {
    assertThat(StartFailure.isPortClash(BIND_FAILURE)).isTrue();
    assertThat(StartFailure.isPortClash("""
        org.elasticsearch.transport.BindTransportException: Failed to bind to 127.0.0.1:[9300]
        """)).isTrue();
  }

  @Test
  void doesNotMistakeOtherFailuresForAPortClash() {
    assertThat(StartFailure.isPortClash("""
        java.lang.IllegalArgumentException: unknown setting [no.such.setting] please check that any required plugins are installed
        ERROR: Elasticsearch did not exit normally
        """)).isFalse();
  }

  @Test
  void firstErrorIsTheLineThatNamesTheProblem() {
    assertThat(StartFailure.firstError(BIND_FAILURE))
        .startsWith("[2026-11-25T02:40:25,990][ERROR]").contains("fatal exception while booting");
    assertThat(StartFailure.firstError("""
        warning: something harmless
        java.lang.IllegalArgumentException: unknown setting [x.y]
        \tat org.elasticsearch.common.settings.AbstractScopedSettings.validate(AbstractScopedSettings.java:1)
        """)).isEqualTo("java.lang.IllegalArgumentException: unknown setting [x.y]");
    assertThat(StartFailure.firstError("all fine\n")).isEmpty();
  }

  @Test
  void messageNamesVersionReasonAndLogAndIndentsTheTail() {
    String message = StartFailure.message("8.19.21", "the process exited with code 1",
        "java.lang.IllegalArgumentException: unknown setting [x.y]", Path.of("/w/es/elasticsearch.log"),
        "line one\nERROR: Elasticsearch died while starting up, with exit code 1");

    assertThat(message).isEqualTo("""
        Elasticsearch 8.19.21 did not start: the process exited with code 1
        First error: java.lang.IllegalArgumentException: unknown setting [x.y]
        Last lines of /w/es/elasticsearch.log:
          | line one
          | ERROR: Elasticsearch died while starting up, with exit code 1""");
  }

  @Test
  void messageDoesNotRepeatAnErrorTheTailShowsAndSaysWhenThereIsNoLog() {
    String tail = "java.lang.IllegalArgumentException: unknown setting [x.y]\n\tat a.b(C.java:1)";
    assertThat(StartFailure.message("8.19.21", "r", "java.lang.IllegalArgumentException: unknown setting [x.y]",
        Path.of("log"), tail)).doesNotContain("First error");
    assertThat(StartFailure.message("8.19.21", "no yellow cluster health", "", Path.of("/w/log"), ""))
        .isEqualTo("Elasticsearch 8.19.21 did not start: no yellow cluster health\n(/w/log is empty or missing)");
  }
}
