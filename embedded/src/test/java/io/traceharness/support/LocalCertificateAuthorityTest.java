package io.traceharness.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.KeyStore;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalCertificateAuthorityTest {

  @TempDir
  Path dir;

  @Test
  void aClientTrustingTheAuthorityReachesAServerItIssuedForLocalhostAndTheLoopbackAddress() throws Exception {
    LocalCertificateAuthority ca = LocalCertificateAuthority.in(dir);
    HttpsServer server = httpsServer(ca.issueServer("test-server"));
    try {
      HttpClient client = HttpClient.newBuilder().sslContext(ca.clientSslContext()).build();
      int port = server.getAddress().getPort();
      for (String host : new String[] {"localhost", "127.0.0.1"}) {
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("https://" + host + ":" + port + "/")).build(),
            HttpResponse.BodyHandlers.ofString());
        assertThat(r.body()).as(host).isEqualTo("ok");
      }
    } finally {
      server.stop(0);
    }
  }

  @Test
  void aClientThatDoesNotTrustTheAuthorityFailsTheHandshake() throws Exception {
    LocalCertificateAuthority ca = LocalCertificateAuthority.in(dir);
    HttpsServer server = httpsServer(ca.issueServer("test-server"));
    try {
      HttpClient client = HttpClient.newBuilder().sslContext(SSLContext.getDefault()).build();
      URI uri = URI.create("https://localhost:" + server.getAddress().getPort() + "/");
      assertThatThrownBy(() -> client.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString()))
          .isInstanceOf(SSLHandshakeException.class);
    } finally {
      server.stop(0);
    }
  }

  @Test
  void theAuthorityIsCreatedOncePerDirectory() throws Exception {
    LocalCertificateAuthority first = LocalCertificateAuthority.in(dir);
    byte[] pem = Files.readAllBytes(first.caPem());
    assertThat(LocalCertificateAuthority.in(dir)).isSameAs(first);
    assertThat(Files.readAllBytes(dir.resolve("ca.pem"))).isEqualTo(pem);
    assertThat(Files.getPosixFilePermissions(dir.resolve("ca-key.pem")))
        .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
  }

  @Test
  void theTrustStoreKeepsTheJdkRootsBecauseTheTrustStorePropertyReplacesThem() throws Exception {
    LocalCertificateAuthority ca = LocalCertificateAuthority.in(dir);
    KeyStore store = KeyStore.getInstance(ca.trustStore().toFile(), ca.trustStorePassword().toCharArray());
    Path jdk = Path.of(System.getProperty("java.home"), "lib", "security", "cacerts");
    int jdkRoots = KeyStore.getInstance(jdk.toFile(), "changeit".toCharArray()).size();
    assertThat(store.size()).isEqualTo(jdkRoots + 1);
    assertThat(store.getCertificateAlias(ca.certificate())).isEqualTo("traceharness-local-ca");
    assertThat(Files.readString(ca.bundlePem())).endsWith(Files.readString(ca.caPem()));
  }

  @Test
  void theTrustEnvironmentAddsToAJavaAgentsOptionsAndLeavesTheCallersChoices() {
    LocalCertificateAuthority ca = LocalCertificateAuthority.in(dir);
    Map<String, String> env = ca.trustEnvironment(Map.of("JAVA_TOOL_OPTIONS", "-javaagent:/opt/agent.jar",
        "SSL_CERT_FILE", "/mine.pem"));
    assertThat(env).containsEntry("NODE_EXTRA_CA_CERTS", ca.caPem().toString())
        .containsEntry("JAVA_TOOL_OPTIONS", "-javaagent:/opt/agent.jar " + ca.javaTrustOptions())
        .doesNotContainKey("SSL_CERT_FILE");
    assertThat(ca.javaTrustOptions()).contains("-Djavax.net.ssl.trustStore=" + ca.trustStore());
  }

  @Test
  void theCertificateAndKeyAreWrittenAsPemForAChildProcess() throws Exception {
    var files = LocalCertificateAuthority.in(dir).issueServer("es", "es.local").written(dir.resolve("es"));
    String chain = Files.readString(files.certificateChain());
    assertThat(chain.split("-----BEGIN CERTIFICATE-----", -1)).as("server certificate, then the CA").hasSize(3);
    assertThat(Files.readString(files.privateKey())).startsWith("-----BEGIN PRIVATE KEY-----");
  }

  private static HttpsServer httpsServer(LocalCertificateAuthority.ServerCertificate cert) throws Exception {
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(cert.keyManagerFactory().getKeyManagers(), null, null);
    HttpsServer server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setHttpsConfigurator(new HttpsConfigurator(ctx));
    server.createContext("/", ex -> {
      byte[] body = "ok".getBytes();
      ex.sendResponseHeaders(200, body.length);
      ex.getResponseBody().write(body);
      ex.close();
    });
    server.start();
    return server;
  }
}
