package io.traceharness.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Arguments and exit codes, in process: 0 done, 1 the work failed, 2 bad arguments with the usage on stderr. */
class CliTest {

  private static final String ID = "4bf92f3577b34da6a3ce929d0e0e4736";

  private record Run(int code, String out, String err) {
  }

  private static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = Cli.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    int code = cli.execute(args);
    return new Run(code, out.toString(), err.toString());
  }

  @Test
  void noCommandIsAUsageErrorNamingTheCommands() {
    Run r = run();

    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("name a command: up, trace or report").contains("Usage: traceharness");
    assertThat(r.out()).isEmpty();
  }

  @Test
  void everyCommandHasHelp() {
    for (String command : new String[] {"up", "trace", "report"}) {
      Run r = run(command, "--help");

      assertThat(r.code()).as(command + " --help").isZero();
      assertThat(r.out()).as(command + " --help").contains("Usage: traceharness " + command);
      assertThat(r.err()).isEmpty();
    }
    assertThat(run("trace", "--help").out()).contains("--elasticsearch=URL", "--api-key=KEY", "--user=USER",
        "--password=PASSWORD", "--wait=DURATION", "Exit codes:");
    assertThat(run("--help").out()).contains("up", "trace", "report");
  }

  @Test
  void versionNamesTheHarness() {
    Run r = run("--version");

    assertThat(r.code()).isZero();
    assertThat(r.out()).startsWith("traceharness ").contains("Java ");
  }

  @Test
  void aMissingTraceIdIsAUsageError() {
    Run r = run("trace", "--elasticsearch", "http://127.0.0.1:9200");

    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("Missing required parameter: 'TRACE_ID'").contains("Usage: traceharness trace");
  }

  @Test
  void aTraceIdThatIsNotOneIsAUsageError() {
    Run r = run("trace", "not-a-trace", "--elasticsearch", "http://127.0.0.1:9200");

    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("TRACE_ID must be 32 hex digits (a W3C / APM trace id), was 'not-a-trace'");
  }

  @Test
  void elasticsearchIsRequired() {
    Run r = run("trace", ID);

    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("Missing required argument").contains("--elasticsearch=URL");
  }

  @Test
  void aUrlWithoutSchemeIsAUsageError() {
    Run r = run("trace", ID, "--elasticsearch", "localhost:9200");

    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("--elasticsearch: Elasticsearch URL must be http://HOST[:PORT] or https://HOST[:PORT],"
        + " was localhost:9200");
  }

  @Test
  void anApiKeyAndAUserExcludeEachOther() {
    Run r = run("trace", ID, "--elasticsearch", "http://127.0.0.1:9200", "--api-key", "k", "--user", "u",
        "--password", "p");

    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("mutually exclusive");
  }

  @Test
  void aUserNeedsAPassword() {
    Run r = run("trace", ID, "--elasticsearch", "http://127.0.0.1:9200", "--user", "elastic");

    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("Missing required argument").contains("--password=PASSWORD");
  }

  @Test
  void aWaitThatIsNotADurationIsAUsageError() {
    Run r = run("trace", ID, "--elasticsearch", "http://127.0.0.1:9200", "--wait", "soon");

    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("'soon' is not a duration (e.g. 30s, 2m, 500ms)");
  }

  @Test
  void aReportNeedsAnOutputFile() {
    Run r = run("report", ID, "--elasticsearch", "http://127.0.0.1:9200");

    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("Missing required option: '--output=FILE'");
  }

  @Test
  void upRefusesAProjectThatIsNotAFile() {
    Run r = run("up", "no/such/serverless.yml");

    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("PROJECT no/such/serverless.yml is not a file");
  }

  @Test
  void upTakesAStageOrParametersOnlyWithAProject() {
    Run stage = run("up", "--stage", "qa");
    Run parameter = run("up", "--parameter", "Greeting=Howdy");

    assertThat(stage.code()).isEqualTo(2);
    assertThat(stage.err()).contains("--stage is for a PROJECT");
    assertThat(parameter.code()).isEqualTo(2);
    assertThat(parameter.err()).contains("--parameter is for a PROJECT");
  }

  @Test
  void anUnreachableElasticsearchIsOneLineSayingWhichUrlAndWhy() {
    Run r = run("trace", ID, "--elasticsearch", "http://127.0.0.1:1");

    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).isEqualTo("cannot reach Elasticsearch at http://127.0.0.1:1: Connection refused\n");
    assertThat(r.out()).isEmpty();
  }

  @Test
  void anUnknownHostIsOneLineToo() {
    Run r = run("report", ID, "-o", "target/never.html", "--elasticsearch", "http://no-such-host.invalid:9200");

    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).startsWith("cannot reach Elasticsearch at http://no-such-host.invalid:9200: unknown host")
        .hasLineCount(1);
  }

  @Test
  void refusedCredentialsAreOneLineNamingWhatToCheck() throws Exception {
    List<String> sent = new java.util.concurrent.CopyOnWriteArrayList<>();
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", exchange -> {
      sent.add(exchange.getRequestHeaders().getFirst("Authorization"));
      // what Elasticsearch with security on answers a wrong API key
      byte[] body = ("{\"error\":{\"root_cause\":[],\"type\":\"security_exception\",\"reason\":\"unable to authenticate"
          + " with provided credentials and anonymous access is not allowed for this request\"},\"status\":401}")
          .getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().add("X-Elastic-Product", "Elasticsearch");
      exchange.getResponseHeaders().add("Content-Type", "application/json");
      exchange.sendResponseHeaders(401, body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    server.start();
    try {
      String url = "http://127.0.0.1:" + server.getAddress().getPort();
      Run r = run("trace", ID, "--elasticsearch", url, "--api-key", "id:wrong");

      assertThat(r.code()).isEqualTo(1);
      assertThat(r.err()).isEqualTo("Elasticsearch at " + url + " answered 401: security_exception (unable to authenticate"
          + " with provided credentials and anonymous access is not allowed for this request);"
          + " check --api-key or --user/--password\n");
      assertThat(sent).isNotEmpty().allSatisfy(h -> assertThat(h).isEqualTo("ApiKey aWQ6d3Jvbmc="));
    } finally {
      server.stop(0);
    }
  }
}
