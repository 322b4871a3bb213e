package io.traceharness.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.traceharness.junit.TracingStackTest;
import io.traceharness.scenario.BlogScenario;
import io.traceharness.stack.TracingStack;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code trace} and {@code report} against the stack's real Elasticsearch, holding the real traces of
 * the post's scenario (client → producer → consumer) run twice.
 */
@TracingStackTest
class TraceAndReportIT {

  private static BlogScenario.Result first;
  private static BlogScenario.Result second;
  private static String elasticsearch;

  private record Run(int code, String out, String err) {
  }

  @BeforeAll
  static void twoTraces(TracingStack stack) {
    BlogScenario scenario = BlogScenario.builder(stack).suffix("-cli").build();
    first = scenario.run();
    second = scenario.run();
    elasticsearch = stack.endpoints().elasticsearch().toString();
  }

  private static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = Cli.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    return new Run(cli.execute(args), out.toString(), err.toString());
  }

  @Test
  void tracePrintsTheWaterfallOfTheClientsTraceAndItsDiagnosis() {
    Run r = run("trace", first.traceId(), "--elasticsearch", elasticsearch);

    assertThat(r.err()).isEmpty();
    assertThat(r.code()).isZero();
    assertThat(r.out()).startsWith("Trace " + first.traceId() + ": " + first.trace().size() + " spans")
        .contains("java-client", "producer-cli", "consumer-cli", "client-top-level")
        .contains("Trace " + first.traceId() + " is connected");
  }

  @Test
  void traceWithExpectedServicesSaysWhichOneIsMissing() {
    Run r = run("trace", first.traceId(), "--elasticsearch", elasticsearch,
        "--expect", "java-client,producer-cli,consumer-cli,billing");

    assertThat(r.code()).isZero();
    assertThat(r.out()).contains("MISSING_SERVICE").contains("billing");
  }

  @Test
  void anUnknownTraceIsOneLineAndExitCodeOne() {
    Run r = run("trace", "0123456789abcdef0123456789abcdef", "--elasticsearch", elasticsearch);

    assertThat(r.code()).isEqualTo(1);
    assertThat(r.out()).isEmpty();
    assertThat(r.err()).isEqualTo("trace 0123456789abcdef0123456789abcdef not found in Elasticsearch at " + elasticsearch
        + " (searched traces-apm*, traces-*.otel-*, logs-apm.error*; --wait 30s waits for it)\n");
  }

  @Test
  void reportWritesTheTraceReport(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("trace.html");
    Run r = run("report", first.traceId(), "-o", file.toString(), "--elasticsearch", elasticsearch);

    assertThat(r.code()).isZero();
    assertThat(r.out()).isEqualTo("Report: " + file.toAbsolutePath() + "\n");
    String html = Files.readString(file);
    assertThat(html).contains("<title>Trace " + first.traceId() + ": java-client → producer-cli → consumer-cli</title>")
        .contains("\"traceId\":\"" + first.traceId() + "\"").contains("\"passed\":true")
        .contains("\"name\":\"client-top-level\"");
  }

  @Test
  void reportOfSeveralTracesIsOnePageListingEach(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("traces.html");
    Run r = run("report", first.traceId(), second.traceId(), "-o", file.toString(), "--elasticsearch", elasticsearch);

    assertThat(r.code()).isZero();
    String html = Files.readString(file);
    assertThat(html).contains("<title>2 traces</title>")
        .contains("data-trace-id=\"" + first.traceId() + "\"").contains("data-trace-id=\"" + second.traceId() + "\"")
        .contains("Trace " + second.traceId() + ": " + second.trace().size() + " spans");
  }

  @Test
  void aReportOfATraceThatIsNotThereWritesNothing(@TempDir Path dir) {
    Path file = dir.resolve("none.html");
    Run r = run("report", first.traceId(), "0123456789abcdef0123456789abcdef", "-o", file.toString(),
        "--elasticsearch", elasticsearch);

    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).startsWith("trace 0123456789abcdef0123456789abcdef not found");
    assertThat(file).doesNotExist();
  }
}
