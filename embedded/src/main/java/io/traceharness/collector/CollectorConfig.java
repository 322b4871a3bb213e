package io.traceharness.collector;

import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.ArrayValue;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * An OpenTelemetry Collector configuration (the real collector's YAML format), expanded against an
 * environment and validated the way the real collector validates it at startup.
 *
 * <p>Components the embedded collector runs: receiver {@code otlp}; processors {@code batch},
 * {@code memory_limiter} (accepted, not enforced), {@code resource}, {@code attributes}; exporters
 * {@code otlp}, {@code otlphttp}, {@code debug}, {@code logging}. Well-known components it does not
 * run (for instance the {@code awsxray} exporter of ADOT configs) are left out of their pipelines
 * with one warning each; anything else is an error, as in the real collector.
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

  private static final Pattern TYPE = Pattern.compile("^[a-zA-Z][0-9a-zA-Z_]{0,62}$");
  private static final Pattern DURATION_PART = Pattern.compile("(\\d+(?:\\.\\d*)?|\\.\\d+)(ns|us|µs|ms|s|m|h)");

  /** Contrib / ADOT components that configs name but this collector does not run: warned, skipped. */
  private static final Set<String> KNOWN_RECEIVERS = Set.of("awsxray", "prometheus", "jaeger", "zipkin",
      "hostmetrics", "filelog", "statsd", "kafka", "awsecscontainermetrics", "telemetryapi", "opencensus",
      "fluentforward", "k8s_cluster", "kubeletstats", "otlpjsonfile");
  private static final Set<String> KNOWN_PROCESSORS = Set.of("resourcedetection", "decouple", "filter",
      "transform", "tail_sampling", "probabilistic_sampler", "span", "k8sattributes", "groupbytrace",
      "cumulativetodelta", "deltatocumulative", "metricstransform", "redaction", "groupbyattrs");
  private static final Set<String> KNOWN_EXPORTERS = Set.of("awsxray", "awsemf", "awscloudwatchlogs",
      "prometheus", "prometheusremotewrite", "loadbalancing", "kafka", "file", "zipkin", "jaeger",
      "elasticsearch", "datadog", "sapm", "signalfx", "splunk_hec", "awss3", "awskinesis", "nop");

  private static final Set<String> RECEIVERS = Set.of("otlp");
  private static final Set<String> PROCESSORS = Set.of("batch", "memory_limiter", "resource", "attributes");
  private static final Set<String> EXPORTERS = Set.of("otlp", "otlphttp", "debug", "logging");

  private final Map<String, Object> expanded;
  private final Map<String, ReceiverSpec> receivers;
  private final Map<String, ProcessorSpec> processors;
  private final Map<String, ExporterSpec> exporters;
  private final List<PipelineSpec> pipelines;
  private final List<String> warnings;

  private CollectorConfig(Map<String, Object> expanded, Map<String, ReceiverSpec> receivers,
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
    Object root;
    try {
      root = new Yaml(new SafeConstructor(new LoaderOptions())).load(yaml);
    } catch (YAMLException e) {
      throw new InvalidConfigException("cannot unmarshal the configuration: " + e.getMessage());
    }
    if (root == null) {
      throw new InvalidConfigException("empty configuration file");
    }
    if (!(root instanceof Map<?, ?>)) {
      throw new InvalidConfigException("cannot unmarshal the configuration: top level must be a map, got "
          + typeName(root));
    }
    ConfigExpander expander = new ConfigExpander(environment);
    @SuppressWarnings("unchecked")
    Map<String, Object> tree = (Map<String, Object>) expander.expandTree(root, "");
    return new Builder(tree, expander).build();
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

  record ReceiverSpec(String id, HostPort grpc, HostPort http, int grpcMaxRecvBytes, long httpMaxBodyBytes,
      String tracesPath, String metricsPath, String logsPath) {
  }

  sealed interface ProcessorSpec permits BatchSpec, AttributesSpec, MemoryLimiterSpec {
    String id();
  }

  record BatchSpec(String id, Duration timeout, int sendBatchSize, int sendBatchMaxSize) implements ProcessorSpec {
  }

  /** {@code resource} (on resource attributes) or {@code attributes} (on spans and log records). */
  record AttributesSpec(String id, boolean onResource, List<AttributeAction> actions) implements ProcessorSpec {
  }

  record MemoryLimiterSpec(String id) implements ProcessorSpec {
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

  sealed interface ExporterSpec permits OtlpGrpcSpec, OtlpHttpSpec, DebugSpec {
    String id();
  }

  /**
   * @param target host:port the gRPC channel dials (scheme stripped as the real exporter does)
   * @param tls    whether the channel uses TLS ({@code https://}, or no {@code http://} and no
   *               {@code tls.insecure})
   */
  record OtlpGrpcSpec(String id, String endpoint, String target, boolean tls, boolean tlsSkipVerify,
      Map<String, String> headers, String compression, Duration timeout, RetrySpec retry, QueueSpec queue)
      implements ExporterSpec {
  }

  record OtlpHttpSpec(String id, URI tracesUrl, URI metricsUrl, URI logsUrl, boolean tlsSkipVerify,
      Map<String, String> headers, String compression, boolean json, Duration timeout, RetrySpec retry,
      QueueSpec queue) implements ExporterSpec {
  }

  enum Verbosity { BASIC, NORMAL, DETAILED }

  record DebugSpec(String id, Verbosity verbosity) implements ExporterSpec {
  }

  record PipelineSpec(String id, Signal signal, List<String> receivers, List<String> processors,
      List<String> exporters) {
  }

  // ---- reading -----------------------------------------------------------------------

  /** A map in the config together with its key path, for typed reads with errors that name the key. */
  private record Section(String path, Map<String, Object> map) {

    static Section of(String path, Object node) {
      if (node == null) {
        return new Section(path, Map.of());
      }
      if (!(node instanceof Map<?, ?> m)) {
        throw new InvalidConfigException(path + ": expected a map, got " + typeName(node));
      }
      Map<String, Object> copy = new LinkedHashMap<>();
      m.forEach((k, v) -> copy.put(String.valueOf(k), v));
      return new Section(path, copy);
    }

    boolean has(String key) {
      return map.containsKey(key);
    }

    String sub(String key) {
      return path + "::" + key;
    }

    Section section(String key) {
      return of(sub(key), map.get(key));
    }

    String string(String key, String dflt) {
      Object v = map.get(key);
      if (v == null) {
        return dflt;
      }
      if (v instanceof Map<?, ?> || v instanceof List<?>) {
        throw new InvalidConfigException(sub(key) + ": expected a string, got " + typeName(v));
      }
      return String.valueOf(v);
    }

    boolean bool(String key, boolean dflt) {
      Object v = map.get(key);
      if (v == null) {
        return dflt;
      }
      if (v instanceof Boolean b) {
        return b;
      }
      String s = String.valueOf(v).trim().toLowerCase(Locale.ROOT);
      if (s.equals("true") || s.equals("false")) {
        return Boolean.parseBoolean(s);
      }
      throw new InvalidConfigException(sub(key) + ": cannot parse \"" + v + "\" as bool");
    }

    long number(String key, long dflt) {
      Object v = map.get(key);
      if (v == null) {
        return dflt;
      }
      if (v instanceof Number n) {
        return n.longValue();
      }
      try {
        return Long.parseLong(String.valueOf(v).trim());
      } catch (NumberFormatException e) {
        throw new InvalidConfigException(sub(key) + ": cannot parse \"" + v + "\" as a number");
      }
    }

    Duration duration(String key, Duration dflt) {
      Object v = map.get(key);
      if (v == null) {
        return dflt;
      }
      return parseDuration(String.valueOf(v), sub(key));
    }

    List<String> strings(String key) {
      Object v = map.get(key);
      if (v == null) {
        return List.of();
      }
      if (!(v instanceof List<?> l)) {
        throw new InvalidConfigException(sub(key) + ": expected a list, got " + typeName(v));
      }
      return l.stream().map(String::valueOf).toList();
    }

    Map<String, String> stringMap(String key) {
      Section s = section(key);
      Map<String, String> out = new LinkedHashMap<>();
      s.map.forEach((k, v) -> out.put(k, v == null ? "" : String.valueOf(v)));
      return out;
    }

    /** The real collector's decoder rejects keys the component does not define. */
    void checkKeys(String kind, String id, Set<String> allowed) {
      Set<String> invalid = new TreeSet<>(map.keySet());
      invalid.removeAll(allowed);
      if (!invalid.isEmpty()) {
        String where = path.substring(path.indexOf(id) + id.length());
        where = where.startsWith("::") ? where.substring(2).replace("::", ".") : where;
        throw new InvalidConfigException("'" + kind + "' error reading configuration for \"" + id
            + "\": decoding failed: '" + where + "' has invalid keys: " + String.join(", ", invalid));
      }
    }
  }

  static Duration parseDuration(String text, String keyPath) {
    String s = text.trim();
    if (s.equals("0")) {
      return Duration.ZERO;
    }
    Matcher m = DURATION_PART.matcher(s);
    int pos = 0;
    double nanos = 0;
    while (m.find() && m.start() == pos) {
      double n = Double.parseDouble(m.group(1));
      nanos += n * switch (m.group(2)) {
        case "ns" -> 1;
        case "us", "µs" -> 1e3;
        case "ms" -> 1e6;
        case "s" -> 1e9;
        case "m" -> 60e9;
        default -> 3600e9;
      };
      pos = m.end();
    }
    if (pos == 0 || pos != s.length()) {
      throw new InvalidConfigException(keyPath + ": time: invalid duration \"" + text + "\"");
    }
    return Duration.ofNanos((long) nanos);
  }

  private static String typeName(Object v) {
    if (v instanceof Map<?, ?>) {
      return "map";
    }
    if (v instanceof List<?>) {
      return "list";
    }
    return v.getClass().getSimpleName().toLowerCase(Locale.ROOT);
  }

  private static final class Builder {
    private final Map<String, Object> tree;
    private final ConfigExpander expander;
    private final List<String> warnings = new ArrayList<>();
    private final Set<String> skippedReceivers = new LinkedHashSet<>();
    private final Set<String> skippedProcessors = new LinkedHashSet<>();
    private final Set<String> skippedExporters = new LinkedHashSet<>();

    Builder(Map<String, Object> tree, ConfigExpander expander) {
      this.tree = tree;
      this.expander = expander;
    }

    CollectorConfig build() {
      Set<String> top = new TreeSet<>(tree.keySet());
      top.removeAll(Set.of("receivers", "processors", "exporters", "extensions", "connectors", "service"));
      if (!top.isEmpty()) {
        throw new InvalidConfigException("'' has invalid keys: " + String.join(", ", top));
      }
      Section receiversSec = Section.of("receivers", tree.get("receivers"));
      Section processorsSec = Section.of("processors", tree.get("processors"));
      Section exportersSec = Section.of("exporters", tree.get("exporters"));
      Section extensionsSec = Section.of("extensions", tree.get("extensions"));
      Section connectorsSec = Section.of("connectors", tree.get("connectors"));
      Section service = Section.of("service", tree.get("service"));
      if (receiversSec.map.isEmpty() && exportersSec.map.isEmpty() && processorsSec.map.isEmpty()
          && extensionsSec.map.isEmpty() && connectorsSec.map.isEmpty()) {
        throw new InvalidConfigException("empty configuration file");
      }
      if (!connectorsSec.map.isEmpty()) {
        throw new InvalidConfigException("connectors: the embedded collector runs no connectors, got "
            + String.join(", ", connectorsSec.map.keySet()));
      }

      Map<String, ReceiverSpec> receivers = new LinkedHashMap<>();
      for (String id : receiversSec.map.keySet()) {
        String type = typeOf("receivers", id, RECEIVERS, KNOWN_RECEIVERS, skippedReceivers);
        if (type != null) {
          receivers.put(id, receiver(id, receiversSec.section(id)));
        }
      }
      Map<String, ProcessorSpec> processors = new LinkedHashMap<>();
      for (String id : processorsSec.map.keySet()) {
        String type = typeOf("processors", id, PROCESSORS, KNOWN_PROCESSORS, skippedProcessors);
        if (type != null) {
          processors.put(id, processor(type, id, processorsSec.section(id)));
        }
      }
      Map<String, ExporterSpec> exporters = new LinkedHashMap<>();
      for (String id : exportersSec.map.keySet()) {
        String type = typeOf("exporters", id, EXPORTERS, KNOWN_EXPORTERS, skippedExporters);
        if (type != null) {
          exporters.put(id, exporter(type, id, exportersSec.section(id)));
        }
      }
      for (String id : extensionsSec.map.keySet()) {
        parseId("extensions", id);
      }

      service.checkKeys("service", "service", Set.of("extensions", "pipelines", "telemetry"));
      for (String ext : service.strings("extensions")) {
        if (!extensionsSec.has(ext)) {
          throw new InvalidConfigException("service::extensions: references extension \"" + ext
              + "\" which is not configured");
        }
      }
      Section pipelinesSec = service.section("pipelines");
      if (pipelinesSec.map.isEmpty()) {
        throw new InvalidConfigException("service::pipelines: must have at least one pipeline");
      }
      List<PipelineSpec> pipelines = new ArrayList<>();
      Map<String, Set<String>> notRunExporters = new LinkedHashMap<>();
      Map<String, Set<String>> notRunProcessors = new LinkedHashMap<>();
      Map<String, Set<String>> notRunReceivers = new LinkedHashMap<>();
      for (String pid : pipelinesSec.map.keySet()) {
        String path = "service::pipelines::" + pid;
        String typeName = pid.contains("/") ? pid.substring(0, pid.indexOf('/')) : pid;
        Signal signal = Signal.byName(typeName).orElseThrow(() -> new InvalidConfigException(
            "service::pipelines: unknown signal \"" + typeName + "\" in pipeline \"" + pid
                + "\" (valid: traces, metrics, logs)"));
        Section p = pipelinesSec.section(pid);
        p.checkKeys("service", pid, Set.of("receivers", "processors", "exporters"));
        List<String> recv = p.strings("receivers");
        List<String> proc = p.strings("processors");
        List<String> exp = p.strings("exporters");
        if (recv.isEmpty()) {
          throw new InvalidConfigException(path + ": must have at least one receiver");
        }
        if (exp.isEmpty()) {
          throw new InvalidConfigException(path + ": must have at least one exporter");
        }
        List<String> runRecv = new ArrayList<>();
        for (String r : recv) {
          if (receivers.containsKey(r)) {
            runRecv.add(r);
          } else if (skippedReceivers.contains(r)) {
            notRunReceivers.computeIfAbsent(r, k -> new LinkedHashSet<>()).add(pid);
          } else {
            throw new InvalidConfigException(path + ": references receiver \"" + r + "\" which is not configured");
          }
        }
        List<String> runProc = new ArrayList<>();
        Set<String> seen = new LinkedHashSet<>();
        for (String r : proc) {
          if (!seen.add(r)) {
            throw new InvalidConfigException(path + ": references processor \"" + r + "\" multiple times");
          }
          if (processors.containsKey(r)) {
            runProc.add(r);
          } else if (skippedProcessors.contains(r)) {
            notRunProcessors.computeIfAbsent(r, k -> new LinkedHashSet<>()).add(pid);
          } else {
            throw new InvalidConfigException(path + ": references processor \"" + r + "\" which is not configured");
          }
        }
        List<String> runExp = new ArrayList<>();
        for (String r : exp) {
          if (exporters.containsKey(r)) {
            runExp.add(r);
          } else if (skippedExporters.contains(r)) {
            notRunExporters.computeIfAbsent(r, k -> new LinkedHashSet<>()).add(pid);
          } else {
            throw new InvalidConfigException(path + ": references exporter \"" + r + "\" which is not configured");
          }
        }
        pipelines.add(new PipelineSpec(pid, signal, List.copyOf(runRecv), List.copyOf(runProc), List.copyOf(runExp)));
      }
      warnNotRun("receiver", notRunReceivers);
      warnNotRun("processor", notRunProcessors);
      warnNotRun("exporter", notRunExporters);
      for (String name : expander.unsetVariables()) {
        warnings.add("configuration references unset environment variable \"" + name + "\"");
      }
      for (ProcessorSpec spec : processors.values()) {
        if (spec instanceof MemoryLimiterSpec && pipelines.stream().anyMatch(p -> p.processors().contains(spec.id()))) {
          warnings.add("processor \"" + spec.id() + "\" is accepted but not enforced: the embedded collector "
              + "never refuses data for memory reasons");
        }
      }
      return new CollectorConfig(Collections.unmodifiableMap(tree), Map.copyOf(receivers), Map.copyOf(processors),
          Map.copyOf(exporters), List.copyOf(pipelines), List.copyOf(warnings));
    }

    private void warnNotRun(String kind, Map<String, Set<String>> notRun) {
      notRun.forEach((id, where) -> warnings.add(kind + " \"" + id + "\" is not run by the embedded collector;"
          + " it is left out of pipeline" + (where.size() > 1 ? "s " : " ") + String.join(", ", where)
          + " and the rest of " + (where.size() > 1 ? "each" : "the") + " pipeline runs"));
    }

    private String parseId(String kind, String id) {
      String type = id.contains("/") ? id.substring(0, id.indexOf('/')) : id;
      if (!TYPE.matcher(type).matches()) {
        throw new InvalidConfigException(kind + "::" + id + ": invalid type \"" + type
            + "\": must start with a letter and hold only letters, digits and '_'");
      }
      if (id.contains("/") && id.substring(id.indexOf('/') + 1).isEmpty()) {
        throw new InvalidConfigException(kind + "::" + id + ": name part must be non-empty");
      }
      return type;
    }

    private String typeOf(String kind, String id, Set<String> run, Set<String> known, Set<String> skipped) {
      String type = parseId(kind, id);
      if (run.contains(type)) {
        return type;
      }
      if (known.contains(type)) {
        skipped.add(id);
        return null;
      }
      Set<String> valid = new TreeSet<>(run);
      valid.addAll(known);
      throw new InvalidConfigException("'" + kind + "' unknown type: \"" + type + "\" for id: \"" + id
          + "\" (valid values: " + valid + ")");
    }

    private ReceiverSpec receiver(String id, Section s) {
      s.checkKeys("receivers", id, Set.of("protocols"));
      Section protocols = s.section("protocols");
      protocols.checkKeys("receivers", id, Set.of("grpc", "http"));
      if (!protocols.has("grpc") && !protocols.has("http")) {
        throw new InvalidConfigException("receivers::" + id
            + ": must specify at least one protocol when using the OTLP receiver");
      }
      HostPort grpc = null;
      int maxRecv = 4 * 1024 * 1024;
      if (protocols.has("grpc")) {
        Section g = protocols.section("grpc");
        g.checkKeys("receivers", id, Set.of("endpoint", "transport", "tls", "max_recv_msg_size_mib",
            "max_concurrent_streams", "read_buffer_size", "write_buffer_size", "keepalive", "auth",
            "include_metadata", "middlewares"));
        grpc = hostPort(g.string("endpoint", "0.0.0.0:4317"), g.sub("endpoint"));
        maxRecv = (int) Math.min(Integer.MAX_VALUE, g.number("max_recv_msg_size_mib", 4) * 1024 * 1024);
      }
      HostPort http = null;
      long maxBody = 20L * 1024 * 1024;
      String traces = "/v1/traces";
      String metrics = "/v1/metrics";
      String logs = "/v1/logs";
      if (protocols.has("http")) {
        Section h = protocols.section("http");
        h.checkKeys("receivers", id, Set.of("endpoint", "tls", "cors", "auth", "max_request_body_size",
            "include_metadata", "response_headers", "traces_url_path", "metrics_url_path", "logs_url_path",
            "compression_algorithms", "read_timeout", "read_header_timeout", "write_timeout", "idle_timeout",
            "middlewares", "keepalives_enabled"));
        http = hostPort(h.string("endpoint", "0.0.0.0:4318"), h.sub("endpoint"));
        maxBody = h.number("max_request_body_size", maxBody);
        traces = urlPath(h, "traces_url_path", traces);
        metrics = urlPath(h, "metrics_url_path", metrics);
        logs = urlPath(h, "logs_url_path", logs);
      }
      return new ReceiverSpec(id, grpc, http, maxRecv, maxBody, traces, metrics, logs);
    }

    private static String urlPath(Section h, String key, String dflt) {
      String p = h.string(key, dflt);
      return p.startsWith("/") ? p : "/" + p;
    }

    private static HostPort hostPort(String endpoint, String keyPath) {
      int colon = endpoint.lastIndexOf(':');
      if (colon < 0) {
        throw new InvalidConfigException(keyPath + ": address " + endpoint + ": missing port in address");
      }
      String host = endpoint.substring(0, colon);
      if (host.startsWith("[") && host.endsWith("]")) {
        host = host.substring(1, host.length() - 1);
      }
      try {
        int port = Integer.parseInt(endpoint.substring(colon + 1));
        if (port < 0 || port > 65535) {
          throw new NumberFormatException();
        }
        return new HostPort(host, port);
      } catch (NumberFormatException e) {
        throw new InvalidConfigException(keyPath + ": invalid port \"" + endpoint.substring(colon + 1) + "\"");
      }
    }

    private ProcessorSpec processor(String type, String id, Section s) {
      switch (type) {
        case "batch" -> {
          s.checkKeys("processors", id, Set.of("timeout", "send_batch_size", "send_batch_max_size",
              "metadata_keys", "metadata_cardinality_limit"));
          BatchSpec b = new BatchSpec(id, s.duration("timeout", Duration.ofMillis(200)),
              (int) s.number("send_batch_size", 8192), (int) s.number("send_batch_max_size", 0));
          if (b.sendBatchMaxSize() > 0 && b.sendBatchMaxSize() < b.sendBatchSize()) {
            throw new InvalidConfigException("processors::" + id
                + ": send_batch_max_size must be greater or equal to send_batch_size");
          }
          if (b.timeout().isZero() && b.sendBatchSize() == 0) {
            throw new InvalidConfigException("processors::" + id + ": timeout and send_batch_size cannot both be 0");
          }
          return b;
        }
        case "memory_limiter" -> {
          s.checkKeys("processors", id, Set.of("check_interval", "limit_mib", "spike_limit_mib",
              "limit_percentage", "spike_limit_percentage", "ballast_size_mib"));
          if (s.duration("check_interval", Duration.ZERO).isZero()) {
            throw new InvalidConfigException("processors::" + id + ": checkInterval must be greater than zero");
          }
          if (s.number("limit_mib", 0) == 0 && s.number("limit_percentage", 0) == 0) {
            throw new InvalidConfigException("processors::" + id + ": memAllocLimit or memoryLimitPercentage must be greater than zero");
          }
          return new MemoryLimiterSpec(id);
        }
        default -> {
          boolean resource = type.equals("resource");
          s.checkKeys("processors", id, resource ? Set.of("attributes")
              : Set.of("actions", "include", "exclude", "match_type"));
          String listKey = resource ? "attributes" : "actions";
          return new AttributesSpec(id, resource, actions(type, id, s, listKey));
        }
      }
    }

    private List<AttributeAction> actions(String type, String id, Section s, String listKey) {
      Object list = s.map.get(listKey);
      if (list == null || (list instanceof List<?> l && l.isEmpty())) {
        throw new InvalidConfigException("processors::" + id + ": missing required field \"" + listKey + "\"");
      }
      if (!(list instanceof List<?> items)) {
        throw new InvalidConfigException(s.sub(listKey) + ": expected a list, got " + typeName(list));
      }
      List<AttributeAction> out = new ArrayList<>();
      for (int i = 0; i < items.size(); i++) {
        Section a = Section.of(s.sub(listKey) + "::" + i, items.get(i));
        a.checkKeys("processors", id, Set.of("key", "action", "value", "from_attribute", "from_context",
            "pattern", "converted_type"));
        String key = a.string("key", "");
        if (key.isEmpty()) {
          throw new InvalidConfigException("processors::" + id + ": error creating \"" + type
              + "\" processor due to missing required field \"key\" at the " + i + "-th actions of processor \"" + id + "\"");
        }
        String actionName = a.string("action", "");
        ActionType action;
        try {
          action = ActionType.valueOf(actionName.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
          throw new InvalidConfigException("processors::" + id + ": error creating \"" + type
              + "\" processor due to unsupported action \"" + actionName + "\" at the " + i
              + "-th actions of processor \"" + id + "\"");
        }
        AnyValue value = null;
        String from = null;
        if (action != ActionType.DELETE) {
          boolean hasValue = a.has("value") && a.map.get("value") != null;
          boolean hasFrom = a.has("from_attribute");
          if (hasValue == hasFrom) {
            throw new InvalidConfigException("processors::" + id + ": error creating \"" + type
                + "\" processor. Either field \"value\" or \"from_attribute\" setting must be specified for "
                + i + "-th action of processor \"" + id + "\"");
          }
          if (hasValue) {
            value = anyValue(a.map.get("value"), a.sub("value"));
          } else {
            from = a.string("from_attribute", "");
          }
        }
        out.add(new AttributeAction(key, action, value, from));
      }
      return List.copyOf(out);
    }

    private static AnyValue anyValue(Object v, String keyPath) {
      if (v instanceof String s) {
        return AnyValue.newBuilder().setStringValue(s).build();
      }
      if (v instanceof Boolean b) {
        return AnyValue.newBuilder().setBoolValue(b).build();
      }
      if (v instanceof Integer || v instanceof Long || v instanceof java.math.BigInteger) {
        return AnyValue.newBuilder().setIntValue(((Number) v).longValue()).build();
      }
      if (v instanceof Number n) {
        return AnyValue.newBuilder().setDoubleValue(n.doubleValue()).build();
      }
      if (v instanceof List<?> l) {
        ArrayValue.Builder arr = ArrayValue.newBuilder();
        for (int i = 0; i < l.size(); i++) {
          arr.addValues(anyValue(l.get(i), keyPath + "::" + i));
        }
        return AnyValue.newBuilder().setArrayValue(arr).build();
      }
      throw new InvalidConfigException(keyPath + ": error unsupported value type \"" + typeName(v) + "\"");
    }

    private ExporterSpec exporter(String type, String id, Section s) {
      String path = "exporters::" + id;
      switch (type) {
        case "debug", "logging" -> {
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
        case "otlp" -> {
          s.checkKeys("exporters", id, Set.of("endpoint", "compression", "tls", "keepalive", "read_buffer_size",
              "write_buffer_size", "wait_for_ready", "headers", "balancer_name", "authority", "auth",
              "middlewares", "timeout", "sending_queue", "retry_on_failure", "batcher"));
          String endpoint = s.string("endpoint", "");
          String target = endpoint;
          boolean tls = true;
          if (endpoint.startsWith("http://")) {
            target = endpoint.substring("http://".length());
            tls = false;
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
          Section tlsSec = s.section("tls");
          boolean skipVerify = tlsSec.bool("insecure_skip_verify", false);
          if (tls && tlsSec.bool("insecure", false)) {
            tls = false;
          }
          return new OtlpGrpcSpec(id, endpoint, target, tls, skipVerify, s.stringMap("headers"),
              compression(s, path), s.duration("timeout", Duration.ofSeconds(5)), retry(s), queue(s));
        }
        default -> {
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
              s.section("tls").bool("insecure_skip_verify", false), s.stringMap("headers"), compression(s, path),
              encoding.equals("json"), s.duration("timeout", Duration.ofSeconds(30)), retry(s), queue(s));
        }
      }
    }

    private static URI signalUrl(String endpoint, String explicit, String suffix, Section s, String key) {
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
      } catch (java.net.URISyntaxException e) {
        throw new InvalidConfigException(keyPath + ": parse \"" + url + "\": " + e.getMessage());
      }
    }

    private static String compression(Section s, String path) {
      String c = s.string("compression", "gzip").toLowerCase(Locale.ROOT);
      return switch (c) {
        case "gzip", "none", "" -> c.isEmpty() ? "none" : c;
        case "zstd", "snappy", "deflate", "zlib", "lz4", "x-snappy-framed" -> throw new InvalidConfigException(
            path + "::compression: \"" + c + "\" is a valid collector compression but the embedded collector "
                + "only sends gzip or none");
        default -> throw new InvalidConfigException(path + "::compression: unsupported compression type \"" + c + "\"");
      };
    }

    private static RetrySpec retry(Section s) {
      RetrySpec d = RetrySpec.defaults();
      Section r = s.section("retry_on_failure");
      r.checkKeys("exporters", s.path.substring("exporters::".length()), Set.of("enabled", "initial_interval",
          "max_interval", "max_elapsed_time", "multiplier", "randomization_factor"));
      RetrySpec spec = new RetrySpec(r.bool("enabled", d.enabled()),
          r.duration("initial_interval", d.initialInterval()), r.duration("max_interval", d.maxInterval()),
          r.duration("max_elapsed_time", d.maxElapsedTime()), doubleValue(r, "multiplier", d.multiplier()),
          doubleValue(r, "randomization_factor", d.randomizationFactor()));
      if (spec.enabled()) {
        if (spec.initialInterval().isNegative() || spec.initialInterval().isZero()) {
          throw new InvalidConfigException(r.path + ": 'initial_interval' must be greater than zero");
        }
        if (spec.maxInterval().isNegative() || spec.maxInterval().isZero()) {
          throw new InvalidConfigException(r.path + ": 'max_interval' must be greater than zero");
        }
        if (spec.multiplier() <= 0) {
          throw new InvalidConfigException(r.path + ": 'multiplier' must be greater than zero");
        }
        if (spec.maxElapsedTime().isNegative()) {
          throw new InvalidConfigException(r.path + ": 'max_elapsed_time' must be non-negative");
        }
        if (spec.randomizationFactor() < 0 || spec.randomizationFactor() > 1) {
          throw new InvalidConfigException(r.path + ": 'randomization_factor' must be within [0, 1]");
        }
      }
      return spec;
    }

    private static double doubleValue(Section s, String key, double dflt) {
      Object v = s.map.get(key);
      if (v == null) {
        return dflt;
      }
      try {
        return v instanceof Number n ? n.doubleValue() : Double.parseDouble(String.valueOf(v));
      } catch (NumberFormatException e) {
        throw new InvalidConfigException(s.sub(key) + ": cannot parse \"" + v + "\" as a number");
      }
    }

    private static QueueSpec queue(Section s) {
      QueueSpec d = QueueSpec.defaults();
      Section q = s.section("sending_queue");
      q.checkKeys("exporters", s.path.substring("exporters::".length()), Set.of("enabled", "num_consumers",
          "queue_size", "storage", "blocking", "block_on_overflow", "sizer", "wait_for_result", "batch"));
      QueueSpec spec = new QueueSpec(q.bool("enabled", d.enabled()), (int) q.number("num_consumers", d.numConsumers()),
          (int) q.number("queue_size", d.queueSize()));
      if (spec.enabled()) {
        if (spec.numConsumers() <= 0) {
          throw new InvalidConfigException(q.path + ": `num_consumers` must be positive");
        }
        if (spec.queueSize() <= 0) {
          throw new InvalidConfigException(q.path + ": `queue_size` must be positive");
        }
      }
      return spec;
    }
  }
}
