package io.traceharness.apm;

import static io.traceharness.apm.OtlpMappingTest.attr;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Attribute lookups behave like apm-data's attribute loop (input/otlp/traces.go TranslateSpan). */
class SpanAttributesTest {

  private final SpanAttributes attributes = new SpanAttributes(List.of(
      attr("net.peer.name", "first"), attr("peer.hostname", "second"), attr("server.address", 7L),
      attr("http.method", "GET"), attr("http.request.method", ""),
      attr("net.peer.port", 80L), attr("peer.port", "81")));

  @Test
  void theLastAttributeOfTheExpectedTypeWins() {
    assertThat(attributes.string(Set.of("net.peer.name", "peer.hostname", "server.address"))).isEqualTo("second");
    assertThat(attributes.integer(Set.of("net.peer.port", "peer.port"))).isEqualTo(80L);
  }

  @Test
  void anEmptyValueWritesNoFieldSoTheFieldKeepsTheEarlierOne() {
    assertThat(attributes.string(Set.of("http.method", "http.request.method"))).isEmpty();
    assertThat(attributes.field(Set.of("http.method", "http.request.method"))).isEqualTo("GET");
  }

  @Test
  void missingKeysGiveNull() {
    assertThat(attributes.string("db.system")).isNull();
    assertThat(attributes.integer("server.port", 0)).isZero();
  }

  @Test
  void longStringsAreTruncatedTo1024Characters() {
    SpanAttributes a = new SpanAttributes(List.of(attr("db.name", "n".repeat(2000))));
    assertThat(a.string("db.name")).hasSize(1024);
  }
}
