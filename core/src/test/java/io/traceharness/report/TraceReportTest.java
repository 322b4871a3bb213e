package io.traceharness.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.traceharness.trace.Trace;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class TraceReportTest {

  private static Trace blogTrace() throws IOException {
    try (InputStream in = TraceReportTest.class.getResourceAsStream("/io/traceharness/trace/apm-trace.ndjson")) {
      List<String> lines = Arrays.asList(new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n"));
      return Trace.parse("4bf92f3577b34da6a3ce929d0e0e4736", lines);
    }
  }

  @Test
  void waterfallRowsFollowTheTreeWithDepths() throws IOException {
    Trace trace = blogTrace();
    JsonNode data = TraceReport.builder().title("t").trace(trace).build().data();

    assertThat(data.get("traceId").asText()).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
    assertThat(data.get("spans")).hasSize(trace.size());
    JsonNode first = data.get("spans").get(0);
    assertThat(first.get("name").asText()).isEqualTo("client-top-level");
    assertThat(first.get("depth").asInt()).isZero();
    assertThat(data.get("spans").get(1).get("depth").asInt()).isEqualTo(1);
    assertThat(data.get("spans").get(1).get("type").asText()).isEqualTo("external/http");
  }

  @Test
  void serviceMapLaysServicesOutInCallOrderWithEdges() throws IOException {
    JsonNode data = TraceReport.builder().trace(blogTrace()).build().data();

    List<String> services = new ArrayList<>();
    data.get("services").forEach(s -> services.add(s.get("name").asText() + "@" + s.get("level").asInt()));
    assertThat(services).containsExactly("java-client@0", "producer@1", "consumer@2");
    List<String> edges = new ArrayList<>();
    data.get("edges").forEach(e -> edges.add(e.get("from").asText() + "->" + e.get("to").asText()));
    assertThat(edges).containsExactly("java-client->producer", "producer->consumer");
    JsonNode producer = data.get("services").get(1);
    assertThat(producer.get("transactions").asInt()).isEqualTo(1);
    assertThat(producer.get("avgUs").asLong()).isPositive();
  }

  @Test
  void htmlIsSelfContainedAndEscapesScriptBreakers() throws IOException {
    String html = TraceReport.builder().title("<b>scenario</b>").trace(blogTrace())
        .diagnosis(List.of("span </script><script>alert(1)</script> orphaned")).build().html();

    assertThat(html).doesNotContain("<link").doesNotContain(" src=").doesNotContain("__DATA__");
    assertThat(html).contains("<title>&lt;b&gt;scenario&lt;/b&gt;</title>");
    assertThat(html).doesNotContain("</script><script>alert(1)");
    assertThat(html).contains("\"passed\":false");
    assertThat(html).doesNotContain("__SCRIPT__").doesNotContain("__STYLE__")
        .contains(TraceReport.script()).contains(TraceReport.style());
  }

  @Test
  void jsonIsTheDataTheScriptDraws() throws IOException {
    TraceReport report = TraceReport.builder().trace(blogTrace()).build();

    JsonNode json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(report.json());
    assertThat(json.get("spans").toString()).isEqualTo(report.data().get("spans").toString());
    assertThat(json.get("services").toString()).isEqualTo(report.data().get("services").toString());
    assertThat(TraceReport.script()).contains("var TraceReportView").contains("function waterfall(data, container)");
  }
}
