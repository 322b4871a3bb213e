package io.traceharness.apm;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How APM Server 8.19 answers on the wire: auth schemes (apm-server internal/beater/auth), API key
 * privileges, content types and Connection: close (internal/beater/api/intake/handler.go,
 * request/context.go), validation messages (apm-data modeldecoder/v2), sizes in bytes.
 */
class IntakeWireTest {

  static final String TOKEN = "wire-token";
  static final String LINES = EmbeddedApmServerTest.lines(EmbeddedApmServerTest.METADATA, EmbeddedApmServerTest.TRANSACTION);
  static InMemorySink sink = new InMemorySink();
  static EmbeddedApmServer server;
  static final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @BeforeAll
  static void start(@TempDir Path dir) {
    server = EmbeddedApmServer.builder().secretToken(TOKEN).apiKey("reader", "k", Auth.AGENT_CONFIG_READ)
        .apiKey("writer", "k").maxEventSize(301).sink(sink).logFile(dir.resolve("apm.log")).build().start();
  }

  @AfterAll
  static void stop() {
    server.stop();
  }

  @BeforeEach
  void clear() {
    sink.clear();
  }

  static HttpResponse<String> intake(String body, String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(server.endpoint().resolve("/intake/v2/events"))
        .POST(HttpRequest.BodyPublishers.ofString(body));
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  static String apiKey(String id) {
    return "ApiKey " + java.util.Base64.getEncoder().encodeToString((id + ":k").getBytes());
  }

  @Test
  void schemeNamesAreCaseSensitive() throws Exception {
    HttpResponse<String> r = intake(LINES, "Authorization", "bearer " + TOKEN);
    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(r.body()).contains("unknown Authentication header bearer");
    assertThat(intake(LINES, "Authorization", "Bearer " + TOKEN).statusCode()).isEqualTo(202);
  }

  @Test
  void anApiKeyWithoutEventWriteIsForbidden() throws Exception {
    HttpResponse<String> r = intake(LINES, "Authorization", apiKey("reader"));
    assertThat(r.statusCode()).isEqualTo(403);
    assertThat(Docs.JSON.readTree(r.body()).at("/errors/0/message").asText())
        .isEqualTo("cannot handle stream: cannot process batch: unauthorized: API Key not permitted action \"event:write\"");
    assertThat(sink.documents()).isEmpty();
    assertThat(intake(LINES, "Authorization", apiKey("writer")).statusCode()).isEqualTo(202);
  }

  @Test
  void errorsArePlainTextUnlessJsonIsAcceptedAndCloseTheConnection() throws Exception {
    HttpResponse<String> plain = intake("{\"not\":\"metadata\"}\n", "Authorization", "Bearer " + TOKEN);
    assertThat(plain.statusCode()).isEqualTo(400);
    assertThat(plain.headers().firstValue("content-type")).hasValue("text/plain; charset=utf-8");
    assertThat(plain.headers().firstValue("connection")).hasValue("close");
    assertThat(plain.body()).startsWith("{\"accepted\":0,");
    HttpResponse<String> json = intake("{\"not\":\"metadata\"}\n", "Authorization", "Bearer " + TOKEN,
        "Accept", "application/json");
    assertThat(json.headers().firstValue("content-type").orElse("")).startsWith("application/json");
    assertThat(json.body()).contains("\n  \"accepted\"");
  }

  /** apm-data processor.go: the limit counts bytes; the document is the first max_event_size bytes. */
  @Test
  void theSizeLimitCountsBytes() throws Exception {
    String metadata = "{\"metadata\":{\"service\":{\"name\":\"e\",\"agent\":{\"name\":\"a\",\"version\":\"1\"}}}}";
    // 19 bytes of prefix and 2-byte characters: 160 characters, 341 bytes; the cut at 301 falls between two
    String twoByteChars = "{\"log\":{\"message\":\"" + "é".repeat(160) + "\"}}";
    assertThat(twoByteChars.length()).isLessThan(301);
    HttpResponse<String> r = intake(EmbeddedApmServerTest.lines(metadata, twoByteChars),
        "Authorization", "Bearer " + TOKEN);
    assertThat(r.statusCode()).isEqualTo(400);
    var error = Docs.JSON.readTree(r.body()).at("/errors/0");
    assertThat(error.path("message").asText()).isEqualTo("event exceeded the permitted size");
    assertThat(error.path("document").asText().getBytes(java.nio.charset.StandardCharsets.UTF_8)).hasSize(301);
  }

  /** apm-data modeldecoder/v2 model.go: validation rules and their messages. */
  @Test
  void validationMessagesAreApmDatas() throws Exception {
    String badName = "{\"metadata\":{\"service\":{\"name\":\"a/b\",\"agent\":{\"name\":\"a\",\"version\":\"1\"}}}}";
    assertThat(message(badName)).isEqualTo(
        "validation error: metadata: service: 'name': validation rule 'pattern(patternAlphaNumericExt)' violated");
    String m = "{\"metadata\":{\"service\":{\"name\":\"a\",\"agent\":{\"name\":\"a\",\"version\":\"1\"}}}}";
    assertThat(message(m + "\n{\"transaction\":{\"id\":\"1\",\"trace_id\":\"2\",\"type\":\"t\",\"span_count\":"
        + "{\"started\":0},\"duration\":-1}}")).isEqualTo("validation error: transaction: 'duration': validation rule 'min(0)' violated");
    assertThat(message(m + "\n{\"span\":{\"id\":\"1\",\"trace_id\":\"2\",\"parent_id\":\"3\",\"name\":\"n\",\"type\":\"t\","
        + "\"timestamp\":1,\"duration\":1,\"outcome\":\"ok\"}}"))
        .isEqualTo("validation error: span: 'outcome': validation rule 'enum(enumOutcome)' violated");
    assertThat(message(m + "\n{\"error\":{\"id\":\"1\",\"transaction_id\":\"2\",\"log\":{\"message\":\"x\"}}}"))
        .isEqualTo("validation error: error: 'parent_id' required when 'transaction_id' is set");
  }

  private static String message(String lines) throws Exception {
    HttpResponse<String> r = intake(lines + "\n", "Authorization", "Bearer " + TOKEN);
    return Docs.JSON.readTree(r.body()).at("/errors/0/message").asText();
  }
}
