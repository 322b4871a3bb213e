package io.traceharness.collector;

import io.traceharness.collector.CollectorConfig.DebugSpec;
import io.traceharness.collector.CollectorConfig.ExporterSpec;
import io.traceharness.collector.CollectorConfig.InvalidConfigException;
import io.traceharness.collector.CollectorConfig.OtlpGrpcSpec;
import io.traceharness.collector.CollectorConfig.OtlpHttpSpec;
import io.traceharness.collector.CollectorConfig.QueueSpec;
import io.traceharness.collector.CollectorConfig.RetrySpec;
import io.traceharness.collector.CollectorConfig.TlsSpec;
import io.traceharness.collector.CollectorConfig.Verbosity;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Reads one entry of the {@code exporters} section: {@code debug}/{@code logging}, {@code otlp_grpc}
 * (alias {@code otlp}) and {@code otlp_http} (alias {@code otlphttp}), with the keys, defaults and startup errors of the real exporters'
 * {@code Validate()} and the shared {@code exporterhelper} retry and queue settings.
 */
final class ExporterParser {

  private ExporterParser() {
  }

  /**
   * @param systemCertFile {@code SSL_CERT_FILE} of the collector's environment (null when unset): the
   *                       system roots a Go collector verifies servers with
   */
  static ExporterSpec exporter(String type, String id, ConfigSection s, String systemCertFile) {
    return exporter(type, id, s, systemCertFile, null);
  }

  /**
   * @param elasticsearchUrl {@code ELASTICSEARCH_URL} of the collector's environment (null when unset): the
   *                         {@code elasticsearch} exporter's endpoints when none are configured
   */
  static ExporterSpec exporter(String type, String id, ConfigSection s, String systemCertFile,
      String elasticsearchUrl) {
    return switch (type) {
      case "debug", "logging" -> debug(type, id, s);
      case "elasticsearch" -> ElasticsearchConfigParser.elasticsearch(id, s, systemCertFile, elasticsearchUrl);
      case "otlp", "otlp_grpc" -> otlpGrpc(id, s, systemCertFile);
      default -> otlpHttp(id, s, systemCertFile);
    };
  }

  private static DebugSpec debug(String type, String id, ConfigSection s) {
    String path = "exporters::" + id;
    s.checkKeys("exporters", id, type.equals("debug")
        ? Set.of("verbosity", "sampling_initial", "sampling_thereafter", "use_internal_logger")
        : Set.of("verbosity", "loglevel", "sampling_initial", "sampling_thereafter"));
    Verbosity verbosity = Verbosity.BASIC;
    if (s.has("loglevel") && s.has("verbosity")) {
      throw new InvalidConfigException(path + ": 'loglevel' and 'verbosity' are incompatible. Use only 'verbosity' instead");
    }
    if (s.has("loglevel")) {
      String level = s.string("loglevel", "info").toLowerCase(Locale.ROOT);
      verbosity = switch (level) {
        case "debug" -> Verbosity.DETAILED;
        case "info" -> Verbosity.NORMAL;
        case "warn", "error" -> Verbosity.BASIC;
        default -> throw new InvalidConfigException(path + "::loglevel: unrecognized level: \"" + level + "\"");
      };
    } else if (s.has("verbosity")) {
      String v = s.string("verbosity", "basic").toLowerCase(Locale.ROOT);
      try {
        verbosity = Verbosity.valueOf(v.toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new InvalidConfigException(path + "::verbosity: unrecognized verbosity level \"" + v + "\"");
      }
    }
    return new DebugSpec(id, verbosity);
  }

  private static OtlpGrpcSpec otlpGrpc(String id, ConfigSection s, String systemCertFile) {
    String path = "exporters::" + id;
    s.checkKeys("exporters", id, Set.of("endpoint", "compression", "tls", "keepalive", "read_buffer_size",
        "write_buffer_size", "wait_for_ready", "headers", "balancer_name", "authority", "auth",
        "middlewares", "timeout", "sending_queue", "retry_on_failure", "batcher"));
    String endpoint = s.string("endpoint", "");
    String target = endpoint;
    // configgrpc.go sanitizedEndpoint: http:// and https:// are stripped; neither turns TLS off
    if (endpoint.startsWith("http://")) {
      target = endpoint.substring("http://".length());
    } else if (endpoint.startsWith("https://")) {
      target = endpoint.substring("https://".length());
    } else if (endpoint.startsWith("dns://")) {
      target = endpoint.replaceFirst("^dns://(/)?", "");
    }
    if (target.isEmpty()) {
      throw new InvalidConfigException(path + ": requires a non-empty \"endpoint\"");
    }
    if (target.endsWith("/")) {
      target = target.substring(0, target.length() - 1);
    }
    if (target.lastIndexOf(':') < 0 || target.lastIndexOf(':') < target.lastIndexOf(']')) {
      throw new InvalidConfigException(path + ": address " + target + ": missing port in address");
    }
    String port = target.substring(target.lastIndexOf(':') + 1);
    if (!port.matches("\\d+")) {
      throw new InvalidConfigException(path + ": invalid port \"" + port + "\"");
    }
    ConfigSection tlsSec = s.section("tls");
    // configtls.go LoadTLSConfig: no TLS config only for insecure without a CA; configgrpc.go
    // getGrpcDialOptions: https:// turns TLS on even then
    boolean hasCa = !tlsSec.string("ca_file", "").isEmpty() || !tlsSec.string("ca_pem", "").isEmpty();
    boolean tls = !(tlsSec.bool("insecure", false) && !hasCa) || endpoint.startsWith("https://");
    return new OtlpGrpcSpec(id, endpoint, target, tls, tls(s, systemCertFile), s.stringMap("headers"),
        compression(s, path), s.duration("timeout", Duration.ofSeconds(5)), retry(s), queue(s));
  }

  private static OtlpHttpSpec otlpHttp(String id, ConfigSection s, String systemCertFile) {
    String path = "exporters::" + id;
    s.checkKeys("exporters", id, Set.of("endpoint", "traces_endpoint", "metrics_endpoint", "logs_endpoint",
        "profiles_endpoint", "encoding", "compression", "compression_params", "tls", "headers", "timeout",
        "read_buffer_size", "write_buffer_size", "max_idle_conns", "max_idle_conns_per_host",
        "max_conns_per_host", "idle_conn_timeout", "disable_keep_alives", "http2_read_idle_timeout",
        "http2_ping_timeout", "auth", "cookies", "proxy_url", "sending_queue", "retry_on_failure",
        "middlewares", "force_attempt_http2"));
    String endpoint = s.string("endpoint", "");
    String traces = s.string("traces_endpoint", "");
    String metrics = s.string("metrics_endpoint", "");
    String logs = s.string("logs_endpoint", "");
    if (endpoint.isEmpty() && traces.isEmpty() && metrics.isEmpty() && logs.isEmpty()) {
      throw new InvalidConfigException(path + ": at least one endpoint must be specified");
    }
    String encoding = s.string("encoding", "proto");
    if (!encoding.equals("proto") && !encoding.equals("json")) {
      throw new InvalidConfigException(path + "::encoding: invalid encoding type: " + encoding);
    }
    return new OtlpHttpSpec(id, signalUrl(endpoint, traces, "v1/traces", s, "traces_endpoint"),
        signalUrl(endpoint, metrics, "v1/metrics", s, "metrics_endpoint"),
        signalUrl(endpoint, logs, "v1/logs", s, "logs_endpoint"),
        tls(s, systemCertFile), s.stringMap("headers"), compression(s, path),
        encoding.equals("json"), s.duration("timeout", Duration.ofSeconds(30)), retry(s), queue(s));
  }

  static TlsSpec tls(ConfigSection s, String systemCertFile) {
    ConfigSection t = s.section("tls");
    // configtls.ClientConfig: the common keys and the client's own
    t.checkKeys("exporters", s.path().substring("exporters::".length()), ReceiverTls.union(ReceiverTls.CONFIG_KEYS,
        Set.of("insecure", "insecure_skip_verify", "server_name_override")));
    if (!t.string("ca_pem", "").isEmpty()) {
      throw new InvalidConfigException(t.sub("ca_pem") + ": the embedded collector reads a CA from ca_file only");
    }
    String caFile = t.string("ca_file", "");
    String roots = !caFile.isEmpty() ? caFile : systemCertFile;
    for (String key : List.of("server_name_override", "cert_file", "key_file", "cert_pem", "key_pem")) {
      if (!t.string(key, "").isEmpty()) {
        throw new InvalidConfigException(t.sub(key) + ": the embedded collector does not support it");
      }
    }
    return new TlsSpec(t.bool("insecure_skip_verify", false), roots == null || roots.isEmpty() ? null : Path.of(roots));
  }

  private static URI signalUrl(String endpoint, String explicit, String suffix, ConfigSection s, String key) {
    String url = explicit;
    String keyPath = s.sub(key);
    if (url.isEmpty()) {
      if (endpoint.isEmpty()) {
        return null;
      }
      url = endpoint.endsWith("/") ? endpoint + suffix : endpoint + "/" + suffix;
      keyPath = s.sub("endpoint");
    }
    try {
      URI uri = new URI(url);
      if (uri.getScheme() == null || uri.getHost() == null
          || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))) {
        throw new InvalidConfigException(keyPath + ": invalid URL \"" + url + "\": expected http(s)://host[:port]/path");
      }
      return uri;
    } catch (URISyntaxException e) {
      throw new InvalidConfigException(keyPath + ": parse \"" + url + "\": " + e.getMessage());
    }
  }

  private static String compression(ConfigSection s, String path) {
    String c = s.string("compression", "gzip").toLowerCase(Locale.ROOT);
    return switch (c) {
      case "gzip", "none", "" -> c.isEmpty() ? "none" : c;
      case "zstd", "snappy", "deflate", "zlib", "lz4", "x-snappy-framed" -> throw new InvalidConfigException(
          path + "::compression: \"" + c + "\" is a valid collector compression but the embedded collector "
              + "only sends gzip or none");
      default -> throw new InvalidConfigException(path + "::compression: unsupported compression type \"" + c + "\"");
    };
  }

  private static RetrySpec retry(ConfigSection s) {
    RetrySpec d = RetrySpec.defaults();
    ConfigSection r = s.section("retry_on_failure");
    r.checkKeys("exporters", s.path().substring("exporters::".length()), Set.of("enabled", "initial_interval",
        "max_interval", "max_elapsed_time", "multiplier", "randomization_factor"));
    RetrySpec spec = new RetrySpec(r.bool("enabled", d.enabled()),
        r.duration("initial_interval", d.initialInterval()), r.duration("max_interval", d.maxInterval()),
        r.duration("max_elapsed_time", d.maxElapsedTime()), r.decimal("multiplier", d.multiplier()),
        r.decimal("randomization_factor", d.randomizationFactor()));
    if (spec.enabled()) {
      if (spec.initialInterval().isNegative() || spec.initialInterval().isZero()) {
        throw new InvalidConfigException(r.path() + ": 'initial_interval' must be greater than zero");
      }
      if (spec.maxInterval().isNegative() || spec.maxInterval().isZero()) {
        throw new InvalidConfigException(r.path() + ": 'max_interval' must be greater than zero");
      }
      if (spec.multiplier() <= 0) {
        throw new InvalidConfigException(r.path() + ": 'multiplier' must be greater than zero");
      }
      if (spec.maxElapsedTime().isNegative()) {
        throw new InvalidConfigException(r.path() + ": 'max_elapsed_time' must be non-negative");
      }
      if (spec.randomizationFactor() < 0 || spec.randomizationFactor() > 1) {
        throw new InvalidConfigException(r.path() + ": 'randomization_factor' must be within [0, 1]");
      }
    }
    return spec;
  }

  static QueueSpec queue(ConfigSection s) {
    QueueSpec d = QueueSpec.defaults();
    ConfigSection q = s.section("sending_queue");
    q.checkKeys("exporters", s.path().substring("exporters::".length()), Set.of("enabled", "num_consumers",
        "queue_size", "storage", "blocking", "block_on_overflow", "sizer", "wait_for_result", "batch"));
    QueueSpec spec = new QueueSpec(q.bool("enabled", d.enabled()), (int) q.number("num_consumers", d.numConsumers()),
        (int) q.number("queue_size", d.queueSize()));
    if (spec.enabled()) {
      if (spec.numConsumers() <= 0) {
        throw new InvalidConfigException(q.path() + ": `num_consumers` must be positive");
      }
      if (spec.queueSize() <= 0) {
        throw new InvalidConfigException(q.path() + ": `queue_size` must be positive");
      }
    }
    return spec;
  }
}
