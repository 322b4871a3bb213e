package io.traceharness.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class FunctionSpecTest {

  @Test
  void specsCarryWhatTheStackWiresAndRoundTripThroughTheirBuilder() {
    FunctionSpec spec = FunctionSpec.nodejs("producer", "handler.consumer")
        .code(Path.of("fn.zip")).env("K", "V").timeout(Duration.ofSeconds(10)).memoryMb(512).activeTracing(true)
        .layer("arn:aws:lambda:us-east-1:000000000000:layer:otel:1").otelLayer().http("POST", "/produce")
        .build();
    assertThat(spec.runtime()).isEqualTo("nodejs20.x");
    assertThat(spec.routes()).containsExactly(new FunctionSpec.HttpRoute("POST", "/produce"));
    assertThat(spec.otelLayer()).isTrue();
    assertThat(spec.toBuilder().build()).isEqualTo(spec);
    FunctionSpec java = FunctionSpec.java("consumer", "example.Handler::handleRequest").code(Path.of("j.zip")).build();
    assertThat(java.runtime()).isEqualTo("java21");
    assertThat(java.timeout()).isEqualTo(Duration.ofSeconds(3));
    assertThat(java.memoryMb()).isEqualTo(128);
    assertThatThrownBy(() -> FunctionSpec.builder("x").build()).hasMessageContaining("no handler");
  }
}
