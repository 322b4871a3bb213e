package io.traceharness.trace;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Header format from the X-Ray developer guide, "Tracing header" (aws-xray-developer-guide, xray-concepts.md). */
class XRayTraceHeaderTest {

  static final String HEADER = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1";

  @Test
  void partsOfAHeader() {
    XRayTraceHeader h = XRayTraceHeader.parse(HEADER);

    assertThat(h.root()).isEqualTo("1-5759e988-bd862e3fe1be46a994272793");
    assertThat(h.parent()).isEqualTo("53995c3f42cd8ad8");
    assertThat(h.sampled()).isTrue();
    assertThat(h.isSampled()).isTrue();
    assertThat(h.lineage()).isNull();
    assertThat(h.w3cTraceId()).contains("5759e988bd862e3fe1be46a994272793");
    assertThat(h).hasToString(HEADER);
  }

  @Test
  void keysAreReadWithoutRegardToCaseOrBlanksAndUnknownOnesDropped() {
    XRayTraceHeader h = XRayTraceHeader.parse(" root=1-5759E988-BD862E3FE1BE46A994272793 ; Self=1-x ; sampled=0;Lineage=a87bd80c:0");

    assertThat(h.w3cTraceId()).contains("5759e988bd862e3fe1be46a994272793");
    assertThat(h.sampled()).isFalse();
    assertThat(h.parent()).isNull();
    assertThat(h).hasToString("Root=1-5759E988-BD862E3FE1BE46A994272793;Sampled=0;Lineage=a87bd80c:0");
  }

  @Test
  void absentMalformedAndUndecidedHeaders() {
    assertThat(XRayTraceHeader.parse(null)).hasToString("");
    assertThat(XRayTraceHeader.parse("  ").root()).isNull();
    assertThat(XRayTraceHeader.parse("Root=nonsense").w3cTraceId()).isEmpty();
    assertThat(XRayTraceHeader.parse("Root=nonsense").hasValidRoot()).isFalse();
    assertThat(XRayTraceHeader.parse("Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=?").sampled()).isNull();
    assertThat(XRayTraceHeader.parse("garbage;=x;Parent").root()).isNull();
  }

  @Test
  void newTracesHaveValidIdsAndWithMethodsChangeOnePart() {
    XRayTraceHeader h = XRayTraceHeader.newTrace(0x5759e988L, true);

    assertThat(h.root()).matches("1-5759e988-[0-9a-f]{24}");
    assertThat(h.parent()).matches("[0-9a-f]{16}");
    assertThat(h.withParent("1234567890abcdef").withSampled(false))
        .hasToString("Root=" + h.root() + ";Parent=1234567890abcdef;Sampled=0");
    assertThat(XRayTraceHeader.parse(h.toString())).isEqualTo(h);
  }
}
