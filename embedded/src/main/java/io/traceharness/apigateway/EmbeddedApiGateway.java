package io.traceharness.apigateway;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.linecorp.armeria.common.AggregatedHttpRequest;
import com.linecorp.armeria.common.AggregatedHttpResponse;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.RequestHeaders;
import com.linecorp.armeria.common.HttpData;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.ResponseHeaders;
import com.linecorp.armeria.common.ResponseHeadersBuilder;
import com.linecorp.armeria.common.SessionProtocol;
import com.linecorp.armeria.server.Server;
import com.linecorp.armeria.server.ServerBuilder;
import com.linecorp.armeria.server.ServerPort;
import com.linecorp.armeria.server.ServerErrorHandler;
import com.linecorp.armeria.server.ServiceConfig;
import com.linecorp.armeria.server.ServiceRequestContext;
import io.traceharness.support.LocalCertificateAuthority;
import io.traceharness.support.WorkDirs;
import io.traceharness.trace.XRayTraceHeader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * API Gateway with Lambda proxy integrations, on loopback: a REST API (payload format 1.0) by
 * default, or an HTTP API (payload format 2.0). Requests to {@code http://127.0.0.1:PORT/{stage}/…}
 * are routed by method and resource ({@code /items/{id}}, {@code /{proxy+}}, {@code ANY}) to a
 * function through a {@link FunctionInvoker}; answers, error shapes and the X-Ray header (a REST
 * API's under Active tracing, an HTTP API's root-only one) are those of API Gateway. {@code traceparent} and {@code tracestate} pass through
 * unchanged. Every request is recorded ({@link #requests()}) for diagnosing a broken trace.
 *
 * <p>Built with {@link Builder#tls}, it speaks HTTPS too, on the same port: API Gateway serves its
 * invoke URLs over HTTPS only, and functions written for AWS call {@code https://…execute-api…}
 * URLs; plaintext stays for local callers set up with {@code http://}.
 *
 * <pre>{@code
 * EmbeddedApiGateway gw = EmbeddedApiGateway.builder().stage("dev").invoker(invoker)
 *     .tls(LocalCertificateAuthority.shared().issueServer("api-gateway")).build().start();
 * URI url = gw.route("POST", "/produce", "producer"); // http://127.0.0.1:PORT/dev/produce
 * gw.httpsEndpoint();                                 // https://127.0.0.1:PORT/dev, same port
 * ...
 * gw.requests().forEach(System.out::println);
 * gw.close();
 * }</pre>
 */
public final class EmbeddedApiGateway implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedApiGateway.class);
  private static final SecureRandom RANDOM = new SecureRandom();
  /** The stage an HTTP API serves without a path segment. */
  public static final String DEFAULT_STAGE = "$default";
  private static final String ID_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";

  private final String stage;
  private final FunctionInvoker invoker;
  private final Duration integrationTimeout;
  private final boolean httpApi;
  /** API Gateway's request payload quota (REST and HTTP APIs): 10 MB. */
  static final int MAX_PAYLOAD_BYTES = 10 * 1024 * 1024;
  private final ProxyEvents.Api api;
  private final Path logFile;
  private final int requestedPort;
  private final LocalCertificateAuthority.ServerCertificate tls;
  private final RouteTable routes = new RouteTable();
  private final List<GatewayRequest> requests = new CopyOnWriteArrayList<>();
  private volatile Server server;
  private volatile int port;

  private EmbeddedApiGateway(Builder b) {
    this.stage = b.stage;
    this.invoker = Objects.requireNonNull(b.invoker, "invoker");
    this.integrationTimeout = b.integrationTimeout;
    this.httpApi = b.payloadFormatVersion.equals("2.0");
    this.api = new ProxyEvents.Api(b.apiId != null ? b.apiId : randomId(10), b.accountId);
    this.logFile = b.logFile != null ? b.logFile : WorkDirs.root().resolve("logs").resolve("apigateway.log");
    this.requestedPort = b.port;
    this.tls = b.tls;
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Binds 127.0.0.1 on a free port (or the one given to the builder) and starts serving.
   *
   * @throws IllegalStateException when the builder's port is taken
   */
  public synchronized EmbeddedApiGateway start() {
    if (server != null) {
      return this;
    }
    long t0 = System.nanoTime();
    try {
      Files.createDirectories(logFile.getParent());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + logFile.getParent(), e);
    }
    InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), requestedPort);
    ServerBuilder sb = Server.builder();
    if (tls != null) {
      // one port for both, as EmbeddedApmServer does: Armeria tells a TLS ClientHello from plaintext
      sb.port(new ServerPort(address, SessionProtocol.HTTP, SessionProtocol.HTTPS)).tls(tls.privateKey(), tls.chain());
    } else {
      sb.http(address);
    }
    Server s = sb
        // API Gateway's own limit is the integration timeout; Armeria must not cut in earlier
        .requestTimeout(integrationTimeout.plusSeconds(30))
        // read a body somewhat past the gateway's 10 MB whole, so it gets the gateway's 413 below
        // rather than Armeria's
        .maxRequestLength(MAX_PAYLOAD_BYTES + 6L * 1024 * 1024)
        .gracefulShutdownTimeout(Duration.ZERO, Duration.ofSeconds(1))
        .serviceUnder("/", (ctx, req) -> HttpResponse.of(req.aggregate().thenCompose(agg -> handle(ctx, agg))))
        .errorHandler(new UnknownMethods())
        .build();
    try {
      s.start().join();
    } catch (java.util.concurrent.CompletionException e) {
      s.closeAsync();
      throw new IllegalStateException("API Gateway (stage " + stage + ") cannot listen on 127.0.0.1:" + requestedPort
          + ": " + (e.getCause() != null ? e.getCause().getMessage() : e.getMessage()), e);
    }
    port = s.activeLocalPort();
    server = s;
    LOG.info("API Gateway ({} API, stage {}) ready at {}{} in {} ms", httpApi ? "HTTP" : "REST", stage,
        endpoint(), tls != null ? " and " + httpsEndpoint() : "", (System.nanoTime() - t0) / 1_000_000);
    return this;
  }

  /**
   * Routes {@code method} ({@code GET}, {@code POST}, … or {@code ANY}) on {@code pathTemplate}
   * ({@code /ping}, {@code /items/{id}}, {@code /{proxy+}}) to {@code functionName}.
   *
   * @return the resource's URL, e.g. {@code http://127.0.0.1:PORT/dev/ping}; a template's braces
   *     are percent-encoded, so for {@code /items/{id}} build the concrete URL from {@link #endpoint()}
   */
  public URI route(String method, String pathTemplate, String functionName) {
    RouteTable.Route r = routes.add(method, pathTemplate, Objects.requireNonNull(functionName, "functionName"));
    URI stage = endpoint();
    try {
      return new URI(stage.getScheme(), null, stage.getHost(), stage.getPort(),
          stage.getPath() + (r.template().equals("/") ? "" : r.template()), null, null);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("route " + pathTemplate + " makes no URL", e);
    }
  }

  /** A route of this API: {@code method} ({@code ANY} for all) on the resource {@code path} to {@code function}. */
  public record Route(String method, String path, String function, URI url) {
  }

  /** Every route, in the order they were added, each with its URL (a template's braces percent-encoded). */
  public List<Route> routes() {
    return routes.all().stream().map(r -> new Route(r.method(), r.template(), r.functionName(),
        URI.create(endpoint() + (r.template().equals("/") ? "" : r.template().replace("{", "%7B").replace("}", "%7D")))))
        .toList();
  }

  /** {@code http://127.0.0.1:PORT/{stage}}, the invoke URL of the stage (no trailing slash). */
  public URI endpoint() {
    if (server == null) {
      throw new IllegalStateException("API Gateway not started");
    }
    return URI.create("http://127.0.0.1:" + port + stagePrefix());
  }

  /**
   * {@code https://127.0.0.1:PORT/{stage}}: the same stage over TLS, on the same port, with a
   * certificate of the local certificate authority (which the emulated Lambda environment trusts).
   *
   * @throws IllegalStateException when the gateway was built without {@link Builder#tls}
   */
  public URI httpsEndpoint() {
    if (tls == null) {
      throw new IllegalStateException("API Gateway (stage " + stage + ") serves no HTTPS: build it with tls(...)");
    }
    URI plain = endpoint();
    return URI.create("https://" + plain.getRawAuthority() + plain.getRawPath());
  }

  /** Whether it serves HTTPS ({@link Builder#tls}) besides plaintext. */
  public boolean servesHttps() {
    return tls != null;
  }

  /** An HTTP API's {@code $default} stage is served at the root; any other stage is the first segment. */
  private String stagePrefix() {
    return stage.equals(DEFAULT_STAGE) ? "" : "/" + stage;
  }

  public String stage() {
    return stage;
  }

  public String apiId() {
    return api.apiId();
  }

  /** Every request answered so far, oldest first. */
  public List<GatewayRequest> requests() {
    return List.copyOf(requests);
  }

  public Path logFile() {
    return logFile;
  }

  public synchronized void stop() {
    Server s = server;
    server = null;
    if (s != null) {
      s.stop().join();
    }
  }

  @Override
  public void close() {
    stop();
  }

  private CompletableFuture<HttpResponse> handle(ServiceRequestContext ctx, AggregatedHttpRequest req) {
    long t0 = System.nanoTime();
    Instant now = Instant.now();
    String requestId = UUID.randomUUID().toString();
    String extendedRequestId = randomExtendedId();
    String method = req.method().name();
    String fullPath = ctx.path();
    String traceparent = req.headers().get("traceparent");
    String tracestate = req.headers().get("tracestate");
    String callerXray = req.headers().get("x-amzn-trace-id");
    Exchange x = new Exchange(requestId, extendedRequestId, now, t0, method, fullPath, traceparent, tracestate,
        callerXray);
    x.scheme = ctx.sessionProtocol().isTls() ? "https" : "http";

    if (req.content().length() > MAX_PAYLOAD_BYTES) {
      // "Payload size: 10 MB" (API Gateway quotas); the body text is as users report it
      return CompletableFuture.completedFuture(error(x, 413, "{\"message\":\"Request Too Large\"}", null));
    }
    String prefix = stagePrefix();
    if (!prefix.isEmpty() && !(fullPath.equals(prefix) || fullPath.startsWith(prefix + "/"))) {
      return CompletableFuture.completedFuture(noRoute(x));
    }
    String path = fullPath.length() == prefix.length() ? "/" : fullPath.substring(prefix.length());
    Optional<RouteTable.Match> match = routes.match(method, path);
    if (match.isEmpty()) {
      return CompletableFuture.completedFuture(noRoute(x));
    }
    RouteTable.Match m = match.get();
    x.route = m.route().template();
    x.function = m.route().functionName();

    List<Map.Entry<String, String>> headers = new ArrayList<>();
    req.headers().forEach((k, v) -> {
      String name = k.toString();
      if (name.equals(":authority")) {
        headers.add(Map.entry("host", v));
      } else if (!name.startsWith(":")) {
        headers.add(Map.entry(name, v));
      }
    });
    InetSocketAddress remote = ctx.remoteAddress();
    String sourceIp = remote.getAddress().getHostAddress();
    if (!httpApi) {
      String forwarded = req.headers().get("x-forwarded-for");
      headers.removeIf(h -> h.getKey().equalsIgnoreCase("x-forwarded-for"));
      headers.add(Map.entry("X-Forwarded-For", forwarded == null ? sourceIp : forwarded + ", " + sourceIp));
      headers.add(Map.entry("X-Forwarded-Port", Integer.toString(port)));
      headers.add(Map.entry("X-Forwarded-Proto", ctx.sessionProtocol().isTls() ? "https" : "http"));
    }
    String xray = null;
    if (httpApi) {
      x.xray = httpApiTraceHeader(headers, callerXray, now.getEpochSecond());
    } else if (invoker.activeTracing(x.function)) {
      xray = nextTraceHeader(callerXray, now.getEpochSecond());
      headers.removeIf(h -> h.getKey().equalsIgnoreCase("x-amzn-trace-id"));
      headers.add(Map.entry("X-Amzn-Trace-Id", xray));
      x.xray = xray;
    } else {
      x.xray = callerXray;
    }
    String authority = req.headers().authority();
    ProxyEvents.Incoming in = new ProxyEvents.Incoming(method, stage, path, ctx.query(), headers,
        req.content().array(), sourceIp, protocol(ctx), authority != null ? authority : "127.0.0.1:" + port,
        requestId, extendedRequestId, now);
    ObjectNode event = httpApi ? ProxyEvents.v2(in, m, api) : ProxyEvents.v1(in, m, api);
    byte[] payload;
    try {
      payload = ProxyEvents.JSON.writeValueAsBytes(event);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
    String function = x.function;
    String xrayHeader = xray;
    return CompletableFuture
        .supplyAsync(() -> Optional.of(invoker.invoke(function, payload, xrayHeader)), ctx.blockingTaskExecutor())
        .completeOnTimeout(Optional.empty(), integrationTimeout.toMillis(), TimeUnit.MILLISECONDS)
        .handle((result, e) -> {
          if (e != null) {
            LOG.warn("Invoking {} for {} {} failed", function, method, fullPath, e);
            x.note = "invoke failed: " + e;
            return integrationFailure(x);
          }
          return result.isPresent() ? answer(x, result.get()) : timedOut(x);
        });
  }

  private HttpResponse answer(Exchange x, FunctionInvoker.FunctionResult result) {
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

  private HttpResponse noRoute(Exchange x) {
    if (httpApi) {
      return error(x, 404, "{\"message\":\"Not Found\"}", null);
    }
    return error(x, 403, "{\"message\":\"Missing Authentication Token\"}", "MissingAuthenticationTokenException");
  }

  /**
   * Armeria refuses a method it does not know (PROPFIND, MKCOL, …) before any service runs, as a
   * protocol violation: over HTTP/1 "405 Unsupported method" with the request's headers
   * (Http1RequestDecoder), over cleartext HTTP/2 (h2c, which java.net.http upgrades to) "400 Invalid
   * method: PROPFIND" without them (Http2RequestDecoder); there is no option to route such methods
   * (docs/design-notes.md has what is left over h2c). The
   * real gateway has no route for them either, so it gives its no-route answer; this handler renders
   * that answer instead of Armeria's.
   */
  private final class UnknownMethods implements ServerErrorHandler {
    @Override
    public HttpResponse onServiceException(ServiceRequestContext ctx, Throwable cause) {
      return null;
    }

    @Override
    public AggregatedHttpResponse onProtocolViolation(ServiceConfig config, RequestHeaders headers, HttpStatus status,
        String description, Throwable cause) {
      boolean unknownMethod = headers != null ? headers.method() == HttpMethod.UNKNOWN
          : description != null && description.startsWith("Invalid method: ");
      if (!unknownMethod) {
        return null;
      }
      ResponseHeadersBuilder h = ResponseHeaders.builder(httpApi ? HttpStatus.NOT_FOUND : HttpStatus.FORBIDDEN)
          .contentType(MediaType.JSON);
      if (httpApi) {
        h.set("apigw-requestid", UUID.randomUUID().toString());
        return AggregatedHttpResponse.of(h.build(), HttpData.ofUtf8("{\"message\":\"Not Found\"}"));
      }
      h.set("x-amzn-ErrorType", "MissingAuthenticationTokenException").set("x-amzn-RequestId", UUID.randomUUID().toString());
      return AggregatedHttpResponse.of(h.build(), HttpData.ofUtf8("{\"message\":\"Missing Authentication Token\"}"));
    }
  }

  private HttpResponse integrationFailure(Exchange x) {
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

  private HttpResponse timedOut(Exchange x) {
    x.note = "integration timed out after " + integrationTimeout.toMillis() + " ms";
    if (httpApi) {
      return error(x, 503, "{\"message\":\"Service Unavailable\"}", null);
    }
    return error(x, 504, "{\"message\": \"Endpoint request timed out\"}", null);
  }

  private HttpResponse error(Exchange x, int status, String body, String errorType) {
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

  /**
   * The {@code X-Amzn-Trace-Id} API Gateway hands an actively traced function: the caller's root
   * (when valid) and sampling decision (sampled unless the caller said {@code Sampled=0}), else a new
   * root; always a new parent, API Gateway's own segment.
   */
  static String nextTraceHeader(String callerHeader, long epochSeconds) {
    XRayTraceHeader caller = XRayTraceHeader.parse(callerHeader);
    String root = caller.hasValidRoot() ? caller.root() : XRayTraceHeader.newRoot(epochSeconds);
    boolean sampled = !Boolean.FALSE.equals(caller.sampled());
    return new XRayTraceHeader(root, XRayTraceHeader.newParent(), sampled, null).toString();
  }

  /**
   * The {@code x-amzn-trace-id} of an HTTP API's event. HTTP APIs have no X-Ray tracing (the
   * "Monitoring" table of API Gateway's developer guide, http-api-vs-rest), so whatever the function's
   * tracing mode the header carries a root and no parent ({@code Root=1-…}, as in the captured HTTP API
   * events aws-lambda-rust-runtime keeps, lambda-events' {@code example-apigw-v2-request-no-authorizer.json}),
   * which no X-Ray propagator takes as a
   * parent; and nothing reaches Lambda's own trace header, which starts a root of its own
   * (aws-xray-sdk-java issue 301). A caller's header is kept.
   */
  private static String httpApiTraceHeader(List<Map.Entry<String, String>> headers, String callerXray,
      long epochSeconds) {
    if (callerXray != null) {
      return callerXray;
    }
    String rootOnly = "Root=" + XRayTraceHeader.newRoot(epochSeconds);
    headers.add(Map.entry("x-amzn-trace-id", rootOnly));
    return rootOnly;
  }

  private static String protocol(ServiceRequestContext ctx) {
    return ctx.sessionProtocol().isMultiplex() ? "HTTP/2.0" : "HTTP/1.1";
  }

  private static String randomExtendedId() {
    byte[] b = new byte[11];
    RANDOM.nextBytes(b);
    return Base64.getEncoder().encodeToString(b).replace('+', 'A').replace('/', 'B').substring(0, 15) + "=";
  }

  private static String randomId(int length) {
    StringBuilder sb = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      sb.append(ID_ALPHABET.charAt(RANDOM.nextInt(ID_ALPHABET.length())));
    }
    return sb.toString();
  }

  /** Mutable state of one request while it is being answered. */
  private static final class Exchange {
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

  /** Options of an {@link EmbeddedApiGateway}. */
  public static final class Builder {
    private String stage = "dev";
    private FunctionInvoker invoker;
    private Duration integrationTimeout = Duration.ofSeconds(29);
    private String payloadFormatVersion = "1.0";
    private String apiId;
    private String accountId = "000000000000";
    private Path logFile;
    private int port;
    private LocalCertificateAuthority.ServerCertificate tls;

    private Builder() {
    }

    /**
     * The stage name, first segment of every URL; default {@code dev}. {@link #DEFAULT_STAGE}
     * ({@code $default}, an HTTP API's) adds no segment.
     */
    public Builder stage(String stage) {
      if (stage == null || !(stage.matches("[A-Za-z0-9_-]+") || stage.equals(DEFAULT_STAGE))) {
        throw new IllegalArgumentException("stage must be letters, digits, '-' or '_': " + stage);
      }
      this.stage = stage;
      return this;
    }

    public Builder invoker(FunctionInvoker invoker) {
      this.invoker = invoker;
      return this;
    }

    /** API Gateway's integration timeout; default (and REST API maximum) 29 s. */
    public Builder integrationTimeout(Duration timeout) {
      this.integrationTimeout = timeout;
      return this;
    }

    /**
     * {@code 1.0} (REST API proxy integration, the default) or {@code 2.0} (HTTP API: events with
     * {@code rawPath}, {@code cookies}, {@code requestContext.http}, the simple response form).
     */
    public Builder payloadFormatVersion(String version) {
      if (!version.equals("1.0") && !version.equals("2.0")) {
        throw new IllegalArgumentException("payload format version must be 1.0 or 2.0: " + version);
      }
      this.payloadFormatVersion = version;
      return this;
    }

    /** The API id events carry ({@code requestContext.apiId}); default random. */
    public Builder apiId(String apiId) {
      this.apiId = apiId;
      return this;
    }

    /** The account events carry; default {@code 000000000000}, as LocalStack uses. */
    public Builder accountId(String accountId) {
      this.accountId = accountId;
      return this;
    }

    /** Access log, one line per request; default {@code logs/apigateway.log} under the work dir. */
    public Builder logFile(Path logFile) {
      this.logFile = logFile;
      return this;
    }

    /** The port, e.g. 3000 as {@code sam local start-api} uses; default 0, a free one. */
    public Builder port(int port) {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("port must be 0 (any free port) or 1 to 65535, got " + port);
      }
      this.port = port;
      return this;
    }

    /**
     * Serve HTTPS with this certificate on the same port as plaintext (see
     * {@link LocalCertificateAuthority}); without it the port speaks plaintext only.
     */
    public Builder tls(LocalCertificateAuthority.ServerCertificate certificate) {
      this.tls = Objects.requireNonNull(certificate, "certificate");
      return this;
    }

    public EmbeddedApiGateway build() {
      return new EmbeddedApiGateway(this);
    }
  }
}
