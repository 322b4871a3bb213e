package io.traceharness.elasticsearch;

import com.linecorp.armeria.client.WebClient;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.server.Server;
import io.traceharness.support.LocalCertificateAuthority;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Elasticsearch's HTTP API over TLS, in front of a node that has no TLS of its own: the integ-test
 * distribution the embedded node runs carries no x-pack, so it cannot serve
 * {@code xpack.security.http.ssl} as an Elastic Cloud deployment or a secured self-managed node does.
 * Listens on loopback with a certificate from {@link LocalCertificateAuthority} (which the emulated
 * Lambda environment and the harness's clients trust) and forwards every request, streamed, to the
 * node's current HTTP address (a restarted node may have moved). TLS only on its port, as a node with
 * {@code xpack.security.http.ssl.enabled: true} answers TLS only. While the node is down the front
 * stays up and answers 502 Bad Gateway, as a reverse proxy does, where a client of the bare node
 * would be refused the connection.
 */
final class HttpsFront implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(HttpsFront.class);
  /** Elasticsearch's {@code http.max_content_length} default (100 MB). */
  private static final long MAX_CONTENT_LENGTH = 100L * 1024 * 1024;

  private final Supplier<URI> node;
  private final Server server;
  private volatile URI target;
  private volatile WebClient client;

  private HttpsFront(LocalCertificateAuthority.ServerCertificate certificate, Supplier<URI> node) {
    this.node = node;
    this.server = Server.builder()
        .https(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
        .tls(certificate.privateKey(), certificate.chain())
        .maxRequestLength(MAX_CONTENT_LENGTH)
        .requestTimeout(Duration.ZERO)
        .gracefulShutdownTimeout(Duration.ZERO, Duration.ZERO)
        .serviceUnder("/", (ctx, req) -> forward(req))
        .build();
  }

  /** Starts a front for the node {@code node} names at the time of each request. */
  static HttpsFront start(LocalCertificateAuthority.ServerCertificate certificate, Supplier<URI> node) {
    HttpsFront front = new HttpsFront(certificate, node);
    front.server.start().join();
    LOG.info("Elasticsearch over HTTPS at {} (forwarding to {})", front.endpoint(), node.get());
    return front;
  }

  /** {@code https://127.0.0.1:<port>}. */
  URI endpoint() {
    return URI.create("https://127.0.0.1:" + server.activeLocalPort());
  }

  private HttpResponse forward(HttpRequest req) {
    URI current = node.get();
    WebClient c = clientFor(current);
    return c.execute(req.withHeaders(req.headers().toBuilder().authority(current.getAuthority()).build()))
        .recover(cause -> HttpResponse.of(HttpStatus.BAD_GATEWAY, MediaType.PLAIN_TEXT_UTF_8,
            "Elasticsearch at %s is not reachable: %s", current, cause));
  }

  private synchronized WebClient clientFor(URI current) {
    if (client == null || !current.equals(target)) {
      client = WebClient.builder(current).responseTimeout(Duration.ZERO).maxResponseLength(0).build();
      target = current;
    }
    return client;
  }

  /** Stops listening; returns once the port is released. */
  @Override
  public void close() {
    server.stop().join();
  }
}
