package io.traceharness.collector;

import io.opentelemetry.api.GlobalOpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;

/**
 * The program the collector ITs run under the real OpenTelemetry Java agent: one SERVER span with
 * a CLIENT child and an INTERNAL grandchild, through the OTel API the agent bridges. It prints the
 * ids and exits; the agent flushes its spans at JVM shutdown.
 */
public final class TracedApp {

  private TracedApp() {
  }

  public static void main(String[] args) throws Exception {
    Tracer tracer = GlobalOpenTelemetry.getTracer("traceharness-collector-it");
    Span server = tracer.spanBuilder("GET /ping").setSpanKind(SpanKind.SERVER)
        .setAttribute("http.request.method", "GET").setAttribute("http.response.status_code", 200L).startSpan();
    Span client;
    Span internal;
    try (Scope s = server.makeCurrent()) {
      client = tracer.spanBuilder("POST").setSpanKind(SpanKind.CLIENT)
          .setAttribute("http.request.method", "POST").setAttribute("url.full", "http://127.0.0.1:9/produce")
          .setAttribute("http.response.status_code", 200L).startSpan();
      try (Scope c = client.makeCurrent()) {
        internal = tracer.spanBuilder("serialize").startSpan();
        Thread.sleep(5);
        internal.end();
      }
      client.end();
    }
    server.end();
    System.out.println("TRACE_ID=" + server.getSpanContext().getTraceId());
    System.out.println("SERVER_SPAN_ID=" + server.getSpanContext().getSpanId());
    System.out.println("CLIENT_SPAN_ID=" + client.getSpanContext().getSpanId());
    System.out.println("INTERNAL_SPAN_ID=" + internal.getSpanContext().getSpanId());
    if (!server.getSpanContext().isValid()) {
      System.out.println("NO_AGENT: the span context is invalid, the OTel agent did not bridge the API");
    }
  }
}
