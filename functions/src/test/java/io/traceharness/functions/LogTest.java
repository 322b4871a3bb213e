package io.traceharness.functions;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LogTest {

  private static final SpanContext SPAN = SpanContext.create("4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7",
      TraceFlags.getSampled(), TraceState.getDefault());

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();

  private String log(Map<String, String> env, SpanContext span, String message) {
    new Log(env::get, () -> span, new PrintStream(out, true, StandardCharsets.UTF_8)).info(message);
    return out.toString(StandardCharsets.UTF_8);
  }

  @Test
  void anActiveSpanGivesOneEcsJsonLineWithItsIds() throws Exception {
    String line = log(Map.of("AWS_LAMBDA_FUNCTION_NAME", "producer"), SPAN, "Status: 200 \"ok\"\nnext");

    assertThat(line).endsWith("}\n").doesNotContain("\nnext");
    JsonNode json = new ObjectMapper().readTree(line);
    assertThat(json.path("trace.id").asText()).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
    assertThat(json.path("span.id").asText()).isEqualTo("00f067aa0ba902b7");
    assertThat(json.path("message").asText()).isEqualTo("Status: 200 \"ok\"\nnext");
    assertThat(json.path("log.level").asText()).isEqualTo("INFO");
    assertThat(json.path("service.name").asText()).isEqualTo("producer");
    assertThat(json.path("@timestamp").asText()).isNotBlank();
  }

  @Test
  void otelServiceNameWinsOverTheFunctionName() throws Exception {
    String line = log(Map.of("AWS_LAMBDA_FUNCTION_NAME", "producer", "OTEL_SERVICE_NAME", "orders"), SPAN, "x");

    assertThat(new ObjectMapper().readTree(line).path("service.name").asText()).isEqualTo("orders");
  }

  @Test
  void withoutASpanOrWithLogTraceIdFalseTheLineIsPlain() {
    assertThat(log(Map.of(), SpanContext.getInvalid(), "Status: 200")).isEqualTo("Status: 200\n");
    out.reset();
    assertThat(log(Map.of("LOG_TRACE_ID", "false"), SPAN, "Status: 200")).isEqualTo("Status: 200\n");
  }
}
