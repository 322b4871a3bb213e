package io.traceharness.resilience;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** Figures of one test class: cases per target, statuses seen, valid events sent vs indexed; printed as a table. */
final class Tally {

  private final String title;
  private final Map<String, Map<String, AtomicLong>> statuses = new ConcurrentHashMap<>();
  private final Map<String, long[]> events = new ConcurrentHashMap<>();

  Tally(String title) {
    this.title = title;
  }

  void saw(String target, String status) {
    statuses.computeIfAbsent(target, t -> new ConcurrentHashMap<>()).computeIfAbsent(status, s -> new AtomicLong())
        .incrementAndGet();
  }

  void events(String target, long sent, long indexed) {
    events.put(target, new long[] {sent, indexed});
  }

  long cases() {
    return statuses.values().stream().flatMap(m -> m.values().stream()).mapToLong(AtomicLong::get).sum();
  }

  void print() {
    StringBuilder b = new StringBuilder("\n== ").append(title).append(": ").append(cases()).append(" cases\n");
    b.append(String.format("%-34s %7s  %-16s %s%n", "target", "cases", "valid sent/idx", "statuses (count)"));
    for (String target : new TreeMap<>(statuses).keySet()) {
      Map<String, AtomicLong> s = new TreeMap<>(statuses.get(target));
      long n = s.values().stream().mapToLong(AtomicLong::get).sum();
      long[] e = events.get(target);
      StringBuilder st = new StringBuilder();
      s.forEach((k, v) -> st.append(k).append('=').append(v.get()).append(' '));
      b.append(String.format("%-34s %7d  %-16s %s%n", target, n, e == null ? "-" : e[0] + "/" + e[1], st.toString().trim()));
    }
    System.out.println(b);
  }
}
