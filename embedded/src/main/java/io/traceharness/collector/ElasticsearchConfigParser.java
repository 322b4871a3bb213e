package io.traceharness.collector;

import io.traceharness.collector.CollectorConfig.ElasticsearchRetrySpec;
import io.traceharness.collector.CollectorConfig.ElasticsearchSpec;
import io.traceharness.collector.CollectorConfig.InvalidConfigException;
import io.traceharness.collector.CollectorConfig.MappingMode;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Reads an {@code elasticsearch} exporter entry with the keys, defaults and startup errors of
 * opentelemetry-collector-contrib {@code exporter/elasticsearchexporter}: {@code config.go} ({@code Config},
 * {@code Validate}, {@code endpoints}, {@code handleDeprecatedConfig}) and {@code factory.go}
 * ({@code createDefaultConfig}). Keys the embedded exporter cannot honour are refused with a clear error
 * rather than ignored.
 */
final class ElasticsearchConfigParser {

  /** config.go {@code Config} and the squashed confighttp {@code ClientConfig}. */
  private static final Set<String> KEYS = Set.of("sending_queue", "endpoints", "cloudid", "num_workers",
      "logs_index", "logs_dynamic_index", "metrics_index", "metrics_dynamic_index", "traces_index",
      "traces_dynamic_index", "logs_dynamic_id", "logs_dynamic_pipeline", "pipeline", "user", "password", "api_key",
      "discover", "retry", "flush", "mapping", "logstash_format", "telemetry", "include_source_on_error", "batcher",
      // confighttp.ClientConfig
      "endpoint", "proxy_url", "tls", "read_buffer_size", "write_buffer_size", "timeout", "headers", "compression",
      "compression_params", "max_idle_conns", "max_idle_conns_per_host", "max_conns_per_host", "idle_conn_timeout",
      "auth", "disable_keep_alives", "http2_read_idle_timeout", "http2_ping_timeout", "cookies", "middlewares",
      "force_attempt_http2");

  /** factory.go {@code createDefaultConfig}: {@code RetryOnStatus: []int{http.StatusTooManyRequests}}. */
  static final List<Integer> DEFAULT_RETRY_ON_STATUS = List.of(429);

  private ElasticsearchConfigParser() {
  }

  static ElasticsearchSpec elasticsearch(String id, ConfigSection s, String systemCertFile, String elasticsearchUrl) {
    String path = "exporters::" + id;
    s.checkKeys("exporters", id, KEYS);
    List<String> warnings = new ArrayList<>();

    List<URI> endpoints = endpoints(path, s, elasticsearchUrl);

    ConfigSection mapping = s.section("mapping");
    mapping.checkKeys("exporters", id, Set.of("mode", "allowed_modes"));
    List<String> allowed = mapping.has("allowed_modes") ? mapping.strings("allowed_modes")
        : List.of("bodymap", "ecs", "none", "otel", "raw");
    List<String> canonicalAllowed = new ArrayList<>();
    for (String name : allowed) {
      String c = canonicalMode(name);
      if (mode(c) == null) {
        throw new InvalidConfigException(path + ": unknown allowed mapping mode name \"" + name + "\"");
      }
      canonicalAllowed.add(c);
    }
    String modeName = mapping.string("mode", "otel");
    MappingMode mode = canonicalAllowed.contains(canonicalMode(modeName)) ? mode(canonicalMode(modeName)) : null;
    if (mode == null) {
      throw new InvalidConfigException(path + ": invalid or disallowed default mapping mode \"" + modeName + "\"");
    }
    if (mode != MappingMode.OTEL && mode != MappingMode.ECS) {
      throw new InvalidConfigException(path + "::mapping::mode: \"" + mode.configName()
          + "\" is a valid mapping mode of the elasticsearch exporter but the embedded collector encodes otel and"
          + " ecs only");
    }

    String compression = s.string("compression", "gzip").toLowerCase(Locale.ROOT);
    if (!compression.equals("none") && !compression.equals("gzip")) {
      throw new InvalidConfigException(path + ": compression must be one of [none, gzip]");
    }

    ConfigSection r = s.section("retry");
    r.checkKeys("exporters", id, Set.of("enabled", "max_requests", "max_retries", "initial_interval", "max_interval",
        "retry_on_status"));
    long maxRequests = r.number("max_requests", 0);
    long maxRetries = r.number("max_retries", 0);
    if (maxRequests != 0 && maxRetries != 0) {
      throw new InvalidConfigException(path + ": must not specify both retry::max_requests and retry::max_retries");
    }
    if (maxRequests < 0) {
      throw new InvalidConfigException(path + ": retry::max_requests should be non-negative");
    }
    if (maxRetries < 0) {
      throw new InvalidConfigException(path + ": retry::max_retries should be non-negative");
    }
    if (maxRequests != 0) {
      maxRetries = maxRequests - 1;
      warnings.add("retry::max_requests has been deprecated, and will be removed in a future version. Use"
          + " retry::max_retries instead.");
    }
    List<Integer> retryOn = DEFAULT_RETRY_ON_STATUS;
    if (r.has("retry_on_status")) {
      retryOn = new ArrayList<>();
      for (String code : r.strings("retry_on_status")) {
        try {
          retryOn.add(Integer.parseInt(code.trim()));
        } catch (NumberFormatException e) {
          throw new InvalidConfigException(r.sub("retry_on_status") + ": cannot parse \"" + code + "\" as int");
        }
      }
      retryOn = List.copyOf(retryOn);
    }
    ElasticsearchRetrySpec retry = new ElasticsearchRetrySpec(r.bool("enabled", true), (int) maxRetries,
        r.duration("initial_interval", Duration.ofMillis(100)), r.duration("max_interval", Duration.ofMinutes(1)),
        retryOn);

    String logsIndex = s.string("logs_index", "");
    String tracesIndex = s.string("traces_index", "");
    String metricsIndex = s.string("metrics_index", "");
    dynamicIndex(path, id, s, "logs", logsIndex, warnings);
    dynamicIndex(path, id, s, "metrics", metricsIndex, warnings);
    dynamicIndex(path, id, s, "traces", tracesIndex, warnings);

    ConfigSection logstash = s.section("logstash_format");
    logstash.checkKeys("exporters", id, Set.of("enabled", "prefix_separator", "date_format"));
    if (logstash.bool("enabled", false)) {
      throw new InvalidConfigException(logstash.sub("enabled") + ": the embedded collector's elasticsearch exporter"
          + " does not write Logstash-format indices");
    }
    ConfigSection discover = s.section("discover");
    discover.checkKeys("exporters", id, Set.of("on_start", "interval"));
    ConfigSection flush = s.section("flush");
    flush.checkKeys("exporters", id, Set.of("bytes", "interval"));
    flush.number("bytes", 5_000_000);
    flush.duration("interval", Duration.ofSeconds(10));
    ConfigSection batcher = s.section("batcher");
    batcher.checkKeys("exporters", id, Set.of("enabled", "flush_timeout", "sizer", "min_size", "max_size"));
    batcher.bool("enabled", false);
    batcher.duration("flush_timeout", Duration.ofSeconds(10));
    ConfigSection telemetry = s.section("telemetry");
    telemetry.checkKeys("exporters", id, Set.of("log_request_body", "log_response_body", "log_failed_docs_input",
        "log_failed_docs_input_rate_limit"));
    for (String key : List.of("log_request_body", "log_response_body", "log_failed_docs_input")) {
      if (telemetry.bool(key, false)) {
        warnings.add("telemetry::" + key + " is enabled, and may expose sensitive data; It should only be used for"
            + " testing or debugging.");
      }
    }
    boolean dynamicId = enabled(s, id, "logs_dynamic_id");
    boolean dynamicPipeline = enabled(s, id, "logs_dynamic_pipeline");

    if (s.has("auth") && !s.section("auth").isEmpty()) {
      throw new InvalidConfigException(s.sub("auth") + ": the embedded collector runs no authenticator extensions;"
          + " use user and password, or api_key");
    }
    if (s.has("proxy_url") && !s.string("proxy_url", "").isEmpty()) {
      throw new InvalidConfigException(s.sub("proxy_url") + ": the embedded collector does not send through a proxy");
    }

    return new ElasticsearchSpec(id, endpoints, s.string("user", ""), s.string("password", ""),
        s.string("api_key", ""), s.stringMap("headers"), ExporterParser.tls(s, systemCertFile),
        compression.equals("gzip"), s.duration("timeout", Duration.ofSeconds(90)), mode, logsIndex, tracesIndex,
        metricsIndex, s.string("pipeline", ""), dynamicId, dynamicPipeline,
        s.has("include_source_on_error") ? s.bool("include_source_on_error", false) : null, retry,
        queue(s, warnings),
        List.copyOf(warnings));
  }

  /**
   * config.go {@code endpoints}: exactly one of {@code endpoint}, {@code endpoints}, {@code cloudid}; when none
   * is set, the comma-separated {@code ELASTICSEARCH_URL}. Each must be an http(s) URL.
   */
  private static List<URI> endpoints(String path, ConfigSection s, String elasticsearchUrl) {
    List<String> raw = null;
    int configs = 0;
    String endpoint = s.string("endpoint", "");
    if (!endpoint.isEmpty()) {
      configs++;
      raw = List.of(endpoint);
    }
    List<String> list = s.strings("endpoints");
    if (!list.isEmpty()) {
      configs++;
      raw = list;
    }
    String cloudId = s.string("cloudid", "");
    if (!cloudId.isEmpty()) {
      configs++;
      raw = List.of(cloudIdUrl(path, cloudId));
    }
    if (configs == 0 && elasticsearchUrl != null && !elasticsearchUrl.isEmpty()) {
      configs++;
      raw = new ArrayList<>();
      for (String part : elasticsearchUrl.split(",", -1)) {
        raw.add(part.trim());
      }
    }
    if (configs != 1) {
      throw new InvalidConfigException(path + ": exactly one of [endpoint, endpoints, cloudid] must be specified");
    }
    List<URI> out = new ArrayList<>();
    for (String e : raw) {
      if (e.isEmpty()) {
        throw new InvalidConfigException(path + ": invalid endpoint \"\": endpoint must not be empty");
      }
      URI u;
      try {
        u = new URI(e);
      } catch (URISyntaxException ex) {
        throw new InvalidConfigException(path + ": invalid endpoint \"" + e + "\": parse \"" + e + "\": "
            + ex.getMessage());
      }
      String scheme = u.getScheme() == null ? "" : u.getScheme();
      if (!scheme.equals("http") && !scheme.equals("https")) {
        throw new InvalidConfigException(path + ": invalid endpoint \"" + e + "\": invalid scheme \"" + scheme
            + "\", expected \"http\" or \"https\"");
      }
      out.add(u);
    }
    return List.copyOf(out);
  }

  /** config.go {@code parseCloudID}: {@code name:base64(host$es-uuid$kibana-uuid)} → {@code https://es-uuid.host}. */
  private static String cloudIdUrl(String path, String cloudId) {
    int colon = cloudId.indexOf(':');
    if (colon < 0) {
      throw new InvalidConfigException(path + ": invalid CloudID \"" + cloudId + "\"");
    }
    String decoded;
    try {
      decoded = new String(Base64.getDecoder().decode(cloudId.substring(colon + 1)), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw new InvalidConfigException(path + ": illegal base64 data in CloudID \"" + cloudId + "\"");
    }
    int dollar = decoded.indexOf('$');
    if (dollar < 0) {
      throw new InvalidConfigException(path + ": invalid decoded CloudID \"" + decoded + "\"");
    }
    String host = decoded.substring(0, dollar);
    String rest = decoded.substring(dollar + 1);
    return "https://" + rest + "." + host;
  }

  /** config.go {@code Validate} and {@code handleDeprecatedConfig} on {@code <signal>_dynamic_index}. */
  private static void dynamicIndex(String path, String id, ConfigSection s, String signal, String index,
      List<String> warnings) {
    boolean enabled = enabled(s, id, signal + "_dynamic_index");
    if (!index.isEmpty() && enabled) {
      throw new InvalidConfigException(path + ": must not specify both " + signal + "_index and " + signal
          + "_dynamic_index; " + signal + "_index should be empty unless all documents should be sent to the same"
          + " index");
    }
    if (enabled) {
      warnings.add(signal + "_dynamic_index::enabled has been deprecated, and will be removed in a future version."
          + " It is now a no-op. Dynamic document routing is now the default. See Elasticsearch Exporter README.");
    }
  }

  private static boolean enabled(ConfigSection s, String id, String key) {
    ConfigSection sec = s.section(key);
    sec.checkKeys("exporters", id, Set.of("enabled"));
    return sec.bool("enabled", false);
  }

  /** The most requests the embedded queue holds when the configured queue counts items or bytes. */
  static final int MAX_QUEUED_REQUESTS = 1000;

  /**
   * factory.go: the sending queue is off unless configured. The embedded queue counts requests; a queue
   * sized in items or bytes ({@code sizer}) holds at most {@link #MAX_QUEUED_REQUESTS} requests, with a warning.
   */
  private static CollectorConfig.QueueSpec queue(ConfigSection s, List<String> warnings) {
    CollectorConfig.QueueSpec q = ExporterParser.queue(s);
    ConfigSection sec = s.section("sending_queue");
    boolean enabled = sec.bool("enabled", false);
    String sizer = sec.string("sizer", "requests");
    int size = q.queueSize();
    if (!sizer.equals("requests") && size > MAX_QUEUED_REQUESTS) {
      size = MAX_QUEUED_REQUESTS;
      if (enabled) {
        warnings.add(s.path() + "::sending_queue: queue_size " + q.queueSize() + " counts " + sizer
            + "; the embedded collector's queue counts requests and holds at most " + MAX_QUEUED_REQUESTS);
      }
    }
    return new CollectorConfig.QueueSpec(enabled, q.numConsumers(), size);
  }

  static String canonicalMode(String name) {
    String lower = name.toLowerCase(Locale.ROOT);
    return lower.isEmpty() || lower.equals("no") ? "none" : lower;
  }

  private static MappingMode mode(String canonical) {
    for (MappingMode m : MappingMode.values()) {
      if (m.configName().equals(canonical)) {
        return m;
      }
    }
    return null;
  }
}
