package io.traceharness.collector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Message;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * The {@code transform} processor with the statements Lambda configs use, as opentelemetry-collector-contrib
 * documents them ({@code processor/transformprocessor/README.md}, {@code pkg/ottl/LANGUAGE.md},
 * {@code pkg/ottl/ottlfuncs/README.md}): editors {@code set}, {@code delete_key},
 * {@code delete_matching_keys}, {@code keep_keys}; context inferred from path prefixes or given by a
 * group's {@code context}; group {@code conditions} ORed.
 */
class TransformProcessorTest {

  private final List<Message> sink = new CopyOnWriteArrayList<>();

  private static CollectorConfig config(String processor) {
    return CollectorConfig.parse("""
        receivers:
          otlp:
            protocols:
              grpc:
        processors:
          transform:
        %s
        exporters:
          debug:
        service:
          pipelines:
            traces:
              receivers: [otlp]
              processors: [transform]
              exporters: [debug]
        """.formatted(processor.indent(4).stripTrailing()), Map.of());
  }

  private ExportTraceServiceRequest run(String processor, ExportTraceServiceRequest in) throws Exception {
    var spec = (CollectorConfig.TransformSpec) config(processor).processors().get("transform");
    new TransformProcessor(spec, Signal.TRACES, sink::add).consume(in);
    return (ExportTraceServiceRequest) sink.get(sink.size() - 1);
  }

  private static ExportTraceServiceRequest request() {
    Span get = Otlp.span(Otlp.newTraceId(), "GET /ping").toBuilder()
        .addAttributes(Otlp.attr("http.method", "GET")).addAttributes(Otlp.attr("http.request.header.authorization", "x"))
        .addAttributes(Otlp.attr("http.request.header.cookie", "y")).addAttributes(Otlp.attr("faas.trigger", "http"))
        .build();
    Span post = Otlp.span(Otlp.newTraceId(), "POST /orders").toBuilder()
        .addAttributes(Otlp.attr("http.method", "POST")).build();
    return ExportTraceServiceRequest.newBuilder().addResourceSpans(ResourceSpans.newBuilder()
        .setResource(io.opentelemetry.proto.resource.v1.Resource.newBuilder()
            .addAttributes(Otlp.attr("service.name", "producer")).addAttributes(Otlp.attr("faas.name", "producer"))
            .addAttributes(Otlp.attr("process.command_args", "node /var/runtime/index.mjs")))
        .addScopeSpans(ScopeSpans.newBuilder().addSpans(get).addSpans(post))).build();
  }

  private static Map<String, String> attrs(List<KeyValue> kvs) {
    Map<String, String> m = new LinkedHashMap<>();
    kvs.forEach(kv -> m.put(kv.getKey(), kv.getValue().hasStringValue() ? kv.getValue().getStringValue()
        : kv.getValue().toString().strip()));
    return m;
  }

  @Test
  void setAndDeleteOnSpansAndResourcesWithWhereConditions() throws Exception {
    var out = run("""
        error_mode: ignore
        trace_statements:
          - set(resource.attributes["deployment.environment"], "lambda")
          - delete_key(resource.attributes, "process.command_args")
          - set(span.attributes["faas.name"], resource.attributes["faas.name"])
          - set(span.attributes["write"], true) where span.attributes["http.method"] == "POST"
          - set(span.name, "ping") where span.name == "GET /ping" and span.attributes["faas.trigger"] != nil
          - delete_matching_keys(span.attributes, "http\\\\.request\\\\.header\\\\..*")
        """, request());

    ResourceSpans rs = out.getResourceSpans(0);
    assertThat(attrs(rs.getResource().getAttributesList())).containsExactly(Map.entry("service.name", "producer"),
        Map.entry("faas.name", "producer"), Map.entry("deployment.environment", "lambda"));
    Span get = rs.getScopeSpans(0).getSpans(0);
    Span post = rs.getScopeSpans(0).getSpans(1);
    assertThat(get.getName()).isEqualTo("ping");
    assertThat(attrs(get.getAttributesList())).containsOnlyKeys("http.method", "faas.trigger", "faas.name");
    assertThat(post.getName()).isEqualTo("POST /orders");
    assertThat(attrs(post.getAttributesList())).containsEntry("faas.name", "producer").containsEntry("write", "bool_value: true");
  }

  @Test
  void groupsWithAContextUseUnprefixedPathsAndTheirConditionsAreOred() throws Exception {
    var out = run("""
        trace_statements:
          - context: span
            conditions:
              - attributes["http.method"] == "POST"
              - name == "nothing"
            statements:
              - set(attributes["audited"], "yes")
              - keep_keys(attributes, ["audited", "http.method"])
          - context: resource
            statements:
              - set(attributes["cloud.provider"], "aws") where attributes["service.name"] == "producer"
        """, request());

    ResourceSpans rs = out.getResourceSpans(0);
    assertThat(attrs(rs.getResource().getAttributesList())).containsEntry("cloud.provider", "aws");
    assertThat(attrs(rs.getScopeSpans(0).getSpans(0).getAttributesList())).doesNotContainKey("audited").hasSize(4);
    assertThat(attrs(rs.getScopeSpans(0).getSpans(1).getAttributesList()))
        .containsExactly(Map.entry("http.method", "POST"), Map.entry("audited", "yes"));
  }

  @Test
  void aFunctionTheEmbeddedCollectorDoesNotRunIsAStartupErrorNamingIt() {
    assertThatThrownBy(() -> config("""
        trace_statements:
          - replace_pattern(span.attributes["url.full"], "token=[^&]*", "token=***")
        """)).isInstanceOf(CollectorConfig.InvalidConfigException.class)
        .hasMessage("processors::transform::trace_statements::0: unable to parse OTTL statement "
            + "\"replace_pattern(span.attributes[\"url.full\"], \"token=[^&]*\", \"token=***\")\": undefined function "
            + "\"replace_pattern\" (the embedded collector runs the editors set, delete_key, delete_matching_keys, keep_keys)");
    assertThatThrownBy(() -> config("""
        trace_statements:
          - set(span.attributes["n"], Concat([span.name, "x"], "-"))
        """)).hasMessageContaining("undefined function \"Concat\"");
  }

  @Test
  void pathsOutsideTheSignalsContextsAreStartupErrors() {
    assertThatThrownBy(() -> config("""
        trace_statements:
          - set(log.attributes["x"], "y")
        """)).hasMessageContaining("context \"log\" from path \"log.attributes\" is not valid, it must be replaced by one of: \"resource\"");
    assertThatThrownBy(() -> config("""
        trace_statements:
          - set(attributes["x"], "y")
        """)).hasMessageContaining("missing context name for path \"attributes\", possibly valid options are: \"resource.attributes\"");
    assertThatThrownBy(() -> config("""
        error_mode: loud
        trace_statements: []
        """)).hasMessage("processors::transform::error_mode: unknown error mode loud");
  }

  @Test
  void transformAndDecoupleRunWithoutWarningsWhileTheDeprecatedLayerProcessorsAreWarnedAbout() {
    CollectorConfig config = CollectorConfig.parse("""
        receivers:
          otlp:
            protocols:
              grpc:
        processors:
          transform:
            trace_statements:
              - set(resource.attributes["a"], "b")
          resource:
            attributes:
              - key: a
                value: b
                action: upsert
          decouple:
        exporters:
          debug:
        service:
          pipelines:
            traces:
              receivers: [otlp]
              processors: [transform, resource, decouple]
              exporters: [debug]
        """, Map.of());
    assertThat(config.pipelines().get(0).processors()).containsExactly("transform", "resource", "decouple");
    assertThat(config.processors().get("decouple")).isEqualTo(new CollectorConfig.DecoupleSpec("decouple", 200));
    // opentelemetry-lambda collector/README.md, "Deprecation Notice"
    assertThat(config.warnings()).containsExactly("processor \"resource\" is deprecated in the opentelemetry-lambda"
        + " collector layer and will be removed from it; use the \"transform\" processor (OTTL) instead");
  }
}
