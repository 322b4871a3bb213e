package io.traceharness.apm;

import static org.awaitility.Awaitility.await;

import co.elastic.clients.elasticsearch.core.search.Hit;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.traceharness.elasticsearch.EmbeddedElasticsearch;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * One Elasticsearch node and one embedded APM Server for every conformance class of the run
 * (kept in JUnit's root store, closed at the end). Only documents ingested since it started are
 * read back, so an earlier run on the same node directory does not interfere.
 *
 * <pre>{@code
 * @ExtendWith({ConformanceStack.Resolver.class, Conformance.Tally.class})
 * class IntakeConformanceIT {
 *   @Test
 *   void minimal(ConformanceStack stack) { … stack.intake(ndjson) … stack.awaitDocuments("error.id:abc", 1) … }
 * }
 * }</pre>
 */
final class ConformanceStack implements ExtensionContext.Store.CloseableResource {

  private static final String APM_DATA_STREAMS = "traces-apm*,logs-apm*,metrics-apm*";

  private final EmbeddedElasticsearch es;
  private final EmbeddedApmServer apm;
  /**
   * Documents of earlier runs on the same node directory are told apart by event.ingested: the
   * integ-test distribution has no data-streams module, so its data streams cannot be deleted.
   */
  private final String startedAt = java.time.Instant.now().toString();
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  private ConformanceStack() {
    es = EmbeddedElasticsearch.builder().build().start();
    apm = EmbeddedApmServer.builder().elasticsearch(es.endpoint()).build().start();
  }

  EmbeddedElasticsearch elasticsearch() {
    return es;
  }

  EmbeddedApmServer apmServer() {
    return apm;
  }

  /** Posts an intake v2 body (uncompressed ND-JSON) and answers status and body. */
  HttpResponse<String> intake(String ndjson) {
    return post("/intake/v2/events", "application/x-ndjson", ndjson);
  }

  HttpResponse<String> post(String path, String contentType, String body) {
    try {
      return http.send(HttpRequest.newBuilder(URI.create(apm.endpoint() + path))
          .header("Content-Type", contentType)
          .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** The sources matching a Lucene query string in the APM data streams, oldest first. */
  List<JsonNode> documents(String query) throws IOException {
    return es.client().search(s -> s.index(APM_DATA_STREAMS).size(200)
            .query(q -> q.bool(b -> b.must(m -> m.queryString(qs -> qs.query(query)))
                .filter(f -> f.range(r -> r.untyped(u -> u.field("event.ingested")
                    .gte(co.elastic.clients.json.JsonData.of(startedAt)))))))
            .sort(o -> o.field(f -> f.field("@timestamp")))
            .sort(o -> o.field(f -> f.field("_doc"))), ObjectNode.class)
        .hits().hits().stream().map(Hit::source).map(JsonNode.class::cast).toList();
  }

  /** Waits until {@code count} documents match; fails naming the query and what was found. */
  List<JsonNode> awaitDocuments(String query, int count) {
    apm.flush(Duration.ofSeconds(10));
    return await("%d stored documents matching [%s]".formatted(count, query))
        .atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250))
        // a data stream just created answers 503 until its shard is allocated
        .ignoreExceptions()
        .until(() -> documents(query), docs -> docs.size() >= count);
  }

  @Override
  public void close() {
    apm.close();
    es.close();
  }

  /** Injects the run's one stack into test methods and lifecycle methods. */
  static final class Resolver implements ParameterResolver {
    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
      return parameter.getParameter().getType() == ConformanceStack.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
      return context.getRoot().getStore(ExtensionContext.Namespace.create(ConformanceStack.class))
          .getOrComputeIfAbsent(ConformanceStack.class, k -> new ConformanceStack(), ConformanceStack.class);
    }
  }
}
