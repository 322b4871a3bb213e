package io.traceharness.collector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The otlp receiver's {@code tls} rules, against opentelemetry-collector's
 * {@code config/configtls/configtls.go} ({@code ServerConfig.Validate}, {@code Config.Validate},
 * {@code tlsVersions}) and the validator's paths ({@code confmap/validation.go}).
 */
class ReceiverTlsConfigTest {

  private static CollectorConfig.OtlpReceiverSpec receiver(String protocols) {
    String yaml = """
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
        """.formatted(protocols.indent(6).stripTrailing());
    return (CollectorConfig.OtlpReceiverSpec) CollectorConfig.parse(yaml, Map.of()).receivers().get("otlp");
  }

  @Test
  void withoutATlsSectionBothProtocolsArePlaintext() {
    var spec = receiver("grpc:\nhttp:\n");
    assertThat(spec.grpcTls()).isNull();
    assertThat(spec.httpTls()).isNull();
  }

  @Test
  void certKeyAndClientCaAreRead() {
    var spec = receiver("""
        grpc:
          tls:
            cert_file: /etc/c.pem
            key_file: /etc/k.pem
            client_ca_file: /etc/ca.pem
        http:
          tls:
            cert_file: /etc/c.pem
            key_file: /etc/k.pem
            min_version: "1.3"
            reload_interval: 1h
        """);
    assertThat(spec.grpcTls().certFile()).isEqualTo("/etc/c.pem");
    assertThat(spec.grpcTls().keyFile()).isEqualTo("/etc/k.pem");
    assertThat(spec.grpcTls().clientCaFile()).isEqualTo(Path.of("/etc/ca.pem"));
    assertThat(spec.grpcTls().protocols()).as("min 1.2 by default, max the newest").containsExactly("TLSv1.2", "TLSv1.3");
    assertThat(spec.grpcTls().reloadInterval()).isZero();
    assertThat(spec.httpTls().clientCaFile()).isNull();
    assertThat(spec.httpTls().protocols()).containsExactly("TLSv1.3");
    assertThat(spec.httpTls().reloadInterval()).isEqualTo(Duration.ofHours(1));
  }

  @Test
  void aSectionWithoutCertificateAndKeyIsRefusedWithServerConfigValidatesWords() {
    assertThatThrownBy(() -> receiver("grpc:\n  tls:\n    client_ca_file: /etc/ca.pem\n"))
        .isInstanceOf(CollectorConfig.InvalidConfigException.class)
        .hasMessage("receivers::otlp::protocols::grpc: tls: TLS configuration must include both certificate and key"
            + " for server connections");
    // otlpreceiver's HTTPConfig squashes confighttp.ServerConfig: the validator names the field
    assertThatThrownBy(() -> receiver("http:\n  tls:\n    min_version: \"1.2\"\n"))
        .hasMessage("receivers::otlp::protocols::http: serverconfig::tls: TLS configuration must include both"
            + " certificate and key for server connections");
  }

  @Test
  void halfAPairAndBadVersionsAreRefusedWithConfigValidatesWords() {
    assertThatThrownBy(() -> receiver("grpc:\n  tls:\n    cert_file: /etc/c.pem\n"))
        .hasMessage("receivers::otlp::protocols::grpc: tls: config: TLS configuration must include both certificate"
            + " and key (CertFile/CertPem and KeyFile/KeyPem)");
    assertThatThrownBy(() -> receiver("grpc:\n  tls:\n    cert_file: /c\n    cert_pem: x\n    key_file: /k\n"))
        .hasMessage("receivers::otlp::protocols::grpc: tls: config: provide either certificate file or PEM, but not"
            + " both");
    assertThatThrownBy(() -> receiver("grpc:\n  tls:\n    cert_file: /c\n    key_file: /k\n    min_version: \"1.4\"\n"))
        .hasMessage("receivers::otlp::protocols::grpc: tls: config: invalid TLS min_version: unsupported TLS"
            + " version: \"1.4\"");
    assertThatThrownBy(() -> receiver(
        "grpc:\n  tls:\n    cert_file: /c\n    key_file: /k\n    min_version: \"1.3\"\n    max_version: \"1.2\"\n"))
        .hasMessage("receivers::otlp::protocols::grpc: tls: config: invalid TLS configuration: min_version cannot"
            + " be greater than max_version");
  }

  @Test
  void unknownAndUnsupportedKeysAreRefused() {
    assertThatThrownBy(() -> receiver("grpc:\n  tls:\n    cert_file: /c\n    key_file: /k\n    insecure: true\n"))
        .hasMessage("'receivers' error reading configuration for \"otlp\": decoding failed: 'protocols.grpc.tls' has"
            + " invalid keys: insecure");
    assertThatThrownBy(() -> receiver(
        "grpc:\n  tls:\n    cert_file: /c\n    key_file: /k\n    cipher_suites: [TLS_AES_128_GCM_SHA256]\n"))
        .hasMessage("receivers::otlp::protocols::grpc::tls::cipher_suites: the embedded collector does not support it");
  }

  /** configoptional {@code Optional.Unmarshal}: a None optional stays None when its configuration is nil. */
  @Test
  void aNullSectionIsPlaintext() {
    assertThat(receiver("grpc:\n  tls:\n").grpcTls()).isNull();
  }
}
