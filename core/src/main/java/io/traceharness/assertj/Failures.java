package io.traceharness.assertj;

import io.traceharness.trace.SpanNode;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/** Shared bits of failure messages. */
final class Failures {

  private Failures() {}

  /** The first paragraph of a failure: what went wrong, without the waterfall that follows it. */
  static String headline(AssertionError e) {
    String message = String.valueOf(e.getMessage()).strip();
    int cut = message.indexOf("\n\n");
    return (cut < 0 ? message : message.substring(0, cut)).replace("\n", " ").strip();
  }

  /** The failure of {@code assertion} on {@code node}, or null when it passes. */
  static AssertionError check(Consumer<SpanNodeAssert> assertion, SpanNode node) {
    try {
      assertion.accept(new SpanNodeAssert(node));
      return null;
    } catch (AssertionError e) {
      return e;
    }
  }

  /** How far {@code node} got through the assertions and, when it failed, why. */
  record Attempt(SpanNode node, int passed, AssertionError failure) {

    /** "; the nearest was [..], which passed N assertions before: <headline>" for a failure message. */
    String describe() {
      return "; the nearest was " + node.describe() + ", which passed " + passed + " assertion"
          + (passed == 1 ? "" : "s") + " before: " + headline(failure);
    }
  }

  /**
   * Runs {@code assertion} on each of the (non-empty) candidates; null as soon as one passes,
   * otherwise the candidate that passed the most assertions before failing (the first of equals),
   * as the closest match.
   */
  static Attempt nearest(Consumer<SpanNodeAssert> assertion, List<SpanNode> candidates) {
    Attempt nearest = null;
    for (SpanNode candidate : candidates) {
      SpanNodeAssert check = new SpanNodeAssert(candidate);
      try {
        assertion.accept(check);
        return null;
      } catch (AssertionError e) {
        // the failing assertion began too, and did not pass
        Attempt attempt = new Attempt(candidate, Math.max(check.begun() - 1, 0), e);
        if (nearest == null || attempt.passed() > nearest.passed()) {
          nearest = attempt;
        }
      }
    }
    return nearest;
  }

  static String names(List<SpanNode> nodes) {
    return nodes.stream().map(SpanNode::describe).collect(Collectors.joining(", "));
  }
}
