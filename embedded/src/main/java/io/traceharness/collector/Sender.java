package io.traceharness.collector;

import com.google.protobuf.Message;
import java.time.Duration;

/** One exporter's transport: sends one request, or says why not and whether a retry may help. */
interface Sender extends AutoCloseable {

  void send(Signal signal, Message request) throws ExportException;

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
