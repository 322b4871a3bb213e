package io.traceharness.trace;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch._types.ElasticsearchException;
import co.elastic.clients.elasticsearch._types.FieldValue;
import co.elastic.clients.elasticsearch._types.SortOrder;
import co.elastic.clients.elasticsearch._types.Time;
import co.elastic.clients.elasticsearch._types.aggregations.Aggregate;
import co.elastic.clients.elasticsearch._types.aggregations.StringTermsBucket;
import co.elastic.clients.elasticsearch._types.query_dsl.Query;
import co.elastic.clients.elasticsearch.core.SearchResponse;
import co.elastic.clients.elasticsearch.core.search.Hit;
import co.elastic.clients.json.JsonData;
import co.elastic.clients.json.jackson.JacksonJsonpMapper;
import co.elastic.clients.util.NamedValue;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The Elasticsearch side of {@link Traces}: the queries over both schemas' fields (APM Server's
 * {@code trace.id}, {@code service.name}, {@code processor.event}; OpenTelemetry-native
 * {@code trace_id}, {@code resource.attributes.service.name}, {@code kind}), each read whole through a
 * point in time and {@code search_after}, and the refresh before each read so that what was indexed
 * is visible.
 */
final class TraceSearch {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final ElasticsearchClient client;
  private final List<String> spanIndices;
  private final List<String> errorIndices;
  private final List<String> logIndices;
  private final int pageSize;

  TraceSearch(ElasticsearchClient client, List<String> spanIndices, List<String> errorIndices,
      List<String> logIndices, int pageSize) {
    this.client = client;
    this.spanIndices = spanIndices;
    this.errorIndices = errorIndices;
    this.logIndices = logIndices;
    this.pageSize = pageSize;
  }

  /** Whether any index holds the logs to correlate. */
  boolean readsLogs() {
    return !logIndices.isEmpty();
  }

  /** Every span and error document of the trace, after a refresh. */
  List<JsonNode> documents(String traceId) throws IOException {
    List<String> indices = spanAndErrorIndices();
    client.indices().refresh(r -> r.index(indices).ignoreUnavailable(true).allowNoIndices(true));
    return fetch(indices, ofTraces(List.of(traceId)));
  }

  /** See {@link Traces#traceIdsOf(Collection, Instant, Instant)}; at most 50, oldest first. */
  Set<String> traceIdsOf(Collection<String> services, Instant from, Instant to) {
    Set<String> ids = new LinkedHashSet<>();
    List<FieldValue> names = services.stream().map(FieldValue::of).toList();
    try {
      client.indices().refresh(r -> r.index(spanIndices).ignoreUnavailable(true).allowNoIndices(true));
      SearchResponse<JsonNode> resp = client.search(s -> s.index(spanIndices).ignoreUnavailable(true)
          .allowNoIndices(true).size(50)
          .query(q -> q.bool(b -> b
              .should(apm -> apm.bool(a -> a
                  .filter(f -> f.terms(t -> t.field("service.name").terms(v -> v.value(names))))
                  .filter(f -> f.term(t -> t.field("processor.event").value("transaction")))))
              .should(otel -> otel.bool(o -> o
                  .filter(f -> f.terms(t -> t.field("resource.attributes.service.name").terms(v -> v.value(names))))
                  .filter(f -> f.terms(t -> t.field("kind").terms(v -> v.value(List.of(
                      FieldValue.of("Server"), FieldValue.of("Consumer"))))))))
              .minimumShouldMatch("1")
              .filter(f -> f.range(r -> r.untyped(u -> u.field("@timestamp")
                  .gte(JsonData.of(from.toString())).lte(JsonData.of(to.toString())))))))
          .sort(so -> so.field(fs -> fs.field("@timestamp"))), JsonNode.class);
      for (Hit<JsonNode> h : resp.hits().hits()) {
        JsonNode src = h.source();
        JsonNode id = src == null ? null : src.path("trace").path("id").isTextual() ? src.path("trace").path("id")
            : src.path("trace_id");
        if (id != null && id.isTextual()) {
          ids.add(id.asText());
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("searching traces of " + services, e);
    }
    return ids;
  }

  /** The log documents carrying the trace id, after a refresh of the log indices. */
  List<JsonNode> logDocuments(String traceId) throws IOException {
    return logDocuments(ofTraces(List.of(traceId)));
  }

  /** The log documents matching {@code query}, after a refresh of the log indices. */
  List<JsonNode> logDocuments(Query query) throws IOException {
    client.indices().refresh(r -> r.index(logIndices).ignoreUnavailable(true).allowNoIndices(true));
    return fetch(logIndices, query);
  }

  /**
   * The span and error documents of the {@code size} traces whose latest span document is the most
   * recent (of {@code service}, when not null), by trace id, most recently active first.
   */
  Map<String, List<JsonNode>> recentTraces(int size, String service) throws IOException {
    List<String> ids = recentTraceIds(size, service);
    Map<String, List<JsonNode>> byTrace = new LinkedHashMap<>();
    if (ids.isEmpty()) {
      return byTrace;
    }
    ids.forEach(id -> byTrace.put(id, new ArrayList<>()));
    for (JsonNode doc : fetch(spanAndErrorIndices(), ofTraces(ids))) {
      List<JsonNode> docs = byTrace.get(traceIdOf(doc));
      if (docs != null) {
        docs.add(doc);
      }
    }
    return byTrace;
  }

  /** The ids of the traces whose latest span document is the most recent, in both schemas' id fields. */
  private List<String> recentTraceIds(int size, String service) throws IOException {
    Query query = service == null ? Query.of(q -> q.matchAll(m -> m)) : Query.of(q -> q.bool(b -> b
        .should(sh -> sh.term(t -> t.field("service.name").value(service)))
        .should(sh -> sh.term(t -> t.field("resource.attributes.service.name").value(service)))
        .minimumShouldMatch("1")));
    SearchResponse<Void> resp = client.search(s -> s.index(spanIndices).ignoreUnavailable(true).allowNoIndices(true)
        .size(0).query(query)
        .aggregations("apm", a -> a.terms(t -> t.field("trace.id").size(size)
                .order(NamedValue.of("latest", SortOrder.Desc)))
            .aggregations("latest", m -> m.max(x -> x.field("@timestamp"))))
        .aggregations("otel", a -> a.terms(t -> t.field("trace_id").size(size)
                .order(NamedValue.of("latest", SortOrder.Desc)))
            .aggregations("latest", m -> m.max(x -> x.field("@timestamp")))), Void.class);
    Map<String, Double> latest = new HashMap<>();
    for (String name : List.of("apm", "otel")) {
      Aggregate agg = resp.aggregations().get(name);
      if (agg == null || !agg.isSterms()) {
        continue;
      }
      for (StringTermsBucket b : agg.sterms().buckets().array()) {
        latest.merge(b.key().stringValue(), b.aggregations().get("latest").max().value(), Math::max);
      }
    }
    return latest.entrySet().stream()
        .sorted(Map.Entry.<String, Double>comparingByValue().reversed())
        .limit(size).map(Map.Entry::getKey).toList();
  }

  private List<String> spanAndErrorIndices() {
    List<String> indices = new ArrayList<>(spanIndices);
    indices.addAll(errorIndices);
    return indices;
  }

  /** Documents of these traces, in either schema's trace id field. */
  private static Query ofTraces(Collection<String> traceIds) {
    List<FieldValue> ids = traceIds.stream().map(FieldValue::of).toList();
    return Query.of(q -> q.bool(b -> b
        .should(sh -> sh.terms(t -> t.field("trace.id").terms(v -> v.value(ids))))
        .should(sh -> sh.terms(t -> t.field("trace_id").terms(v -> v.value(ids))))
        .minimumShouldMatch("1")));
  }

  /** {@code trace.id} (nested or dotted) or {@code trace_id}. */
  private static String traceIdOf(JsonNode doc) {
    for (JsonNode id : List.of(doc.path("trace").path("id"), doc.path("trace.id"), doc.path("trace_id"))) {
      if (id.isTextual()) {
        return id.asText();
      }
    }
    return null;
  }

  private List<JsonNode> fetch(List<String> indices, Query query) throws IOException {
    // With a Jackson mapper (the usual one) _source arrives as a tree directly; otherwise through text.
    if (client._jsonpMapper() instanceof JacksonJsonpMapper) {
      return fetch(indices, query, JsonNode.class, node -> node);
    }
    return fetch(indices, query, JsonData.class, TraceSearch::toJackson);
  }

  private <T> List<JsonNode> fetch(List<String> indices, Query query, Class<T> type, Function<T, JsonNode> toTree)
      throws IOException {
    String pit;
    try {
      pit = client.openPointInTime(p -> p.index(indices).keepAlive(Time.of(t -> t.time("1m")))
          .ignoreUnavailable(true)).id();
    } catch (ElasticsearchException e) {
      if ("index_not_found_exception".equals(e.error().type())) {
        return List.of();
      }
      throw e;
    }
    List<JsonNode> sources = new ArrayList<>();
    try {
      List<FieldValue> after = null;
      while (true) {
        List<FieldValue> searchAfter = after;
        String pitId = pit;
        SearchResponse<T> page = client.search(s -> {
          s.pit(p -> p.id(pitId).keepAlive(Time.of(t -> t.time("1m"))))
              .size(pageSize)
              .trackTotalHits(t -> t.enabled(false))
              .query(query)
              // _shard_doc is the cheapest total order a point in time offers for search_after.
              .sort(so -> so.field(f -> f.field("_shard_doc")));
          if (searchAfter != null) {
            s.searchAfter(searchAfter);
          }
          return s;
        }, type);
        if (page.pitId() != null) {
          pit = page.pitId();
        }
        List<Hit<T>> hits = page.hits().hits();
        for (Hit<T> hit : hits) {
          if (hit.source() != null) {
            sources.add(toTree.apply(hit.source()));
          }
        }
        if (hits.size() < pageSize) {
          return sources;
        }
        after = hits.get(hits.size() - 1).sort();
      }
    } finally {
      String pitId = pit;
      client.closePointInTime(c -> c.id(pitId));
    }
  }

  private static JsonNode toJackson(JsonData data) {
    try {
      return JSON.readTree(data.toJson().toString());
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }
}
