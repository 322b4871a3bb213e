package io.traceharness.trace;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * Ready conditions for {@link Traces#await(String, Predicate)}; each describes itself, so a
 * timeout says what was awaited.
 *
 * <pre>{@code
 * import static io.traceharness.trace.TraceConditions.*;
 *
 * Trace trace = traces.await(traceId, allOf(hasServices("client", "producer", "consumer"), isComplete()));
 * }</pre>
 */
public final class TraceConditions {

  private TraceConditions() {}

  /** Spans of all these services are present (others may be too). */
  public static Predicate<Trace> hasServices(String... services) {
    List<String> wanted = List.of(services);
    return named("have services " + wanted, t -> t.services().containsAll(wanted));
  }

  /** At least {@code n} transactions and spans are present. */
  public static Predicate<Trace> hasAtLeastSpans(int n) {
    return named("have at least " + n + (n == 1 ? " span" : " spans"), t -> t.size() >= n);
  }

  /** A transaction or span with this name is present. */
  public static Predicate<Trace> hasSpanNamed(String name) {
    return named("have a span named [" + name + "]",
        t -> t.spans().stream().anyMatch(s -> s.name().equals(name)));
  }

  /** One root and no orphans: every document hangs on one tree. */
  public static Predicate<Trace> isComplete() {
    return named("be complete (a single root, no orphans)", Trace::isComplete);
  }

  /** All of the conditions hold. */
  @SafeVarargs
  public static Predicate<Trace> allOf(Predicate<? super Trace>... conditions) {
    List<Predicate<? super Trace>> all = Arrays.asList(conditions);
    return named(
        all.stream().map(TraceConditions::describe).collect(Collectors.joining(" and ")),
        t -> all.stream().allMatch(c -> c.test(t)));
  }

  /** A condition with a description of your own, for timeout messages. */
  public static Predicate<Trace> named(String description, Predicate<? super Trace> condition) {
    Objects.requireNonNull(condition, "condition");
    return new Predicate<>() {
      @Override
      public boolean test(Trace trace) {
        return condition.test(trace);
      }

      @Override
      public String toString() {
        return description;
      }
    };
  }

  /** What a condition says of itself; a bare lambda says nothing useful. */
  static String describe(Predicate<?> condition) {
    String s = String.valueOf(condition);
    return s.contains("$$Lambda") || s.contains("$Lambda$") ? "satisfy the given condition" : s;
  }
}
