package com.example.orders;

import static io.traceharness.assertj.TraceAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.traceharness.junit.TracingStackTest;
import io.traceharness.stack.Project;
import io.traceharness.stack.ProjectDeployment;
import io.traceharness.stack.TracingStack;
import io.traceharness.trace.Trace;
import io.traceharness.trace.TraceConditions;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Deploys template.yaml as it is (the zip {@code mvn package} made, the OpenTelemetry Java agent layer
 * by its ARN, the API event) on the embedded stack, calls {@code POST /orders} with a W3C
 * {@code traceparent} of the test's own, and asserts that the function's transaction hangs under the
 * caller's span in one connected tree.
 */
@TracingStackTest
class OrdersTracingIT {

  private static final String CALLER = "checkout";
  private static final String FUNCTION = "OrdersFunction";

  @Test
  void theFunctionsTransactionIsAChildOfTheCallersSpan(TracingStack stack) throws Exception {
    ProjectDeployment app = stack.deploy(Project.sam(Path.of("template.yaml")));
    assertThat(app.warnings()).as("parts of template.yaml the harness did not deploy").isEmpty();
    URI orders = app.url(FUNCTION);

    String traceId;
    String callerSpanId;
    HttpResponse<String> response;
    // The caller's span is exported to the stack's collector, so the trace has its root in Elasticsearch.
    try (OpenTelemetrySdk otel = callerSdk(stack)) {
      Span call = otel.getTracer(CALLER).spanBuilder("POST /orders").setSpanKind(SpanKind.CLIENT).startSpan();
      traceId = call.getSpanContext().getTraceId();
      callerSpanId = call.getSpanContext().getSpanId();
      try {
        HttpRequest.Builder request = HttpRequest.newBuilder(orders)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString("{\"item\": \"book\", \"quantity\": 2}"));
        // traceparent: 00-<traceId>-<callerSpanId>-01
        otel.getPropagators().getTextMapPropagator()
            .inject(Context.current().with(call), request, HttpRequest.Builder::header);
        response = HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
      } finally {
        call.end();
      }
    }

    assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
    assertThat(response.body()).contains("\"status\":\"ACCEPTED\"", "\"item\":\"book\"");

    Trace trace;
    try {
      trace = stack.traces().atMost(Duration.ofSeconds(90))
          .await(traceId, TraceConditions.hasServices(CALLER, FUNCTION));
    } catch (AssertionError missing) {
      // which link broke and why: from this trace, the traces the function ended up in, the stack's evidence
      throw new AssertionError(missing.getMessage() + "\n" + stack.diagnose(traceId, List.of(CALLER, FUNCTION)),
          missing);
    }
    assertThat(trace).hasSingleRoot().hasNoOrphans().hasServicesExactly(CALLER, FUNCTION)
        .hasRootSatisfying(caller -> caller.hasService(CALLER).hasSpanId(callerSpanId)
            .hasChildSatisfying(function -> function.isTransaction().hasService(FUNCTION)
                .hasParentId(callerSpanId)));
  }

  /** An OpenTelemetry SDK for the test itself: service {@value #CALLER}, W3C trace context, OTLP to the stack. */
  private static OpenTelemetrySdk callerSdk(TracingStack stack) {
    OtlpHttpSpanExporter exporter = OtlpHttpSpanExporter.builder()
        .setEndpoint(stack.endpoints().otlpHttp().resolve("/v1/traces").toString())
        .build();
    return OpenTelemetrySdk.builder()
        .setTracerProvider(SdkTracerProvider.builder()
            .setResource(Resource.getDefault().toBuilder().put("service.name", CALLER).build())
            .addSpanProcessor(SimpleSpanProcessor.create(exporter))
            .build())
        .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance()))
        .build();
  }
}
