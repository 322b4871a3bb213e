package io.traceharness.project;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Layer ARNs of the public OpenTelemetry layers map to what the harness runs, with the real layers' defaults. */
class KnownLayersTest {

  @Test
  void adotAndUpstreamLayersAreKnownByName() {
    assertThat(KnownLayers.of("arn:aws:lambda:us-east-1:901920570463:layer:aws-otel-nodejs-amd64-ver-1-18-1:4")
        .provides()).isEqualTo(KnownLayers.Provides.NODEJS);
    assertThat(KnownLayers.of("arn:aws:lambda:eu-west-1:901920570463:layer:aws-otel-java-agent-arm64-ver-1-32-0:1")
        .provides()).isEqualTo(KnownLayers.Provides.JAVA_AGENT);
    assertThat(KnownLayers.of("arn:aws:lambda:us-east-1:615299751070:layer:AWSOpenTelemetryDistroJs:6").wrapper())
        .isEqualTo("/opt/otel-instrument");
    assertThat(KnownLayers.of("arn:aws:lambda:us-east-1:184161586896:layer:opentelemetry-collector-amd64-0_12_0:1")
        .provides()).isEqualTo(KnownLayers.Provides.COLLECTOR);
  }

  @Test
  void upstreamLayersKeepTheirOwnPropagatorDefault() {
    // opentelemetry-lambda nodejs/packages/layer/scripts/otel-handler
    assertThat(KnownLayers.of("arn:aws:lambda:us-east-1:184161586896:layer:opentelemetry-nodejs-0_11_0:1").defaults())
        .containsEntry("OTEL_PROPAGATORS", "tracecontext,baggage,xray");
    assertThat(KnownLayers.of("arn:aws:lambda:us-east-1:901920570463:layer:aws-otel-nodejs-ver-0-19-0:1").defaults())
        .isEmpty();
  }

  @Test
  void anUnknownLayerListsTheSupportedOnes() {
    assertThatThrownBy(() -> KnownLayers.of("arn:aws:lambda:us-east-1:123456789012:layer:my-tools:3"))
        .hasMessageContaining("my-tools").hasMessageContaining("opentelemetry-javaagent-*");
    assertThatThrownBy(() -> KnownLayers.of("not-an-arn")).hasMessageContaining("is not a layer version ARN");
  }
}
