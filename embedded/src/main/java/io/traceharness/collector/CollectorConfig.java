package io.traceharness.collector;

import io.opentelemetry.proto.common.v1.AnyValue;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An OpenTelemetry Collector configuration (the real collector's YAML format), expanded against an
 * environment and validated the way the real collector validates it at startup.
 *
 * <p>Components the embedded collector runs: receivers {@code otlp} and {@code telemetryapi} (logs; in a
 * Lambda layer's collector only); processors {@code batch},
 * {@code memory_limiter} (validated, not enforced), {@code resource}, {@code attributes},
 * {@code transform} (an OTTL subset), {@code decouple}; exporters {@code otlp_grpc} (and its
 * deprecated alias {@code otlp}), {@code otlp_http} (alias {@code otlphttp}), {@code debug},
 * {@code logging}, {@code elasticsearch} (contrib's, traces and logs in the otel and ecs mapping modes).
 * Well-known components it does not
 * run (for instance the {@code awsxray} exporter of ADOT configs) are left out of their pipelines
 * with one warning each; anything else is an error, as in the real collector.
 *
 * <p>An immutable value: {@link CollectorConfigParser} reads the YAML and builds it.
 *
 * <pre>{@code
 * CollectorConfig config = CollectorConfig.load(Path.of("collector.yaml"),
 *     Map.of("APM_SERVER_URL", "http://127.0.0.1:8200", "APM_SERVER_TOKEN", "s3cr3t"));
 * config.pipelineIds();   // [traces, metrics]
 * config.warnings();      // [exporter "awsxray" is not run by the embedded collector ...]
 * config.value("exporters::otlp/elastic::endpoint"); // Optional[http://127.0.0.1:8200]
 * }</pre>
 */
public final class CollectorConfig {

  /** A startup error: the message names the key path, as the real collector's errors do. */
  public static final class InvalidConfigException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public InvalidConfigException(String message) {
      super(message);
    }
  }

  private final Map<String, Object> expanded;
  private final Map<String, ReceiverSpec> receivers;
  private final Map<String, ProcessorSpec> processors;
  private final Map<String, ExporterSpec> exporters;
  private final List<PipelineSpec> pipelines;
  private final List<String> warnings;

  CollectorConfig(Map<String, Object> expanded, Map<String, ReceiverSpec> receivers,
      Map<String, ProcessorSpec> processors, Map<String, ExporterSpec> exporters, List<PipelineSpec> pipelines,
      List<String> warnings) {
    this.expanded = expanded;
    this.receivers = receivers;
    this.processors = processors;
    this.exporters = exporters;
    this.pipelines = pipelines;
    this.warnings = warnings;
  }

  /** Reads a config file; {@code environment} is what {@code ${VAR}} references resolve against. */
  public static CollectorConfig load(Path file, Map<String, String> environment) {
    try {
      return parse(Files.readString(file), environment);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read collector config " + file, e);
    }
  }

  /** Parses YAML text; {@code environment} is what {@code ${VAR}} references resolve against. */
  public static CollectorConfig parse(String yaml, Map<String, String> environment) {
    return CollectorConfigParser.parse(yaml, environment);
  }

  /** Pipeline ids as configured, e.g. {@code [traces, metrics]}. */
  public List<String> pipelineIds() {
    return pipelines.stream().map(PipelineSpec::id).toList();
  }

  /** Warnings found while reading the config (components not run, unset variables, limits not enforced). */
  public List<String> warnings() {
    return warnings;
  }

  /**
   * The expanded value at a key path written the collector's way, {@code ::} between keys, e.g.
   * {@code exporters::otlp/elastic::headers::Authorization}.
   */
  public Optional<Object> value(String keyPath) {
    Object node = expanded;
    for (String key : keyPath.split("::")) {
      if (!(node instanceof Map<?, ?> map) || !map.containsKey(key)) {
        return Optional.empty();
      }
      node = map.get(key);
    }
    return Optional.ofNullable(node);
  }

  /**
   * Whether exporter {@code id} speaks TLS to its endpoint, decided as the real collector decides it
   * ({@code otlp_grpc}: unless {@code tls.insecure}; {@code otlp_http} and {@code elasticsearch}: by the URL's
   * scheme); empty for
   * an exporter that is not run or sends nowhere ({@code debug}).
   */
  public Optional<Boolean> exporterUsesTls(String id) {
    ExporterSpec spec = exporters.get(id);
    if (spec instanceof OtlpGrpcSpec g) {
      return Optional.of(g.tls());
    }
    if (spec instanceof ElasticsearchSpec es) {
      return Optional.of(es.endpoints().get(0).getScheme().equals("https"));
    }
    if (spec instanceof OtlpHttpSpec h) {
      URI any = h.tracesUrl() != null ? h.tracesUrl() : h.metricsUrl() != null ? h.metricsUrl() : h.logsUrl();
      return Optional.ofNullable(any).map(u -> u.getScheme().equals("https"));
    }
    return Optional.empty();
  }

  Map<String, ReceiverSpec> receivers() {
    return receivers;
  }

  Map<String, ProcessorSpec> processors() {
    return processors;
  }

  Map<String, ExporterSpec> exporters() {
    return exporters;
  }

  List<PipelineSpec> pipelines() {
    return pipelines;
  }

  @Override
  public String toString() {
    return "CollectorConfig" + pipelineIds();
  }

  // ---- component specs -------------------------------------------------------------------

  record HostPort(String host, int port) {
    @Override
    public String toString() {
      return host + ":" + port;
    }
  }

  sealed interface ReceiverSpec permits OtlpReceiverSpec, TelemetryApiSpec {
    String id();
  }

  /** {@code grpcTls}, {@code httpTls}: the protocol's {@code tls} section ({@link ReceiverTls}), null for plaintext. */
  record OtlpReceiverSpec(String id, HostPort grpc, HostPort http, int grpcMaxRecvBytes, long httpMaxBodyBytes,
      String tracesPath, String metricsPath, String logsPath, ReceiverTls grpcTls, ReceiverTls httpTls)
      implements ReceiverSpec {
  }

  /**
   * opentelemetry-lambda's {@code telemetryapi} receiver ({@code collector/receiver/telemetryapireceiver/config.go}).
   *
   * @param port   the listener's port, 0 for one the system picks
   * @param types  the Telemetry API streams it subscribes to: {@code platform}, {@code function}, {@code extension}
   */
  record TelemetryApiSpec(String id, int port, List<String> types, boolean logReport, String metricsTemporality,
      int exportIntervalMs) implements ReceiverSpec {
  }

  sealed interface ProcessorSpec permits BatchSpec, AttributesSpec, MemoryLimiterSpec, TransformSpec, DecoupleSpec {
    String id();
  }

  record BatchSpec(String id, Duration timeout, int sendBatchSize, int sendBatchMaxSize) implements ProcessorSpec {
  }

  /** {@code resource} (on resource attributes) or {@code attributes} (on spans and log records). */
  record AttributesSpec(String id, boolean onResource, List<AttributeAction> actions) implements ProcessorSpec {
  }

  /** The memory limiter's settings, validated as {@code internal/memorylimiter/config.go} does. */
  record MemoryLimiterSpec(String id, Duration checkInterval, long limitMib, long spikeLimitMib, long limitPercentage,
      long spikeLimitPercentage) implements ProcessorSpec {
  }

  /** {@code transform}: parsed OTTL statements per signal. */
  record TransformSpec(String id, List<Ottl.Statement> traceStatements, List<Ottl.Statement> metricStatements,
      List<Ottl.Statement> logStatements) implements ProcessorSpec {
  }

  /** opentelemetry-lambda's {@code decouple} processor. */
  record DecoupleSpec(String id, int maxQueueSize) implements ProcessorSpec {
  }

  enum ActionType { INSERT, UPDATE, UPSERT, DELETE }

  record AttributeAction(String key, ActionType action, AnyValue value, String fromAttribute) {
  }

  record RetrySpec(boolean enabled, Duration initialInterval, Duration maxInterval, Duration maxElapsedTime,
      double multiplier, double randomizationFactor) {
    static RetrySpec defaults() {
      return new RetrySpec(true, Duration.ofSeconds(5), Duration.ofSeconds(30), Duration.ofMinutes(5), 1.5, 0.5);
    }
  }

  record QueueSpec(boolean enabled, int numConsumers, int queueSize) {
    static QueueSpec defaults() {
      return new QueueSpec(true, 10, 1000);
    }
  }

  sealed interface ExporterSpec permits OtlpGrpcSpec, OtlpHttpSpec, DebugSpec, ElasticsearchSpec {
    String id();
  }

  /**
   * A client's {@code tls} section as it applies once TLS is on.
   *
   * @param trustPem the roots to verify the server with: {@code tls.ca_file}, else the file
   *                 {@code SSL_CERT_FILE} names in the collector's environment (Go reads the system
   *                 roots from it, {@code crypto/x509/root_unix.go}); null means the JDK's roots
   */
  record TlsSpec(boolean insecureSkipVerify, Path trustPem) {
  }

  /**
   * @param target host:port the gRPC channel dials (scheme stripped as the real exporter does)
   * @param tls    whether the channel uses TLS: the real rule (configgrpc.go
   *               {@code getGrpcDialOptions}, configtls.go {@code LoadTLSConfig}) is TLS unless
   *               {@code tls.insecure: true} without a CA, and always for {@code https://}; an
   *               {@code http://} prefix is only stripped
   */
  record OtlpGrpcSpec(String id, String endpoint, String target, boolean tls, TlsSpec tlsSpec,
      Map<String, String> headers, String compression, Duration timeout, RetrySpec retry, QueueSpec queue)
      implements ExporterSpec {
  }

  /** TLS for the URLs that say {@code https://}, as Go's HTTP client decides by scheme (confighttp). */
  record OtlpHttpSpec(String id, URI tracesUrl, URI metricsUrl, URI logsUrl, TlsSpec tlsSpec,
      Map<String, String> headers, String compression, boolean json, Duration timeout, RetrySpec retry,
      QueueSpec queue) implements ExporterSpec {
  }

  enum Verbosity { BASIC, NORMAL, DETAILED }

  /** The elasticsearch exporter's {@code mapping::mode} values (config.go {@code canonicalMappingModes}). */
  enum MappingMode {
    NONE, ECS, OTEL, RAW, BODYMAP;

    String configName() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /**
   * The elasticsearch exporter's own {@code retry} section (config.go {@code RetrySettings}): request and
   * document level retries of the bulk indexer, not the exporterhelper's {@code retry_on_failure}.
   *
   * @param maxRetries 0 means the exporter's default (bulkindexer.go {@code defaultMaxRetries}, 2)
   */
  record ElasticsearchRetrySpec(boolean enabled, int maxRetries, Duration initialInterval, Duration maxInterval,
      List<Integer> retryOnStatus) {
  }

  /**
   * The contrib {@code elasticsearch} exporter: documents encoded per {@code mapping::mode}, routed to a
   * static index or to data streams, written with {@code _bulk} {@code create} actions.
   *
   * @param tracesIndex          empty for dynamic (data stream) routing, as in the real exporter
   * @param includeSourceOnError null when unset: then, as the real bulk indexer, failed documents are logged
   *                             with their error type only
   * @param warnings             deprecations the real exporter logs at startup
   */
  record ElasticsearchSpec(String id, List<URI> endpoints, String user, String password, String apiKey,
      Map<String, String> headers, TlsSpec tlsSpec, boolean gzip, Duration timeout, MappingMode mappingMode,
      String logsIndex, String tracesIndex, String metricsIndex, String pipeline, boolean logsDynamicId,
      boolean logsDynamicPipeline, Boolean includeSourceOnError, ElasticsearchRetrySpec retry, QueueSpec queue,
      List<String> warnings)
      implements ExporterSpec {
  }

  record DebugSpec(String id, Verbosity verbosity) implements ExporterSpec {
  }

  record PipelineSpec(String id, Signal signal, List<String> receivers, List<String> processors,
      List<String> exporters) {
  }
}
