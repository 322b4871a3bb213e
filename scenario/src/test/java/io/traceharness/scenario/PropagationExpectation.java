package io.traceharness.scenario;

import io.traceharness.diagnosis.Diagnosis;
import io.traceharness.stack.FunctionSpec;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * What the real OpenTelemetry layers do with a caller's {@code traceparent} behind API Gateway, for
 * a Lambda tracing mode, an {@code OTEL_PROPAGATORS} list and a gateway kind: the expectation table
 * {@link PropagationMatrixIT} confirms. It is derived, not listed: the composite propagator extracts
 * in list order, each propagator on top of the previous result, so the last one that finds a valid
 * context in the event's headers supplies the parent. The caller always sends {@code traceparent},
 * so {@code tracecontext} always finds one; an X-Ray propagator finds one only in an
 * {@code X-Amzn-Trace-Id} with a {@code Parent}, which only a REST API under Active tracing adds.
 *
 * <p>Node.js and Java behave alike, from their sources:
 * <ul>
 *   <li>OTel JS {@code @opentelemetry/instrumentation-aws-lambda} 0.75.0 ({@code instrumentation.ts},
 *       {@code _defaultEventContextExtractor}, {@code _determineParent}): the parent is the global
 *       propagator's extract over {@code event.headers}; X-Ray is no longer consulted by the
 *       instrumentation itself. {@code @opentelemetry/propagator-aws-xray} 2.2.0 finds
 *       {@code x-amzn-trace-id} whatever its case and takes a header only with a valid {@code Parent};
 *       {@code @opentelemetry/propagator-aws-xray-lambda} 0.56.0 ({@code AWSXRayLambdaPropagator.ts})
 *       first extracts the carrier's header like {@code xray}, and reads {@code _X_AMZN_TRACE_ID} only
 *       when the context it was given holds no valid span context.</li>
 *   <li>OpenTelemetry Java agent 2.33.1 ({@code instrumentation/aws-lambda/aws-lambda-core-1.0/library/…/
 *       AwsLambdaFunctionInstrumenter.java} {@code extract}, {@code aws-lambda-events-2.2/javaagent/…/
 *       AwsLambdaRequestHandlerInstrumentation.java}): the global propagator over the event's headers,
 *       lower-cased; X-Ray's environment variable became a span link, not a parent (pull request 7970). The bundled
 *       opentelemetry-java-contrib 1.61.0 {@code aws-xray-propagator} ({@code AwsXrayPropagator},
 *       {@code AwsXrayLambdaPropagator}) behaves as the JS pair does, the Lambda one reading
 *       {@code com.amazonaws.xray.traceHeader} or {@code _X_AMZN_TRACE_ID} only without a valid
 *       context.</li>
 * </ul>
 */
final class PropagationExpectation {

  private PropagationExpectation() {
  }

  /** Lambda's {@code TracingConfig} mode. */
  enum Tracing {
    ACTIVE("Active"), PASS_THROUGH("PassThrough");

    final String mode;

    Tracing(String mode) {
      this.mode = mode;
    }

    boolean active() {
      return this == ACTIVE;
    }
  }

  /** The kind of API both hops of the scenario go through. */
  enum Gateway {
    REST(FunctionSpec.Api.REST), HTTP(FunctionSpec.Api.HTTP);

    final FunctionSpec.Api api;

    Gateway(FunctionSpec.Api api) {
      this.api = api;
    }
  }

  /** One class of rows of the table: an outcome and the one reason for it. */
  enum Row {
    TRACECONTEXT_ONLY(null, "no X-Ray propagator: only traceparent is read"),
    TRACECONTEXT_LAST(null, "tracecontext extracts after the X-Ray propagator and replaces whatever it found"),
    PASS_THROUGH_NO_XRAY_PARENT(null, "PassThrough: API Gateway adds no X-Ray header with a Parent; xray-lambda"
        + " reads _X_AMZN_TRACE_ID (Sampled=0) only when nothing was extracted, and traceparent was"),
    HTTP_API_NO_XRAY_PARENT(null, "an HTTP API has no X-Ray tracing: its x-amzn-trace-id is Root-only, no"
        + " parent; xray-lambda does not fall back to _X_AMZN_TRACE_ID once traceparent gave a context"),
    XRAY_HEADER_WINS(Diagnosis.Kind.XRAY_REPLACED_CONTEXT, "a REST API under Active tracing adds X-Amzn-Trace-Id"
        + " with its segment as Parent; the X-Ray propagator, after tracecontext, extracts it and replaces the"
        + " caller's context, so the functions land in the X-Ray trace");

    /** The diagnosis's cause when broken; null when the trace stays connected. */
    final Diagnosis.Kind cause;
    final String reason;

    Row(Diagnosis.Kind cause, String reason) {
      this.cause = cause;
      this.reason = reason;
    }

    boolean connected() {
      return cause == null;
    }
  }

  /** The row a cell belongs to. */
  static Row rowFor(String propagators, Tracing tracing, Gateway gateway) {
    List<String> names = Arrays.stream(propagators.split(",")).map(n -> n.trim().toLowerCase(Locale.ROOT)).toList();
    int tracecontext = names.lastIndexOf("tracecontext");
    int xray = Math.max(names.lastIndexOf("xray"), names.lastIndexOf("xray-lambda"));
    if (tracecontext < 0) {
      throw new IllegalArgumentException("the matrix covers lists with tracecontext only: " + propagators);
    }
    if (xray < 0) {
      return Row.TRACECONTEXT_ONLY;
    }
    if (tracecontext > xray) {
      return Row.TRACECONTEXT_LAST;
    }
    if (!tracing.active()) {
      return Row.PASS_THROUGH_NO_XRAY_PARENT;
    }
    return gateway == Gateway.HTTP ? Row.HTTP_API_NO_XRAY_PARENT : Row.XRAY_HEADER_WINS;
  }
}
