package io.traceharness.apigateway;

import com.linecorp.armeria.common.HttpData;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.ResponseHeaders;
import com.linecorp.armeria.common.ResponseHeadersBuilder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the gateway answers: a function's Lambda proxy response translated to HTTP (payload format 1.0
 * or 2.0), or API Gateway's own error answers (no route, integration failure, refused invoke,
 * integration timeout); each answer carries the REST or HTTP API's request-id headers, is recorded as a
 * {@link GatewayRequest} and written as one line of the access log.
 */
final class GatewayResponses {

  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedApiGateway.class);

  private final boolean httpApi;
  private final FunctionInvoker invoker;
  private final Duration integrationTimeout;
  private final Path logFile;
  private final List<GatewayRequest> requests = new CopyOnWriteArrayList<>();

  GatewayResponses(boolean httpApi, FunctionInvoker invoker, Duration integrationTimeout, Path logFile) {
    this.httpApi = httpApi;
    this.invoker = invoker;
    this.integrationTimeout = integrationTimeout;
    this.logFile = logFile;
  }

  /** Every request answered so far, oldest first. */
  List<GatewayRequest> requests() {
    return List.copyOf(requests);
  }

  HttpResponse answer(Exchange x, FunctionInvoker.FunctionResult result) {
    if (result.refused()) {
      x.note = "Lambda refused the invoke: " + result.serviceError();
      return invokeRefused(x);
    }
    if (result.failed()) {
      x.note = "function error " + result.functionError();
      return integrationFailure(x);
    }
    ProxyEvents.Response r;
    try {
      r = httpApi ? ProxyEvents.readV2(result.payload()) : ProxyEvents.readV1(result.payload());
    } catch (ProxyEvents.MalformedResponse e) {
      x.note = "Malformed Lambda proxy response: " + e.getMessage();
      return integrationFailure(x);
    }
    ResponseHeadersBuilder h = ResponseHeaders.builder(HttpStatus.valueOf(r.status()));
    r.headers().forEach(e -> h.add(e.getKey(), e.getValue()));
    if (!h.contains("content-type") && r.body().length > 0) {
      h.add("content-type", "application/json");
    }
    return finish(x, h, r.body());
  }

  HttpResponse noRoute(Exchange x) {
    if (httpApi) {
      return error(x, 404, "{\"message\":\"Not Found\"}", null);
    }
    return error(x, 403, "{\"message\":\"Missing Authentication Token\"}", "MissingAuthenticationTokenException");
  }

  HttpResponse integrationFailure(Exchange x) {
    if (httpApi) {
      return error(x, 500, "{\"message\":\"Internal Server Error\"}", null);
    }
    return error(x, 502, "{\"message\": \"Internal server error\"}", null);
  }

  /**
   * The Lambda API rejected the invocation (throttled, unknown function…): "If the Lambda API rejects
   * the invocation request, API Gateway returns a 500 error code. If the function runs but returns an
   * error, or returns a response in the wrong format, API Gateway returns a 502. In both cases, the
   * body of the response from API Gateway is {"message": "Internal server error"}." (AWS Lambda
   * Developer Guide, "Handling Lambda errors with an API Gateway API",
   * https://docs.aws.amazon.com/lambda/latest/dg/services-apigateway-errors.html). HTTP APIs answer
   * 500 for every Lambda integration failure.
   */
  private HttpResponse invokeRefused(Exchange x) {
    if (httpApi) {
      return error(x, 500, "{\"message\":\"Internal Server Error\"}", null);
    }
    return error(x, 500, "{\"message\": \"Internal server error\"}", null);
  }

  HttpResponse timedOut(Exchange x) {
    x.note = "integration timed out after " + integrationTimeout.toMillis() + " ms";
    if (httpApi) {
      return error(x, 503, "{\"message\":\"Service Unavailable\"}", null);
    }
    return error(x, 504, "{\"message\": \"Endpoint request timed out\"}", null);
  }

  HttpResponse error(Exchange x, int status, String body, String errorType) {
    ResponseHeadersBuilder h = ResponseHeaders.builder(HttpStatus.valueOf(status))
        .add("content-type", "application/json");
    if (errorType != null) {
      h.add("x-amzn-ErrorType", errorType);
    }
    return finish(x, h, body.getBytes(StandardCharsets.UTF_8));
  }

  private HttpResponse finish(Exchange x, ResponseHeadersBuilder h, byte[] body) {
    if (httpApi) {
      h.set("apigw-requestid", x.extendedRequestId);
    } else {
      h.set("x-amzn-RequestId", x.requestId);
      h.set("x-amz-apigw-id", x.extendedRequestId);
      if (x.xray != null && x.function != null && invoker.activeTracing(x.function)) {
        h.set("X-Amzn-Trace-Id", x.xray);
      }
    }
    int status = h.status().code();
    Duration latency = Duration.ofNanos(System.nanoTime() - x.startNanos);
    GatewayRequest record = new GatewayRequest(x.requestId, x.time, x.scheme, x.method, x.path, x.route, x.function,
        x.traceparent, x.tracestate, x.xray, status, latency);
    requests.add(record);
    log(record, x.note);
    return HttpResponse.of(h.build(), HttpData.wrap(body));
  }

  private void log(GatewayRequest r, String note) {
    String line = String.format(Locale.ROOT, "%s %s %s %s %s route=%s function=%s status=%d latency=%dms"
            + " traceparent=%s tracestate=%s x-amzn-trace-id=%s%s%n",
        r.time(), r.requestId(), r.scheme(), r.method(), r.path(), r.route(), r.function(), r.status(),
        r.latency().toMillis(), r.traceparent(), r.tracestate(), r.xAmznTraceId(), note != null ? " " + note : "");
    synchronized (this) {
      try {
        Files.writeString(logFile, line, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
      } catch (IOException e) {
        LOG.debug("could not write {}", logFile, e);
      }
    }
  }
}
