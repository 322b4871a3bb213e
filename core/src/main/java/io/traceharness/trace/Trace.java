package io.traceharness.trace;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Every transaction and span Elasticsearch holds for one trace id, linked into a tree by
 * {@code parent.id}, with what is wrong with its shape.
 *
 * <pre>{@code
 * Trace trace = traces.read(traceId);
 * System.out.println(trace.waterfall());
 * trace.anomalies().forEach(a -> System.out.println(a.description()));
 * List<SpanData> spans = trace.toSpanData(); // for OpenTelemetryAssertions
 * }</pre>
 */
public final class Trace {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final String traceId;
  private final List<SpanNode> spans;
  private final List<SpanNode> roots;
  private final List<SpanNode> topLevel;
  private final List<Anomaly> anomalies;
  private final List<TraceError> errors;
  private final Map<String, SpanNode> byId;
  /** The reader this trace came from, which can read its logs; null for a parsed trace. */
  private volatile java.util.function.Function<Trace, List<TraceLog>> logSource;

  private Trace(
      String traceId,
      List<SpanNode> spans,
      List<SpanNode> roots,
      List<SpanNode> topLevel,
      List<Anomaly> anomalies,
      List<TraceError> errors,
      Map<String, SpanNode> byId) {
    this.traceId = traceId;
    this.spans = List.copyOf(spans);
    this.roots = List.copyOf(roots);
    this.topLevel = List.copyOf(topLevel);
    this.anomalies = List.copyOf(anomalies);
    this.errors = List.copyOf(errors);
    this.byId = Collections.unmodifiableMap(byId);
  }

  /**
   * A trace from Elasticsearch {@code _source} documents as JSON text, in APM form or
   * OpenTelemetry-native form; documents of other traces and other kinds are skipped.
   *
   * <pre>{@code
   * Trace trace = Trace.parse(traceId, Files.readAllLines(Path.of("trace.ndjson")));
   * }</pre>
   */
  public static Trace parse(String traceId, Iterable<String> sourceDocuments) {
    List<JsonNode> docs = new ArrayList<>();
    for (String doc : sourceDocuments) {
      if (doc.isBlank()) {
        continue;
      }
      try {
        docs.add(JSON.readTree(doc));
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        throw new UncheckedIOException("not a JSON document: " + doc, e);
      }
    }
    return fromSources(traceId, docs);
  }

  static Trace fromSources(String traceId, Collection<JsonNode> sources) {
    List<SpanNode> nodes = new ArrayList<>();
    List<TraceError> errors = new ArrayList<>();
    for (JsonNode source : sources) {
      Documents.Parsed parsed = Documents.parse(source);
      if (parsed instanceof Documents.Parsed.Span span && traceId.equals(span.node().traceId())) {
        nodes.add(span.node());
      } else if (parsed instanceof Documents.Parsed.Error error && traceId.equals(error.traceId())) {
        errors.add(error.error());
      }
    }
    return build(traceId, nodes, errors);
  }

  static Trace build(String traceId, List<SpanNode> input, List<TraceError> errorsIn) {
    List<SpanNode> nodes = new ArrayList<>(input);
    nodes.sort(SpanNode.BY_START);
    List<TraceError> errors = new ArrayList<>(errorsIn);
    errors.sort(java.util.Comparator.comparing(TraceError::timestamp));

    Map<String, List<SpanNode>> sameId = new LinkedHashMap<>();
    for (SpanNode n : nodes) {
      sameId.computeIfAbsent(n.spanId(), k -> new ArrayList<>()).add(n);
    }
    // Children hang under the earliest document of an id; later duplicates stand on their own.
    Map<String, SpanNode> canonical = new HashMap<>();
    sameId.forEach((id, list) -> canonical.put(id, list.get(0)));

    List<SpanNode> roots = new ArrayList<>();
    List<Anomaly> orphans = new ArrayList<>();
    for (SpanNode n : nodes) {
      if (n.parentId().isEmpty()) {
        roots.add(n);
      } else if (!canonical.containsKey(n.parentId().get())) {
        orphans.add(new Anomaly.Orphan(n, n.parentId().get()));
      }
    }

    List<Anomaly.Cycle> cycles = findCycles(nodes, canonical);
    Set<SpanNode> cut = new java.util.HashSet<>();
    for (Anomaly.Cycle c : cycles) {
      cut.add(c.spans().get(0));
    }

    List<Anomaly> skews = new ArrayList<>();
    for (SpanNode n : nodes) {
      SpanNode parent = n.parentId().map(canonical::get).orElse(null);
      if (parent == null || cut.contains(n)) {
        continue;
      }
      n.link(parent);
      Duration early = positive(Duration.between(n.start(), parent.start()));
      Duration late = positive(Duration.between(parent.end(), n.end()));
      if (!early.isZero() || !late.isZero()) {
        skews.add(new Anomaly.ClockSkew(n, parent, early, late));
      }
    }

    List<SpanNode> topLevel = new ArrayList<>();
    for (SpanNode n : nodes) {
      n.freeze();
      if (n.parent().isEmpty()) {
        topLevel.add(n);
      }
    }

    List<Anomaly> anomalies = new ArrayList<>();
    if (roots.size() > 1) {
      anomalies.add(new Anomaly.MultipleRoots(roots));
    }
    anomalies.addAll(orphans);
    sameId.forEach((id, list) -> {
      if (list.size() > 1) {
        anomalies.add(new Anomaly.DuplicateId(id, list));
      }
    });
    anomalies.addAll(cycles);
    anomalies.addAll(skews);

    Trace trace = new Trace(traceId, nodes, roots, topLevel, anomalies, errors, canonical);
    for (SpanNode n : nodes) {
      n.attach(trace);
    }
    return trace;
  }

  private static List<Anomaly.Cycle> findCycles(List<SpanNode> nodes, Map<String, SpanNode> canonical) {
    Map<SpanNode, Integer> state = new java.util.IdentityHashMap<>();
    List<Anomaly.Cycle> cycles = new ArrayList<>();
    for (SpanNode start : nodes) {
      List<SpanNode> path = new ArrayList<>();
      SpanNode cur = start;
      while (cur != null && state.getOrDefault(cur, 0) == 0) {
        state.put(cur, 1);
        path.add(cur);
        cur = cur.parentId().map(canonical::get).orElse(null);
      }
      if (cur != null && state.get(cur) == 1) {
        List<SpanNode> members = new ArrayList<>(path.subList(path.indexOf(cur), path.size()));
        // Enter the loop at its earliest span, so the waterfall draws it from there.
        SpanNode entry = members.stream().min(SpanNode.BY_START).orElseThrow();
        int at = members.indexOf(entry);
        List<SpanNode> ordered = new ArrayList<>(members.subList(at, members.size()));
        ordered.addAll(members.subList(0, at));
        cycles.add(new Anomaly.Cycle(ordered));
      }
      path.forEach(n -> state.put(n, 2));
    }
    return cycles;
  }

  private static Duration positive(Duration d) {
    return d.isNegative() ? Duration.ZERO : d;
  }

  /** The hex trace id. */
  void logSource(java.util.function.Function<Trace, List<TraceLog>> source) {
    this.logSource = source;
  }

  /** Whether {@link #logs()} can read: the trace was read from Elasticsearch by {@link Traces}. */
  public boolean hasLogSource() {
    return logSource != null;
  }

  /**
   * The trace's logs now, read from the Elasticsearch it was read from ({@link Traces#logs(Trace)}):
   * records that carry its id and its Lambda functions' lines written during its invocations.
   *
   * @throws IllegalStateException when the trace was not read by {@link Traces} (a parsed one)
   */
  public List<TraceLog> logs() {
    java.util.function.Function<Trace, List<TraceLog>> source = logSource;
    if (source == null) {
      throw new IllegalStateException("trace " + traceId + " was not read from Elasticsearch: its logs cannot be read");
    }
    return source.apply(this);
  }

  public String traceId() {
    return traceId;
  }

  /** Every transaction and span, ordered by start. */
  public List<SpanNode> spans() {
    return spans;
  }

  /** Number of transactions and spans. */
  public int size() {
    return spans.size();
  }

  /** Whether no transaction or span was found. */
  public boolean isEmpty() {
    return spans.isEmpty();
  }

  /** Documents without {@code parent.id}, by start: one in a healthy trace. */
  public List<SpanNode> roots() {
    return roots;
  }

  /**
   * Where the waterfall starts drawing: roots, orphans and the spans where a cycle was cut, by
   * start.
   */
  public List<SpanNode> topLevel() {
    return topLevel;
  }

  /** Spans whose {@code parent.id} no document of the trace has. */
  public List<SpanNode> orphans() {
    return anomalies.stream()
        .filter(Anomaly.Orphan.class::isInstance)
        .map(a -> ((Anomaly.Orphan) a).span())
        .toList();
  }

  /** What is wrong with the trace's shape; empty for a healthy trace. */
  public List<Anomaly> anomalies() {
    return anomalies;
  }

  /** Error documents of the trace, by time. */
  public List<TraceError> errors() {
    return errors;
  }

  /** The span with this id (the earliest, if several documents share it). */
  public Optional<SpanNode> span(String spanId) {
    return Optional.ofNullable(byId.get(spanId));
  }

  /** Service names, in order of first appearance. */
  public Set<String> services() {
    Set<String> services = new LinkedHashSet<>();
    spans.forEach(s -> services.add(s.service()));
    return Collections.unmodifiableSet(services);
  }

  /** Earliest start of any span; empty for an empty trace. */
  public Optional<Instant> start() {
    return spans.stream().map(SpanNode::start).min(Instant::compareTo);
  }

  /** From the earliest start to the latest end of any span. */
  public Duration duration() {
    Optional<Instant> end = spans.stream().map(SpanNode::end).max(Instant::compareTo);
    return start().map(s -> Duration.between(s, end.orElseThrow())).orElse(Duration.ZERO);
  }

  /** Whether the trace has one root and no orphans: every document hangs on the same tree. */
  public boolean isComplete() {
    return roots.size() == 1 && orphans().isEmpty();
  }

  /** The trace as an indented text waterfall, like Kibana's trace view, for logs and failures. */
  public String waterfall() {
    return Waterfall.render(this, null);
  }

  /** The waterfall with {@code highlighted} marked by {@code >} in the left margin. */
  public String waterfall(SpanNode highlighted) {
    return Waterfall.render(this, highlighted);
  }

  /**
   * The spans as OpenTelemetry {@link SpanData}, depth first, for {@code OpenTelemetryAssertions}:
   * resource {@code service.name}, kind (from the document, else from transaction/span and type),
   * parent span context, status from the outcome ({@code success} → OK, {@code failure} → ERROR),
   * labels as attributes, the agent name as instrumentation scope.
   */
  public List<SpanData> toSpanData() {
    List<SpanData> out = new ArrayList<>();
    for (SpanNode top : topLevel) {
      for (SpanNode n : top.subtree()) {
        out.add(SpanDataConversion.convert(n));
      }
    }
    return Collections.unmodifiableList(out);
  }

  @Override
  public String toString() {
    return waterfall();
  }
}
