package io.traceharness.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.traceharness.diagnosis.Diagnosis;
import io.traceharness.trace.Trace;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One self-contained HTML page over many traces: a table of entries (a test, or a trace the command
 * line was asked for) with their outcome, then each entry with its failure, its traces (text
 * waterfall and diagnosis, drawn as {@link TraceReport} draws them when opened) and the component
 * log tails of a failed test. What the JUnit extension writes after a run
 * ({@code target/traceharness/run-report.html}) and {@code traceharness report} writes for several ids.
 *
 * <pre>{@code
 * Path html = RunReport.builder().title("scenario: 5 tests")
 *     .entry(new RunReport.Entry("BlogScenarioIT", "traced()", RunReport.Outcome.PASSED, null,
 *         List.of(RunReport.shown(trace, "awaited", diagnosis)), List.of()))
 *     .build().writeTo(Path.of("target/traceharness/run-report.html"));
 * }</pre>
 */
public final class RunReport {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** How an entry ended. */
  public enum Outcome { PASSED, FAILED, ABORTED, DISABLED }

  /**
   * One entry: a test (group = its class, name = its method) or a trace asked for.
   *
   * @param failure the failure's message, null when it passed
   * @param tracesNotShown traces the entry saw beyond those in {@code traces} (a test awaiting hundreds)
   */
  public record Entry(String group, String name, Outcome outcome, String failure, List<Shown> traces, List<Log> logs,
      int tracesNotShown) {
    public Entry {
      Objects.requireNonNull(group, "group");
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(outcome, "outcome");
      traces = traces == null ? List.of() : List.copyOf(traces);
      logs = logs == null ? List.of() : List.copyOf(logs);
    }

    /** An entry that saw exactly these traces. */
    public Entry(String group, String name, Outcome outcome, String failure, List<Shown> traces, List<Log> logs) {
      this(group, name, outcome, failure, traces, logs, 0);
    }
  }

  /**
   * A trace as an entry saw it.
   *
   * @param how how the entry came to it: {@code awaited}, {@code asserted}, {@code await timed out}, {@code read}
   * @param drawing what {@link TraceReport} draws the waterfall, service map and services from
   */
  public record Shown(String traceId, String how, String summary, String waterfall, List<String> diagnosis,
      JsonNode drawing) {
    public Shown {
      diagnosis = diagnosis == null ? List.of() : List.copyOf(diagnosis);
    }
  }

  /** The last lines of a component's log. */
  public record Log(String component, String file, String tail) {
  }

  /** A trace as shown in a run report, with its diagnosis; drawn as FAIL when a link is broken. */
  public static Shown shown(Trace trace, String how, Diagnosis diagnosis) {
    String waterfall = trace.waterfall();
    int nl = waterfall.indexOf('\n');
    ObjectNode drawing = TraceReport.builder().title("Trace " + trace.traceId() + ": " + String.join(" → ", trace.services()))
        .trace(trace).diagnosis(diagnosis.isClean() ? List.of() : diagnosis.lines()).build().data();
    return new Shown(trace.traceId(), how, nl < 0 ? waterfall : waterfall.substring(0, nl), waterfall,
        diagnosis.lines(), drawing);
  }

  private final String title;
  private final List<Entry> entries;

  private RunReport(Builder b) {
    this.title = b.title;
    this.entries = List.copyOf(b.entries);
  }

  public static Builder builder() {
    return new Builder();
  }

  public List<Entry> entries() {
    return entries;
  }

  /** Writes the page (creating parent directories) and returns its path. */
  public Path writeTo(Path file) {
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      Files.writeString(file, html(), StandardCharsets.UTF_8);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException("could not write run report " + file, e);
    }
  }

  /** The whole HTML document. */
  public String html() {
    long failed = entries.stream().filter(e -> e.outcome() == Outcome.FAILED).count();
    long passed = entries.stream().filter(e -> e.outcome() == Outcome.PASSED).count();
    int traces = entries.stream().mapToInt(e -> e.traces().size() + e.tracesNotShown()).sum();
    StringBuilder h = new StringBuilder(64 * 1024);
    h.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>").append(esc(title))
        .append("</title>\n<style>\n").append(STYLE).append("</style>\n</head>\n<body>\n");
    h.append("<h1>").append(esc(title)).append("</h1>\n<div class=\"meta\" id=\"summary\">")
        .append(entries.size()).append(entries.size() == 1 ? " entry" : " entries").append(" · ")
        .append(passed).append(" passed · ").append(failed).append(" failed · ")
        .append(traces).append(traces == 1 ? " trace" : " traces").append(" · ").append(Instant.now())
        .append("</div>\n");

    h.append("<table id=\"entries\">\n<tr><th>Class</th><th>Name</th><th>Outcome</th><th class=\"num\">Traces</th>"
        + "<th>Failure</th></tr>\n");
    for (int i = 0; i < entries.size(); i++) {
      Entry e = entries.get(i);
      h.append("<tr class=\"entry-row ").append(outcome(e)).append("\"><td>").append(esc(e.group()))
          .append("</td><td><a href=\"#entry-").append(i).append("\">").append(esc(e.name())).append("</a></td><td>")
          .append(verdict(e)).append("</td><td class=\"num\">").append(e.traces().size() + e.tracesNotShown())
          .append("</td><td class=\"failure-line\">")
          .append(e.failure() == null ? "" : esc(firstLine(e.failure()))).append("</td></tr>\n");
    }
    h.append("</table>\n");

    ObjectNode drawings = JSON.createObjectNode();
    for (int i = 0; i < entries.size(); i++) {
      Entry e = entries.get(i);
      boolean open = e.outcome() == Outcome.FAILED;
      h.append("<section class=\"entry ").append(outcome(e)).append("\" id=\"entry-").append(i)
          .append("\" data-outcome=\"").append(outcome(e)).append("\">\n<h2>").append(verdict(e)).append(' ')
          .append(esc(e.group())).append(" › ").append(esc(e.name())).append("</h2>\n");
      if (e.failure() != null) {
        h.append("<pre class=\"failure\">").append(esc(e.failure())).append("</pre>\n");
      }
      if (e.traces().isEmpty()) {
        h.append("<p class=\"meta\">No trace awaited or asserted.</p>\n");
      }
      for (int t = 0; t < e.traces().size(); t++) {
        Shown s = e.traces().get(t);
        String key = i + "-" + t;
        if (s.drawing() != null) {
          drawings.set(key, s.drawing());
        }
        h.append("<details class=\"trace\" data-trace-id=\"").append(esc(s.traceId())).append("\" data-key=\"")
            .append(key).append('"').append(open ? " open" : "").append(">\n<summary><code>")
            .append(esc(s.traceId())).append("</code> <span class=\"how\">").append(esc(s.how()))
            .append("</span> ").append(esc(s.summary())).append("</summary>\n");
        if (!s.diagnosis().isEmpty()) {
          h.append("<pre class=\"diagnosis\">").append(esc(String.join("\n", s.diagnosis()))).append("</pre>\n");
        }
        h.append("<pre class=\"waterfall\">").append(esc(s.waterfall())).append("</pre>\n")
            .append("<div class=\"drawn\"></div>\n</details>\n");
      }
      if (e.tracesNotShown() > 0) {
        h.append("<p class=\"meta\">and ").append(e.tracesNotShown())
            .append(" more traces, not shown (the first are).</p>\n");
      }
      if (!e.logs().isEmpty()) {
        h.append("<h3>Component logs (last lines)</h3>\n");
        for (Log log : e.logs()) {
          h.append("<details class=\"log\"").append(open ? " open" : "").append("><summary>").append(esc(log.component()))
              .append(" <span class=\"meta\">").append(esc(log.file())).append("</span></summary><pre>")
              .append(esc(log.tail())).append("</pre></details>\n");
        }
      }
      h.append("</section>\n");
    }
    h.append("<script type=\"application/json\" id=\"trace-template\">").append(scriptSafe(jsonString(template())))
        .append("</script>\n<script type=\"application/json\" id=\"trace-drawings\">")
        .append(scriptSafe(drawings.toString())).append("</script>\n<script>\n").append(SCRIPT)
        .append("</script>\n</body>\n</html>\n");
    return h.toString();
  }

  private static String outcome(Entry e) {
    return e.outcome().name().toLowerCase(java.util.Locale.ROOT);
  }

  private static String verdict(Entry e) {
    String o = outcome(e);
    return "<span class=\"verdict " + o + "\">" + o.toUpperCase(java.util.Locale.ROOT) + "</span>";
  }

  private static String template() {
    return TraceReport.page();
  }

  private static String jsonString(String s) {
    try {
      return JSON.writeValueAsString(s);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** "</" inside a script element would end it early; "<\/" means the same in JSON. */
  private static String scriptSafe(String json) {
    return json.replace("</", "<\\/");
  }

  private static String firstLine(String s) {
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }

  static String esc(String s) {
    return s == null ? "" : s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }

  private static final String STYLE = """
      :root { --fg:#1a1c21; --muted:#69707d; --line:#d3dae6; --ok:#54b399; --bad:#bd271e; --bg:#fafbfd; }
      body { font: 14px/1.4 -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; color: var(--fg); background: var(--bg); margin: 24px; }
      h1 { font-size: 20px; margin: 0 0 4px; } h2 { font-size: 16px; margin: 0 0 8px; } h3 { font-size: 13px; margin: 12px 0 4px; }
      .meta { color: var(--muted); font-size: 12px; }
      .verdict { display:inline-block; padding: 1px 6px; border-radius: 3px; color: #fff; font-weight: 600; font-size: 11px; }
      .verdict.passed { background: var(--ok); } .verdict.failed { background: var(--bad); }
      .verdict.aborted, .verdict.disabled { background: var(--muted); }
      table { border-collapse: collapse; width: 100%; background: #fff; margin: 16px 0 24px; }
      th, td { text-align: left; padding: 5px 10px; border-bottom: 1px solid var(--line); font-size: 13px; vertical-align: top; }
      th { color: var(--muted); font-weight: 600; } td.num, th.num { text-align: right; }
      section.entry { background:#fff; border:1px solid var(--line); border-radius: 4px; padding: 12px; margin: 0 0 16px; }
      section.entry.failed { border-left: 4px solid var(--bad); }
      pre { font-family: ui-monospace, Menlo, monospace; font-size: 12px; overflow-x: auto; margin: 6px 0; }
      pre.failure { color: var(--bad); white-space: pre-wrap; }
      pre.diagnosis { background:#fff7e6; border:1px solid #f5d9a3; padding: 6px 10px; white-space: pre-wrap; }
      details.trace { border-top: 1px solid #f1f3f7; padding: 4px 0; }
      details summary { cursor: pointer; }
      .how { color: var(--muted); font-size: 12px; }
      iframe { width: 100%; height: 520px; border: 1px solid var(--line); border-radius: 4px; background: #fff; }
      """;

  private static final String SCRIPT = """
      (function () {
        var template = JSON.parse(document.getElementById('trace-template').textContent);
        var drawings = JSON.parse(document.getElementById('trace-drawings').textContent);
        function esc(s) { return String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;'); }
        // each trace drawn by the single-trace report's own page, once its details are opened
        function draw(details) {
          var data = drawings[details.getAttribute('data-key')];
          var target = details.querySelector('.drawn');
          if (!data || !target || target.firstChild) return;
          var json = JSON.stringify(data).replace(/<\\//g, '<\\\\/');
          var frame = document.createElement('iframe');
          frame.setAttribute('title', 'trace ' + details.getAttribute('data-trace-id'));
          frame.srcdoc = template.replace('__TITLE__', function () { return esc(data.title); })
              .replace('__DATA__', function () { return json; });
          // what the trace report drew, on the details element (a srcdoc frame is of this page's origin)
          frame.addEventListener('load', function () {
            try {
              details.setAttribute('data-rendered-spans', frame.contentDocument.body.getAttribute('data-rendered-spans'));
            } catch (e) {
              details.setAttribute('data-rendered-spans', 'unreadable');
            }
          });
          target.appendChild(frame);
        }
        document.querySelectorAll('details.trace').forEach(function (d) {
          if (d.open) draw(d);
          d.addEventListener('toggle', function () { if (d.open) draw(d); });
        });
      })();
      """;

  /** Options of a {@link RunReport}. */
  public static final class Builder {
    private String title = "traceharness run report";
    private final List<Entry> entries = new ArrayList<>();

    private Builder() {
    }

    public Builder title(String title) {
      this.title = Objects.requireNonNull(title, "title");
      return this;
    }

    public Builder entry(Entry entry) {
      entries.add(Objects.requireNonNull(entry, "entry"));
      return this;
    }

    public Builder entries(List<Entry> entries) {
      entries.forEach(this::entry);
      return this;
    }

    public RunReport build() {
      return new RunReport(this);
    }
  }
}
