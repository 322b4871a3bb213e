package io.traceharness.collector;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Message;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClockShiftTest {

  @Test
  void shiftsStartEndAndEventTimesAndNothingElse() throws Exception {
    List<Message> out = new ArrayList<>();
    SignalConsumer sink = out::add;
    Span span = Span.newBuilder().setName("GET /ping").setStartTimeUnixNano(1_000_000_000L).setEndTimeUnixNano(1_500_000_000L)
        .addEvents(Span.Event.newBuilder().setName("e").setTimeUnixNano(1_200_000_000L)).build();
    ExportTraceServiceRequest request = ExportTraceServiceRequest.newBuilder().addResourceSpans(
        ResourceSpans.newBuilder().addScopeSpans(ScopeSpans.newBuilder().addSpans(span))).build();

    new ClockShift(Duration.ofMillis(-300), sink).consume(request);

    Span shifted = ((ExportTraceServiceRequest) out.get(0)).getResourceSpans(0).getScopeSpans(0).getSpans(0);
    assertThat(shifted.getStartTimeUnixNano()).isEqualTo(700_000_000L);
    assertThat(shifted.getEndTimeUnixNano()).isEqualTo(1_200_000_000L);
    assertThat(shifted.getEvents(0).getTimeUnixNano()).isEqualTo(900_000_000L);
    assertThat(shifted.getName()).isEqualTo("GET /ping");
  }
}
