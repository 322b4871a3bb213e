package io.traceharness.assertj;

import io.traceharness.trace.Anomaly;
import io.traceharness.trace.SpanNode;
import io.traceharness.trace.Trace;
import io.traceharness.trace.TraceLog;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import org.assertj.core.api.AbstractAssert;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.opentest4j.AssertionFailedError;

/**
 * Assertions on a whole trace; obtain it from {@link TraceAssertions#assertThat(Trace)}.
 *
 * <pre>{@code
 * assertThat(trace).hasSingleRoot().hasNoOrphans()
 *     .hasServicesExactly("java-client", "producer", "consumer")
 *     .hasPath("java-client", "producer", "consumer");
 * }</pre>
 */
public final class TraceAssert extends AbstractAssert<TraceAssert, Trace> {

  TraceAssert(Trace actual) {
    super(actual, TraceAssert.class);
  }

  /** The trace id is {@code traceId}. */
  public TraceAssert hasTraceId(String traceId) {
    isNotNull();
    if (!actual.traceId().equals(traceId)) {
      failComparing("to have trace id <" + traceId + "> but was <" + actual.traceId() + ">", traceId, actual.traceId());
    }
    return this;
  }

  /** Exactly one document has no {@code parent.id}. */
  public TraceAssert hasSingleRoot() {
    isNotNull();
    List<SpanNode> roots = actual.roots();
    if (roots.size() != 1) {
      fail(roots.size() > 1 ? roots.get(1) : null, "to have a single root but "
          + (roots.isEmpty() ? "had none (every document has a parent.id)"
              : "had " + roots.size() + ": " + Failures.names(roots)));
    }
    return this;
  }

  /** Every {@code parent.id} names a document of the trace. */
  public TraceAssert hasNoOrphans() {
    isNotNull();
    List<Anomaly> orphans = actual.anomalies().stream().filter(Anomaly.Orphan.class::isInstance).toList();
    if (!orphans.isEmpty()) {
      fail(((Anomaly.Orphan) orphans.get(0)).span(), "to have no orphans but had " + orphans.size() + ":"
          + bullets(orphans));
    }
    return this;
  }

  /** No several roots, orphans, duplicate ids, cycles or clock skew. */
  public TraceAssert hasNoAnomalies() {
    isNotNull();
    if (!actual.anomalies().isEmpty()) {
      fail(null, "to have no anomalies but had " + actual.anomalies().size() + ":"
          + bullets(actual.anomalies()));
    }
    return this;
  }

  /** No child starts before its parent or ends after it. */
  public TraceAssert hasNoClockSkew() {
    return hasNoClockSkew(Duration.ZERO);
  }

  /** No child starts before its parent or ends after it by more than {@code tolerance}. */
  public TraceAssert hasNoClockSkew(Duration tolerance) {
    isNotNull();
    List<Anomaly> skews = actual.anomalies().stream()
        .filter(a -> a instanceof Anomaly.ClockSkew s && s.amount().compareTo(tolerance) > 0)
        .toList();
    if (!skews.isEmpty()) {
      fail(((Anomaly.ClockSkew) skews.get(0)).child(), "to have no clock skew"
          + (tolerance.isZero() ? "" : String.format(java.util.Locale.ROOT, " beyond %.3f ms",
              tolerance.toNanos() / 1_000_000.0))
          + " but had " + skews.size() + ":" + bullets(skews));
    }
    return this;
  }

  /** Spans of each of these services are present (others may be too). */
  public TraceAssert hasServices(String... services) {
    isNotNull();
    Set<String> missing = new LinkedHashSet<>(List.of(services));
    missing.removeAll(actual.services());
    if (!missing.isEmpty()) {
      fail(null, "to have services " + List.of(services) + " but " + missing + " "
          + (missing.size() == 1 ? "is" : "are") + " missing; services were " + actual.services());
    }
    return this;
  }

  /** Spans of exactly these services are present, in any order, and of no other. */
  public TraceAssert hasServicesExactly(String... services) {
    isNotNull();
    Set<String> wanted = new LinkedHashSet<>(List.of(services));
    if (!actual.services().equals(wanted)) {
      Set<String> missing = new LinkedHashSet<>(wanted);
      missing.removeAll(actual.services());
      Set<String> extra = new LinkedHashSet<>(actual.services());
      extra.removeAll(wanted);
      List<String> problems = new ArrayList<>();
      if (!missing.isEmpty()) {
        problems.add("missing " + missing);
      }
      if (!extra.isEmpty()) {
        problems.add("unexpected " + extra);
      }
      failComparing("to have exactly services " + wanted + " but services were " + actual.services()
          + " (" + String.join(", ", problems) + ")", wanted, actual.services());
    }
    return this;
  }

  /** It has {@code count} transactions and spans. */
  public TraceAssert hasSpanCount(int count) {
    isNotNull();
    if (actual.size() != count) {
      failComparing("to have " + count + " spans but had " + actual.size(), count, actual.size());
    }
    return this;
  }

  /** No error documents. */
  public TraceAssert hasNoErrors() {
    isNotNull();
    if (!actual.errors().isEmpty()) {
      StringBuilder sb = new StringBuilder("to have no errors but had " + actual.errors().size() + ":");
      actual.errors().forEach(e -> sb.append("\n  - ").append(e.type()).append(": ").append(e.message())
          .append(" (service ").append(e.service()).append(")"));
      fail(null, sb.toString());
    }
    return this;
  }

  /** The trace has a single root, and it satisfies {@code assertion}. */
  public TraceAssert hasRootSatisfying(Consumer<SpanNodeAssert> assertion) {
    hasSingleRoot();
    assertion.accept(new SpanNodeAssert(actual.roots().get(0)));
    return this;
  }

  /** Some transaction or span of the trace satisfies {@code assertion}. */
  public TraceAssert hasSpanSatisfying(Consumer<SpanNodeAssert> assertion) {
    isNotNull();
    if (actual.spans().isEmpty()) {
      fail(null, "to have a span satisfying the given assertions but none of its 0 spans did");
    }
    Failures.Attempt nearest = Failures.nearest(assertion, actual.spans());
    if (nearest == null) {
      return this;
    }
    String expectation = "to have a span satisfying the given assertions but none of its " + actual.size()
        + " spans did" + nearest.describe();
    if (nearest.failure() instanceof AssertionFailedError f && f.isExpectedDefined() && f.isActualDefined()) {
      failWithActualExpectedAndMessage(f.getActual().getValue(), f.getExpected().getValue(), "%s",
          message(nearest.node(), expectation));
    }
    fail(nearest.node(), expectation);
    return this;
  }

  /**
   * A chain of parent-child links passes through the services in this order: it starts at a span
   * of the first service and may go through any number of spans of the current service before
   * reaching one of the next. {@code hasPath("client", "producer", "consumer")} holds for
   * client transaction → client HTTP span → producer transaction → producer HTTP span → consumer
   * transaction.
   */
  public TraceAssert hasPath(String... services) {
    isNotNull();
    if (services.length == 0) {
      throw new IllegalArgumentException("name at least one service");
    }
    Best best = new Best();
    for (SpanNode start : actual.spans()) {
      if (start.service().equals(services[0]) && walk(start, 0, services, best)) {
        return this;
      }
    }
    List<String> path = List.of(services);
    if (best.node == null) {
      fail(null, "to have a path through services " + path + " but no span belongs to service "
          + services[0] + "; services were " + actual.services());
    }
    fail(best.node, "to have a path through services " + path + " but the longest was "
        + path.subList(0, best.index + 1) + ", ending at span " + best.node.describe()
        + ": no span of " + services[best.index + 1] + " hangs below it through spans of "
        + services[best.index]);
    return this;
  }

  private static final class Best {
    SpanNode node;
    int index = -1;
    int depth = -1;
  }

  private static boolean walk(SpanNode node, int index, String[] services, Best best) {
    if (index == services.length - 1) {
      return true;
    }
    int depth = node.depth();
    if (index > best.index || (index == best.index && depth > best.depth)) {
      best.node = node;
      best.index = index;
      best.depth = depth;
    }
    for (SpanNode child : node.children()) {
      if (child.service().equals(services[index + 1])) {
        if (walk(child, index + 1, services, best)) {
          return true;
        }
      } else if (child.service().equals(services[index]) && walk(child, index, services, best)) {
        return true;
      }
    }
    return false;
  }

  /** How long the log assertions wait for the logs to be shipped and indexed, unless {@link #logsWithin} says. */
  static final Duration LOG_WAIT = Duration.ofSeconds(20);

  private Duration logWait = LOG_WAIT;

  /** How long the log assertions that follow wait for the logs (default 20 s; zero: read once). */
  public TraceAssert logsWithin(Duration wait) {
    if (wait == null || wait.isNegative()) {
      throw new IllegalArgumentException("logsWithin: a duration of zero or more, not " + wait);
    }
    this.logWait = wait;
    return this;
  }

  /**
   * The trace's logs ({@link Trace#logs()}: records carrying its id, and its functions' lines written
   * during its invocations) satisfy {@code assertion}, within 20 s ({@link #logsWithin}): logs are shipped apart from
   * spans, so the assertion is retried until it passes; on timeout it runs once more, and the
   * failure prints the logs found and the trace.
   *
   * <pre>{@code
   * assertThat(trace).hasLogsSatisfying(logs -> assertThat(logs)
   *     .filteredOn(l -> l.link() == TraceLog.Link.TRACE_ID).extracting(TraceLog::service).contains("producer"));
   * }</pre>
   */
  public TraceAssert hasLogsSatisfying(Consumer<? super List<TraceLog>> assertion) {
    return awaitLogs("to have logs satisfying the assertion", assertion);
  }

  private TraceAssert awaitLogs(String expectation, Consumer<? super List<TraceLog>> assertion) {
    isNotNull();
    if (!actual.hasLogSource()) {
      failWithMessage("%s", message(null, "to have logs, but it was not read from Elasticsearch (Traces.read or"
          + " await), so its logs cannot be read"));
    }
    List<TraceLog> last;
    if (logWait.isZero()) {
      last = actual.logs();
    } else {
      try {
        Awaitility.await("the logs of trace " + actual.traceId()).atMost(logWait)
            .pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(250)).pollInSameThread()
            .until(actual::logs, logs -> passes(assertion, logs));
        return this;
      } catch (ConditionTimeoutException e) {
        last = actual.logs();
      }
    }
    try {
      assertion.accept(last);
    } catch (AssertionError real) {
      failWithMessage("%s", logMessage(expectation + " within " + logWait.toMillis()
          + " ms, but " + Failures.headline(real), last));
    }
    return this;
  }

  /**
   * A log record of {@code service} whose message contains {@code text} carries this trace's id, so
   * Kibana shows it with the trace (waits as {@link #hasLogsSatisfying} does). A line of the service
   * found only by its request id fails, saying it does not carry the trace id.
   */
  public TraceAssert hasLogLine(String service, String text) {
    isNotNull();
    java.util.function.Predicate<TraceLog> line = l -> service.equals(l.service()) && l.message().contains(text);
    return awaitLogs("to have a log line of " + service + " containing \"" + text + "\" that carries its id", logs -> {
      if (logs.stream().noneMatch(l -> line.test(l) && l.link() == TraceLog.Link.TRACE_ID)) {
        throw new AssertionError(logs.stream().anyMatch(line)
            ? "the line was written during the trace's invocation without the trace id"
            : "no line of " + service + " contains it");
      }
    });
  }

  private static boolean passes(Consumer<? super List<TraceLog>> assertion, List<TraceLog> logs) {
    try {
      assertion.accept(logs);
      return true;
    } catch (AssertionError e) {
      return false;
    }
  }

  private String logMessage(String expectation, List<TraceLog> logs) {
    StringBuilder sb = new StringBuilder("Expected trace ").append(actual.traceId()).append(' ').append(expectation)
        .append("\n\nLogs found (").append(logs.size()).append("):\n");
    if (logs.isEmpty()) {
      sb.append("  (none: no record carries the trace id, and no function line names one of its request ids)\n");
    }
    logs.forEach(l -> sb.append("  ").append(l.describe()).append('\n'));
    return sb.append('\n').append(actual.waterfall()).toString();
  }

  private static String bullets(List<? extends Anomaly> anomalies) {
    StringBuilder sb = new StringBuilder();
    anomalies.forEach(a -> sb.append("\n  - ").append(a.description()));
    return sb.toString();
  }

  private void fail(SpanNode marked, String expectation) {
    failWithMessage("%s", message(marked, expectation));
  }

  /** Fails in AssertJ's actual/expected form, so that IDEs offer a diff of the two values. */
  private void failComparing(String expectation, Object expected, Object actualValue) {
    failWithActualExpectedAndMessage(actualValue, expected, "%s", message(null, expectation));
  }

  private String message(SpanNode marked, String expectation) {
    return "Expected trace " + actual.traceId() + " " + expectation + "\n\n" + actual.waterfall(marked);
  }
}
