package io.traceharness.apm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConformanceTest {

  static JsonNode json(String s) throws Exception {
    return new ObjectMapper().readTree(s);
  }

  @Test
  void flattensAsElasticsearchFieldsDo() throws Exception {
    var fields = StoredFields.flatten(json("""
        {"a":{"b":1,"c":[1.0,"x"]},"links":[{"id":"1"},{"id":"2"}],"n":null}"""));
    assertThat(fields).containsOnlyKeys("a.b", "a.c", "links.id");
    assertThat(fields.get("links.id")).containsExactly("1", "2");
    assertThat(fields.get("a.c")).isEqualTo(StoredFields.canonical(List.of(1, "x")));
  }

  @Test
  void equalDocumentPassesWithDynamicFieldsWellFormed() throws Exception {
    Conformance.rule("unit", "ConformanceTest")
        .fields("service.name", "svc", "transaction.duration.us", 12)
        .dynamic("@timestamp", "trace.id")
        .check(json("""
            {"@timestamp":"2026-01-01T00:00:00.000Z","service":{"name":"svc"},
             "transaction":{"duration":{"us":12.0}},"trace":{"id":"0123456789abcdef0123456789abcdef"}}"""));
  }

  @Test
  void extraAndWrongFieldsFailWithTheDocument() throws Exception {
    assertThatThrownBy(() -> Conformance.rule("unit", "ConformanceTest")
        .field("service.name", "svc")
        .dynamic("trace.id")
        .check(json("""
            {"service":{"name":"other"},"event":{"duration":5},"trace":{"id":"nothex"}}""")))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("event.duration = 5")
        .hasMessageContaining("service.name = \"svc\"")
        .hasMessageContaining("trace.id = \"nothex\"")
        .hasMessageContaining("whole stored document");
  }

  @Test
  void gapsCountButDoNotFail() throws Exception {
    Conformance.rule("unit-gap", "ConformanceTest")
        .field("host.ip", "127.0.0.1")
        .gap("host.ip", "not written here")
        .check(json("{}"));
    assertThat(Conformance.summary()).contains("unit-gap: 0 / 1 fields matched");
  }
}
