package io.traceharness.viewer;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.QueryParams;
import com.linecorp.armeria.server.ServerBuilder;
import com.linecorp.armeria.server.ServiceRequestContext;
import io.traceharness.diagnosis.Diagnosis;
import io.traceharness.report.TraceReport;
import io.traceharness.stack.TracingStack;
import io.traceharness.trace.Anomaly;
import io.traceharness.trace.SpanNode;
import io.traceharness.trace.Trace;
import io.traceharness.trace.TraceError;
import io.traceharness.trace.TraceFilter;
import io.traceharness.trace.TraceLog;
import io.traceharness.trace.TraceSummary;
import io.traceharness.trace.Traces;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The viewer's JSON API. Reads are blocking (Elasticsearch), so each runs on the server's blocking
 * executor; bad input answers 400 and an unknown trace 404, each as {@code {"error": "…"}}.
 */
final class ViewerApi {

  private static final Logger LOG = LoggerFactory.getLogger(ViewerApi.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  /** W3C and Elastic trace ids: 16 bytes in hex. */
  private static final Pattern TRACE_ID = Pattern.compile("[0-9a-f]{32}");
  private static final Pattern SPAN_ID = Pattern.compile("[0-9a-f]{16}");
  static final int DEFAULT_LIMIT = 50;

  private final TracingStack stack;
  private final FunctionsView functions;

  ViewerApi(TracingStack stack, FunctionsView functions) {
    this.stack = stack;
    this.functions = functions;
  }

  void addTo(ServerBuilder sb) {
    sb.service("/api/traces", (ctx, req) -> blocking(ctx, () -> traces(ctx.queryParams())))
        .service("/api/traces/{traceId}", (ctx, req) -> blocking(ctx, () -> trace(ctx.pathParam("traceId"),
            ctx.queryParams())))
        .service("/api/traces/{traceId}/spans/{spanId}", (ctx, req) -> blocking(ctx,
            () -> span(ctx.pathParam("traceId"), ctx.pathParam("spanId"))))
        .service("/api/functions", (ctx, req) -> blocking(ctx, functions::describe))
        .serviceUnder("/api/", (ctx, req) -> error(HttpStatus.NOT_FOUND, "no such API: " + ctx.path()
            + " (there are /api/traces, /api/traces/{traceId}, /api/traces/{traceId}/spans/{spanId}, /api/functions)"));
  }

  /** A client's mistake, answered with its status and message. */
  static final class ApiException extends RuntimeException {
    final HttpStatus status;

    ApiException(HttpStatus status, String message) {
      super(message);
      this.status = status;
    }
  }

  private static HttpResponse blocking(ServiceRequestContext ctx, Supplier<JsonNode> body) {
    return HttpResponse.of(CompletableFuture.supplyAsync(() -> {
      try {
        return json(HttpStatus.OK, body.get());
      } catch (ApiException e) {
        return error(e.status, e.getMessage());
      } catch (UncheckedIOException | co.elastic.clients.elasticsearch._types.ElasticsearchException e) {
        LOG.warn("{} failed", ctx.path(), e);
        return error(HttpStatus.SERVICE_UNAVAILABLE, "Elasticsearch could not be read: " + e.getMessage());
      }
    }, ctx.blockingTaskExecutor()));
  }

  private static HttpResponse json(HttpStatus status, JsonNode body) {
    try {
      return HttpResponse.of(status, MediaType.JSON_UTF_8, JSON.writeValueAsString(body));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static HttpResponse error(HttpStatus status, String message) {
    return json(status, JSON.createObjectNode().put("error", message));
  }

  /** {@code /api/traces?service=&status=&limit=}. */
  JsonNode traces(QueryParams params) {
    int limit = limit(params.get("limit"));
    TraceFilter filter = TraceFilter.all().service(params.get("service"));
    String status = params.get("status");
    if (status != null && !status.isBlank()) {
      try {
        filter = filter.status(TraceSummary.Status.parse(status));
      } catch (IllegalArgumentException e) {
        throw new ApiException(HttpStatus.BAD_REQUEST, e.getMessage());
      }
    }
    List<TraceSummary> recent = stack.traces().recent(limit, filter);
    ObjectNode out = JSON.createObjectNode();
    out.put("limit", limit);
    out.put("service", filter.service());
    out.put("status", filter.status() == null ? null : filter.status().id());
    Set<String> services = new LinkedHashSet<>();
    ArrayNode list = out.putArray("traces");
    for (TraceSummary t : recent) {
      list.add(summary(t));
      services.addAll(t.services());
    }
    ArrayNode svc = out.putArray("services");
    services.stream().sorted().forEach(svc::add);
    return out;
  }

  private static int limit(String value) {
    if (value == null || value.isBlank()) {
      return DEFAULT_LIMIT;
    }
    try {
      int limit = Integer.parseInt(value.trim());
      if (limit >= 1 && limit <= Traces.MAX_RECENT) {
        return limit;
      }
    } catch (NumberFormatException e) {
      // answered below
    }
    throw new ApiException(HttpStatus.BAD_REQUEST, "limit must be a number within 1.." + Traces.MAX_RECENT
        + ", was '" + value + "'");
  }

  static ObjectNode summary(TraceSummary t) {
    ObjectNode n = JSON.createObjectNode();
    n.put("traceId", t.traceId());
    n.put("rootService", t.rootService());
    n.put("rootName", t.rootName());
    ArrayNode services = n.putArray("services");
    t.services().forEach(services::add);
    n.put("spanCount", t.spanCount());
    n.put("errorCount", t.errorCount());
    n.put("start", t.start() == null ? null : t.start().toString());
    n.put("durationUs", t.duration().toNanos() / 1_000);
    n.put("status", t.status().id());
    ArrayNode anomalies = n.putArray("anomalies");
    t.anomalies().forEach(anomalies::add);
    return n;
  }

  /** {@code /api/traces/{traceId}?expect=a,b,c}: the trace, its tree, anomalies, diagnosis, errors and logs. */
  JsonNode trace(String rawId, QueryParams params) {
    String traceId = traceId(rawId);
    Trace trace = stack.traces().read(traceId);
    if (trace.isEmpty() && trace.errors().isEmpty()) {
      throw new ApiException(HttpStatus.NOT_FOUND, "no trace " + traceId + " in Elasticsearch: no transaction, span"
          + " or error carries that trace id (yet)");
    }
    List<String> expected = new ArrayList<>(trace.services());
    String expect = params.get("expect");
    if (expect != null && !expect.isBlank()) {
      expected = Arrays.stream(expect.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }
    Diagnosis diagnosis = stack.diagnose(traceId, expected);
    ObjectNode out = JSON.createObjectNode();
    out.put("traceId", traceId);
    out.set("summary", summary(TraceSummary.of(trace)));
    ArrayNode tree = out.putArray("tree");
    trace.topLevel().forEach(top -> tree.add(node(top)));
    ArrayNode anomalies = out.putArray("anomalies");
    for (Anomaly a : trace.anomalies()) {
      ObjectNode n = anomalies.addObject();
      n.put("kind", a.getClass().getSimpleName());
      n.put("description", a.description());
      ArrayNode ids = n.putArray("spanIds");
      a.spanIds().forEach(ids::add);
    }
    ObjectNode diag = out.putObject("diagnosis");
    diag.put("clean", diagnosis.isClean());
    ArrayNode expectedServices = diag.putArray("expectedServices");
    expected.forEach(expectedServices::add);
    ArrayNode lines = diag.putArray("lines");
    diagnosis.lines().forEach(lines::add);
    ArrayNode findings = diag.putArray("findings");
    for (Diagnosis.Finding f : diagnosis.findings()) {
      findings.addObject().put("kind", f.kind().name()).put("message", f.message()).put("service", f.service())
          .put("function", f.function()).put("spanId", f.spanId()).put("otherTraceId", f.otherTraceId());
    }
    ArrayNode errors = out.putArray("errors");
    for (TraceError e : trace.errors()) {
      errors.addObject().put("id", e.id()).put("parentId", e.parentId()).put("service", e.service())
          .put("type", e.type()).put("message", e.message())
          .put("timestamp", e.timestamp() == null ? null : e.timestamp().toString())
          .put("in", e.in(trace).map(SpanNode::name).orElse(null));
    }
    ArrayNode logs = out.putArray("logs");
    // the lines that carry the trace id, and those its functions wrote in its invocations without it
    for (TraceLog l : stack.traces().logs(trace)) {
      logs.addObject().put("timestamp", l.timestamp().toString()).put("service", l.service()).put("level", l.level())
          .put("message", l.message()).put("spanId", l.spanId()).put("dataStream", l.dataStream())
          .put("requestId", l.requestId()).put("link", l.link().name());
    }
    try {
      out.set("report", JSON.readTree(TraceReport.builder().title("Trace " + traceId).trace(trace)
          .diagnosis(diagnosis.isClean() ? List.of() : diagnosis.lines()).build().json()));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
    return out;
  }

  private static ObjectNode node(SpanNode s) {
    ObjectNode n = JSON.createObjectNode();
    n.put("spanId", s.spanId());
    n.put("parentId", s.parentId().orElse(null));
    n.put("event", s.isTransaction() ? "transaction" : "span");
    n.put("service", s.service());
    n.put("name", s.name());
    n.put("type", s.type().orElse(null));
    n.put("subtype", s.subtype().orElse(null));
    n.put("kind", s.kind().map(Enum::name).orElse(null));
    n.put("outcome", s.outcome().name().toLowerCase(Locale.ROOT));
    n.put("start", s.start().toString());
    n.put("durationUs", s.duration().toNanos() / 1_000);
    ArrayNode children = n.putArray("children");
    s.children().forEach(c -> children.add(node(c)));
    return n;
  }

  /** {@code /api/traces/{traceId}/spans/{spanId}}: the stored documents of that span (several if its id is duplicated). */
  JsonNode span(String rawTraceId, String rawSpanId) {
    String traceId = traceId(rawTraceId);
    String spanId = rawSpanId.trim().toLowerCase(Locale.ROOT);
    if (!SPAN_ID.matcher(spanId).matches()) {
      throw new ApiException(HttpStatus.BAD_REQUEST, "a span id is 16 hex digits, was '" + rawSpanId + "'");
    }
    ArrayNode docs = JSON.createArrayNode();
    for (JsonNode doc : stack.traces().documents(traceId)) {
      String event = text(doc, "processor", "event");
      // an Elastic agent's span names its transaction in transaction.id: only a transaction is its own
      boolean matches = spanId.equals(text(doc, "span", "id")) || spanId.equals(text(doc, "span_id", null))
          || "transaction".equals(event) && spanId.equals(text(doc, "transaction", "id"));
      if (matches && !"error".equals(event)) {
        docs.add(doc);
      }
    }
    if (docs.isEmpty()) {
      throw new ApiException(HttpStatus.NOT_FOUND, "trace " + traceId + " has no span " + spanId);
    }
    ObjectNode out = JSON.createObjectNode();
    out.put("traceId", traceId);
    out.put("spanId", spanId);
    out.set("documents", docs);
    return out;
  }

  /** A field as nested objects ({@code {"span":{"id":…}}}) or a dotted key ({@code "span.id"}). */
  private static String text(JsonNode doc, String first, String second) {
    JsonNode v = second == null ? doc.path(first) : doc.path(first).path(second);
    if (v.isMissingNode() && second != null) {
      v = doc.path(first + "." + second);
    }
    return v.isTextual() ? v.asText() : null;
  }

  private static String traceId(String raw) {
    String id = raw.trim().toLowerCase(Locale.ROOT);
    if (!TRACE_ID.matcher(id).matches()) {
      throw new ApiException(HttpStatus.BAD_REQUEST, "a trace id is 32 hex digits, was '" + raw + "'");
    }
    return id;
  }
}
