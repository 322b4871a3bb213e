package io.traceharness.collector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * When the exporters use TLS, as opentelemetry-collector decides it: {@code config/configgrpc/configgrpc.go}
 * ({@code sanitizedEndpoint} strips {@code http://}/{@code https://}; {@code getGrpcDialOptions} uses TLS
 * whenever {@code LoadTLSConfig} returns a config, and for {@code https://}), {@code config/configtls/
 * configtls.go} ({@code LoadTLSConfig} returns none only for {@code insecure} without a CA), and the
 * otlp exporter's README ("by default, TLS is enabled"). The HTTP exporter follows the URL's scheme
 * ({@code config/confighttp}).
 */
class ExporterTlsRuleTest {

  private static CollectorConfig.OtlpGrpcSpec grpc(String type, String endpoint, String tls, Map<String, String> env) {
    String yaml = """
        receivers:
          otlp:
            protocols:
              grpc:
        exporters:
          %s:
            endpoint: %s
        %s
        service:
          pipelines:
            traces:
              receivers: [otlp]
              exporters: [%s]
        """.formatted(type, endpoint, tls.isEmpty() ? "" : "    tls:\n" + tls.indent(6).stripTrailing(), type);
    return (CollectorConfig.OtlpGrpcSpec) CollectorConfig.parse(yaml, env).exporters().get(type);
  }

  @ParameterizedTest(name = "{0} with tls [{1}] -> TLS {2}")
  @CsvSource(delimiter = '|', value = {
      "127.0.0.1:8200         |                                  | true",
      "http://127.0.0.1:8200  |                                  | true",
      "https://127.0.0.1:8200 |                                  | true",
      "127.0.0.1:8200         | insecure: true                   | false",
      "http://127.0.0.1:8200  | insecure: true                   | false",
      "https://127.0.0.1:8200 | insecure: true                   | true",
      "127.0.0.1:8200         | insecure: false                  | true",
      "127.0.0.1:8200         | 'insecure: true\nca_file: /ca.pem' | true",
  })
  void grpcUsesTlsUnlessInsecureWithoutACaAndAlwaysForHttps(String endpoint, String tls, boolean expected) {
    var spec = grpc("otlp_grpc", endpoint, tls == null ? "" : tls.replace("\\n", "\n"), Map.of());
    assertThat(spec.target()).isEqualTo("127.0.0.1:8200");
    assertThat(spec.tls()).isEqualTo(expected);
  }

  @Test
  void theServerIsVerifiedWithTheCaFileElseTheSystemRootsSslCertFileNames() {
    assertThat(grpc("otlp_grpc", "127.0.0.1:1", "", Map.of("SSL_CERT_FILE", "/etc/bundle.pem")).tlsSpec())
        .isEqualTo(new CollectorConfig.TlsSpec(false, Path.of("/etc/bundle.pem")));
    assertThat(grpc("otlp_grpc", "127.0.0.1:1", "ca_file: /my/ca.pem", Map.of("SSL_CERT_FILE", "/etc/bundle.pem"))
        .tlsSpec().trustPem()).isEqualTo(Path.of("/my/ca.pem"));
    assertThat(grpc("otlp_grpc", "127.0.0.1:1", "", Map.of()).tlsSpec().trustPem()).as("the JDK's roots").isNull();
    assertThat(grpc("otlp_grpc", "127.0.0.1:1", "insecure_skip_verify: true", Map.of()).tlsSpec().insecureSkipVerify())
        .isTrue();
  }

  @Test
  void httpExporterFollowsTheUrlScheme() {
    String yaml = """
        receivers:
          otlp:
            protocols:
              http:
        exporters:
          otlp_http:
            endpoint: http://127.0.0.1:4318
          otlp_http/tls:
            endpoint: https://127.0.0.1:4318
        service:
          pipelines:
            traces:
              receivers: [otlp]
              exporters: [otlp_http, otlp_http/tls]
        """;
    CollectorConfig config = CollectorConfig.parse(yaml, Map.of());
    assertThat(((CollectorConfig.OtlpHttpSpec) config.exporters().get("otlp_http")).tracesUrl())
        .hasToString("http://127.0.0.1:4318/v1/traces");
    assertThat(((CollectorConfig.OtlpHttpSpec) config.exporters().get("otlp_http/tls")).tracesUrl())
        .hasToString("https://127.0.0.1:4318/v1/traces");
    assertThat(config.warnings()).as("otlp_http is today's name").isEmpty();
  }

  @Test
  void theOldNamesStillWorkWithTheRealDeprecationWarning() {
    // core CHANGELOG v0.144.0: otlp -> otlp_grpc (#14403), otlphttp -> otlp_http (#14396), old names
    // kept as aliases; service/internal/builders/builders.go logs the warning
    String yaml = """
        receivers:
          otlp:
            protocols:
              grpc:
        exporters:
          otlp/a:
            endpoint: 127.0.0.1:4317
          otlp/b:
            endpoint: 127.0.0.1:4317
          otlphttp:
            endpoint: http://127.0.0.1:4318
        service:
          pipelines:
            traces:
              receivers: [otlp]
              exporters: [otlp/a, otlp/b, otlphttp]
        """;
    assertThat(CollectorConfig.parse(yaml, Map.of()).warnings()).containsExactly(
        "\"otlp\" alias is deprecated; use \"otlp_grpc\" instead",
        "\"otlphttp\" alias is deprecated; use \"otlp_http\" instead");
  }

  @Test
  void tlsSettingsTheEmbeddedCollectorCannotHonourAreStartupErrors() {
    assertThatThrownBy(() -> grpc("otlp_grpc", "127.0.0.1:1", "cert_file: /c.pem", Map.of()))
        .hasMessage("exporters::otlp_grpc::tls::cert_file: the embedded collector does not support it");
  }

  @Test
  void aReceiverAskedToServeTlsServesIt() {
    String yaml = """
        receivers:
          otlp:
            protocols:
              grpc:
                tls:
                  cert_file: /cert.pem
                  key_file: /key.pem
        exporters:
          debug:
        service:
          pipelines:
            traces:
              receivers: [otlp]
              exporters: [debug]
        """;
    var receiver = (CollectorConfig.OtlpReceiverSpec) CollectorConfig.parse(yaml, Map.of()).receivers().get("otlp");
    assertThat(receiver.grpcTls()).as("ReceiverTlsTest serves it").isNotNull();
    assertThat(receiver.grpcTls().certFile()).isEqualTo("/cert.pem");
  }
}
