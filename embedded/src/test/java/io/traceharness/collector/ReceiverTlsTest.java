package io.traceharness.collector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import com.linecorp.armeria.client.ClientFactory;
import com.linecorp.armeria.client.WebClient;
import com.linecorp.armeria.client.grpc.GrpcClients;
import com.linecorp.armeria.common.AggregatedHttpResponse;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.RequestHeaders;
import io.grpc.StatusRuntimeException;
import io.opentelemetry.proto.collector.trace.v1.TraceServiceGrpc;
import io.traceharness.support.LocalCertificateAuthority;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An otlp receiver whose protocols have a {@code tls} section serves TLS only on their ports, with the
 * configured certificate (configgrpc {@code ToServer}, confighttp {@code ToListener}); with
 * {@code client_ca_file} it requires a client certificate that CA signed (configtls.go
 * {@code ServerConfig.LoadTLSConfig}: {@code tls.RequireAndVerifyClientCert}).
 */
class ReceiverTlsTest {

  private static final LocalCertificateAuthority CA = LocalCertificateAuthority.shared();

  @TempDir
  static Path tmp;

  static OtlpTestBackend backend;
  static EmbeddedCollector collector;
  static ClientFactory trusting;
  static ClientFactory withClientCertificate;

  @BeforeAll
  static void start() {
    backend = new OtlpTestBackend().start();
    var files = CA.issueServer("collector").written(tmp.resolve("server"));
    collector = EmbeddedCollector.builder()
        .config("""
            receivers:
              otlp:
                protocols:
                  grpc:
                    tls:
                      cert_file: ${CERT}
                      key_file: ${KEY}
                      client_ca_file: ${CLIENT_CA}
                  http:
                    tls:
                      cert_file: ${CERT}
                      key_file: ${KEY}
                      reload_interval: 1h
            exporters:
              otlphttp:
                endpoint: ${BACKEND}
            service:
              pipelines:
                traces:
                  receivers: [otlp]
                  exporters: [otlphttp]
            """)
        .environment(OtlpTestBackend.trusting(Map.of("BACKEND", backend.endpoint().toString(),
            "CERT", files.certificateChain().toString(), "KEY", files.privateKey().toString(),
            "CLIENT_CA", CA.caPem().toString())))
        .freePorts(true)
        .logFile(tmp.resolve("collector.log"))
        .build()
        .start();
    trusting = ClientFactory.builder().tlsCustomizer(b -> b.trustManager(CA.certificate())).build();
    var client = CA.issueClient("otlp-client");
    withClientCertificate = ClientFactory.builder()
        .tlsCustomizer(b -> b.trustManager(CA.certificate()).keyManager(client.privateKey(), client.chain())).build();
  }

  @AfterAll
  static void stop() {
    collector.close();
    backend.close();
    trusting.close();
    withClientCertificate.close();
  }

  private static void awaitSpan(String traceId) {
    await("trace " + traceId + " at the backend").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
        .untilAsserted(() -> assertThat(backend.spans())
            .as("spans at the backend; collector log:\n%s", io.traceharness.support.ChildProcess.tail(collector.logFile(), 30))
            .anySatisfy(s -> assertThat(HexFormat.of().formatHex(s.getTraceId().toByteArray())).isEqualTo(traceId)));
  }

  private static AggregatedHttpResponse post(WebClient client, byte[] body) {
    return client.execute(RequestHeaders.builder(HttpMethod.POST, "/v1/traces")
        .contentType(MediaType.parse("application/x-protobuf")).build(), body).aggregate().join();
  }

  private static URI plaintext(URI tls) {
    return URI.create("http://" + tls.getAuthority());
  }

  @Test
  void endpointsNameHttps() {
    assertThat(collector.otlpHttpEndpoint().getScheme()).isEqualTo("https");
    assertThat(collector.otlpGrpcEndpoint().getScheme()).isEqualTo("https");
  }

  @Test
  void otlpHttpOverTlsIsReceived() {
    String trace = Otlp.newTraceId();
    WebClient client = WebClient.builder(collector.otlpHttpEndpoint()).factory(trusting).build();

    assertThat(post(client, Otlp.traces("tls-http", trace, 2).toByteArray()).status().code()).isEqualTo(200);
    awaitSpan(trace);
  }

  @Test
  void plaintextToTheTlsPortIsRefused() {
    String trace = Otlp.newTraceId();
    WebClient client = WebClient.of(plaintext(collector.otlpHttpEndpoint()));

    Throwable refused = catchThrowable(() -> post(client, Otlp.traces("plain-http", trace, 1).toByteArray()));
    assertThat(refused).as("a plaintext request on the TLS listener").isNotNull();
    assertThat(backend.spans()).noneSatisfy(s ->
        assertThat(HexFormat.of().formatHex(s.getTraceId().toByteArray())).isEqualTo(trace));
  }

  @Test
  void aClientThatDoesNotTrustTheCertificateIsRefusedTheHandshake() {
    WebClient client = WebClient.of(collector.otlpHttpEndpoint());

    assertThatThrownBy(() -> post(client, Otlp.traces("untrusting", Otlp.newTraceId(), 1).toByteArray()))
        .hasStackTraceContaining("PKIX path building failed");
  }

  @Test
  void otlpGrpcOverTlsWithAClientCertificateIsReceived() {
    String trace = Otlp.newTraceId();
    var stub = GrpcClients.builder(collector.otlpGrpcEndpoint()).factory(withClientCertificate)
        .build(TraceServiceGrpc.TraceServiceBlockingStub.class);

    assertThat(stub.export(Otlp.traces("tls-grpc", trace, 3))).isNotNull();
    awaitSpan(trace);
  }

  @Test
  void grpcWithoutAClientCertificateIsRefused() {
    var stub = GrpcClients.builder(collector.otlpGrpcEndpoint()).factory(trusting)
        .build(TraceServiceGrpc.TraceServiceBlockingStub.class);

    Throwable refused = catchThrowable(() -> stub.export(Otlp.traces("no-client-cert", Otlp.newTraceId(), 1)));
    assertThat(refused).isInstanceOf(StatusRuntimeException.class);
    assertThat(((StatusRuntimeException) refused).getStatus().getCode()).isEqualTo(io.grpc.Status.Code.UNAVAILABLE);
  }

  @Test
  void plaintextGrpcToTheTlsPortIsRefused() {
    var stub = GrpcClients.builder(plaintext(collector.otlpGrpcEndpoint()))
        .build(TraceServiceGrpc.TraceServiceBlockingStub.class);

    String trace = Otlp.newTraceId();
    Throwable refused = catchThrowable(() -> stub.export(Otlp.traces("plain-grpc", trace, 1)));
    // the TLS listener closes the connection on a plaintext preface; Armeria's client reports the closed
    // session as UNKNOWN, grpc-go as UNAVAILABLE
    assertThat(refused).isInstanceOf(StatusRuntimeException.class)
        .hasStackTraceContaining("ClosedSessionException");
    assertThat(backend.spans()).noneSatisfy(s ->
        assertThat(HexFormat.of().formatHex(s.getTraceId().toByteArray())).isEqualTo(trace));
  }

  @Test
  void aMissingCertificateFileFailsTheStartWithTheRealWords() {
    assertStartFails("""
        http:
          tls:
            cert_file: /nonexistent/cert.pem
            key_file: /nonexistent/key.pem
        """, Map.of(), "receivers::otlp::protocols::http: failed to load TLS config: failed to load TLS cert and key:"
        + " open /nonexistent/cert.pem: no such file or directory");
  }

  @Test
  void aMissingClientCaFileFailsTheStartWithTheRealWords() {
    var files = CA.issueServer("collector").written(tmp.resolve("mtls"));
    assertStartFails("""
        grpc:
          tls:
            cert_file: ${CERT}
            key_file: ${KEY}
            client_ca_file: /nonexistent/ca.pem
        """, Map.of("CERT", files.certificateChain().toString(), "KEY", files.privateKey().toString()),
        "receivers::otlp::protocols::grpc: failed to load CA /nonexistent/ca.pem: open /nonexistent/ca.pem:"
            + " no such file or directory");
  }

  /** A collector whose otlp receiver has {@code protocols} fails to start with {@code message}. */
  private static void assertStartFails(String protocols, Map<String, String> env, String message) {
    var collector = EmbeddedCollector.builder()
        .config("""
            receivers:
              otlp:
                protocols:
            %s
            exporters:
              debug:
            service:
              pipelines:
                traces:
                  receivers: [otlp]
                  exporters: [debug]
            """.formatted(protocols.indent(6).stripTrailing()))
        .environment(env)
        .freePorts(true)
        .logFile(tmp.resolve("broken-" + Integer.toHexString(protocols.hashCode()) + ".log"))
        .build();
    try {
      assertThatThrownBy(collector::start).hasMessageContaining(message);
    } finally {
      collector.close();
    }
  }
}
