package io.traceharness.collector;

import com.google.protobuf.Message;
import com.linecorp.armeria.client.ClientFactory;
import com.linecorp.armeria.client.ClientFactoryBuilder;
import java.time.Duration;

/** One exporter's transport: sends one request, or says why not and whether a retry may help. */
interface Sender extends AutoCloseable {

  void send(Signal signal, Message request) throws ExportException;

  /**
   * Whether the exporter retries on its own and has no {@code retry_on_failure} (the elasticsearch exporter):
   * a failure it reports is the final one, dropped with its own message.
   */
  default boolean retriesItself() {
    return false;
  }

  /** Where this exporter sends the signal, for logs and failure reports. */
  String destination(Signal signal);

  @Override
  default void close() {
  }

  /**
   * The Go collector's wording for a failed dial ({@code dial tcp 127.0.0.1:4317: connect: connection
   * refused}), so failure reports read as they do from the real collector; other causes as they are.
   */
  static String describeCause(Throwable t, String hostPort) {
    String tls = tlsFailure(t, hostPort);
    if (tls != null) {
      return tls;
    }
    Throwable c = t;
    while (c.getCause() != null && c.getCause() != c
        && (c.getClass().getSimpleName().equals("UnprocessedRequestException") || c instanceof java.util.concurrent.CompletionException
            || c.getMessage() == null)) {
      c = c.getCause();
    }
    if (c instanceof java.net.ConnectException) {
      String m = String.valueOf(c.getMessage()).toLowerCase(java.util.Locale.ROOT);
      String what = m.contains("refused") ? "connection refused" : m.contains("timed out") ? "i/o timeout" : c.getMessage();
      return "dial tcp " + hostPort + ": connect: " + what;
    }
    return c.getMessage() != null ? c.getMessage() : c.toString();
  }

  /**
   * Go's {@code crypto/tls} wording for a failed handshake ({@code conn.go}: "first record does not look
   * like a TLS handshake" when the server answers in plaintext; {@code handshake_client.go}:
   * "tls: failed to verify certificate: x509: …"), or null when {@code t} is no TLS failure.
   */
  static String tlsFailure(Throwable t, String hostPort) {
    for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
      String name = c.getClass().getSimpleName();
      String m = String.valueOf(c.getMessage());
      if (name.equals("NotSslRecordException") || m.contains("not an SSL/TLS record")
          || m.contains("Unsupported or unrecognized SSL message")) {
        return "tls: first record does not look like a TLS handshake";
      }
      if (c instanceof java.security.cert.CertPathValidatorException || m.contains("PKIX path building failed")
          || m.contains("unable to find valid certification path")) {
        return "tls: failed to verify certificate: x509: certificate signed by unknown authority";
      }
      if (c instanceof java.security.cert.CertificateException && m.contains("No subject alternative")) {
        return "tls: failed to verify certificate: x509: certificate is not valid for "
            + hostPort.substring(0, Math.max(0, hostPort.lastIndexOf(':')));
      }
    }
    return null;
  }

  /**
   * A client factory with the exporter's TLS settings: the roots in {@link CollectorConfig.TlsSpec#trustPem()}
   * (else the JDK's), or no verification for {@code insecure_skip_verify}. One per exporter, so stopping
   * the collector closes its connections.
   */
  static ClientFactory clientFactory(CollectorConfig.TlsSpec tls) {
    ClientFactoryBuilder fb = ClientFactory.builder();
    if (tls.insecureSkipVerify()) {
      fb.tlsNoVerify();
    } else if (tls.trustPem() != null) {
      java.io.File roots = tls.trustPem().toFile();
      fb.tlsCustomizer(b -> b.trustManager(roots));
    }
    return fb.build();
  }

  final class ExportException extends Exception {
    private static final long serialVersionUID = 1L;
    private final boolean retryable;
    private final transient Duration throttle;

    ExportException(String message, boolean retryable, Duration throttle) {
      super(message, null, false, false);
      this.retryable = retryable;
      this.throttle = throttle;
    }

    boolean retryable() {
      return retryable;
    }

    /** The server's requested delay (Retry-After, RetryInfo), or null. */
    Duration throttle() {
      return throttle;
    }
  }
}
