package io.traceharness.trace;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Draws a trace the way Kibana's trace view does, in text: one line per span, indented by depth,
 * with service, type, duration, id and a bar placed on the trace's time line. Spans the tree cannot
 * place (orphans, extra roots, cycles) are drawn at the top level and flagged at the line's end.
 */
final class Waterfall {

  static final int BAR_WIDTH = 40;
  /** Beyond this many lines a failure message stops being read: show the head, the tail and the marked span. */
  static final int MAX_ROWS = 200;
  private static final int NAME_LIMIT = 48;

  private Waterfall() {}

  private record Row(SpanNode node, String tree, String flags) {}

  static String render(Trace trace, SpanNode highlighted) {
    StringBuilder out = new StringBuilder();
    out.append("Trace ").append(trace.traceId()).append(": ");
    if (trace.isEmpty()) {
      out.append("no transactions or spans\n");
      appendErrors(trace, out);
      return out.toString();
    }
    long transactions = trace.spans().stream().filter(SpanNode::isTransaction).count();
    out.append(trace.size()).append(trace.size() == 1 ? " span" : " spans")
        .append(" (").append(transactions).append(transactions == 1 ? " transaction" : " transactions")
        .append("), ").append(trace.services().size())
        .append(trace.services().size() == 1 ? " service, " : " services, ")
        .append(duration(trace.duration()));
    if (!trace.anomalies().isEmpty()) {
      out.append(", ").append(trace.anomalies().size())
          .append(trace.anomalies().size() == 1 ? " anomaly" : " anomalies");
    }
    out.append('\n');

    Map<SpanNode, String> flags = flags(trace);
    List<Row> rows = new ArrayList<>();
    for (SpanNode top : trace.topLevel()) {
      walk(top, "", "", flags, rows);
    }

    int nameWidth = "NAME".length();
    int serviceWidth = "SERVICE".length();
    int typeWidth = "TYPE".length();
    int durationWidth = "DURATION".length();
    int idWidth = "SPAN ID".length();
    for (Row r : rows) {
      nameWidth = Math.max(nameWidth, (r.tree() + name(r.node())).length());
      serviceWidth = Math.max(serviceWidth, r.node().service().length());
      typeWidth = Math.max(typeWidth, r.node().typeLabel().length());
      durationWidth = Math.max(durationWidth, duration(r.node().duration()).length());
      idWidth = Math.max(idWidth, r.node().spanId().length());
    }
    String format = "%s %-" + nameWidth + "s  %-" + serviceWidth + "s  %-" + typeWidth + "s  %"
        + durationWidth + "s  %-" + idWidth + "s  %s%s";
    out.append(String.format(Locale.ROOT, format, " ", "NAME", "SERVICE", "TYPE", "DURATION",
        "SPAN ID", "TIMELINE", "").stripTrailing()).append('\n');

    Instant origin = trace.start().orElseThrow();
    long total = trace.duration().toNanos();
    boolean[] shown = shown(rows, flags, highlighted);
    int hidden = 0;
    for (int i = 0; i < rows.size(); i++) {
      if (!shown[i]) {
        hidden++;
        continue;
      }
      if (hidden > 0) {
        out.append("  … ").append(hidden).append(hidden == 1 ? " span" : " spans").append(" not shown …\n");
        hidden = 0;
      }
      Row r = rows.get(i);
      SpanNode n = r.node();
      out.append(String.format(Locale.ROOT, format, n == highlighted ? ">" : " ", r.tree() + name(n),
          n.service(), n.typeLabel(), duration(n.duration()), n.spanId(), bar(n, origin, total),
          r.flags()));
      out.append('\n');
    }
    if (hidden > 0) {
      out.append("  … ").append(hidden).append(hidden == 1 ? " span" : " spans").append(" not shown …\n");
    }
    if (!trace.anomalies().isEmpty()) {
      out.append("Anomalies:\n");
      for (Anomaly a : trace.anomalies()) {
        out.append("  - ").append(a.description()).append('\n');
      }
    }
    appendErrors(trace, out);
    return out.toString();
  }

  /** All rows of a small trace; of a large one the head, the tail, the marked and the flagged spans. */
  private static boolean[] shown(List<Row> rows, Map<SpanNode, String> flags, SpanNode highlighted) {
    boolean[] shown = new boolean[rows.size()];
    if (rows.size() <= MAX_ROWS) {
      java.util.Arrays.fill(shown, true);
      return shown;
    }
    int head = MAX_ROWS / 2;
    int tail = MAX_ROWS / 4;
    for (int i = 0; i < rows.size(); i++) {
      shown[i] = i < head || i >= rows.size() - tail;
    }
    for (int i = 0; i < rows.size(); i++) {
      if (rows.get(i).node() == highlighted) {
        for (int j = Math.max(0, i - 5); j <= Math.min(rows.size() - 1, i + 5); j++) {
          shown[j] = true;
        }
      }
    }
    int flagged = 0;
    for (int i = 0; i < rows.size() && flagged < MAX_ROWS / 4; i++) {
      if (!shown[i] && flags.containsKey(rows.get(i).node())) {
        shown[i] = true;
        flagged++;
      }
    }
    return shown;
  }

  private static void appendErrors(Trace trace, StringBuilder out) {
    if (trace.errors().isEmpty()) {
      return;
    }
    out.append("Errors:\n");
    for (TraceError e : trace.errors()) {
      out.append("  - ").append(e.type() == null ? "error" : e.type());
      if (e.message() != null) {
        out.append(": ").append(e.message());
      }
      out.append(" (service ").append(e.service()).append(", in ");
      out.append(e.in(trace).map(SpanNode::describe).orElse("span " + e.parentId()));
      out.append(")\n");
    }
  }

  private static void walk(SpanNode node, String own, String childIndent, Map<SpanNode, String> flags,
      List<Row> rows) {
    rows.add(new Row(node, own, flags.getOrDefault(node, "")));
    List<SpanNode> children = node.children();
    for (int i = 0; i < children.size(); i++) {
      boolean last = i == children.size() - 1;
      walk(children.get(i), childIndent + (last ? "└─ " : "├─ "), childIndent + (last ? "   " : "│  "),
          flags, rows);
    }
  }

  private static Map<SpanNode, String> flags(Trace trace) {
    Map<SpanNode, List<String>> notes = new HashMap<>();
    for (Anomaly a : trace.anomalies()) {
      if (a instanceof Anomaly.MultipleRoots m) {
        for (SpanNode r : m.roots().subList(1, m.roots().size())) {
          add(notes, r, "extra root");
        }
      } else if (a instanceof Anomaly.Orphan o) {
        add(notes, o.span(), "orphan: parent " + o.missingParentId() + " not found");
      } else if (a instanceof Anomaly.DuplicateId d) {
        for (SpanNode s : d.spans()) {
          add(notes, s, "duplicate id");
        }
      } else if (a instanceof Anomaly.Cycle c) {
        add(notes, c.spans().get(0), "cycle: parent " + c.spans().get(0).parentId().orElse("")
            + " is its own descendant");
      } else if (a instanceof Anomaly.ClockSkew s) {
        List<String> parts = new ArrayList<>();
        if (!s.startsEarlyBy().isZero()) {
          parts.add("starts " + Anomaly.millis(s.startsEarlyBy()) + " before parent");
        }
        if (!s.endsLateBy().isZero()) {
          parts.add("ends " + Anomaly.millis(s.endsLateBy()) + " after parent");
        }
        add(notes, s.child(), "clock skew: " + String.join(", ", parts));
      }
    }
    Map<SpanNode, String> out = new HashMap<>();
    notes.forEach((n, list) -> out.put(n, "  <- " + String.join("; ", list)));
    return out;
  }

  private static void add(Map<SpanNode, List<String>> notes, SpanNode n, String note) {
    notes.computeIfAbsent(n, k -> new ArrayList<>()).add(note);
  }

  private static String name(SpanNode n) {
    String name = n.name().isEmpty() ? "(no name)" : n.name();
    return name.length() > NAME_LIMIT ? name.substring(0, NAME_LIMIT - 1) + "…" : name;
  }

  static String bar(SpanNode n, Instant origin, long totalNanos) {
    int from;
    int to;
    if (totalNanos <= 0) {
      from = 0;
      to = BAR_WIDTH;
    } else {
      long offset = Duration.between(origin, n.start()).toNanos();
      long end = offset + n.duration().toNanos();
      from = (int) Math.min(BAR_WIDTH - 1, Math.floorDiv(offset * BAR_WIDTH, totalNanos));
      to = (int) Math.min(BAR_WIDTH, -Math.floorDiv(-end * BAR_WIDTH, totalNanos));
      to = Math.max(to, from + 1);
    }
    StringBuilder sb = new StringBuilder(BAR_WIDTH + 2).append('|');
    for (int i = 0; i < BAR_WIDTH; i++) {
      sb.append(i >= from && i < to ? '█' : ' ');
    }
    return sb.append('|').toString();
  }

  static String duration(Duration d) {
    long micros = d.toNanos() / 1_000;
    if (micros < 1_000) {
      return micros + " µs";
    }
    if (micros < 1_000_000) {
      return String.format(Locale.ROOT, "%.1f ms", micros / 1_000.0);
    }
    return String.format(Locale.ROOT, "%.2f s", micros / 1_000_000.0);
  }
}
