package io.traceharness.functions;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import java.io.PrintStream;
import java.time.Instant;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The functions' log lines. With an active span (the OpenTelemetry Java agent of the layer bridges
 * {@code opentelemetry-api} to its own), one ECS-JSON line with ecs-logging's field names and the
 * span's {@code trace.id} and {@code span.id}, so the logs shipped from CloudWatch link to the trace in
 * Kibana, as the post suggests; without one, or with {@code LOG_TRACE_ID=false}, the sample's plain line.
 */
final class Log {

  private final Function<String, String> environment;
  private final Supplier<SpanContext> activeSpan;
  private final PrintStream out;

  Log(Function<String, String> environment, Supplier<SpanContext> activeSpan, PrintStream out) {
    this.environment = environment;
    this.activeSpan = activeSpan;
    this.out = out;
  }

  /** The process environment, the agent's active span, stdout: a line there is a CloudWatch event. */
  static Log standard() {
    return new Log(System::getenv, () -> Span.current().getSpanContext(), System.out);
  }

  void info(String message) {
    SpanContext span = "false".equals(environment.apply("LOG_TRACE_ID")) ? SpanContext.getInvalid() : activeSpan.get();
    if (!span.isValid()) {
      out.println(message);
      return;
    }
    String service = environment.apply("OTEL_SERVICE_NAME");
    if (service == null || service.isBlank()) {
      service = environment.apply("AWS_LAMBDA_FUNCTION_NAME");
    }
    out.println("{\"@timestamp\":" + Json.quote(Instant.now().toString()) + ",\"log.level\":\"INFO\",\"message\":"
        + Json.quote(message) + ",\"ecs.version\":\"8.10.0\",\"service.name\":" + Json.quote(service)
        + ",\"trace.id\":" + Json.quote(span.getTraceId()) + ",\"span.id\":" + Json.quote(span.getSpanId()) + "}");
  }
}
