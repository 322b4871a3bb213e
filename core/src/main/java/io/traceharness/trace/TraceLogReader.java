package io.traceharness.trace;

import co.elastic.clients.elasticsearch._types.FieldValue;
import co.elastic.clients.elasticsearch._types.query_dsl.Query;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The log records of a trace, for {@link Traces#logs(String)} and {@link Traces#logs(Trace)}: those
 * carrying its id, and the lines its Lambda functions wrote during its invocations, matched by request
 * id; each a {@link TraceLog} saying how it links.
 */
final class TraceLogReader {

  /** By time, then by CloudWatch event id: a shipped block's lines share their shipping time. */
  private static final Comparator<TraceLog> LOG_ORDER = Comparator.comparing(TraceLog::timestamp)
      .thenComparing(l -> l.document().path("aws").path("cloudwatch").path("event_id").asText(""));

  private static final List<String> REQUEST_ID_FIELDS = List.of("faas.execution", "labels.faas_execution",
      "labels.faas_invocation_id", "attributes.faas.execution", "attributes.faas.invocation_id");

  private final TraceSearch search;

  TraceLogReader(TraceSearch search) {
    this.search = search;
  }

  /** The records that carry the trace id, by time. */
  List<TraceLog> carryingId(String traceId) throws IOException {
    return search.logDocuments(traceId).stream().map(TraceLog::of).sorted(LOG_ORDER).toList();
  }

  /**
   * The records that carry the trace id, and the lines written during the invocations that the
   * trace's {@code documents} name, by time.
   */
  List<TraceLog> of(String traceId, List<JsonNode> documents) throws IOException {
    Map<String, String> invocations = invocationsOf(documents);
    List<FieldValue> ids = invocations.keySet().stream().map(FieldValue::of).toList();
    Query query = Query.of(q -> q.bool(b -> {
      b.should(sh -> sh.term(t -> t.field("trace.id").value(traceId)))
          .should(sh -> sh.term(t -> t.field("trace_id").value(traceId)));
      if (!ids.isEmpty()) {
        b.should(sh -> sh.terms(t -> t.field("faas.execution").terms(v -> v.value(ids))));
        invocations.keySet().forEach(id -> b.should(sh -> sh.matchPhrase(m -> m.field("message").query(id))));
      }
      return b.minimumShouldMatch("1");
    }));
    List<TraceLog> logs = new ArrayList<>();
    for (JsonNode doc : search.logDocuments(query)) {
      TraceLog plain = TraceLog.of(doc);
      boolean carriesId = traceId.equals(plain.traceId());
      String request = plain.requestId();
      if (!carriesId && (request == null || !invocations.containsKey(request))) {
        continue; // the request id only appeared inside another line's text
      }
      logs.add(TraceLog.of(doc, carriesId ? TraceLog.Link.TRACE_ID : TraceLog.Link.REQUEST_ID,
          request == null ? null : invocations.get(request)));
    }
    logs.sort(LOG_ORDER);
    return logs;
  }

  /** Request id → service of the transactions (entry spans) that name a Lambda invocation. */
  static Map<String, String> invocationsOf(List<JsonNode> documents) {
    Map<String, String> invocations = new LinkedHashMap<>();
    for (JsonNode doc : documents) {
      Map<String, JsonNode> f = Documents.flatten(doc);
      String requestId = Documents.first(f, REQUEST_ID_FIELDS.toArray(String[]::new));
      if (requestId != null) {
        invocations.putIfAbsent(requestId, Documents.first(f, "service.name", "resource.attributes.service.name"));
      }
    }
    return invocations;
  }
}
