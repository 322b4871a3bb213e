package io.traceharness.collector;

import com.google.protobuf.Message;

/** A pipeline stage: processors and exporters consume OTLP export requests of one signal. */
interface SignalConsumer {

  void consume(Message request) throws ConsumeException;

  /** Hands on what is buffered (batch processor) before the collector stops. */
  default void flush() {
  }

  /** A refusal passed back towards the receiver; {@code permanent} ones must not be retried by clients. */
  final class ConsumeException extends Exception {
    private static final long serialVersionUID = 1L;
    private final boolean permanent;

    ConsumeException(String message, boolean permanent) {
      super(message, null, false, false);
      this.permanent = permanent;
    }

    boolean permanent() {
      return permanent;
    }
  }
}
