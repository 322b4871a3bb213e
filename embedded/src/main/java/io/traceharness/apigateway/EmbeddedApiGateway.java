package io.traceharness.apigateway;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.linecorp.armeria.common.AggregatedHttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.server.Server;
import com.linecorp.armeria.server.ServiceRequestContext;
import io.traceharness.support.LocalCertificateAuthority;
import io.traceharness.support.WorkDirs;
import io.traceharness.trace.XRayTraceHeader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * API Gateway with Lambda proxy integrations, on loopback: a REST API (payload format 1.0) by
 * default, or an HTTP API (payload format 2.0). Requests to {@code http://127.0.0.1:PORT/{stage}/…}
 * are routed by method and resource ({@code /items/{id}}, {@code /{proxy+}}, {@code ANY}) to a
 * function through a {@link FunctionInvoker}; answers, error shapes and the X-Ray header (a REST
 * API's under Active tracing, an HTTP API's root-only one) are those of API Gateway. {@code traceparent} and {@code tracestate} pass through
 * unchanged. Every request is recorded ({@link #requests()}) for diagnosing a broken trace. This class
 * routes a request and builds its event; {@link GatewayFront} is the listening port,
 * {@link ProxyEvents} the payload format 1.0 and 2.0 events and proxy responses, {@link GatewayResponses}
 * the answers, the request records and the access log.
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
  /** API Gateway quotas: the request line and the header values together, in bytes. */
  static final int MAX_HEADER_BYTES = 10_240;
  private final ProxyEvents.Api api;
  private final Path logFile;
  private final int requestedPort;
  private final LocalCertificateAuthority.ServerCertificate tls;
  private final RouteTable routes = new RouteTable();
  private final GatewayResponses responses;
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
    this.responses = new GatewayResponses(httpApi, invoker, integrationTimeout, logFile);
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
    Server s;
    try {
      s = GatewayFront.start(requestedPort, tls, integrationTimeout, httpApi,
          (ctx, req) -> HttpResponse.of(req.aggregate().thenCompose(agg -> handle(ctx, agg))));
    } catch (java.util.concurrent.CompletionException e) {
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
    return responses.requests();
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

    if (headerBytes(req) > MAX_HEADER_BYTES) {
      // "Total combined size of request line and header values: 10240 bytes" (API Gateway quotas, which
      // name no answer): HTTP's own status for it (RFC 6585)
      return CompletableFuture.completedFuture(
          responses.error(x, 431, "{\"message\":\"Request Header Fields Too Large\"}", null));
    }
    if (req.content().length() > MAX_PAYLOAD_BYTES) {
      // "Payload size: 10 MB" (API Gateway quotas); the body text is as users report it
      return CompletableFuture.completedFuture(responses.error(x, 413, "{\"message\":\"Request Too Large\"}", null));
    }
    String prefix = stagePrefix();
    if (!prefix.isEmpty() && !(fullPath.equals(prefix) || fullPath.startsWith(prefix + "/"))) {
      return CompletableFuture.completedFuture(responses.noRoute(x));
    }
    String path = fullPath.length() == prefix.length() ? "/" : fullPath.substring(prefix.length());
    Optional<RouteTable.Match> match = routes.match(method, path);
    if (match.isEmpty()) {
      return CompletableFuture.completedFuture(responses.noRoute(x));
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
            return responses.integrationFailure(x);
          }
          return result.isPresent() ? responses.answer(x, result.get()) : responses.timedOut(x);
        });
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

  /** The request line ({@code METHOD /path?query HTTP/1.1}) and every header value, as API Gateway counts them. */
  static long headerBytes(AggregatedHttpRequest req) {
    long n = req.method().name().length() + 1 + req.headers().path().length() + " HTTP/1.1".length();
    for (var e : req.headers()) {
      String name = e.getKey().toString();
      if (!name.startsWith(":") || name.equals(":authority")) {   // :authority is the Host header
        n += e.getValue().getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
      }
    }
    return n;
  }
}
