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
