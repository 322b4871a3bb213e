package io.traceharness.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.traceharness.support.ChildProcess;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The shaded jar as a user runs it: {@code up} in a process of its own, its JSON, a call to the
 * post's producer through the URL it names, then a stop signal to the jar's JVM and every port it
 * named released; and {@code trace} against an Elasticsearch that is not there.
 */
class UpIT {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Path JAR = Path.of(System.getProperty("traceharness.cli.jar", "target/traceharness-cli.jar"));
  private static final Path WORK = Path.of(System.getProperty("traceharness.workDir", "target/traceharness"))
      .resolve("up-it");

  private static List<String> java(String... args) {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx1g", "-jar", JAR.toAbsolutePath().toString()));
    cmd.addAll(List.of(args));
    return cmd;
  }

  @Test
  void upServesThePostsFunctionsUntilStoppedThenReleasesItsPorts() throws Exception {
    assertThat(JAR).as("the shaded jar (package builds it before the ITs)").isRegularFile();
    Path json = WORK.resolve("sandbox.json");
    Files.deleteIfExists(json);
    Path log = WORK.resolve("up.log");
    try (ChildProcess up = ChildProcess.builder("traceharness-up")
        .command(java("up", "--free-ports", "--work-dir", WORK.toAbsolutePath().toString())).logFile(log).start()) {
      await("the sandbox's JSON on stdout").atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofMillis(500))
          .failFast("up exited early:\n" + up.logTail(40), () -> !up.isAlive())
          .until(() -> Files.readString(log).contains("Sandbox running"));
      JsonNode sandbox = JSON.readTree(json.toFile());
      String printed = Files.readString(log);
      assertThat(printed).contains("\"apiGateway\" : \"" + sandbox.path("apiGateway").asText() + "\"");
      Set<Integer> ports = new TreeSet<>();
      for (String endpoint : List.of("elasticsearch", "elasticsearchHttps", "apmServer", "otlpHttp", "otlpGrpc", "lambda",
          "apiGateway", "viewer")) {
        ports.add(URI.create(sandbox.path(endpoint).asText()).getPort());
      }
      assertThat(ports).allSatisfy(port -> assertThat(listening(port)).as("port " + port + " while up runs").isTrue());

      URI producer = URI.create(sandbox.path("functions").path("producer").asText());
      HttpResponse<String> answer = HttpClient.newHttpClient().send(HttpRequest.newBuilder(producer)
          .timeout(Duration.ofMinutes(2)).POST(HttpRequest.BodyPublishers.ofString("{}")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(answer.statusCode()).as("POST %s answered %s", producer, answer.body()).isEqualTo(200);

      ProcessHandle jvm = up.process().descendants()
          .filter(p -> p.info().commandLine().orElse("").contains(JAR.getFileName().toString())).findFirst()
          .orElseThrow(() -> new AssertionError("no java -jar process under " + up.pid()));
      // Ctrl-C's SIGINT and kill's SIGTERM both run the JVM's shutdown hooks. SIGTERM it is: the watchdog
      // shell starts the jar as a background job, and a non-interactive shell's background jobs ignore SIGINT
      jvm.destroy();
      await("up to stop after SIGTERM").atMost(Duration.ofSeconds(60)).until(() -> !jvm.isAlive());
      await("the sandbox's ports to be released").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(250))
          .untilAsserted(() -> assertThat(ports).allSatisfy(port ->
              assertThat(listening(port)).as("port " + port + " after the stop").isFalse()));
      assertThat(Files.readString(log)).contains("Stopping the sandbox");
    }
  }

  @Test
  void theJarSaysInOneLineThatElasticsearchCannotBeReached() throws Exception {
    Path log = WORK.resolve("unreachable.log");
    try (ChildProcess trace = ChildProcess.builder("traceharness-trace")
        .command(java("trace", "4bf92f3577b34da6a3ce929d0e0e4736", "--elasticsearch", "http://127.0.0.1:1"))
        .logFile(log).start()) {
      assertThat(trace.waitFor(Duration.ofMinutes(1))).isTrue();
      assertThat(trace.exitCode()).isEqualTo(1);
      assertThat(Files.readString(log)).isEqualTo("cannot reach Elasticsearch at http://127.0.0.1:1: Connection refused\n");
    }
  }

  private static boolean listening(int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
      return true;
    } catch (ConnectException e) {
      return false;
    } catch (IOException e) {
      return false;
    }
  }
}
