package io.traceharness.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import io.traceharness.trace.Anomaly;
import io.traceharness.trace.SpanNode;
import io.traceharness.trace.Trace;

/**
 * A self-contained HTML report of one trace (no CDN, no external file): the waterfall as Kibana's
 * trace view draws it, a service map and a services table, plus the diagnosis when a link broke.
 *
 * <pre>{@code
 * Path html = TraceReport.builder()
 *     .title("Blog scenario (Node.js)")
 *     .trace(trace)
 *     .diagnosis(diagnosis.lines())
 *     .build()
 *     .writeTo(Path.of("target/traceharness/report.html"));
 * }</pre>
 */
public final class TraceReport {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final String title;
  private final String traceId;
  private final List<ReportSpan> spans;
  private final List<String> diagnosis;
  private final boolean passed;

  private TraceReport(Builder b) {
    this.title = b.title;
    this.traceId = b.traceId;
    this.spans = List.copyOf(b.spans);
    this.diagnosis = List.copyOf(b.diagnosis);
    this.passed = b.passed;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Writes the report (creating parent directories) and returns its path. */
  public Path writeTo(Path file) {
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      Files.writeString(file, html(), StandardCharsets.UTF_8);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException("could not write report " + file, e);
    }
  }

  /** The whole HTML document. */
  public String html() {
    String template = page();
    // "</" inside a script element would end it early
    String data = data().toString().replace("</", "<\\/");
    return template.replace("__TITLE__", escapeHtml(title)).replace("__DATA__", data);
  }

  /**
   * The report's data as JSON, which {@link #script()} draws: {@code traceId}, {@code spans} (tree
   * order, with {@code depth} and {@code flags}), {@code services}, {@code edges}, {@code diagnosis}.
   */
  public String json() {
    return data().toString();
  }

  /**
   * The script that draws a report's {@link #json()} (defines {@code TraceReportView} with
   * {@code waterfall(data, element)}, {@code serviceMap(data, element)} and
   * {@code servicesTable(data, element)}), for pages that show reports themselves.
   */
  public static String script() {
    return resource("report.js");
  }

  /** The style sheet of the report's waterfall, map and tables, for pages that show reports themselves. */
  public static String style() {
    return resource("report.css");
  }

  /**
   * The report's page with its style and script inlined, still holding {@code __TITLE__} and
   * {@code __DATA__}: what {@link #html()} fills, and what {@link RunReport} fills in the browser.
   */
  static String page() {
    return resource("report.html").replace("__STYLE__", style()).replace("__SCRIPT__", script());
  }

  private static String resource(String name) {
    try (InputStream in = TraceReport.class.getResourceAsStream(name)) {
      return new String(Objects.requireNonNull(in, name).readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  ObjectNode data() {
    ObjectNode root = JSON.createObjectNode();
    root.put("title", title);
    root.put("traceId", traceId);
    root.put("passed", passed);
    root.put("generated", Instant.now().toString());
    ArrayNode diag = root.putArray("diagnosis");
    diagnosis.forEach(diag::add);

    ArrayNode spanArray = root.putArray("spans");
    Map<String, ReportSpan> byId = new HashMap<>();
    for (ReportSpan s : spans) {
      byId.put(s.id(), s);
      ObjectNode n = spanArray.addObject();
      n.put("id", s.id());
      n.put("parentId", s.parentId());
      n.put("service", s.service());
      n.put("name", s.name());
      n.put("event", s.event());
      n.put("type", s.type());
      n.put("startUs", s.startUs());
      n.put("durationUs", s.durationUs());
      n.put("outcome", s.outcome());
      n.put("depth", s.depth());
      ArrayNode flags = n.putArray("flags");
      s.flags().forEach(flags::add);
    }

    Map<String, ServiceStats> services = new LinkedHashMap<>();
    for (ReportSpan s : spans) {
      services.computeIfAbsent(s.service(), ServiceStats::new).add(s);
    }
    Map<String, Edge> edges = new LinkedHashMap<>();
    for (ReportSpan s : spans) {
      ReportSpan parent = s.parentId() == null ? null : byId.get(s.parentId());
      if (parent != null && !parent.service().equals(s.service())) {
        edges.computeIfAbsent(parent.service() + "\u0000" + s.service(), k -> new Edge(parent.service(), s.service()))
            .calls += s.event().equals("transaction") ? 1 : 0;
      } else if (s.parentId() != null && parent == null) {
        ServiceStats st = services.get(s.service());
        st.orphanParent = true;
      }
    }
    // A service's column in the map is the depth (in services) at which it first appears.
    Map<String, Integer> level = new HashMap<>();
    for (ReportSpan s : spans) {
      level.putIfAbsent(s.service(), serviceDepth(s, byId));
    }
    ArrayNode svcArray = root.putArray("services");
    for (ServiceStats st : services.values()) {
      ObjectNode n = svcArray.addObject();
      n.put("name", st.name);
      n.put("agent", st.agent);
      n.put("level", level.getOrDefault(st.name, 0));
      n.put("transactions", st.transactions);
      n.put("spans", st.spanCount);
      n.put("avgUs", st.transactions == 0 ? 0 : st.totalTxUs / st.transactions);
      n.put("maxUs", st.maxTxUs);
      n.put("failed", st.failed);
    }
    ArrayNode edgeArray = root.putArray("edges");
    for (Edge e : edges.values()) {
      ObjectNode n = edgeArray.addObject();
      n.put("from", e.from);
      n.put("to", e.to);
      n.put("calls", Math.max(1, e.calls));
      n.put("broken", false);
    }
    return root;
  }

  private static int serviceDepth(ReportSpan s, Map<String, ReportSpan> byId) {
    int depth = 0;
    String service = s.service();
    ReportSpan cur = s;
    int guard = 0;
    while (cur.parentId() != null && byId.containsKey(cur.parentId()) && guard++ < 10_000) {
      cur = byId.get(cur.parentId());
      if (!cur.service().equals(service)) {
        depth++;
        service = cur.service();
      }
    }
    return depth;
  }

  private static String escapeHtml(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }

  private static final class ServiceStats {
    final String name;
    String agent = "";
    int transactions;
    int spanCount;
    long totalTxUs;
    long maxTxUs;
    int failed;
    boolean orphanParent;

    ServiceStats(String name) {
      this.name = name;
    }

    void add(ReportSpan s) {
      if (s.agent() != null && !s.agent().isEmpty()) {
        agent = s.agent();
      }
      if (s.event().equals("transaction")) {
        transactions++;
        totalTxUs += s.durationUs();
        maxTxUs = Math.max(maxTxUs, s.durationUs());
      } else {
        spanCount++;
      }
      if ("failure".equals(s.outcome())) {
        failed++;
      }
    }
  }

  private static final class Edge {
    final String from;
    final String to;
    int calls;

    Edge(String from, String to) {
      this.from = from;
      this.to = to;
    }
  }

  public static final class Builder {
    private String title = "traceharness report";
    private String traceId = "";
    private final List<ReportSpan> spans = new ArrayList<>();
    private final List<String> diagnosis = new ArrayList<>();
    private boolean passed = true;

    private Builder() {
    }

    public Builder title(String title) {
      this.title = title;
      return this;
    }

    /** Diagnosis lines shown above the waterfall; a report with a diagnosis is marked FAIL. */
    public Builder diagnosis(List<String> lines) {
      diagnosis.addAll(lines);
      if (!lines.isEmpty()) {
        passed = false;
      }
      return this;
    }

    public Builder passed(boolean passed) {
      this.passed = passed;
      return this;
    }

    /** The trace to draw; orphans, extra roots and clock skew are flagged on their rows. */
    public Builder trace(Trace trace) {
      this.traceId = trace.traceId();
      Map<String, List<String>> flags = new HashMap<>();
      for (Anomaly a : trace.anomalies()) {
        if (a instanceof Anomaly.Orphan o) {
          flags.computeIfAbsent(o.span().spanId(), k -> new ArrayList<>()).add("ORPHAN");
        } else if (a instanceof Anomaly.MultipleRoots m) {
          m.roots().stream().skip(1).forEach(r -> flags.computeIfAbsent(r.spanId(), k -> new ArrayList<>()).add("EXTRA ROOT"));
        } else if (a instanceof Anomaly.ClockSkew c) {
          long early = c.startsEarlyBy().toMillis();
          long late = c.endsLateBy().toMillis();
          flags.computeIfAbsent(c.child().spanId(), k -> new ArrayList<>())
              .add("SKEW" + (early > 0 ? " starts " + early + " ms early" : "") + (late > 0 ? " ends " + late + " ms late" : ""));
        }
      }
      for (SpanNode top : trace.topLevel()) {
        addSubtree(top, 0, flags, new java.util.HashSet<>());
      }
      return this;
    }

    private void addSubtree(SpanNode node, int depth, Map<String, List<String>> flags, java.util.Set<SpanNode> seen) {
      if (!seen.add(node)) {
        return;
      }
      long startUs = node.start().getEpochSecond() * 1_000_000L + node.start().getNano() / 1_000;
      spans.add(new ReportSpan(node.spanId(), node.parentId().orElse(null), node.service(), node.agentName().orElse(""),
          node.name(), node.isTransaction() ? "transaction" : "span",
          node.type().map(t -> t + node.subtype().map(st -> "/" + st).orElse("")).orElse(""), startUs,
          node.duration().toNanos() / 1_000, node.outcome().name().toLowerCase(java.util.Locale.ROOT), depth,
          flags.getOrDefault(node.spanId(), List.of())));
      for (SpanNode child : node.children()) {
        addSubtree(child, depth + 1, flags, seen);
      }
    }

    public TraceReport build() {
      return new TraceReport(this);
    }
  }
}
