package io.traceharness.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import io.traceharness.stack.Endpoints;
import io.traceharness.support.LocalCertificateAuthority;
import io.traceharness.support.Ports;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The stack on ports the test chooses (free ones picked here, not 9200 and the like: other sandboxes
 * may run on this machine), and with no APM secret token, as the sandbox runs it.
 */
class EmbeddedStackPortsIT {

  @Test
  void everyComponentListensOnThePortItWasGiven() throws Exception {
    Set<Integer> picked = new HashSet<>();
    while (picked.size() < 6) {
      picked.add(Ports.free());
    }
    Integer[] p = picked.toArray(Integer[]::new);
    StackPorts ports = new StackPorts(p[0], p[1], p[2], p[3], p[4], p[5]);
    URI httpsElasticsearch;
    try (EmbeddedStack stack = EmbeddedStack.builder().ports(ports).noSecretToken().build().start()) {
      Endpoints e = stack.endpoints();
      assertThat(e.elasticsearch()).hasToString("http://127.0.0.1:" + ports.elasticsearch());
      assertThat(e.apmServer()).hasToString("http://127.0.0.1:" + ports.apmServer());
      assertThat(e.otlpGrpc().getPort()).isEqualTo(ports.otlpGrpc());
      assertThat(e.otlpHttp().getPort()).isEqualTo(ports.otlpHttp());
      assertThat(e.lambda()).hasToString("http://127.0.0.1:" + ports.lambda());
      assertThat(e.apiGateway()).hasToString("http://127.0.0.1:" + ports.apiGateway() + "/dev");
      assertThat(stack.apiGateway().httpsEndpoint()).hasToString("https://127.0.0.1:" + ports.apiGateway() + "/dev");
      assertThat(e.apmSecretToken()).as("no token: APM Server accepts every agent").isNull();

      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
      assertThat(get(http, e.elasticsearch().resolve("/_cluster/health")).statusCode()).isEqualTo(200);
      httpsElasticsearch = stack.elasticsearch().httpsEndpoint();
      HttpClient trusting = HttpClient.newBuilder().sslContext(LocalCertificateAuthority.shared().clientSslContext())
          .connectTimeout(Duration.ofSeconds(5)).build();
      assertThat(get(trusting, httpsElasticsearch.resolve("/_cluster/health")).statusCode())
          .as("Elasticsearch over HTTPS").isEqualTo(200);
      HttpResponse<String> apm = get(http, e.apmServer().resolve("/"));
      assertThat(apm.statusCode()).as("server info without credentials").isEqualTo(200);
      assertThat(apm.body()).contains("\"publish_ready\"");
      assertThat(stack.lambdaClient().listFunctions().functions()).isEmpty();
      assertThat(Ports.isListening(ports.otlpGrpc())).isTrue();
      HttpResponse<String> otlp = http.send(HttpRequest.newBuilder(URI.create(e.otlpHttp() + "/v1/traces"))
          .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{}")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(otlp.statusCode()).as("the collector's OTLP/HTTP receiver").isEqualTo(200);
    }
    for (int port : new int[] {ports.elasticsearch(), ports.apmServer(), ports.otlpGrpc(), ports.otlpHttp(),
        ports.apiGateway(), ports.lambda()}) {
      assertThat(Ports.isListening(port)).as("port %d after close", port).isFalse();
    }
    assertThat(Ports.isListening(httpsElasticsearch.getPort())).as("Elasticsearch's HTTPS port after close").isFalse();
  }

  private static HttpResponse<String> get(HttpClient http, URI uri) throws Exception {
    return http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(20)).build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
