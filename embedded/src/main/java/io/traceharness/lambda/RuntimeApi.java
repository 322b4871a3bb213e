package io.traceharness.lambda;

import com.linecorp.armeria.common.AggregatedHttpRequest;
import com.linecorp.armeria.common.HttpData;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.ResponseHeaders;
import com.linecorp.armeria.common.ResponseHeadersBuilder;
import com.linecorp.armeria.common.metric.NoopMeterRegistry;
import com.linecorp.armeria.server.Server;
import com.linecorp.armeria.server.ServiceRequestContext;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Runtime API of one execution environment ({@code AWS_LAMBDA_RUNTIME_API}), on its own loopback
 * port, with the environment's Extensions API and Telemetry API beside it: {@code /next} hands the
 * runtime the invocation the {@link Instance} dispatched (now, or once it is dispatched), and the
 * runtime's response, error or init error go back to the instance. The hand-over state (the current
 * invocation, one not yet delivered, a waiting {@code /next}) is guarded by the instance's monitor,
 * the one lock of the environment.
 */
final class RuntimeApi {

  /** Largest response a runtime may post for a synchronous invocation. */
  static final int MAX_RESPONSE_BYTES = 6_291_556;

  private static final String PREFIX = "/2018-06-01/runtime/";
  private static final Pattern INVOCATION = Pattern.compile("^/2018-06-01/runtime/invocation/([^/]+)/(response|error)$");

  private final Instance instance;
  private final Extensions extensions;
  private final Telemetry telemetry;
  private final EnvironmentLogs logs;
  private Server server;
  private Call current;
  private Call undelivered;
  private CompletableFuture<HttpResponse> waitingNext;
  private boolean runtimeReady;

  RuntimeApi(Instance instance, Extensions extensions, Telemetry telemetry, EnvironmentLogs logs) {
    this.instance = instance;
    this.extensions = extensions;
    this.telemetry = telemetry;
    this.logs = logs;
  }

  /** Starts serving; {@code host:port} for {@code AWS_LAMBDA_RUNTIME_API}. */
  String start() {
    server = Server.builder()
        .http(new InetSocketAddress("127.0.0.1", 0))
        .requestTimeoutMillis(0)
        .maxRequestLength(MAX_RESPONSE_BYTES * 4L)
        .meterRegistry(NoopMeterRegistry.get())
        .serviceUnder("/", (ctx, req) -> serve(ctx, req))
        .build();
    server.start().join();
    return "127.0.0.1:" + server.activeLocalPort();
  }

  void close() {
    if (server != null) {
      server.closeAsync();
    }
  }

  /** The invocation handed to the runtime last; under the instance's monitor. */
  Call current() {
    return current;
  }

  /** {@code call} is the environment's invocation now; under the instance's monitor. */
  void assign(Call call) {
    current = call;
  }

  /**
   * Hands {@code call} to a waiting {@code /next}, or keeps it for the next one; under the instance's
   * monitor.
   *
   * @return what answers the waiting {@code /next}, to run once the monitor is released; {@code null}
   *     when none waits
   */
  Runnable deliver(Call call) {
    if (waitingNext == null) {
      undelivered = call;
      return null;
    }
    CompletableFuture<HttpResponse> waiter = waitingNext;
    waitingNext = null;
    HttpResponse event = eventFor(call);
    return () -> waiter.complete(event);
  }

  /** The {@code /next} waiting for an event, taken away (the runtime is gone); under the instance's monitor. */
  CompletableFuture<HttpResponse> takeWaiting() {
    CompletableFuture<HttpResponse> waiter = waitingNext;
    waitingNext = null;
    return waiter;
  }

  private HttpResponse serve(ServiceRequestContext ctx, HttpRequest req) {
    String path = ctx.path();
    if (path.startsWith(Extensions.PREFIX)) {
      return extensions.serve(path, req);
    }
    if (path.equals(Telemetry.PATH) || path.equals(Telemetry.PATH + "/")) {
      return telemetry.serve(req);
    }
    if (req.method() == HttpMethod.GET && path.equals(PREFIX + "invocation/next")) {
      return HttpResponse.of(onNext());
    }
    if (req.method() == HttpMethod.POST && path.equals(PREFIX + "init/error")) {
      return HttpResponse.of(req.aggregate().thenApply(this::onInitError));
    }
    Matcher m = INVOCATION.matcher(path);
    if (req.method() == HttpMethod.POST && m.matches()) {
      String requestId = m.group(1);
      boolean success = m.group(2).equals("response");
      return HttpResponse.of(req.aggregate().thenApply(agg -> success ? onResponse(requestId, agg)
          : onError(requestId, agg)));
    }
    return json(HttpStatus.NOT_FOUND, "{\"errorMessage\":\"Not found\",\"errorType\":\"NotFound\"}");
  }

  private CompletableFuture<HttpResponse> onNext() {
    Call settledCall = null;
    CompletableFuture<HttpResponse> answer;
    boolean initEnds = false;
    synchronized (instance) {
      if (!instance.ready().isDone() && !runtimeReady) {
        runtimeReady = true;
        initEnds = true;
        extensions.closeRegistration();
      }
      if (current != null && current.outcome.isDone()) {
        settledCall = current;
        current = null;
      }
      if (undelivered != null) {
        answer = CompletableFuture.completedFuture(eventFor(undelivered));
        undelivered = null;
      } else {
        if (waitingNext != null) {
          waitingNext.complete(json(HttpStatus.BAD_REQUEST,
              "{\"errorMessage\":\"Replaced by a newer /next\",\"errorType\":\"InvalidStateTransition\"}"));
        }
        waitingNext = new CompletableFuture<>();
        answer = waitingNext;
      }
    }
    if (initEnds) {
      // Init ends when the runtime and every extension wait for their next event
      extensions.idle().thenRun(instance::endInit);
    }
    if (settledCall != null) {
      Call c = settledCall;
      extensions.idle().thenRun(() -> instance.settle(c));
    }
    return answer;
  }

  private HttpResponse onResponse(String requestId, AggregatedHttpRequest req) {
    Call call = callFor(requestId);
    if (call == null) {
      return invalidRequestId();
    }
    byte[] body = req.content().array();
    if (body.length > MAX_RESPONSE_BYTES) {
      instance.complete(call, Outcome.platformError("Function.ResponseSizeTooLarge", "Response payload size ("
          + body.length + " bytes) exceeded maximum allowed payload size (" + MAX_RESPONSE_BYTES + " bytes).", null));
      return json(HttpStatus.REQUEST_ENTITY_TOO_LARGE, "{\"errorMessage\":\"Exceeded maximum allowed payload size ("
          + MAX_RESPONSE_BYTES + " bytes).\",\"errorType\":\"RequestEntityTooLarge\"}");
    }
    instance.complete(call, Outcome.success(body));
    return json(HttpStatus.ACCEPTED, "{\"status\":\"OK\"}");
  }

  private HttpResponse onError(String requestId, AggregatedHttpRequest req) {
    Call call = callFor(requestId);
    if (call == null) {
      return invalidRequestId();
    }
    byte[] body = req.content().array();
    String type = req.headers().get("Lambda-Runtime-Function-Error-Type");
    instance.complete(call, Outcome.error(errorType(type, body),
        body.length == 0 ? "{}".getBytes(StandardCharsets.UTF_8) : body));
    return json(HttpStatus.ACCEPTED, "{\"status\":\"OK\"}");
  }

  private HttpResponse onInitError(AggregatedHttpRequest req) {
    String initErrorType;
    byte[] initErrorBody;
    synchronized (instance) {
      if (instance.ready().isDone()) {
        return json(HttpStatus.FORBIDDEN,
            "{\"errorMessage\":\"Init error already reported or init complete\",\"errorType\":\"InvalidStateTransition\"}");
      }
      initErrorBody = req.content().array();
      String header = req.headers().get("Lambda-Runtime-Function-Error-Type");
      initErrorType = header != null && !header.isBlank() ? header : errorType(null, initErrorBody);
      logs.markInitEnd();
    }
    instance.ready().completeExceptionally(new InitFailure(Outcome.error(initErrorType, initErrorBody), null));
    return json(HttpStatus.ACCEPTED, "{\"status\":\"OK\"}");
  }

  private Call callFor(String requestId) {
    synchronized (instance) {
      Call c = current;
      return c != null && c.requestId.equals(requestId) && !c.outcome.isDone() ? c : null;
    }
  }

  private static HttpResponse eventFor(Call call) {
    long deadline = System.currentTimeMillis() + call.timeout.toMillis();
    ResponseHeadersBuilder h = ResponseHeaders.builder(HttpStatus.OK)
        .contentType(MediaType.JSON)
        .add("Lambda-Runtime-Aws-Request-Id", call.requestId)
        .add("Lambda-Runtime-Deadline-Ms", Long.toString(deadline))
        .add("Lambda-Runtime-Invoked-Function-Arn", call.functionArn)
        .add("Lambda-Runtime-Trace-Id", call.traceHeader);
    if (call.clientContext != null) {
      h.add("Lambda-Runtime-Client-Context", call.clientContext);
    }
    return HttpResponse.of(h.build(), HttpData.wrap(call.payload));
  }

  /** The error document's {@code errorType} (what a person reads), else the runtime's header. */
  private static String errorType(String header, byte[] body) {
    Matcher m = Pattern.compile("\"errorType\"\\s*:\\s*\"([^\"]*)\"").matcher(new String(body, StandardCharsets.UTF_8));
    if (m.find() && !m.group(1).isBlank()) {
      return m.group(1);
    }
    return header != null && !header.isBlank() ? header : "Unhandled";
  }

  private static HttpResponse invalidRequestId() {
    return json(HttpStatus.BAD_REQUEST, "{\"errorMessage\":\"Invalid request ID\",\"errorType\":\"InvalidRequestID\"}");
  }

  private static HttpResponse json(HttpStatus status, String body) {
    return HttpResponse.of(status, MediaType.JSON, body);
  }
}
