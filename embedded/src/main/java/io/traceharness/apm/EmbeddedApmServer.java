package io.traceharness.apm;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.json.jackson.JacksonJsonpMapper;
import co.elastic.clients.transport.rest_client.RestClientTransport;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.Message;
import com.linecorp.armeria.common.HttpData;
import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.ResponseHeaders;
import com.linecorp.armeria.common.SessionProtocol;
import com.linecorp.armeria.server.Server;
import com.linecorp.armeria.server.ServerBuilder;
import com.linecorp.armeria.server.ServerPort;
import com.linecorp.armeria.server.ServiceRequestContext;
import com.linecorp.armeria.server.grpc.GrpcService;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.traceharness.otlp.OtlpHandler;
import io.traceharness.otlp.OtlpServices;
import io.traceharness.otlp.OtlpSignal;
import io.traceharness.support.LocalCertificateAuthority;
import io.traceharness.support.Versions;
import io.traceharness.support.WorkDirs;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.http.HttpHost;
import org.elasticsearch.client.RestClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An Elastic APM Server in this JVM: the agents' endpoints on one port (server info, agent
 * configuration, intake v2, OTLP over HTTP and gRPC) and the documents the real APM Server 8.19
 * writes, sent to Elasticsearch with {@code _bulk}.
 *
 * <p>Its parts: {@link IntakeHttp} (intake v2 over HTTP), the {@code otlp} package's services (OTLP
 * over HTTP and gRPC) mapped by {@link OtlpMapper}, {@link Auth} and {@link GrpcAuth} (secret token,
 * API keys), {@link ApmResponses} (how answers are worded), {@link BulkWriter} (the documents to
 * Elasticsearch).
 *
 * <pre>{@code
 * try (EmbeddedApmServer apm = EmbeddedApmServer.builder()
 *     .elasticsearch(URI.create("http://127.0.0.1:9200"))
 *     .secretToken("s3cr3t")
 *     .build()
 *     .start()) {
 *   // point agents at apm.endpoint() (OTLP/gRPC uses the same port)
 *   apm.flush(Duration.ofSeconds(10));
 *   System.out.println(apm.stats());
 * }
 * }</pre>
 */
public final class EmbeddedApmServer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedApmServer.class);
  /** publish.ErrFull wrapped by apm-data's processor.go ("cannot handle stream: cannot process batch: %w"). */
  private static final String QUEUE_FULL = "cannot handle stream: cannot process batch: queue is full";
  /** intake/handler.go errServerShuttingDown replaces the publisher's ErrChannelClosed. */
  private static final String SHUTTING_DOWN = "server is shutting down";
  private static final String BUILD_SHA = "embedded";

  /** Counters since start. */
  public record Stats(long eventsReceived, long documentsIndexed, long documentsFailed, long documentsQueued) {
  }

  private final Builder config;
  private final String version;
  private final Instant buildDate = Instant.now();
  private final AtomicLong received = new AtomicLong();
  private final AtomicBoolean stopping = new AtomicBoolean();
  private final Auth auth;
  private ApmLog log;
  private DocumentSink sink;
  private OtlpMapper otlp;
  private final IngestPipelines pipelines = new IngestPipelines(java.time.Clock.systemUTC());
  private Server server;
  private int port;

  private EmbeddedApmServer(Builder builder) {
    this.config = builder;
    this.version = builder.version;
    this.auth = new Auth(builder.secretToken, builder.apiKeys);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Binds the port and starts accepting events; logs one line when ready. */
  public synchronized EmbeddedApmServer start() {
    if (server != null) {
      return this;
    }
    long t0 = System.nanoTime();
    stopping.set(false);
    log = new ApmLog(defaultLogFile());
    ObjectNode observer = Docs.object();
    observer.put("hostname", hostname());
    observer.put("type", "apm-server");
    observer.put("version", version);
    otlp = new OtlpMapper(observer);
    IntakeHttp intakeHttp = new IntakeHttp(auth, new IntakeProcessor(observer, config.maxEventSize), log, this::publish);
    sink = config.sink != null ? config.sink : new BulkWriter(client(config.elasticsearch), config.queueCapacity,
        config.flushInterval, log);
    OtlpServices otlpServices = OtlpServices.builder(this::exportOtlp)
        .serverName("APM Server")
        .protobufOnly(true)
        .admission(headers -> Optional.ofNullable(auth.check(headers.get(HttpHeaderNames.AUTHORIZATION)))
            .map(error -> ApmResponses.unauthorized(error, headers.get(HttpHeaderNames.ACCEPT))))
        .build();
    InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), config.port);
    ServerBuilder sb = Server.builder();
    if (config.tls != null) {
      // one port for both, as Elastic Cloud's 443 speaks TLS while agents set up with http://…:8200 keep
      // working: Armeria tells a TLS ClientHello from a plaintext request on the first bytes
      sb.port(new ServerPort(address, SessionProtocol.HTTP, SessionProtocol.HTTPS)).tls(config.tls.privateKey(),
          config.tls.chain());
    } else {
      sb.http(address);
    }
    server = sb
        // the Elastic agents keep one intake request open for up to api_request_time (10 s by default)
        .requestTimeout(Duration.ZERO)
        .maxRequestLength(config.maxRequestBytes)
        .service("/", this::root)
        .service("/config/v1/agents", this::agentConfig)
        .service("/intake/v2/events", intakeHttp::serve)
        .service("/v1/traces", otlpServices.http(OtlpSignal.TRACES))
        .service("/v1/metrics", otlpServices.http(OtlpSignal.METRICS))
        .service("/v1/logs", otlpServices.http(OtlpSignal.LOGS))
        .service(otlpServices.addGrpcServices(GrpcService.builder(), List.of(OtlpSignal.values()))
            .intercept(new GrpcAuth(auth))
            .build())
        .build();
    server.start().join();
    port = server.activeLocalPort();
    String ready = String.format(Locale.ROOT, "APM Server %s ready at %s (%s, intake v2, OTLP/HTTP and OTLP/gRPC) "
        + "writing to %s in %d ms", version, endpoint(), config.tls != null ? "HTTP and HTTPS on one port" : "HTTP", config.sink != null ? "a test sink" : config.elasticsearch,
        (System.nanoTime() - t0) / 1_000_000);
    LOG.info(ready);
    log.info(ready);
    return this;
  }

  /**
   * {@code http://127.0.0.1:<port>}; OTLP/gRPC is served on the same port, and TLS too when the server
   * was built with {@link Builder#tls}.
   */
  public URI endpoint() {
    if (server == null) {
      throw new IllegalStateException("APM Server is not started");
    }
    return URI.create("http://127.0.0.1:" + port);
  }

  public Stats stats() {
    DocumentSink s = sink;
    return s == null ? new Stats(received.get(), 0, 0, 0)
        : new Stats(received.get(), s.indexed(), s.failed(), s.queued());
  }

  /** Waits until every accepted event is in Elasticsearch (or failed for good); false on timeout. */
  public boolean flush(Duration timeout) {
    DocumentSink s = sink;
    return s == null || s.flush(timeout);
  }

  /** This server's log file (per-document indexing failures, retries, start and stop). */
  public Path logFile() {
    return log != null ? log.file() : defaultLogFile();
  }

  private Path defaultLogFile() {
    return config.logFile != null ? config.logFile : WorkDirs.root().resolve("apm-server").resolve("apm-server.log");
  }

  /** Stops accepting (503 "server is shutting down"), drains what was accepted, closes the port. */
  public synchronized void stop() {
    if (server == null) {
      return;
    }
    stopping.set(true);
    sink.flush(config.drainTimeout);
    server.stop().join();
    sink.close();
    log.info("APM Server stopped: " + stats());
    log.close();
    server = null;
  }

  @Override
  public void close() {
    stop();
  }

  private static ElasticsearchClient client(URI uri) {
    Objects.requireNonNull(uri, "elasticsearch(URI) is required unless a sink is given");
    RestClient rest = RestClient.builder(new HttpHost(uri.getHost(), uri.getPort(), uri.getScheme())).build();
    return new ElasticsearchClient(new RestClientTransport(rest, new JacksonJsonpMapper()));
  }

  private static String hostname() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      return "localhost";
    }
  }

  /**
   * Runs APM Server's batch processors and Elasticsearch's pipelines, then hands the documents to
   * the sink. Null when taken; else the stream error APM Server answers with (503 when the queue is
   * full or the server is stopping, 403 when an API key may not write events).
   */
  private IntakeProcessor.StreamError publish(List<ApmDocument> documents, Auth.Granted granted) {
    if (stopping.get()) {
      return new IntakeProcessor.StreamError(SHUTTING_DOWN, 503);
    }
    if (documents.isEmpty()) {
      return null;
    }
    // beater.go authorizeEventIngestProcessor runs on every batch, before anything is published
    String forbidden = granted.authorize(Auth.EVENT_WRITE);
    if (forbidden != null) {
      return new IntakeProcessor.StreamError("cannot handle stream: cannot process batch: " + forbidden, 403);
    }
    List<ApmDocument> kept = ModelProcessors.process(documents);
    pipelines.apply(kept);
    if (!kept.isEmpty() && !sink.offer(kept)) {
      return new IntakeProcessor.StreamError(QUEUE_FULL, 503);
    }
    received.addAndGet(kept.size());
    return null;
  }

  private HttpResponse root(ServiceRequestContext ctx, HttpRequest req) {
    String authError = auth.check(req.headers().get(HttpHeaderNames.AUTHORIZATION));
    if (auth.enabled() && authError != null) {
      // anonymous callers learn only that the server is up, as APM Server answers them
      return HttpResponse.of(ResponseHeaders.of(HttpStatus.OK));
    }
    ObjectNode info = Docs.object();
    info.put("build_date", buildDate.toString());
    info.put("build_sha", BUILD_SHA);
    info.put("publish_ready", !stopping.get());
    info.put("version", version);
    return ApmResponses.json(HttpStatus.OK, info);
  }

  private HttpResponse agentConfig(ServiceRequestContext ctx, HttpRequest req) {
    if (req.method() != HttpMethod.GET && req.method() != HttpMethod.POST) {
      return ApmResponses.json(HttpStatus.METHOD_NOT_ALLOWED, Docs.object().put("error",
          "method not supported: " + req.method()));
    }
    String authError = auth.check(req.headers().get(HttpHeaderNames.AUTHORIZATION));
    if (authError != null) {
      return ApmResponses.unauthorized(authError, req.headers().get(HttpHeaderNames.ACCEPT));
    }
    // no central configuration exists here: APM Server answers {} with its sentinel etag "-"
    String etag = "\"-\"";
    String ifNoneMatch = req.headers().get(HttpHeaderNames.IF_NONE_MATCH);
    com.linecorp.armeria.common.ResponseHeadersBuilder headers = ResponseHeaders.builder(HttpStatus.OK)
        .set(HttpHeaderNames.ETAG, etag)
        .set(HttpHeaderNames.CACHE_CONTROL, "max-age=30, must-revalidate");
    if (ifNoneMatch != null && ifNoneMatch.replace("\"", "").equals("-")) {
      return HttpResponse.of(headers.status(HttpStatus.NOT_MODIFIED).build());
    }
    return HttpResponse.of(headers.contentType(MediaType.JSON_UTF_8).build(), HttpData.ofUtf8("{}"));
  }

  private OtlpHandler.Outcome exportOtlp(OtlpSignal signal, Message request) {
    List<ApmDocument> documents = switch (signal) {
      case TRACES -> otlp.traces((ExportTraceServiceRequest) request);
      case METRICS -> otlp.metrics((ExportMetricsServiceRequest) request);
      case LOGS -> otlp.logs((ExportLogsServiceRequest) request);
    };
    IntakeProcessor.StreamError error = publish(documents, Auth.Granted.ALL);
    if (error == null) {
      return OtlpHandler.Outcome.accepted();
    }
    // over HTTP both refusals are 503; over gRPC a full queue is ResourceExhausted
    return SHUTTING_DOWN.equals(error.message()) ? OtlpHandler.Outcome.unavailable(error.message())
        : OtlpHandler.Outcome.exhausted("queue is full");
  }

  // ---------------------------------------------------------------- builder

  /** Options; only {@link #elasticsearch(URI)} is required. */
  public static final class Builder {
    private URI elasticsearch;
    private String secretToken;
    private final java.util.Map<String, Set<String>> apiKeys = new java.util.HashMap<>();
    private int port;
    private long queueCapacity = 50_000;
    private Duration flushInterval = Duration.ofMillis(200);
    private Duration drainTimeout = Duration.ofSeconds(10);
    private int maxEventSize = IntakeProcessor.DEFAULT_MAX_EVENT_SIZE;
    private long maxRequestBytes = 64L * 1024 * 1024;
    private String version = Versions.of("apm-server");
    private Path logFile;
    private DocumentSink sink;
    private LocalCertificateAuthority.ServerCertificate tls;

    private Builder() {
    }

    /** The Elasticsearch node documents go to, e.g. {@code http://127.0.0.1:9200}. */
    public Builder elasticsearch(URI url) {
      this.elasticsearch = url;
      return this;
    }

    /** Require {@code Authorization: Bearer <token>}. */
    public Builder secretToken(String token) {
      this.secretToken = token;
      return this;
    }

    /** Accept {@code Authorization: ApiKey base64(id:key)} with every APM privilege; may be called more than once. */
    public Builder apiKey(String id, String key) {
      this.apiKeys.put(id + ":" + key, Auth.ALL_PRIVILEGES);
      return this;
    }

    /**
     * Accept an API key with only these privileges ({@code "event:write"}, {@code "config_agent:read"},
     * {@code "sourcemap:write"}): intake without {@code event:write} is answered 403, as APM Server
     * answers a key that authenticates but lacks the privilege.
     */
    public Builder apiKey(String id, String key, String... privileges) {
      this.apiKeys.put(id + ":" + key, Set.of(privileges));
      return this;
    }

    /**
     * Serve TLS with this certificate on the same port as plaintext (see
     * {@link io.traceharness.support.LocalCertificateAuthority}); without it the port speaks plaintext only,
     * as APM Server's default {@code apm-server.ssl.enabled: false}.
     */
    public Builder tls(LocalCertificateAuthority.ServerCertificate certificate) {
      this.tls = certificate;
      return this;
    }

    /** A fixed port; 0 (default) picks a free one. */
    public Builder port(int port) {
      this.port = port;
      return this;
    }

    /** Documents held while Elasticsearch is slow or away; beyond it intake answers 503. */
    public Builder queueCapacity(long documents) {
      this.queueCapacity = documents;
      return this;
    }

    /** How long a partial bulk waits before it is sent (default 200 ms). */
    public Builder flushInterval(Duration interval) {
      this.flushInterval = interval;
      return this;
    }

    /** How long {@link #stop()} waits for accepted events to reach Elasticsearch. */
    public Builder drainTimeout(Duration timeout) {
      this.drainTimeout = timeout;
      return this;
    }

    /** Largest intake v2 line in bytes (APM Server's {@code max_event_size}, default 300 KiB). */
    public Builder maxEventSize(int bytes) {
      this.maxEventSize = bytes;
      return this;
    }

    /** The version {@code GET /} reports and documents carry in {@code observer.version}. */
    public Builder version(String version) {
      this.version = version;
      return this;
    }

    /** Where the server logs; default {@code <work dir>/apm-server/apm-server.log}. */
    public Builder logFile(Path file) {
      this.logFile = file;
      return this;
    }

    Builder sink(DocumentSink sink) {
      this.sink = sink;
      return this;
    }

    public EmbeddedApmServer build() {
      if (sink == null) {
        Objects.requireNonNull(elasticsearch, "elasticsearch(URI) is required");
      }
      return new EmbeddedApmServer(this);
    }
  }
}
