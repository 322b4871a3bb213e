package io.traceharness.apigateway;

import java.time.Instant;

/** Mutable state of one request while the gateway answers it. */
final class Exchange {
  final String requestId;
  final String extendedRequestId;
  final Instant time;
  final long startNanos;
  final String method;
  final String path;
  final String traceparent;
  final String tracestate;
  volatile String route;
  volatile String function;
  volatile String xray;
  volatile String note;
  volatile String scheme;

  Exchange(String requestId, String extendedRequestId, Instant time, long startNanos, String method, String path,
      String traceparent, String tracestate, String xray) {
    this.requestId = requestId;
    this.extendedRequestId = extendedRequestId;
    this.time = time;
    this.startNanos = startNanos;
    this.method = method;
    this.path = path;
    this.traceparent = traceparent;
    this.tracestate = tracestate;
    this.xray = xray;
  }
}
