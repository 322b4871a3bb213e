package io.traceharness.assertj;

import io.opentelemetry.api.trace.SpanKind;
import io.traceharness.trace.SpanNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import org.assertj.core.api.AbstractAssert;
import org.opentest4j.AssertionFailedError;

/**
 * Assertions on one transaction or span of a trace and on its parent and children; obtain it from
 * {@link TraceAssertions#assertThat(SpanNode)} or the {@code …Satisfying} methods of
 * {@link TraceAssert}.
 *
 * <pre>{@code
 * assertThat(trace).hasRootSatisfying(root -> root
 *     .hasService("java-client").isTransaction()
 *     .hasChildSatisfying(request -> request.isSpan().hasType("external")
 *         .hasChildSatisfying(producer -> producer.isTransaction().hasService("producer"))));
 * }</pre>
 */
public final class SpanNodeAssert extends AbstractAssert<SpanNodeAssert, SpanNode> {

  /** Assertions begun on this instance; how far a candidate got when it failed. */
  private int begun;

  SpanNodeAssert(SpanNode actual) {
    super(actual, SpanNodeAssert.class);
  }

  /** Every assertion of this class starts here, which counts it. */
  @Override
  public SpanNodeAssert isNotNull() {
    begun++;
    return super.isNotNull();
  }

  int begun() {
    return begun;
  }

  /** The span's {@code service.name} is {@code service}. */
  public SpanNodeAssert hasService(String service) {
    isNotNull();
    if (!actual.service().equals(service)) {
      failComparing("to have service <" + service + "> but was <" + actual.service() + ">", service, actual.service());
    }
    return this;
  }

  /** The span's name is {@code name}. */
  public SpanNodeAssert hasName(String name) {
    isNotNull();
    if (!actual.name().equals(name)) {
      failComparing("to have name <" + name + "> but was <" + actual.name() + ">", name, actual.name());
    }
    return this;
  }

  /** The span's id is {@code spanId}. */
  public SpanNodeAssert hasSpanId(String spanId) {
    isNotNull();
    if (!actual.spanId().equals(spanId)) {
      failComparing("to have span id <" + spanId + "> but was <" + actual.spanId() + ">", spanId, actual.spanId());
    }
    return this;
  }

  /** Elastic stored it as a transaction. */
  public SpanNodeAssert isTransaction() {
    isNotNull();
    if (!actual.isTransaction()) {
      failComparing("to be a transaction but was a span", "transaction", "span");
    }
    return this;
  }

  /** Elastic stored it as a span. */
  public SpanNodeAssert isSpan() {
    isNotNull();
    if (!actual.isSpan()) {
      failComparing("to be a span but was a transaction", "span", "transaction");
    }
    return this;
  }

  /** {@code transaction.type} or {@code span.type} is {@code type}. */
  public SpanNodeAssert hasType(String type) {
    isNotNull();
    if (!actual.type().equals(Optional.of(type))) {
      failComparing("to have type <" + type + "> but was <" + actual.type().orElse("none") + ">", type,
          actual.type().orElse(null));
    }
    return this;
  }

  /** {@code span.subtype} is {@code subtype}. */
  public SpanNodeAssert hasSubtype(String subtype) {
    isNotNull();
    if (!actual.subtype().equals(Optional.of(subtype))) {
      failComparing("to have subtype <" + subtype + "> but was <" + actual.subtype().orElse("none") + ">", subtype,
          actual.subtype().orElse(null));
    }
    return this;
  }

  /**
   * The document's span kind is {@code kind}. OTel-native documents carry one; APM documents only
   * when the writer kept {@code span.kind}, so this fails when the document has none.
   */
  public SpanNodeAssert hasKind(SpanKind kind) {
    isNotNull();
    if (!actual.kind().equals(Optional.of(kind))) {
      failComparing("to have kind <" + kind + "> but "
          + actual.kind().map(k -> "was <" + k + ">").orElse("its document carries no kind (APM Server keeps no"
              + " span.kind for OTLP spans: assert isTransaction() or hasType() instead)"),
          kind, actual.kind().orElse(null));
    }
    return this;
  }

  /** {@code event.outcome} is {@code outcome}. */
  public SpanNodeAssert hasOutcome(SpanNode.Outcome outcome) {
    isNotNull();
    if (actual.outcome() != outcome) {
      failComparing("to have outcome <" + outcome + "> but was <" + actual.outcome() + ">", outcome, actual.outcome());
    }
    return this;
  }

  /** {@code transaction.result} is {@code result}, e.g. {@code HTTP 2xx}. */
  public SpanNodeAssert hasResult(String result) {
    isNotNull();
    if (!actual.result().equals(Optional.of(result))) {
      failComparing("to have result <" + result + "> but was <" + actual.result().orElse("none") + ">", result,
          actual.result().orElse(null));
    }
    return this;
  }

  /** The label {@code key} ({@code labels.*}) has {@code value}. */
  public SpanNodeAssert hasLabel(String key, String value) {
    isNotNull();
    if (!Objects.equals(actual.labels().get(key), value)) {
      failComparing("to have label <" + key + "=" + value + "> but "
          + (actual.labels().containsKey(key) ? "was <" + actual.labels().get(key) + ">"
              : "had no such label; labels were " + actual.labels()), value, actual.labels().get(key));
    }
    return this;
  }

  /** The duration lies within {@code [min, max]}. */
  public SpanNodeAssert hasDurationBetween(Duration min, Duration max) {
    isNotNull();
    Duration d = actual.duration();
    if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
      fail("to last between " + millis(min) + " and " + millis(max) + " but lasted " + millis(d));
    }
    return this;
  }

  /** It has no {@code parent.id}. */
  public SpanNodeAssert isRoot() {
    isNotNull();
    if (actual.parentId().isPresent()) {
      failComparing("to be a root but had parent " + parentDescription(), null, actual.parentId().get());
    }
    return this;
  }

  /** Its {@code parent.id} is {@code parentId}. */
  public SpanNodeAssert hasParentId(String parentId) {
    isNotNull();
    if (!actual.parentId().equals(Optional.of(parentId))) {
      failComparing("to have parent " + parentId + " but " + (actual.parentId().isEmpty() ? "it is a root"
          : "was " + parentDescription()), parentId, actual.parentId().orElse(null));
    }
    return this;
  }

  /** Its parent is in the trace and satisfies {@code assertion}. */
  public SpanNodeAssert hasParentSatisfying(Consumer<SpanNodeAssert> assertion) {
    isNotNull();
    Optional<SpanNode> parent = actual.parent();
    if (parent.isEmpty()) {
      fail("to have a parent satisfying the given assertions but "
          + (actual.parentId().isEmpty() ? "it is a root" : "its parent " + parentDescription()));
    }
    AssertionError e = Failures.check(assertion, parent.get());
    if (e != null) {
      failAt(actual, "to have a parent satisfying the given assertions but its parent "
          + parent.get().describe() + " did not: " + Failures.headline(e), e);
    }
    return this;
  }

  /** It has exactly {@code count} children. */
  public SpanNodeAssert hasChildCount(int count) {
    isNotNull();
    if (actual.children().size() != count) {
      failComparing("to have " + children(count) + " but had " + actual.children().size()
          + (actual.children().isEmpty() ? "" : ": " + Failures.names(actual.children())), count,
          actual.children().size());
    }
    return this;
  }

  /** At least one child satisfies {@code assertion}. */
  public SpanNodeAssert hasChildSatisfying(Consumer<SpanNodeAssert> assertion) {
    isNotNull();
    List<SpanNode> children = actual.children();
    if (children.isEmpty()) {
      fail("to have a child satisfying the given assertions but it has no children");
    }
    List<AssertionError> failures = new ArrayList<>();
    for (SpanNode child : children) {
      AssertionError e = Failures.check(assertion, child);
      if (e == null) {
        return this;
      }
      failures.add(e);
    }
    if (children.size() == 1) {
      throw failures.get(0);
    }
    StringBuilder sb = new StringBuilder("to have a child satisfying the given assertions but none of its ")
        .append(children.size()).append(" children did:");
    for (AssertionError e : failures) {
      sb.append("\n  - ").append(Failures.headline(e));
    }
    fail(sb.toString());
    return this;
  }

  /** Some descendant, at any depth, satisfies {@code assertion}. */
  public SpanNodeAssert hasDescendantSatisfying(Consumer<SpanNodeAssert> assertion) {
    isNotNull();
    List<SpanNode> descendants = actual.subtree().subList(1, actual.subtree().size());
    if (descendants.isEmpty()) {
      fail("to have a descendant satisfying the given assertions but none of its 0 descendants did");
    }
    Failures.Attempt nearest = Failures.nearest(assertion, descendants);
    if (nearest == null) {
      return this;
    }
    failAt(nearest.node(), "to have a descendant satisfying the given assertions but none of its "
        + descendants.size() + " descendants did" + nearest.describe(), nearest.failure());
    return this;
  }

  /** Its children, in order of start, satisfy the assertions one by one, and there are no others. */
  @SafeVarargs
  public final SpanNodeAssert hasChildrenSatisfyingExactly(Consumer<SpanNodeAssert>... assertions) {
    isNotNull();
    hasChildCount(assertions.length);
    for (int i = 0; i < assertions.length; i++) {
      AssertionError e = Failures.check(assertions[i], actual.children().get(i));
      if (e != null) {
        SpanNode child = actual.children().get(i);
        failAt(child, "to have children satisfying the given assertions in order but child "
            + (i + 1) + " did not: " + Failures.headline(e), e);
      }
    }
    return this;
  }

  /** Its children satisfy the assertions one to one, in any order, and there are no others. */
  @SafeVarargs
  public final SpanNodeAssert hasChildrenSatisfyingInAnyOrder(Consumer<SpanNodeAssert>... assertions) {
    isNotNull();
    hasChildCount(assertions.length);
    List<SpanNode> children = actual.children();
    int n = assertions.length;
    boolean[][] matches = new boolean[n][n];
    List<List<String>> reasons = new ArrayList<>();
    for (int a = 0; a < n; a++) {
      List<String> why = new ArrayList<>();
      for (int c = 0; c < n; c++) {
        AssertionError e = Failures.check(assertions[a], children.get(c));
        matches[a][c] = e == null;
        why.add(e == null ? "" : Failures.headline(e));
      }
      reasons.add(why);
    }
    for (int a = 0; a < n; a++) {
      final int row = a;
      boolean any = false;
      for (int c = 0; c < n; c++) {
        any |= matches[row][c];
      }
      if (!any) {
        StringBuilder sb = new StringBuilder("to have children satisfying " + given(n)
            + " in any order but assertion " + (a + 1) + " matched none of them:");
        reasons.get(a).forEach(r -> sb.append("\n  - ").append(r));
        fail(sb.toString());
      }
    }
    int[] childOf = new int[n];
    Arrays.fill(childOf, -1);
    for (int a = 0; a < n; a++) {
      if (!augment(a, matches, childOf, new boolean[n])) {
        fail("to have children satisfying " + given(n) + " in any order but no"
            + " one-to-one assignment satisfies them all (assertion " + (a + 1)
            + " competes for the same children as the others)");
      }
    }
    return this;
  }

  private static boolean augment(int a, boolean[][] matches, int[] assertionOfChild, boolean[] seen) {
    for (int c = 0; c < matches.length; c++) {
      if (matches[a][c] && !seen[c]) {
        seen[c] = true;
        if (assertionOfChild[c] < 0 || augment(assertionOfChild[c], matches, assertionOfChild, seen)) {
          assertionOfChild[c] = a;
          return true;
        }
      }
    }
    return false;
  }

  private String parentDescription() {
    String parentId = actual.parentId().orElseThrow();
    return actual.parent().map(SpanNode::describe)
        .orElse(parentId + ", which is not in the trace (orphan)");
  }

  private static String given(int n) {
    return n == 1 ? "the given assertion" : "the " + n + " given assertions";
  }

  private static String children(int n) {
    return n + (n == 1 ? " child" : " children");
  }

  private static String millis(Duration d) {
    return String.format(java.util.Locale.ROOT, "%.3f ms", d.toNanos() / 1_000_000.0);
  }

  private void fail(String expectation) {
    failAt(actual, expectation, null);
  }

  /** Fails in AssertJ's actual/expected form, so that IDEs offer a diff of the two values. */
  private void failComparing(String expectation, Object expected, Object actualValue) {
    failWithActualExpectedAndMessage(actualValue, expected, "%s", message(actual, expectation));
  }

  /** Fails; when {@code cause} compared two values, so does this failure. */
  private void failAt(SpanNode marked, String expectation, AssertionError cause) {
    if (cause instanceof AssertionFailedError f && f.isExpectedDefined() && f.isActualDefined()) {
      failWithActualExpectedAndMessage(f.getActual().getValue(), f.getExpected().getValue(), "%s",
          message(marked, expectation));
    }
    failWithMessage("%s", message(marked, expectation));
  }

  private String message(SpanNode marked, String expectation) {
    String waterfall = actual.trace() == null ? "" : "\n\n" + actual.trace().waterfall(marked);
    return "Expected span " + actual.describe() + " " + expectation + waterfall;
  }
}
