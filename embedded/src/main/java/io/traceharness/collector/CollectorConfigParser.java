package io.traceharness.collector;

import io.traceharness.collector.CollectorConfig.ExporterSpec;
import io.traceharness.collector.CollectorConfig.HostPort;
import io.traceharness.collector.CollectorConfig.InvalidConfigException;
import io.traceharness.collector.CollectorConfig.MemoryLimiterSpec;
import io.traceharness.collector.CollectorConfig.PipelineSpec;
import io.traceharness.collector.CollectorConfig.ProcessorSpec;
import io.traceharness.collector.CollectorConfig.ReceiverSpec;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BiFunction;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * Turns collector YAML into a {@link CollectorConfig}, one function per top-level section, in the
 * order the real collector validates them so the first error reported is the one it would report.
 * Receiver entries are read here; processor and exporter entries by {@link ProcessorParser} and
 * {@link ExporterParser}. One parser reads one config: it collects that config's warnings.
 */
final class CollectorConfigParser {

  private static final Pattern TYPE = Pattern.compile("^[a-zA-Z][0-9a-zA-Z_]{0,62}$");

  /** Contrib / ADOT components that configs name but this collector does not run: warned, skipped. */
  private static final Set<String> KNOWN_RECEIVERS = Set.of("awsxray", "prometheus", "jaeger", "zipkin",
      "hostmetrics", "filelog", "statsd", "kafka", "awsecscontainermetrics", "opencensus",
      "fluentforward", "k8s_cluster", "kubeletstats", "otlpjsonfile");
  private static final Set<String> KNOWN_PROCESSORS = Set.of("resourcedetection", "filter", "tail_sampling", "probabilistic_sampler", "span", "k8sattributes", "groupbytrace",
      "cumulativetodelta", "deltatocumulative", "metricstransform", "redaction", "groupbyattrs", "elasticapm");
  /**
   * Connectors that configs name but this collector does not run: Elastic's {@code elasticapm}
   * (elastic/elastic-agent internal/pkg/otel/samples/linux/gateway.yml lists it as a connector and as
   * a processor of the EDOT gateway).
   */
  private static final Set<String> KNOWN_CONNECTORS = Set.of("elasticapm");
  /** Elastic's components whose work is the data Kibana's APM UI derives: named in a warning of their own. */
  private static final Set<String> ELASTIC_APM_COMPONENTS = Set.of("elasticapm");
  private static final Set<String> KNOWN_EXPORTERS = Set.of("awsxray", "awsemf", "awscloudwatchlogs",
      "prometheus", "prometheusremotewrite", "loadbalancing", "kafka", "file", "zipkin", "jaeger",
      "datadog", "sapm", "signalfx", "splunk_hec", "awss3", "awskinesis", "nop");

  private static final Set<String> RECEIVERS = Set.of("otlp", "telemetryapi");
  private static final Set<String> PROCESSORS = Set.of("batch", "memory_limiter", "resource", "attributes",
      "transform", "decouple");
  /** opentelemetry-lambda collector/README.md, "Deprecation Notice": removed from the layer in favour of transform. */
  private static final Set<String> LAMBDA_DEPRECATED_PROCESSORS = Set.of("attributes", "resource", "span");
  private static final Set<String> EXPORTERS = Set.of("otlp_grpc", "otlp", "otlp_http", "otlphttp", "debug",
      "logging", "elasticsearch");
  /**
   * Deprecated type aliases and the types that replaced them: collector v0.144.0 renamed {@code otlp}
   * to {@code otlp_grpc} and {@code otlphttp} to {@code otlp_http} (core CHANGELOG, #14403, #14396).
   */
  private static final Map<String, String> DEPRECATED_ALIASES = Map.of("otlp", "otlp_grpc", "otlphttp", "otlp_http");

  private final ConfigExpander expander;
  private final String systemCertFile;
  private final List<String> warnings = new ArrayList<>();
  private final Set<String> skippedReceivers = new LinkedHashSet<>();
  private final Set<String> skippedProcessors = new LinkedHashSet<>();
  private final Set<String> skippedExporters = new LinkedHashSet<>();
  private final Set<String> skippedConnectors = new LinkedHashSet<>();

  private final String elasticsearchUrl;

  private CollectorConfigParser(ConfigExpander expander, String systemCertFile, String elasticsearchUrl) {
    this.expander = expander;
    this.systemCertFile = systemCertFile;
    this.elasticsearchUrl = elasticsearchUrl;
  }

  static CollectorConfig parse(String yaml, Map<String, String> environment) {
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
          + ConfigSection.typeName(root));
    }
    ConfigExpander expander = new ConfigExpander(environment);
    @SuppressWarnings("unchecked")
    Map<String, Object> tree = (Map<String, Object>) expander.expandTree(root, "");
    return new CollectorConfigParser(expander, environment.get("SSL_CERT_FILE"),
        environment.get("ELASTICSEARCH_URL")).read(tree);
  }

  private CollectorConfig read(Map<String, Object> tree) {
    Set<String> top = new TreeSet<>(tree.keySet());
    top.removeAll(Set.of("receivers", "processors", "exporters", "extensions", "connectors", "service"));
    if (!top.isEmpty()) {
      throw new InvalidConfigException("'' has invalid keys: " + String.join(", ", top));
    }
    ConfigSection receiversSec = ConfigSection.of("receivers", tree.get("receivers"));
    ConfigSection processorsSec = ConfigSection.of("processors", tree.get("processors"));
    ConfigSection exportersSec = ConfigSection.of("exporters", tree.get("exporters"));
    ConfigSection extensionsSec = ConfigSection.of("extensions", tree.get("extensions"));
    ConfigSection connectorsSec = ConfigSection.of("connectors", tree.get("connectors"));
    ConfigSection serviceSec = ConfigSection.of("service", tree.get("service"));
    if (receiversSec.isEmpty() && exportersSec.isEmpty() && processorsSec.isEmpty()
        && extensionsSec.isEmpty() && connectorsSec.isEmpty()) {
      throw new InvalidConfigException("empty configuration file");
    }
    connectors(connectorsSec);
    warnElasticApmComponents(processorsSec, connectorsSec);

    Map<String, ReceiverSpec> receivers = components(receiversSec, RECEIVERS, KNOWN_RECEIVERS, skippedReceivers,
        (type, id) -> type.equals("telemetryapi") ? telemetryApi(id, receiversSec.section(id))
            : receiver(id, receiversSec.section(id)));
    Map<String, ProcessorSpec> processors = components(processorsSec, PROCESSORS, KNOWN_PROCESSORS,
        skippedProcessors, (type, id) -> ProcessorParser.processor(type, id, processorsSec.section(id)));
    Map<String, ExporterSpec> exporters = components(exportersSec, EXPORTERS, KNOWN_EXPORTERS, skippedExporters,
        (type, id) -> {
          ExporterSpec spec = ExporterParser.exporter(type, id, exportersSec.section(id), systemCertFile,
              elasticsearchUrl);
          if (spec instanceof CollectorConfig.ElasticsearchSpec es) {
            warnings.addAll(es.warnings());
          }
          return spec;
        });
    warnDeprecatedAliases(exportersSec);
    extensions(extensionsSec);
    List<PipelineSpec> pipelines = service(serviceSec, extensionsSec, receivers, processors, exporters);

    for (String name : expander.unsetVariables()) {
      warnings.add("configuration references unset environment variable \"" + name + "\"");
    }
    warnUnenforcedMemoryLimiters(processors, pipelines);
    warnLambdaDeprecatedProcessors(processorsSec);
    return new CollectorConfig(Collections.unmodifiableMap(tree), Map.copyOf(receivers), Map.copyOf(processors),
        Map.copyOf(exporters), List.copyOf(pipelines), List.copyOf(warnings));
  }

  /** Connectors are not run: known ones are skipped (their pipelines' other parts run), others refused. */
  private void connectors(ConfigSection connectorsSec) {
    for (String id : connectorsSec.map().keySet()) {
      String type = parseId("connectors", id);
      if (!KNOWN_CONNECTORS.contains(type)) {
        throw new InvalidConfigException("connectors: the embedded collector runs no connectors, got "
            + String.join(", ", connectorsSec.map().keySet()));
      }
      skippedConnectors.add(id);
    }
  }

  private void warnElasticApmComponents(ConfigSection processorsSec, ConfigSection connectorsSec) {
    Set<String> named = new TreeSet<>();
    for (ConfigSection sec : List.of(processorsSec, connectorsSec)) {
      for (String id : sec.map().keySet()) {
        if (ELASTIC_APM_COMPONENTS.contains(id.contains("/") ? id.substring(0, id.indexOf('/')) : id)) {
          named.add(sec.path() + "::" + id);
        }
      }
    }
    if (!named.isEmpty()) {
      warnings.add(String.join(", ", named) + ": Elastic's APM processor and connector are not run by the embedded"
          + " collector; spans and logs pass through unchanged, and the data Kibana's APM UI derives from them"
          + " (transaction and span enrichment, the aggregated service and transaction metrics) is not produced");
    }
  }

  /** Reads the entries of one component section; ids of known-but-not-run types go to {@code skipped}. */
  private <T> Map<String, T> components(ConfigSection section, Set<String> run, Set<String> known,
      Set<String> skipped, BiFunction<String, String, T> reader) {
    String kind = section.path();
    Map<String, T> out = new LinkedHashMap<>();
    for (String id : section.map().keySet()) {
      String type = typeOf(kind, id, run, known, skipped);
      if (type != null) {
        out.put(id, reader.apply(type, id));
      }
    }
    return out;
  }

  /** Extensions are not run; their ids are still checked, and the service may reference them. */
  private static void extensions(ConfigSection extensionsSec) {
    for (String id : extensionsSec.map().keySet()) {
      parseId("extensions", id);
    }
  }

  private List<PipelineSpec> service(ConfigSection service, ConfigSection extensionsSec,
      Map<String, ReceiverSpec> receivers, Map<String, ProcessorSpec> processors,
      Map<String, ExporterSpec> exporters) {
    // service::telemetry is accepted as it stands: the embedded collector reports on itself only
    // through its log file, so there is nothing in that section for it to read.
    service.checkKeys("service", "service", Set.of("extensions", "pipelines", "telemetry"));
    for (String ext : service.strings("extensions")) {
      if (!extensionsSec.has(ext)) {
        throw new InvalidConfigException("service::extensions: references extension \"" + ext
            + "\" which is not configured");
      }
    }
    ConfigSection pipelinesSec = service.section("pipelines");
    if (pipelinesSec.isEmpty()) {
      throw new InvalidConfigException("service::pipelines: must have at least one pipeline");
    }
    List<PipelineSpec> pipelines = new ArrayList<>();
    Map<String, Set<String>> notRunReceivers = new LinkedHashMap<>();
    Map<String, Set<String>> notRunProcessors = new LinkedHashMap<>();
    Map<String, Set<String>> notRunExporters = new LinkedHashMap<>();
    Map<String, Set<String>> connectorReceivers = new LinkedHashMap<>();
    Map<String, Set<String>> connectorExporters = new LinkedHashMap<>();
    for (String pid : pipelinesSec.map().keySet()) {
      String path = "service::pipelines::" + pid;
      String typeName = pid.contains("/") ? pid.substring(0, pid.indexOf('/')) : pid;
      Signal signal = Signal.byName(typeName).orElseThrow(() -> new InvalidConfigException(
          "service::pipelines: unknown signal \"" + typeName + "\" in pipeline \"" + pid
              + "\" (valid: traces, metrics, logs)"));
      ConfigSection p = pipelinesSec.section(pid);
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
      recv.stream().filter(skippedConnectors::contains).forEach(c -> connectorReceivers.computeIfAbsent(c,
          k -> new LinkedHashSet<>()).add(pid));
      exp.stream().filter(skippedConnectors::contains).forEach(c -> connectorExporters.computeIfAbsent(c,
          k -> new LinkedHashSet<>()).add(pid));
      List<String> runReceivers = new ArrayList<>(references(path, pid, "receiver", recv, false, receivers.keySet(),
          union(skippedReceivers, skippedConnectors), notRunReceivers));
      if (signal != Signal.LOGS) {
        // the telemetryapi receiver's platform.initRuntimeDone span and faas metrics are not built here
        runReceivers.removeIf(r -> receivers.get(r) instanceof CollectorConfig.TelemetryApiSpec
            && notRunReceivers.computeIfAbsent(r + " (" + signal.pipelineType() + ")", k -> new LinkedHashSet<>())
                .add(pid));
      }
      PipelineSpec spec = new PipelineSpec(pid, signal, List.copyOf(runReceivers),
          references(path, pid, "processor", proc, true, processors.keySet(), skippedProcessors, notRunProcessors),
          references(path, pid, "exporter", exp, false, exporters.keySet(), union(skippedExporters, skippedConnectors),
              notRunExporters));
      if (runReceivers.isEmpty()) {
        warnings.add("pipeline \"" + pid + "\" receives only from components the embedded collector does not run"
            + " (" + String.join(", ", recv) + "); it is left out");
      } else {
        pipelines.add(spec);
      }
    }
    // a connector joins pipelines: unused on either side, the real collector refuses the config
    // (opentelemetry-collector service/internal/graph/graph.go)
    connectorExporters.forEach((c, where) -> {
      if (!connectorReceivers.containsKey(c)) {
        throw new InvalidConfigException("connector \"" + c + "\" used as exporter in [" + String.join(" ", where)
            + "] pipeline but not used in any supported receiver pipeline");
      }
    });
    connectorReceivers.forEach((c, where) -> {
      if (!connectorExporters.containsKey(c)) {
        throw new InvalidConfigException("connector \"" + c + "\" used as receiver in [" + String.join(" ", where)
            + "] pipeline but not used in any supported exporter pipeline");
      }
    });
    // the embedded elasticsearch exporter encodes traces and logs only: in a metrics pipeline it is
    // left out (as a component not run), and the rest of the pipeline runs
    for (int i = 0; i < pipelines.size(); i++) {
      PipelineSpec p = pipelines.get(i);
      if (p.signal() != Signal.METRICS) {
        continue;
      }
      List<String> kept = p.exporters().stream()
          .filter(e -> !(exporters.get(e) instanceof CollectorConfig.ElasticsearchSpec)).toList();
      if (kept.size() == p.exporters().size()) {
        continue;
      }
      warnings.add("service::pipelines::" + p.id() + ": the embedded collector's elasticsearch exporter encodes"
          + " traces and logs, not metrics; it is left out of this pipeline");
      if (kept.isEmpty()) {
        pipelines.remove(i--);
      } else {
        pipelines.set(i, new PipelineSpec(p.id(), p.signal(), p.receivers(), p.processors(), kept));
      }
    }
    // connectors and Elastic's APM processor have a warning of their own
    notRunReceivers.keySet().removeAll(skippedConnectors);
    notRunExporters.keySet().removeAll(skippedConnectors);
    notRunProcessors.keySet().removeIf(id -> ELASTIC_APM_COMPONENTS.contains(id.contains("/")
        ? id.substring(0, id.indexOf('/')) : id));
    warnNotRun("receiver", notRunReceivers);
    warnNotRun("processor", notRunProcessors);
    warnNotRun("exporter", notRunExporters);
    return pipelines;
  }

  /**
   * The components a pipeline runs: each reference must be configured; references to skipped
   * components are left out and remembered in {@code notRun} (component id → pipeline ids).
   */
  private static List<String> references(String path, String pid, String kind, List<String> refs,
      boolean rejectDuplicates, Set<String> configured, Set<String> skipped, Map<String, Set<String>> notRun) {
    List<String> run = new ArrayList<>();
    Set<String> seen = new LinkedHashSet<>();
    for (String r : refs) {
      if (rejectDuplicates && !seen.add(r)) {
        throw new InvalidConfigException(path + ": references " + kind + " \"" + r + "\" multiple times");
      }
      if (configured.contains(r)) {
        run.add(r);
      } else if (skipped.contains(r)) {
        notRun.computeIfAbsent(r, k -> new LinkedHashSet<>()).add(pid);
      } else {
        throw new InvalidConfigException(path + ": references " + kind + " \"" + r + "\" which is not configured");
      }
    }
    return List.copyOf(run);
  }

  private static Set<String> union(Set<String> a, Set<String> b) {
    Set<String> all = new LinkedHashSet<>(a);
    all.addAll(b);
    return all;
  }

  private void warnNotRun(String kind, Map<String, Set<String>> notRun) {
    notRun.forEach((id, where) -> warnings.add(kind + " \"" + id + "\" is not run by the embedded collector;"
        + " it is left out of pipeline" + (where.size() > 1 ? "s " : " ") + String.join(", ", where)
        + " and the rest of " + (where.size() > 1 ? "each" : "the") + " pipeline runs"));
  }

  /** The real collector's startup warning for an alias (service/internal/builders/builders.go), once per type. */
  private void warnDeprecatedAliases(ConfigSection exportersSec) {
    Set<String> used = new TreeSet<>();
    for (String id : exportersSec.map().keySet()) {
      String type = id.contains("/") ? id.substring(0, id.indexOf('/')) : id;
      if (DEPRECATED_ALIASES.containsKey(type)) {
        used.add(type);
      }
    }
    used.forEach(alias -> warnings.add("\"" + alias + "\" alias is deprecated; use \"" + DEPRECATED_ALIASES.get(alias)
        + "\" instead"));
  }

  private void warnLambdaDeprecatedProcessors(ConfigSection processorsSec) {
    Set<String> used = new TreeSet<>();
    for (String id : processorsSec.map().keySet()) {
      String type = id.contains("/") ? id.substring(0, id.indexOf('/')) : id;
      if (LAMBDA_DEPRECATED_PROCESSORS.contains(type)) {
        used.add(type);
      }
    }
    used.forEach(type -> warnings.add("processor \"" + type + "\" is deprecated in the opentelemetry-lambda collector"
        + " layer and will be removed from it; use the \"transform\" processor (OTTL) instead"));
  }

  private void warnUnenforcedMemoryLimiters(Map<String, ProcessorSpec> processors, List<PipelineSpec> pipelines) {
    for (ProcessorSpec spec : processors.values()) {
      if (spec instanceof MemoryLimiterSpec && pipelines.stream().anyMatch(p -> p.processors().contains(spec.id()))) {
        warnings.add("processor \"" + spec.id() + "\" is accepted but not enforced: the embedded collector runs in"
            + " the harness's JVM, whose heap is no measure of a collector's memory, so it never refuses data with"
            + " \"data refused due to high memory usage\"");
      }
    }
  }

  private static String parseId(String kind, String id) {
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

  private static String typeOf(String kind, String id, Set<String> run, Set<String> known, Set<String> skipped) {
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

  /**
   * opentelemetry-lambda's {@code telemetryapi} receiver: its keys and defaults
   * ({@code collector/receiver/telemetryapireceiver/config.go}, {@code factory.go}) and its {@code Validate}.
   */
  private static ReceiverSpec telemetryApi(String id, ConfigSection s) {
    s.checkKeys("receivers", id, Set.of("port", "types", "log_report", "metrics_temporality", "export_interval_ms"));
    int port = (int) s.number("port", 0);
    List<String> types = s.has("types") ? s.strings("types") : List.of("platform", "function", "extension");
    boolean logReport = s.bool("log_report", false);
    String temporality = s.string("metrics_temporality", "");
    int exportInterval = (int) s.number("export_interval_ms", 60_000);
    if (exportInterval < 0) {
      throw new InvalidConfigException("receivers::" + id + ": export_interval_ms must be non-negative: "
          + exportInterval);
    }
    for (String t : types) {
      if (!Set.of("platform", "function", "extension").contains(t)) {
        throw new InvalidConfigException("receivers::" + id + ": unknown extension type: " + t);
      }
    }
    String lower = temporality.toLowerCase(java.util.Locale.ROOT);
    if (!temporality.isEmpty() && !lower.equals("delta") && !lower.equals("cumulative")) {
      throw new InvalidConfigException("receivers::" + id + ": unknown metrics temporality: " + temporality);
    }
    return new CollectorConfig.TelemetryApiSpec(id, port, List.copyOf(types), logReport, temporality, exportInterval);
  }

  private static ReceiverSpec receiver(String id, ConfigSection s) {
    s.checkKeys("receivers", id, Set.of("protocols"));
    ConfigSection protocols = s.section("protocols");
    protocols.checkKeys("receivers", id, Set.of("grpc", "http"));
    if (!protocols.has("grpc") && !protocols.has("http")) {
      throw new InvalidConfigException("receivers::" + id
          + ": must specify at least one protocol when using the OTLP receiver");
    }
    HostPort grpc = null;
    ReceiverTls grpcTls = null;
    ReceiverTls httpTls = null;
    int maxRecv = 4 * 1024 * 1024;
    if (protocols.has("grpc")) {
      ConfigSection g = protocols.section("grpc");
      g.checkKeys("receivers", id, Set.of("endpoint", "transport", "tls", "max_recv_msg_size_mib",
          "max_concurrent_streams", "read_buffer_size", "write_buffer_size", "keepalive", "auth",
          "include_metadata", "middlewares"));
      grpcTls = ReceiverTls.parse(g, id, null);
      grpc = hostPort(g.string("endpoint", "0.0.0.0:4317"), g.sub("endpoint"));
      maxRecv = (int) Math.min(Integer.MAX_VALUE, g.number("max_recv_msg_size_mib", 4) * 1024 * 1024);
    }
    HostPort http = null;
    long maxBody = 20L * 1024 * 1024;
    String traces = "/v1/traces";
    String metrics = "/v1/metrics";
    String logs = "/v1/logs";
    if (protocols.has("http")) {
      ConfigSection h = protocols.section("http");
      h.checkKeys("receivers", id, Set.of("endpoint", "tls", "cors", "auth", "max_request_body_size",
          "include_metadata", "response_headers", "traces_url_path", "metrics_url_path", "logs_url_path",
          "compression_algorithms", "read_timeout", "read_header_timeout", "write_timeout", "idle_timeout",
          "middlewares", "keepalives_enabled"));
      httpTls = ReceiverTls.parse(h, id, "serverconfig");
      http = hostPort(h.string("endpoint", "0.0.0.0:4318"), h.sub("endpoint"));
      maxBody = h.number("max_request_body_size", maxBody);
      traces = urlPath(h, "traces_url_path", traces);
      metrics = urlPath(h, "metrics_url_path", metrics);
      logs = urlPath(h, "logs_url_path", logs);
    }
    return new CollectorConfig.OtlpReceiverSpec(id, grpc, http, maxRecv, maxBody, traces, metrics, logs, grpcTls,
        httpTls);
  }

  private static String urlPath(ConfigSection h, String key, String dflt) {
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
}
