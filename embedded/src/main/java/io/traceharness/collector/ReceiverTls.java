package io.traceharness.collector;

import com.linecorp.armeria.common.TlsKeyPair;
import com.linecorp.armeria.common.TlsProvider;
import com.linecorp.armeria.server.ServerBuilder;
import com.linecorp.armeria.server.ServerTlsConfig;
import io.netty.handler.ssl.ClientAuth;
import io.traceharness.collector.CollectorConfig.InvalidConfigException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A receiver protocol's {@code tls} section: opentelemetry-collector's {@code configtls.ServerConfig}
 * ({@code config/configtls/configtls.go}, keys in {@code generated_config.go}), as {@code configgrpc}'s
 * and {@code confighttp}'s {@code ServerConfig.TLS} take it. With the section the protocol's port
 * speaks TLS only ({@code configgrpc.go} {@code ToServer}: {@code credentials.NewTLS};
 * {@code confighttp/server.go} {@code ToListener}: {@code tls.NewListener}); without it, plaintext only.
 *
 * <ul>
 *   <li>The certificate and key ({@code cert_file}/{@code cert_pem}, {@code key_file}/{@code key_pem})
 *       are required: {@code ServerConfig.Validate} and {@code Config.Validate} refuse the section
 *       otherwise, with their words; the files are read when the receiver starts
 *       ({@code LoadTLSConfig}), so a missing one fails the start, not the config.</li>
 *   <li>{@code client_ca_file}: client certificates are required and verified against it
 *       ({@code tls.RequireAndVerifyClientCert}).</li>
 *   <li>{@code min_version} (default 1.2) and {@code max_version} (default the newest): the protocols
 *       offered.</li>
 *   <li>{@code reload_interval}: the certificate and key are read again at that interval
 *       ({@code certReloader}).</li>
 *   <li>{@code ca_file}, {@code ca_pem}, {@code include_system_ca_certs_pool}: the root pool, which a
 *       server does not use to verify its clients; accepted and checked as the real one checks them
 *       (a {@code ca_file} must load).</li>
 *   <li>{@code cipher_suites}, {@code curve_preferences}, {@code include_insecure_cipher_suites},
 *       {@code tpm}, {@code client_ca_file_reload}: refused as not supported here.</li>
 * </ul>
 */
record ReceiverTls(String certFile, String certPem, String keyFile, String keyPem, Path caFile, Path clientCaFile,
    List<String> protocols, Duration reloadInterval) {

  /** {@code configtls.go} {@code tlsVersions}, as the JDK names them. */
  private static final Map<String, String> VERSIONS = Map.of("1.0", "TLSv1", "1.1", "TLSv1.1", "1.2", "TLSv1.2",
      "1.3", "TLSv1.3");
  private static final List<String> ORDER = List.of("1.0", "1.1", "1.2", "1.3");
  /**
   * {@code configtls.Config}'s keys, which the client side ({@code ClientConfig}, an exporter's {@code tls})
   * and the server side ({@code ServerConfig}) both embed ({@code config/configtls/configtls.go}).
   */
  static final Set<String> CONFIG_KEYS = Set.of("ca_file", "ca_pem", "cert_file", "cert_pem", "key_file",
      "key_pem", "min_version", "max_version", "reload_interval", "include_system_ca_certs_pool", "cipher_suites",
      "curve_preferences", "include_insecure_cipher_suites", "tpm");
  /** {@code ServerConfig}: the common keys and the client CA's. */
  private static final Set<String> KEYS = union(CONFIG_KEYS, Set.of("client_ca_file", "client_ca_file_reload"));

  static Set<String> union(Set<String> a, Set<String> b) {
    Set<String> all = new java.util.HashSet<>(a);
    all.addAll(b);
    return Set.copyOf(all);
  }

  ReceiverTls {
    protocols = List.copyOf(protocols);
  }

  /**
   * The protocol's {@code tls} section, or null when it has none (plaintext).
   *
   * @param protocol   {@code receivers::<id>::protocols::grpc} or {@code ::http}
   * @param receiverId the receiver's id, for the decoder's error
   * @param squashed   the name of the squashed struct the section sits in for the validator's path
   *                   ({@code serverconfig} under {@code http}: otlpreceiver {@code HTTPConfig}
   *                   squashes {@code confighttp.ServerConfig}), or null
   */
  static ReceiverTls parse(ConfigSection protocol, String receiverId, String squashed) {
    if (!protocol.has("tls") || protocol.get("tls") == null) {
      return null;
    }
    ConfigSection t = protocol.section("tls");
    t.checkKeys("receivers", receiverId, KEYS);
    for (String key : List.of("cipher_suites", "curve_preferences")) {
      if (!t.strings(key).isEmpty()) {
        throw new InvalidConfigException(t.sub(key) + ": the embedded collector does not support it");
      }
    }
    for (String key : List.of("include_insecure_cipher_suites", "client_ca_file_reload")) {
      if (t.bool(key, false)) {
        throw new InvalidConfigException(t.sub(key) + ": the embedded collector does not support it");
      }
    }
    if (t.has("tpm") && !t.section("tpm").isEmpty() && t.section("tpm").bool("enabled", false)) {
      throw new InvalidConfigException(t.sub("tpm") + ": the embedded collector does not support it");
    }
    String caFile = t.string("ca_file", "");
    String caPem = t.string("ca_pem", "");
    String certFile = t.string("cert_file", "");
    String certPem = t.string("cert_pem", "");
    String keyFile = t.string("key_file", "");
    String keyPem = t.string("key_pem", "");
    boolean hasCert = !certFile.isEmpty() || !certPem.isEmpty();
    boolean hasKey = !keyFile.isEmpty() || !keyPem.isEmpty();
    // the validator reports ServerConfig.Validate's error, then the squashed Config's (field "config")
    String at = (squashed == null ? "" : squashed + "::") + "tls: ";
    if (!hasCert && !hasKey) {
      throw invalid(protocol, at, "TLS configuration must include both certificate and key for server connections");
    }
    String inConfig = at + "config: ";
    if (!caFile.isEmpty() && !caPem.isEmpty()) {
      throw invalid(protocol, inConfig, "provide either a CA file or the PEM-encoded string, but not both");
    }
    if (!certFile.isEmpty() && !certPem.isEmpty()) {
      throw invalid(protocol, inConfig, "provide either certificate file or PEM, but not both");
    }
    if (!keyFile.isEmpty() && !keyPem.isEmpty()) {
      throw invalid(protocol, inConfig, "provide either key file or PEM, but not both");
    }
    if (hasCert != hasKey) {
      throw invalid(protocol, inConfig,
          "TLS configuration must include both certificate and key (CertFile/CertPem and KeyFile/KeyPem)");
    }
    String min = t.string("min_version", "");
    String max = t.string("max_version", "");
    if (!min.isEmpty() && !VERSIONS.containsKey(min)) {
      throw invalid(protocol, inConfig, "invalid TLS min_version: unsupported TLS version: \"" + min + "\"");
    }
    if (!max.isEmpty() && !VERSIONS.containsKey(max)) {
      throw invalid(protocol, inConfig, "invalid TLS max_version: unsupported TLS version: \"" + max + "\"");
    }
    int from = ORDER.indexOf(min.isEmpty() ? "1.2" : min);
    int to = max.isEmpty() ? ORDER.size() - 1 : ORDER.indexOf(max);
    if (to < from) {
      throw invalid(protocol, inConfig, "invalid TLS configuration: min_version cannot be greater than max_version");
    }
    List<String> protocols = new ArrayList<>();
    for (int i = from; i <= to; i++) {
      protocols.add(VERSIONS.get(ORDER.get(i)));
    }
    String clientCa = t.string("client_ca_file", "");
    return new ReceiverTls(certFile, certPem, keyFile, keyPem, caFile.isEmpty() ? null : Path.of(caFile),
        clientCa.isEmpty() ? null : Path.of(clientCa),
        protocols, t.duration("reload_interval", Duration.ZERO));
  }

  /**
   * The validator's words ({@code confmap/validation.go} {@code pathError}): an {@code Optional}
   * protocol reports its inner path after its own, and so does the optional {@code tls} in it:
   * {@code receivers::otlp::protocols::grpc: tls: …}, {@code …::http: serverconfig::tls: config: …}.
   */
  private static InvalidConfigException invalid(ConfigSection protocol, String inner, String message) {
    return new InvalidConfigException(protocol.path() + ": " + inner + message);
  }

  /**
   * Makes {@code sb} listen on {@code address} with TLS only, presenting the certificate and, with a
   * {@code client_ca_file}, requiring a client certificate it signed.
   *
   * @throws IllegalStateException with {@code configtls.go}'s words when a file cannot be read
   */
  void serve(ServerBuilder sb, InetSocketAddress address) {
    if (caFile != null) {
      // loadCACertPool runs first; the pool is a client's roots, so a server only needs it to load
      try {
        certificates(caFile);
      } catch (IllegalStateException e) {
        throw new IllegalStateException("failed to load TLS config: failed to load CA CertPool File: "
            + e.getMessage(), e);
      }
    }
    TlsKeyPair first = keyPair();
    TlsProvider provider = reloadInterval.isZero() ? TlsProvider.of(first)
        : TlsProvider.ofScheduled(this::keyPair, reloadInterval);
    List<X509Certificate> clientCas = clientCaFile == null ? null : certificates(clientCaFile);
    ServerTlsConfig config = ServerTlsConfig.builder()
        .clientAuth(clientCas == null ? ClientAuth.NONE : ClientAuth.REQUIRE)
        .tlsCustomizer(b -> {
          b.protocols(protocols);
          if (clientCas != null) {
            b.trustManager(clientCas);
          }
        })
        .build();
    sb.https(address).tlsProvider(provider, config);
  }

  private TlsKeyPair keyPair() {
    byte[] cert = certPem.isEmpty() ? read(certFile) : certPem.getBytes(StandardCharsets.UTF_8);
    byte[] key = keyPem.isEmpty() ? read(keyFile) : keyPem.getBytes(StandardCharsets.UTF_8);
    try (InputStream k = new ByteArrayInputStream(key); InputStream c = new ByteArrayInputStream(cert)) {
      return TlsKeyPair.of(k, c);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException("failed to load TLS config: failed to load TLS cert and key: "
          + "failed to load TLS cert and key PEMs: " + e.getMessage(), e);
    }
  }

  private static byte[] read(String file) {
    try {
      return Files.readAllBytes(Path.of(file));
    } catch (NoSuchFileException e) {
      throw new IllegalStateException("failed to load TLS config: failed to load TLS cert and key: open " + file
          + ": no such file or directory", e);
    } catch (IOException e) {
      throw new IllegalStateException("failed to load TLS config: failed to load TLS cert and key: open " + file
          + ": " + e.getMessage(), e);
    }
  }

  /** {@code configtls.go} {@code loadCert}: the certificates in a CA file, or its error. */
  private static List<X509Certificate> certificates(Path file) {
    byte[] pem;
    try {
      pem = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new IllegalStateException("failed to load CA " + file + ": open " + file
          + ": no such file or directory", e);
    } catch (IOException e) {
      throw new IllegalStateException("failed to load CA " + file + ": open " + file + ": " + e.getMessage(), e);
    }
    try {
      List<X509Certificate> out = new ArrayList<>();
      for (var c : CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(pem))) {
        out.add((X509Certificate) c);
      }
      if (out.isEmpty()) {
        throw new CertificateException("no certificate");
      }
      return out;
    } catch (CertificateException e) {
      throw new IllegalStateException("failed to parse CA " + file, e);
    }
  }
}
