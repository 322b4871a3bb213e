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

  static String names(List<SpanNode> nodes) {
    return nodes.stream().map(SpanNode::describe).collect(Collectors.joining(", "));
  }
}
