package io.traceharness.trace;

import static io.opentelemetry.sdk.testing.assertj.OpenTelemetryAssertions.assertThat;
import static io.opentelemetry.sdk.testing.assertj.OpenTelemetryAssertions.equalTo;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.testing.assertj.TracesAssert;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.data.StatusData;
import java.util.List;
import org.junit.jupiter.api.Test;

class SpanDataConversionTest {

  @Test
  void traceConvertsToSpanDataThatOpenTelemetryAssertionsAccept() {
    List<SpanData> spans = TraceFixtures.apmTrace().toSpanData();

    TracesAssert.assertThat(List.of(spans)).hasTracesSatisfyingExactly(trace -> trace.hasSpansSatisfyingExactly(
        root -> root.hasName("client-top-level").hasKind(SpanKind.SERVER).hasNoParent()
            .hasTraceId(TraceFixtures.APM_TRACE_ID).hasSpanId("1000000000000001")
            .hasResourceSatisfying(r -> r.hasAttribute(AttributeKey.stringKey("service.name"), "java-client"))
            .hasStatus(StatusData.ok())
            .startsAt(1767225600000000000L).endsAt(1767225600120000000L),
        request -> request.hasName("client-request").hasKind(SpanKind.CLIENT).hasParentSpanId("1000000000000001"),
        produce -> produce.hasName("POST /produce").hasKind(SpanKind.SERVER)
            .hasAttributesSatisfyingExactly(equalTo(AttributeKey.stringKey("faas_trigger"), "http")),
        get -> get.hasName("GET").hasKind(SpanKind.CLIENT).hasParentSpanId("2000000000000001"),
        ping -> ping.hasName("GET /ping").hasParentSpanId("2000000000000002")
            .hasAttributesSatisfyingExactly(
                equalTo(AttributeKey.stringKey("faas_trigger"), "http"),
                equalTo(AttributeKey.doubleKey("http_response_status_code"), 200.0)),
        orphan -> orphan.hasName("orphan-call").hasKind(SpanKind.INTERNAL)
            .hasParentSpanId("00000000000000ff").hasStatus(StatusData.error())));
    assertThat(spans.get(0).getInstrumentationScopeInfo().getName()).isEqualTo("java");
  }
}
