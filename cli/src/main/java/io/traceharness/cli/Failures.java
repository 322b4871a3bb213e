package io.traceharness.cli;

import co.elastic.clients.elasticsearch._types.ElasticsearchException;
import co.elastic.clients.transport.TransportException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.channels.UnresolvedAddressException;
import javax.net.ssl.SSLException;
import org.elasticsearch.client.ResponseException;

/** Turns what went wrong talking to Elasticsearch into the one line a person needs. */
final class Failures {

  private Failures() {
  }

  /**
   * A failure reading from {@code elasticsearch}, as {@code cannot reach Elasticsearch at URL: why}
   * when no answer came, or {@code Elasticsearch at URL answered …} when one did.
   */
  static CliFailure reading(URI elasticsearch, RuntimeException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof ElasticsearchException es) {
        return new CliFailure("Elasticsearch at " + elasticsearch + " answered " + es.status() + ": "
            + es.error().type() + (es.error().reason() == null ? "" : " (" + es.error().reason() + ")")
            + hint(es.status()));
      }
      if (t instanceof ResponseException re) {
        int status = re.getResponse().getStatusLine().getStatusCode();
        return new CliFailure("Elasticsearch at " + elasticsearch + " answered " + status + " "
            + re.getResponse().getStatusLine().getReasonPhrase() + hint(status));
      }
      if (t instanceof TransportException te && te.statusCode() > 0) {
        return new CliFailure("Elasticsearch at " + elasticsearch + " answered " + te.statusCode() + ": "
            + firstLine(te.getMessage()) + hint(te.statusCode()));
      }
      String why = unreachable(t);
      if (why != null) {
        return new CliFailure("cannot reach Elasticsearch at " + elasticsearch + ": " + why);
      }
    }
    return new CliFailure("reading from Elasticsearch at " + elasticsearch + " failed: " + oneLine(e));
  }

  /** Why no answer came, for the network failures that have a plain reason; null for others. */
  private static String unreachable(Throwable t) {
    if (t instanceof ConnectException || t instanceof NoRouteToHostException) {
      return message(t, "connection refused");
    }
    if (t instanceof UnknownHostException || t instanceof UnresolvedAddressException) {
      return "unknown host" + (t.getMessage() == null ? "" : " " + t.getMessage());
    }
    if (t instanceof SocketTimeoutException) {
      return "no answer in time (" + message(t, "timeout") + ")";
    }
    if (t instanceof SSLException) {
      return "TLS failed: " + message(t, t.getClass().getSimpleName());
    }
    return null;
  }

  private static String hint(int status) {
    return switch (status) {
      case 401 -> "; check --api-key or --user/--password";
      case 403 -> "; the credentials may not read traces-apm*, traces-*.otel-* and logs-apm.error*";
      default -> "";
    };
  }

  /** The innermost message worth reading, on one line. */
  static String oneLine(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    String m = t.getMessage() != null ? t.getMessage() : e.getMessage();
    return t.getClass().getSimpleName() + (m == null ? "" : ": " + firstLine(m));
  }

  private static String message(Throwable t, String fallback) {
    return t.getMessage() == null || t.getMessage().isBlank() ? fallback : firstLine(t.getMessage());
  }

  private static String firstLine(String s) {
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }
}
