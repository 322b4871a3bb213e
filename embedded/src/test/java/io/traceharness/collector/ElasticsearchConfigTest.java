package io.traceharness.collector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.traceharness.collector.CollectorConfig.ElasticsearchSpec;
import io.traceharness.collector.CollectorConfig.InvalidConfigException;
import io.traceharness.collector.CollectorConfig.MappingMode;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The {@code elasticsearch} exporter's settings as contrib {@code exporter/elasticsearchexporter} reads them:
 * defaults of {@code factory.go createDefaultConfig}, errors of {@code config.go Validate}, deprecations of
 * {@code handleDeprecatedConfig}, unknown keys as the collector's decoder words them.
 */
class ElasticsearchConfigTest {

  private static CollectorConfig parse(String exporterBody, String pipelines, Map<String, String> env) {
    return CollectorConfig.parse("receivers:\n  otlp:\n    protocols:\n      http:\n"
        + "exporters:\n  elasticsearch:\n" + exporterBody.indent(4)
        + "service:\n  pipelines:\n" + pipelines.indent(4), env);
  }

  private static ElasticsearchSpec spec(String exporterBody) {
    return spec(exporterBody, Map.of());
  }

  private static ElasticsearchSpec spec(String exporterBody, Map<String, String> env) {
    return (ElasticsearchSpec) parse(exporterBody, """
        traces:
          receivers: [otlp]
          exporters: [elasticsearch]
        logs:
          receivers: [otlp]
          exporters: [elasticsearch]
        """, env).exporters().get("elasticsearch");
  }

  private static String error(String exporterBody) {
    try {
      spec(exporterBody);
    } catch (InvalidConfigException e) {
      return e.getMessage();
    }
    throw new AssertionError("no error for " + exporterBody);
  }

  @Test
  void defaults() {
    ElasticsearchSpec s = spec("endpoint: http://127.0.0.1:9200");
    assertThat(s.endpoints()).containsExactly(URI.create("http://127.0.0.1:9200"));
    assertThat(s.mappingMode()).isEqualTo(MappingMode.OTEL);
    assertThat(s.timeout()).isEqualTo(Duration.ofSeconds(90));
    assertThat(s.gzip()).isTrue();
    assertThat(s.tracesIndex()).as("dynamic routing by default").isEmpty();
    assertThat(s.logsIndex()).isEmpty();
    assertThat(s.retry()).isEqualTo(new CollectorConfig.ElasticsearchRetrySpec(true, 0, Duration.ofMillis(100),
        Duration.ofMinutes(1), List.of(429)));
    assertThat(s.queue().enabled()).as("factory.go: the sending queue is off").isFalse();
    assertThat(s.includeSourceOnError()).isNull();
    assertThat(s.warnings()).isEmpty();
  }

  @Test
  void settings() {
    ElasticsearchSpec s = spec("""
        endpoints: [http://a:9200, https://b:9200]
        api_key: abc==
        user: elastic
        password: changeme
        headers: {X-Test: one}
        compression: none
        timeout: 5s
        traces_index: my-traces
        logs_index: my-logs
        pipeline: p
        include_source_on_error: true
        mapping: {mode: OTel}
        retry: {enabled: true, max_retries: 5, initial_interval: 10ms, max_interval: 1s, retry_on_status: [429, 503]}
        sending_queue: {enabled: true, num_consumers: 2, queue_size: 50}
        flush: {bytes: 1000, interval: 1s}
        batcher: {enabled: false, flush_timeout: 1s}
        logs_dynamic_id: {enabled: true}
        """);
    assertThat(s.endpoints()).containsExactly(URI.create("http://a:9200"), URI.create("https://b:9200"));
    assertThat(s.apiKey()).isEqualTo("abc==");
    assertThat(s.user()).isEqualTo("elastic");
    assertThat(s.headers()).containsEntry("X-Test", "one");
    assertThat(s.gzip()).isFalse();
    assertThat(s.timeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(s.tracesIndex()).isEqualTo("my-traces");
    assertThat(s.logsIndex()).isEqualTo("my-logs");
    assertThat(s.pipeline()).isEqualTo("p");
    assertThat(s.includeSourceOnError()).isTrue();
    assertThat(s.mappingMode()).as("mode names are case-insensitive").isEqualTo(MappingMode.OTEL);
    assertThat(s.retry()).isEqualTo(new CollectorConfig.ElasticsearchRetrySpec(true, 5, Duration.ofMillis(10),
        Duration.ofSeconds(1), List.of(429, 503)));
    assertThat(s.queue()).isEqualTo(new CollectorConfig.QueueSpec(true, 2, 50));
    assertThat(s.logsDynamicId()).isTrue();
  }

  @Test
  void endpointsFromElasticsearchUrlWhenNoneIsConfigured() {
    ElasticsearchSpec s = spec("mapping: {mode: otel}", Map.of("ELASTICSEARCH_URL", "http://x:9200, http://y:9200"));
    assertThat(s.endpoints()).containsExactly(URI.create("http://x:9200"), URI.create("http://y:9200"));
    assertThat(spec("endpoint: http://z:9200", Map.of("ELASTICSEARCH_URL", "http://x:9200")).endpoints())
        .containsExactly(URI.create("http://z:9200"));
  }

  @Test
  void cloudIdNamesAnHttpsEndpoint() {
    // config.go parseCloudID: name:base64("host$rest") -> https://rest.host (it cuts at the first '$' only)
    String id = "foo:" + java.util.Base64.getEncoder().encodeToString("bar.cloud.es.io$abc123".getBytes());
    assertThat(spec("cloudid: " + id).endpoints()).containsExactly(URI.create("https://abc123.bar.cloud.es.io"));
    assertThat(error("cloudid: foo")).isEqualTo("exporters::elasticsearch: invalid CloudID \"foo\"");
  }

  @Test
  void endpointErrorsAsConfigGoWordsThem() {
    assertThat(error("mapping: {mode: otel}"))
        .isEqualTo("exporters::elasticsearch: exactly one of [endpoint, endpoints, cloudid] must be specified");
    assertThat(error("endpoint: http://a:9200\nendpoints: [http://b:9200]"))
        .isEqualTo("exporters::elasticsearch: exactly one of [endpoint, endpoints, cloudid] must be specified");
    assertThat(error("endpoints: [\"\"]"))
        .isEqualTo("exporters::elasticsearch: invalid endpoint \"\": endpoint must not be empty");
    assertThat(error("endpoint: ftp://a:9200"))
        .isEqualTo("exporters::elasticsearch: invalid endpoint \"ftp://a:9200\": invalid scheme \"ftp\","
            + " expected \"http\" or \"https\"");
  }

  @Test
  void mappingModeErrors() {
    assertThat(error("endpoint: http://a:9200\nmapping: {mode: jaeger}"))
        .isEqualTo("exporters::elasticsearch: invalid or disallowed default mapping mode \"jaeger\"");
    assertThat(error("endpoint: http://a:9200\nmapping: {mode: otel, allowed_modes: [otel, foo]}"))
        .isEqualTo("exporters::elasticsearch: unknown allowed mapping mode name \"foo\"");
    assertThat(error("endpoint: http://a:9200\nmapping: {mode: ecs, allowed_modes: [otel]}"))
        .isEqualTo("exporters::elasticsearch: invalid or disallowed default mapping mode \"ecs\"");
    assertThat(error("endpoint: http://a:9200\nmapping: {mode: raw}"))
        .startsWith("exporters::elasticsearch::mapping::mode: \"raw\" is a valid mapping mode");
  }

  @Test
  void retryAndCompressionErrors() {
    assertThat(error("endpoint: http://a:9200\nretry: {max_requests: 3, max_retries: 2}"))
        .isEqualTo("exporters::elasticsearch: must not specify both retry::max_requests and retry::max_retries");
    assertThat(error("endpoint: http://a:9200\nretry: {max_retries: -1}"))
        .isEqualTo("exporters::elasticsearch: retry::max_retries should be non-negative");
    assertThat(error("endpoint: http://a:9200\ncompression: zstd"))
        .isEqualTo("exporters::elasticsearch: compression must be one of [none, gzip]");
  }

  @Test
  void deprecatedSettingsWarnAsTheExporterLogsThem() {
    CollectorConfig config = parse("endpoint: http://a:9200\nretry: {max_requests: 4}\n"
        + "traces_dynamic_index: {enabled: true}", """
        traces:
          receivers: [otlp]
          exporters: [elasticsearch]
        """, Map.of());
    ElasticsearchSpec s = (ElasticsearchSpec) config.exporters().get("elasticsearch");
    assertThat(s.retry().maxRetries()).as("max_requests - 1").isEqualTo(3);
    assertThat(config.warnings()).contains(
        "retry::max_requests has been deprecated, and will be removed in a future version. Use retry::max_retries"
            + " instead.",
        "traces_dynamic_index::enabled has been deprecated, and will be removed in a future version. It is now a"
            + " no-op. Dynamic document routing is now the default. See Elasticsearch Exporter README.");
    assertThat(error("endpoint: http://a:9200\ntraces_index: t\ntraces_dynamic_index: {enabled: true}"))
        .isEqualTo("exporters::elasticsearch: must not specify both traces_index and traces_dynamic_index;"
            + " traces_index should be empty unless all documents should be sent to the same index");
  }

  @Test
  void unknownKeysAsTheDecoderWordsThem() {
    assertThat(error("endpoint: http://a:9200\nindex: old"))
        .isEqualTo("'exporters' error reading configuration for \"elasticsearch\": decoding failed: '' has invalid"
            + " keys: index");
    assertThat(error("endpoint: http://a:9200\nretry: {max_tries: 3}"))
        .isEqualTo("'exporters' error reading configuration for \"elasticsearch\": decoding failed: 'retry' has"
            + " invalid keys: max_tries");
  }

  @Test
  void authenticatorExtensionsAreRefused() {
    assertThat(error("endpoint: http://a:9200\nauth: {authenticator: basicauth}"))
        .startsWith("exporters::elasticsearch::auth: the embedded collector runs no authenticator extensions");
  }

  @Test
  void aQueueSizedInBytesHoldsAtMostAThousandRequests() {
    ElasticsearchSpec s = spec("""
        endpoint: http://a:9200
        sending_queue: {enabled: true, sizer: bytes, queue_size: 50000000, block_on_overflow: true,
                        batch: {flush_timeout: 1s, min_size: 1000000, max_size: 4000000}}
        """);
    assertThat(s.queue()).isEqualTo(new CollectorConfig.QueueSpec(true, 10, 1000));
    assertThat(s.warnings()).singleElement().asString().contains("queue_size 50000000 counts bytes");
  }

  @Test
  void tlsByTheEndpointsScheme() {
    String pipelines = "traces:\n  receivers: [otlp]\n  exporters: [elasticsearch]\n";
    assertThat(parse("endpoint: https://es:9200", pipelines, Map.of()).exporterUsesTls("elasticsearch")).contains(true);
    assertThat(parse("endpoint: http://es:9200", pipelines, Map.of()).exporterUsesTls("elasticsearch")).contains(false);
  }

  @Test
  void metricsPipelinesLeaveTheExporterOutWithAWarning() {
    CollectorConfig config = parse("endpoint: http://a:9200", """
        traces:
          receivers: [otlp]
          exporters: [elasticsearch]
        metrics:
          receivers: [otlp]
          exporters: [elasticsearch]
        """, Map.of());
    assertThat(config.pipelineIds()).containsExactly("traces");
    assertThat(config.warnings()).anySatisfy(w -> assertThat(w)
        .contains("elasticsearch exporter encodes traces and logs, not metrics; it is left out"));
  }
}
