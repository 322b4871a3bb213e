package io.traceharness.diagnosis;

import static io.traceharness.diagnosis.DiagnosisTest.AT;
import static io.traceharness.diagnosis.DiagnosisTest.T;
import static io.traceharness.diagnosis.DiagnosisTest.clientDocs;
import static io.traceharness.diagnosis.DiagnosisTest.evidence;
import static io.traceharness.diagnosis.DiagnosisTest.functionDocs;
import static org.assertj.core.api.Assertions.assertThat;

import io.traceharness.diagnosis.Diagnosis.Kind;
import io.traceharness.trace.Trace;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What the diagnosis says about freezes, shutdowns and extensions of Lambda execution environments. */
class LifecycleDiagnosisTest {

  static Trace connected() {
    List<String> docs = clientDocs(T);
    docs.addAll(functionDocs(T, "1000000000000002", 10_000));
    return Trace.parse(T, docs);
  }

  @Test
  void spansHeldByAFreezeAreNamedWithTheirDelayAndTheFreezeButBreakNothing() {
    Evidence.LateExport late = new Evidence.LateExport("producer", "env-1", T, "2000000000000002", "GET",
        AT.plusMillis(120), AT.plusMillis(5_370), AT.plusMillis(300), AT.plusMillis(5_350));
    Evidence.LateExport otherTrace = new Evidence.LateExport("producer", "env-1", "ffffffffffffffffffffffffffffffff",
        "4000000000000001", "GET", AT, AT.plusSeconds(5), AT.plusMillis(300), AT.plusMillis(5_350));

    Diagnosis d = Diagnosis.of(evidence(connected()).lateExport(late).lateExport(otherTrace).build());

    assertThat(d.isClean()).isTrue();
    assertThat(d.findings(Kind.EXPORTED_AFTER_THAW)).singleElement().satisfies(f -> {
      assertThat(f.function()).isEqualTo("producer");
      assertThat(f.spanId()).isEqualTo("2000000000000002");
      assertThat(f.service()).isEqualTo("producer");
      assertThat(f.message()).contains("1 span of producer reached the collector only after the next invocation thawed"
              + " environment env-1: 'GET' (2000000000000002) ended " + AT.plusMillis(120) + ", exported "
              + AT.plusMillis(5_370) + ", 5250 ms later",
          "frozen from " + AT.plusMillis(300) + " to " + AT.plusMillis(5_350) + " (5050 ms)");
    });
  }

  @Test
  void aMissingServiceWhoseEnvironmentShutDownWithItsSpansIsLostAtShutdown() {
    List<String> docs = clientDocs(T);
    docs.addAll(functionDocs(T, "1000000000000002", 10_000).subList(0, 2));
    Diagnosis d = Diagnosis.of(evidence(Trace.parse(T, docs))
        .invocation(new Evidence.Invocation(AT, "consumer", "req-5", null, null))
        .environmentShutdown(new Evidence.EnvironmentShutdown("consumer", "env-9", AT.plusSeconds(3), "spindown",
            List.of("req-5")))
        .build());

    assertThat(d.isClean()).isFalse();
    assertThat(d.has(Kind.MISSING_SERVICE)).as("the shutdown explains the loss").isFalse();
    assertThat(d.findings(Kind.LOST_AT_SHUTDOWN)).singleElement().satisfies(f -> {
      assertThat(f.service()).isEqualTo("consumer");
      assertThat(f.requestId()).isEqualTo("req-5");
      assertThat(f.message()).startsWith("consumer ran (request id req-5) but none of its spans reached a collector:"
          + " environment env-9 was shut down at " + AT.plusSeconds(3) + " (reason spindown)");
    });
  }

  @Test
  void aShutdownThatLostNothingOfTheMissingInvocationDoesNotExplainIt() {
    List<String> docs = clientDocs(T);
    docs.addAll(functionDocs(T, "1000000000000002", 10_000).subList(0, 2));
    Diagnosis d = Diagnosis.of(evidence(Trace.parse(T, docs))
        .invocation(new Evidence.Invocation(AT, "consumer", "req-5", null, null))
        .environmentShutdown(new Evidence.EnvironmentShutdown("consumer", "env-9", AT.plusSeconds(3), "spindown",
            List.of()))
        .build());

    assertThat(d.has(Kind.LOST_AT_SHUTDOWN)).isFalse();
    assertThat(d.has(Kind.MISSING_SERVICE)).isTrue();
  }

  @Test
  void anExtensionThatKeptTheInvocationToItsTimeoutIsNamed() {
    Diagnosis d = Diagnosis.of(evidence(connected())
        .invocation(new Evidence.Invocation(AT, "producer", "req-3", null, null))
        .extensionTimeout(new Evidence.ExtensionTimeout("producer", "env-2", "req-3", List.of("recorder"),
            AT.plusSeconds(3), Duration.ofSeconds(3)))
        .extensionTimeout(new Evidence.ExtensionTimeout("producer", "env-2", "req-old", List.of("recorder"),
            AT.minusSeconds(600), Duration.ofSeconds(3)))
        .build());

    assertThat(d.isClean()).as("an extension does not break a trace's links").isTrue();
    assertThat(d.findings(Kind.EXTENSION_NOT_DONE)).singleElement().satisfies(f -> {
      assertThat(f.function()).isEqualTo("producer");
      assertThat(f.requestId()).isEqualTo("req-3");
      assertThat(f.message()).startsWith("producer's invocation (request id req-3) ran to its timeout of 3000 ms although"
          + " the runtime had answered: extension recorder never asked for its next event");
    });
  }
}
