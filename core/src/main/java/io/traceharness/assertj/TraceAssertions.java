package io.traceharness.assertj;

import io.traceharness.trace.SeenTraces;
import io.traceharness.trace.SpanNode;
import io.traceharness.trace.Trace;
import org.assertj.core.api.Assertions;

/**
 * Entry point for assertions on traces read from Elasticsearch; static-import it in place of
 * AssertJ's {@code Assertions} (it extends them).
 *
 * <pre>{@code
 * import static io.traceharness.assertj.TraceAssertions.assertThat;
 *
 * assertThat(trace)
 *     .hasSingleRoot()
 *     .hasNoOrphans()
 *     .hasPath("java-client", "producer", "consumer")
 *     .hasRootSatisfying(root -> root.hasService("java-client").isTransaction()
 *         .hasChildSatisfying(request -> request.hasType("external").hasSubtype("http")));
 * }</pre>
 *
 * <p>Each trace asserted is told to {@link SeenTraces} (the JUnit extension's run report lists it).
 *
 * <p>A failure names the span and prints the actual trace as a waterfall, with the span in question
 * marked by {@code >}.
 */
public final class TraceAssertions extends Assertions {

  private TraceAssertions() {}

  /** Assertions on a whole trace: its shape, services and paths. */
  public static TraceAssert assertThat(Trace actual) {
    SeenTraces.seen(actual, SeenTraces.ASSERTED);
    return new TraceAssert(actual);
  }

  /** Assertions on one transaction or span and its neighbours. */
  public static SpanNodeAssert assertThat(SpanNode actual) {
    return new SpanNodeAssert(actual);
  }
}
