package io.traceharness.lambda;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;

/** One invocation handed to an execution environment ({@link Instance}). */
final class Call {
  final String requestId;
  final byte[] payload;
  final String traceHeader;
  final String clientContext;
  final String functionArn;
  final Duration timeout;
  final CompletableFuture<Outcome> outcome = new CompletableFuture<>();
  /** Completed once the runtime asked for its next event (or died): its output is all written by then. */
  final CompletableFuture<Void> settled = new CompletableFuture<>();
  long startNanos;
  long endNanos;
  /** When the runtime and every extension handed the event had asked for their next one (0: not yet). */
  long phaseEndNanos;
  /** How many extensions got this invocation's {@code INVOKE} event. */
  int extensionsInvoked;
  long deadlineMs;
  long logStart;
  long extLogStart;
  String telemetryStatus = "success";
  ScheduledFuture<?> timer;

  Call(String requestId, byte[] payload, String traceHeader, String clientContext, String functionArn,
      Duration timeout) {
    this.requestId = requestId;
    this.payload = payload;
    this.traceHeader = traceHeader;
    this.clientContext = clientContext;
    this.functionArn = functionArn;
    this.timeout = timeout;
  }
}
