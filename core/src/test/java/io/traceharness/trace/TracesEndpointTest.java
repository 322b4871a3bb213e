package io.traceharness.trace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A reader built from a URL sends the credentials Elasticsearch expects, on every request. The
 * server is the JDK's, in process, answering as Elasticsearch does when no trace index exists yet.
 */
class TracesEndpointTest {

  private HttpServer server;
  private final List<String> requests = new CopyOnWriteArrayList<>();

  @BeforeEach
  void startServer() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", exchange -> {
      String path = exchange.getRequestURI().getPath();
      requests.add(exchange.getRequestMethod() + " " + path + " " + exchange.getRequestHeaders().getFirst("Authorization"));
      boolean refresh = path.endsWith("/_refresh");
      byte[] body = (refresh ? "{\"_shards\":{\"total\":0,\"successful\":0,\"failed\":0}}"
          : "{\"error\":{\"type\":\"index_not_found_exception\",\"reason\":\"no such index [traces-apm*]\"},\"status\":404}")
          .getBytes(StandardCharsets.UTF_8);
      // the Java client refuses answers without this header: it is how it knows it talks to Elasticsearch
      exchange.getResponseHeaders().add("X-Elastic-Product", "Elasticsearch");
      exchange.getResponseHeaders().add("Content-Type", "application/json");
      exchange.sendResponseHeaders(refresh ? 200 : 404, body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    server.start();
  }

  @AfterEach
  void stopServer() {
    server.stop(0);
  }

  private URI url(String path) {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
  }

  @Test
  void anEncodedApiKeyIsSentAsItIs() {
    try (Traces traces = Traces.builder(url("")).apiKey("VnVhQ2ZHY0JDZGJrUW0tZTVhT3g6dWkybHAyYXhUTm1zeWFrdzl0dk5udw==").build()) {
      Trace trace = traces.read("4bf92f3577b34da6a3ce929d0e0e4736");

      assertThat(trace.isEmpty()).isTrue();
      assertThat(traces.endpoint()).contains(url(""));
    }
    assertThat(requests).isNotEmpty()
        .allSatisfy(r -> assertThat(r).endsWith(" ApiKey VnVhQ2ZHY0JDZGJrUW0tZTVhT3g6dWkybHAyYXhUTm1zeWFrdzl0dk5udw=="));
  }

  @Test
  void anIdAndKeyPairIsEncodedAsElasticsearchExpects() {
    try (Traces traces = Traces.builder(url("")).apiKey("VuaCfGcBCdbkQm-e5aOx:ui2lp2axTNmsyakw9tvNnw").build()) {
      traces.read("4bf92f3577b34da6a3ce929d0e0e4736");
    }
    assertThat(requests).isNotEmpty()
        .allSatisfy(r -> assertThat(r).endsWith(" ApiKey VnVhQ2ZHY0JDZGJrUW0tZTVhT3g6dWkybHAyYXhUTm1zeWFrdzl0dk5udw=="));
  }

  @Test
  void aUserSendsBasicAuthenticationUnderThePathPrefix() {
    try (Traces traces = Traces.builder(url("/es")).basicAuth("elastic", "changeme").build()) {
      traces.read("4bf92f3577b34da6a3ce929d0e0e4736");
    }
    assertThat(requests).isNotEmpty()
        .allSatisfy(r -> assertThat(r).startsWith("POST /es/").endsWith(" Basic ZWxhc3RpYzpjaGFuZ2VtZQ=="));
  }

  @Test
  void withoutCredentialsNoneAreSent() {
    try (Traces traces = Traces.builder(url("")).build()) {
      traces.read("4bf92f3577b34da6a3ce929d0e0e4736");
    }
    assertThat(requests).isNotEmpty().allSatisfy(r -> assertThat(r).endsWith(" null"));
  }

  @Test
  void aUrlThatIsNotHttpIsRefusedWithWhatItShouldBe() {
    assertThatThrownBy(() -> Traces.builder(URI.create("localhost:9200")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Elasticsearch URL must be http://HOST[:PORT] or https://HOST[:PORT], was localhost:9200");
  }

  @Test
  void anEmptyApiKeyIsRefused() {
    assertThatThrownBy(() -> Traces.builder(url("")).apiKey(" "))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("the API key is empty");
  }
}
