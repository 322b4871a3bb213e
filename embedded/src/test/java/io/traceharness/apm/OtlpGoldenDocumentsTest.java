package io.traceharness.apm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Characterisation of {@link OtlpMapper}: a broad set of OTLP requests and the documents the
 * mapper produced for them before it was split by semantic convention (issue 9). The golden files
 * under {@code otlp-golden/} were generated from that code and must not change in a refactor.
 *
 * <p>Documents are compared as JSON with keys sorted: JSON objects are unordered and Elasticsearch
 * and the trace reader address fields by path, so the order in which the mapper happens to add
 * fields is not behaviour. Number rendering (3 vs 3.0) and the order of documents and of array
 * elements are compared. The random {@code error.id} is checked for shape, then masked.
 *
 * <p>Regenerate (only when the mapping is meant to change) with
 * {@code -Dtraceharness.golden.update=true}.
 */
class OtlpGoldenDocumentsTest {

  private static final String DIR = "io/traceharness/apm/otlp-golden/";
  private static final boolean UPDATE = Boolean.getBoolean("traceharness.golden.update");

  private final OtlpMapper mapper = new OtlpMapper(Docs.object().put("hostname", "apm-host")
      .put("type", "apm-server").put("version", "8.19.21"));

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.traceharness.apm.OtlpGoldenCases#all")
  void documentsMatchTheGoldenFile(String name, Function<OtlpMapper, List<ApmDocument>> run) throws IOException {
    String actual = canonical(run.apply(mapper));
    String file = DIR + name + ".json";
    if (UPDATE) {
      Path path = Path.of("src/test/resources", file);
      Files.createDirectories(path.getParent());
      Files.writeString(path, actual);
      return;
    }
    try (InputStream in = getClass().getClassLoader().getResourceAsStream(file)) {
      assertThat(in).as("golden file %s (generate with -Dtraceharness.golden.update=true)", file).isNotNull();
      assertThat(actual).as(file).isEqualTo(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }
  }

  private static String canonical(List<ApmDocument> documents) throws IOException {
    ArrayNode out = Docs.NODES.arrayNode();
    for (ApmDocument d : documents) {
      ObjectNode source = d.source().deepCopy();
      JsonNode error = source.get("error");
      if (error instanceof ObjectNode e && e.has("id")) {
        assertThat(e.get("id").asText()).matches("[0-9a-f]{32}");
        e.put("id", "<random 16 bytes>");
      }
      out.addObject().put("data_stream", d.dataStream()).set("source", sorted(source));
    }
    return Docs.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(out) + "\n";
  }

  private static JsonNode sorted(JsonNode node) {
    if (node instanceof ObjectNode object) {
      Map<String, JsonNode> fields = new TreeMap<>();
      object.properties().forEach(e -> fields.put(e.getKey(), sorted(e.getValue())));
      ObjectNode copy = Docs.object();
      fields.forEach(copy::set);
      return copy;
    }
    if (node instanceof ArrayNode array) {
      ArrayNode copy = Docs.NODES.arrayNode();
      array.forEach(e -> copy.add(sorted(e)));
      return copy;
    }
    return node;
  }
}
