package io.traceharness.collector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.traceharness.support.WorkDirs;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The real OpenTelemetry Java agent exports to the embedded collector over OTLP/HTTP and OTLP/gRPC;
 * the collector batches, adds a resource attribute and forwards over OTLP/gRPC to a downstream
 * OTLP endpoint, which must see every span with its parent links intact.
 */
class CollectorAgentIT {

  static OtlpTestBackend downstream;
  static EmbeddedCollector collector;

  @BeforeAll
  static void start() {
    downstream = new OtlpTestBackend().start();
    collector = EmbeddedCollector.builder()
        .config("""
            receivers:
              otlp:
                protocols:
                  grpc:
                  http:
            processors:
              batch:
                timeout: 100ms
              resource:
                attributes:
                  - key: deployment.environment
                    value: it
                    action: upsert
            exporters:
              debug:
                verbosity: normal
              otlp/downstream:
                endpoint: ${DOWNSTREAM}
            service:
              pipelines:
                traces:
                  receivers: [otlp]
                  processors: [resource, batch]
                  exporters: [debug, otlp/downstream]
            """)
        .environment(OtlpTestBackend.trusting(Map.of("DOWNSTREAM", downstream.endpoint().toString())))
        .freePorts(true)
        .logFile(WorkDirs.root().resolve("logs").resolve("collector-agent-it.log"))
        .build()
        .start()
        .awaitReady(Duration.ofSeconds(10));
  }

  @AfterAll
  static void stop() {
    if (collector != null) {
      collector.close();
    }
    if (downstream != null) {
      downstream.close();
    }
  }

  @Test
  void agentOverHttpProtobufReachesTheDownstreamWithParentLinks() throws Exception {
    AgentRun.Ids ids = AgentRun.run("agent-http", "http/protobuf", collector.otlpHttpEndpoint().toString(),
        "agent-http-app");
    assertTrace(ids, "agent-http-app");
  }

  @Test
  void agentOverGrpcReachesTheDownstreamWithParentLinks() throws Exception {
    AgentRun.Ids ids = AgentRun.run("agent-grpc", "grpc", collector.otlpGrpcEndpoint().toString(), "agent-grpc-app");
    assertTrace(ids, "agent-grpc-app");
  }

  private static void assertTrace(AgentRun.Ids ids, String service) {
    Map<String, Span> byId = new HashMap<>();
    Map<String, Map<String, String>> resourceOf = new HashMap<>();
    await("the 3 spans of trace " + ids.traceId() + " at the downstream").atMost(Duration.ofSeconds(20))
        .pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
          byId.clear();
          for (OtlpTestBackend.Received r : List.copyOf(downstream.traceRequests())) {
            for (ResourceSpans rs : r.traces().getResourceSpansList()) {
              for (ScopeSpans ss : rs.getScopeSpansList()) {
                for (Span s : ss.getSpansList()) {
                  if (hex(s.getTraceId().toByteArray()).equals(ids.traceId())) {
                    String id = hex(s.getSpanId().toByteArray());
                    byId.put(id, s);
                    Map<String, String> attrs = new HashMap<>();
                    for (KeyValue kv : rs.getResource().getAttributesList()) {
                      attrs.put(kv.getKey(), kv.getValue().getStringValue());
                    }
                    resourceOf.put(id, attrs);
                  }
                }
              }
            }
          }
          assertThat(byId).as("spans of trace %s at the downstream; collector stats %s, failures %s", ids.traceId(),
              collector.stats(), collector.exportFailures()).containsOnlyKeys(ids.serverSpanId(), ids.clientSpanId(),
              ids.internalSpanId());
        });
    Span server = byId.get(ids.serverSpanId());
    Span client = byId.get(ids.clientSpanId());
    Span internal = byId.get(ids.internalSpanId());
    assertThat(server.getParentSpanId().isEmpty()).as("server span is the root").isTrue();
    assertThat(server.getKind()).isEqualTo(Span.SpanKind.SPAN_KIND_SERVER);
    assertThat(hex(client.getParentSpanId().toByteArray())).as("client's parent").isEqualTo(ids.serverSpanId());
    assertThat(hex(internal.getParentSpanId().toByteArray())).as("internal's parent").isEqualTo(ids.clientSpanId());
    assertThat(resourceOf.get(ids.serverSpanId()))
        .containsEntry("service.name", service)
        .containsEntry("telemetry.sdk.language", "java")
        .as("added by the resource processor").containsEntry("deployment.environment", "it");
    assertThat(collector.stats().pipeline("traces").dropped()).isZero();
  }

  private static String hex(byte[] b) {
    return HexFormat.of().formatHex(b);
  }
}
