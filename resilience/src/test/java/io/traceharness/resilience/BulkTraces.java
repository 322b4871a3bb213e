package io.traceharness.resilience;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Many traces checked at once, for load: one terms aggregation over the pending trace ids finds
 * those with every expected service, then one search reads only those traces' ids and parent ids
 * to tell which are connected (a single root, no span whose parent is missing). Two requests per
 * poll, whatever the number of traces.
 */
final class BulkTraces {

  private static final int CHUNK = 1000;

  private BulkTraces() {
  }

  /**
   * For each trace id: empty when the trace holds every one of {@code services} and is connected,
   * else what it lacks.
   */
  static Map<String, String> check(URI elasticsearch, Collection<String> traceIds, Set<String> services) {
    Map<String, String> verdicts = new LinkedHashMap<>();
    List<String> ids = new ArrayList<>(traceIds);
    for (int from = 0; from < ids.size(); from += CHUNK) {
      List<String> chunk = ids.subList(from, Math.min(ids.size(), from + CHUNK));
      Map<String, Long> serviceCounts = serviceCounts(elasticsearch, chunk);
      List<String> candidates = new ArrayList<>();
      for (String id : chunk) {
        long n = serviceCounts.getOrDefault(id, 0L);
        if (n >= services.size()) {
          candidates.add(id);
        } else {
          verdicts.put(id, n + " of " + services.size() + " services");
        }
      }
      verdicts.putAll(shapes(elasticsearch, candidates, services));
    }
    return verdicts;
  }

  private static Map<String, Long> serviceCounts(URI elasticsearch, List<String> ids) {
    ObjectNode q = Wire.JSON.createObjectNode().put("size", 0);
    q.putObject("query").putObject("terms").set("trace.id", Wire.JSON.valueToTree(ids));
    ObjectNode perTrace = q.putObject("aggs").putObject("t");
    perTrace.putObject("terms").put("field", "trace.id").put("size", ids.size());
    perTrace.putObject("aggs").putObject("s").putObject("cardinality").put("field", "service.name");
    Map<String, Long> counts = new HashMap<>();
    for (JsonNode b : search(elasticsearch, q).path("aggregations").path("t").path("buckets")) {
      counts.put(b.path("key").asText(), b.path("s").path("value").asLong());
    }
    return counts;
  }

  private static Map<String, String> shapes(URI elasticsearch, List<String> ids, Set<String> services) {
    Map<String, String> verdicts = new HashMap<>();
    if (ids.isEmpty()) {
      return verdicts;
    }
    ObjectNode q = Wire.JSON.createObjectNode().put("size", 10_000);
    q.putObject("query").putObject("terms").set("trace.id", Wire.JSON.valueToTree(ids));
    q.putArray("_source").add("trace.id").add("transaction.id").add("span.id").add("parent.id").add("service.name")
        .add("processor.event");
    JsonNode hits = search(elasticsearch, q).path("hits").path("hits");
    Map<String, List<JsonNode>> byTrace = new HashMap<>();
    for (JsonNode h : hits) {
      byTrace.computeIfAbsent(h.path("_source").path("trace").path("id").asText(), k -> new ArrayList<>())
          .add(h.path("_source"));
    }
    if (hits.size() >= 10_000) {
      // a page cut short would look like missing spans: judge none of these now, the next poll splits them
      ids.forEach(id -> verdicts.put(id, "not read yet"));
      return verdicts;
    }
    for (String id : ids) {
      verdicts.put(id, shape(byTrace.getOrDefault(id, List.of()), services));
    }
    return verdicts;
  }

  /** Empty when connected with every service; else what is wrong. */
  static String shape(List<JsonNode> docs, Set<String> services) {
    Set<String> ids = new HashSet<>();
    Set<String> seen = new TreeSet<>();
    for (JsonNode d : docs) {
      String tx = d.path("transaction").path("id").asText("");
      String span = d.path("span").path("id").asText("");
      // a transaction is named by transaction.id, a span by span.id (APM Server's documents)
      ids.add("transaction".equals(d.path("processor").path("event").asText()) || span.isEmpty() ? tx : span);
      seen.add(d.path("service").path("name").asText());
    }
    int roots = 0;
    int orphans = 0;
    for (JsonNode d : docs) {
      if (!d.path("processor").path("event").asText().matches("transaction|span")) {
        continue;
      }
      String parent = d.path("parent").path("id").asText("");
      if (parent.isEmpty()) {
        roots++;
      } else if (!ids.contains(parent)) {
        orphans++;
      }
    }
    if (!seen.containsAll(services)) {
      return "services " + seen;
    }
    if (roots != 1 || orphans != 0) {
      return roots + " roots, " + orphans + " orphans";
    }
    return "";
  }

  private static JsonNode search(URI elasticsearch, ObjectNode query) {
    try {
      Wire.Answer a = Wire.send("POST", elasticsearch.resolve("/traces-*/_search?ignore_unavailable=true&allow_no_indices=true"),
          Wire.JSON.writeValueAsString(query).getBytes(StandardCharsets.UTF_8), "Content-Type", "application/json");
      if (a.status() != 200) {
        throw new IllegalStateException("Elasticsearch answered " + a.status() + ": " + a.body());
      }
      return Wire.JSON.readTree(a.body());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
