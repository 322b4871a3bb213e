package io.traceharness.trace;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.json.jackson.JacksonJsonpMapper;
import co.elastic.clients.transport.rest_client.RestClientTransport;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.apache.http.Header;
import org.apache.http.HttpHost;
import org.apache.http.message.BasicHeader;
import org.elasticsearch.client.RestClient;

/**
 * Reads traces from Elasticsearch by trace id, and waits for them to arrive.
 *
 * <p>Reads every document of the trace, however many (point in time + {@code search_after}), from
 * the APM data streams ({@code traces-apm*}, errors from {@code logs-apm.error*}) and from
 * OpenTelemetry-native ones ({@code traces-*.otel-*}); lists the most recent traces
 * ({@link #recent(int, TraceFilter)}) and the log records correlated with a trace
 * ({@link #logs(String)}, from {@code logs-*}). A {@code Traces} is immutable: the
 * {@code atMost}/{@code pollInterval}/{@code quietPeriod} methods return a copy. The queries and
 * paging over both schemas are {@code TraceSearch}'s, the log correlation {@code TraceLogReader}'s,
 * the waiting {@code TraceAwait}'s; documents become spans in {@link Trace}.
 *
 * <pre>{@code
 * Traces traces = Traces.reader(elasticsearchClient);
 * Trace trace = traces.atMost(Duration.ofSeconds(20))
 *     .await(traceId, TraceConditions.hasServices("client", "producer", "consumer"));
 * }</pre>
 *
 * <p>Any Elasticsearch holding APM Server or OpenTelemetry-native documents (a local node, an Elastic
 * Cloud deployment) by its URL, with an API key or a user; close such a reader to release its
 * connections:
 * <pre>{@code
 * try (Traces traces = Traces.builder(URI.create("https://my-deployment.es.eu-west-1.aws.elastic.cloud"))
 *     .apiKey(System.getenv("ES_API_KEY")).build()) {
 *   System.out.println(traces.read(traceId).waterfall());
 * }
 * }</pre>
 */
public final class Traces implements AutoCloseable {

  /** Where documents come from: Elasticsearch, or a fake in unit tests. */
  interface DocumentSource {
    List<JsonNode> documents(String traceId) throws IOException;
  }

  private final ElasticsearchClient client;
  private final DocumentSource source;
  private final List<String> spanIndices;
  private final List<String> errorIndices;
  private final List<String> logIndices;
  private final Duration timeout;
  private final Duration pollInterval;
  private final Duration quietPeriod;
  private final int pageSize;
  /** Where this reader connected itself, or null when it was handed a client. */
  private final URI endpoint;
  /** The REST client this reader made, closed with it; null when it was handed a client. */
  private final RestClient ownRestClient;
  /** The queries, paging and refreshes; null for a reader without Elasticsearch. */
  private final TraceSearch search;
  private final TraceLogReader logReader;
  private final TraceAwait awaiting;

  private Traces(Builder b, ElasticsearchClient client, RestClient ownRestClient) {
    this.client = client;
    this.endpoint = b.endpoint != null ? b.endpoint : b.copiedEndpoint;
    this.ownRestClient = ownRestClient;
    this.spanIndices = List.copyOf(b.spanIndices);
    this.errorIndices = List.copyOf(b.errorIndices);
    this.logIndices = List.copyOf(b.logIndices);
    this.timeout = b.timeout;
    this.pollInterval = b.pollInterval;
    this.quietPeriod = b.quietPeriod;
    this.pageSize = b.pageSize;
    this.search = client == null ? null
        : new TraceSearch(client, spanIndices, errorIndices, logIndices, pageSize);
    this.logReader = search == null ? null : new TraceLogReader(search);
    this.source = b.source != null ? b.source : search::documents;
    this.awaiting = new TraceAwait(this::read, timeout, pollInterval, quietPeriod);
  }

  /** A reader with the default indices, a 30 s timeout, 200 ms polls and a 300 ms quiet period. */
  public static Traces reader(ElasticsearchClient client) {
    return builder(client).build();
  }

  /** A reader with options. */
  public static Builder builder(ElasticsearchClient client) {
    return new Builder(client);
  }

  /**
   * A reader of the Elasticsearch at {@code endpoint} ({@code http://} or {@code https://}, the JVM's
   * trusted certificates), with options; without {@link Builder#apiKey} or {@link Builder#basicAuth}
   * it sends no credentials. {@link #close()} releases its connections.
   */
  public static Builder builder(URI endpoint) {
    return new Builder(endpoint);
  }

  /** The Elasticsearch this reader connected to itself; empty when it was handed a client. */
  public java.util.Optional<URI> endpoint() {
    return java.util.Optional.ofNullable(endpoint);
  }

  /** Releases the connections of a reader built from a URL; nothing for one handed a client. */
  @Override
  public void close() {
    if (ownRestClient != null) {
      try {
        ownRestClient.close();
      } catch (IOException e) {
        throw new UncheckedIOException("closing the client of " + endpoint, e);
      }
    }
  }

  /** Options of a {@link Traces} reader. */
  public static final class Builder {
    private final ElasticsearchClient client;
    private final URI endpoint;
    private URI copiedEndpoint;
    private String authorization;
    private DocumentSource source;
    private List<String> spanIndices = List.of("traces-apm*", "traces-*.otel-*");
    private List<String> errorIndices = List.of("logs-apm.error*");
    // errors are read as errors; every other logs-* document carrying the trace id is a correlated log
    private List<String> logIndices = List.of("logs-*", "-logs-apm.error*");
    private Duration timeout = Duration.ofSeconds(30);
    private Duration pollInterval = Duration.ofMillis(200);
    private Duration quietPeriod = Duration.ofMillis(300);
    private int pageSize = 5_000;

    private Builder(ElasticsearchClient client) {
      this.client = Objects.requireNonNull(client, "client");
      this.endpoint = null;
    }

    private Builder(URI endpoint) {
      Objects.requireNonNull(endpoint, "endpoint");
      String scheme = endpoint.getScheme();
      if (!"http".equalsIgnoreCase(scheme) && !"https".equalsIgnoreCase(scheme) || endpoint.getHost() == null) {
        throw new IllegalArgumentException("Elasticsearch URL must be http://HOST[:PORT] or https://HOST[:PORT], was "
            + endpoint);
      }
      this.client = null;
      this.endpoint = endpoint;
    }

    Builder(DocumentSource source) {
      this.client = null;
      this.endpoint = null;
      this.source = source;
    }

    private Builder(Traces t) {
      // a copy shares the original's client (and its connections): only the original closes them
      this.client = t.client;
      this.endpoint = null;
      this.copiedEndpoint = t.endpoint;
      this.source = t.client == null ? t.source : null;
      this.spanIndices = t.spanIndices;
      this.errorIndices = t.errorIndices;
      this.logIndices = t.logIndices;
      this.timeout = t.timeout;
      this.pollInterval = t.pollInterval;
      this.quietPeriod = t.quietPeriod;
      this.pageSize = t.pageSize;
    }

    /** Index patterns holding transactions and spans; default {@code traces-apm*, traces-*.otel-*}. */
    public Builder spanIndices(String... patterns) {
      if (patterns.length == 0) {
        // An empty index list means every index to Elasticsearch.
        throw new IllegalArgumentException("name at least one index pattern for spans");
      }
      this.spanIndices = List.of(patterns);
      return this;
    }

    /** Index patterns holding errors; default {@code logs-apm.error*}. None to skip errors. */
    public Builder errorIndices(String... patterns) {
      this.errorIndices = List.of(patterns);
      return this;
    }

    /**
     * Index patterns holding log records correlated with traces; default {@code logs-*} without
     * {@code logs-apm.error*} (errors are read with the trace). None to skip logs.
     */
    public Builder logIndices(String... patterns) {
      this.logIndices = List.of(patterns);
      return this;
    }

    /** How long {@code await} waits at most; default 30 s. */
    public Builder atMost(Duration timeout) {
      this.timeout = positive(timeout, "timeout");
      return this;
    }

    /** Time between two reads while awaiting; default 200 ms. */
    public Builder pollInterval(Duration interval) {
      this.pollInterval = positive(interval, "pollInterval");
      return this;
    }

    /**
     * How long no new document must arrive, once the condition holds, before {@code await}
     * returns; default 300 ms. Spans of one trace arrive from several exporters, in batches.
     */
    public Builder quietPeriod(Duration quiet) {
      this.quietPeriod = Objects.requireNonNull(quiet, "quietPeriod");
      return this;
    }

    /** Documents per search request; default 5,000. */
    public Builder pageSize(int pageSize) {
      if (pageSize < 1 || pageSize > 10_000) {
        throw new IllegalArgumentException("pageSize must be within 1..10000, was " + pageSize);
      }
      this.pageSize = pageSize;
      return this;
    }

    /**
     * Sends {@code Authorization: ApiKey …}: the key as Elasticsearch and Elastic Cloud hand it out
     * (the base64 {@code encoded} value), or {@code id:api_key}, which is encoded here. Only for a
     * reader built from a URL.
     */
    public Builder apiKey(String key) {
      requireEndpoint("apiKey");
      if (key == null || key.isBlank()) {
        throw new IllegalArgumentException("the API key is empty");
      }
      String k = key.strip();
      this.authorization = "ApiKey " + (k.contains(":")
          ? Base64.getEncoder().encodeToString(k.getBytes(StandardCharsets.UTF_8)) : k);
      return this;
    }

    /** Sends {@code Authorization: Basic …} for this user. Only for a reader built from a URL. */
    public Builder basicAuth(String user, String password) {
      requireEndpoint("basicAuth");
      if (user == null || user.isEmpty() || password == null) {
        throw new IllegalArgumentException("basic authentication needs a user and a password");
      }
      this.authorization = "Basic " + Base64.getEncoder().encodeToString(
          (user + ":" + password).getBytes(StandardCharsets.UTF_8));
      return this;
    }

    private void requireEndpoint(String what) {
      if (endpoint == null) {
        throw new IllegalStateException(what + " is for a reader built from a URL; this one was handed a client,"
            + " which carries its own credentials");
      }
    }

    public Traces build() {
      if (endpoint == null) {
        return new Traces(this, client, null);
      }
      int port = endpoint.getPort() != -1 ? endpoint.getPort()
          : "https".equalsIgnoreCase(endpoint.getScheme()) ? 443 : 9200;
      org.elasticsearch.client.RestClientBuilder rest = RestClient.builder(
          new HttpHost(endpoint.getHost(), port, endpoint.getScheme().toLowerCase(java.util.Locale.ROOT)));
      if (endpoint.getRawPath() != null && !endpoint.getRawPath().isEmpty() && !endpoint.getRawPath().equals("/")) {
        rest.setPathPrefix(endpoint.getRawPath());
      }
      if (authorization != null) {
        rest.setDefaultHeaders(new Header[] {new BasicHeader("Authorization", authorization)});
      }
      RestClient restClient = rest.build();
      return new Traces(this, new ElasticsearchClient(new RestClientTransport(restClient, new JacksonJsonpMapper())),
          restClient);
    }

    private static Duration positive(Duration d, String what) {
      if (d == null || d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(what + " must be positive, was " + d);
      }
      return d;
    }
  }

  /** A copy that waits at most {@code timeout}. */
  public Traces atMost(Duration timeout) {
    return new Builder(this).atMost(timeout).build();
  }

  /** A copy that reads every {@code interval} while awaiting. */
  public Traces pollInterval(Duration interval) {
    return new Builder(this).pollInterval(interval).build();
  }

  /** A copy that requires {@code quiet} without new documents before returning. */
  public Traces quietPeriod(Duration quiet) {
    return new Builder(this).quietPeriod(quiet).build();
  }

  /**
   * Every document of the trace now (after a refresh, so what was indexed is visible); an empty
   * trace if there is none.
   */
  public Trace read(String traceId) {
    Objects.requireNonNull(traceId, "traceId");
    try {
      Trace trace = Trace.fromSources(traceId, source.documents(traceId));
      trace.logSource(this::logs);
      return trace;
    } catch (IOException e) {
      throw new UncheckedIOException("reading trace " + traceId, e);
    }
  }

  /**
   * The ids of the traces in which these services' entry spans (APM transactions, OTel-native
   * server and consumer spans) started between {@code from} and {@code to}, oldest first, at most
   * 50; empty for a reader without Elasticsearch.
   */
  public Set<String> traceIdsOf(Collection<String> services, Instant from, Instant to) {
    if (search == null || services.isEmpty()) {
      return new LinkedHashSet<>();
    }
    return search.traceIdsOf(services, from, to);
  }

  /**
   * Every stored document of the trace as Elasticsearch holds it ({@code _source}): transactions and
   * spans of both schemas, and errors; empty when there is none. What {@link #read(String)} builds
   * the trace from.
   */
  public List<JsonNode> documents(String traceId) {
    Objects.requireNonNull(traceId, "traceId");
    try {
      return source.documents(traceId);
    } catch (IOException e) {
      throw new UncheckedIOException("reading the documents of trace " + traceId, e);
    }
  }

  /**
   * The log records correlated with the trace (documents of the log indices that carry its id), by
   * time; empty for a reader without Elasticsearch.
   */
  public List<TraceLog> logs(String traceId) {
    Objects.requireNonNull(traceId, "traceId");
    if (search == null || !search.readsLogs()) {
      return List.of();
    }
    try {
      return logReader.carryingId(traceId);
    } catch (IOException e) {
      throw new UncheckedIOException("reading the logs of trace " + traceId, e);
    }
  }

  /**
   * The trace's logs: the records that carry its id ({@link TraceLog.Link#TRACE_ID}, what Kibana
   * links), and the lines its Lambda functions wrote during the trace's invocations without it
   * ({@link TraceLog.Link#REQUEST_ID}): the request ids come from the trace's transaction documents
   * ({@code faas.execution} of an APM agent's; {@code labels.faas_execution} or
   * {@code labels.faas_invocation_id} where APM Server kept an OpenTelemetry span's attribute as a
   * label; {@code attributes.faas.*} of an OTel-native one), and a line is matched by its
   * {@code faas.execution} or by the request id in its text (a {@code RequestId: } platform line, a
   * Node.js runtime's {@code <time>\t<request id>\t…}). By time; empty for a reader without Elasticsearch.
   */
  public List<TraceLog> logs(Trace trace) {
    Objects.requireNonNull(trace, "trace");
    if (search == null || !search.readsLogs()) {
      return List.of();
    }
    String traceId = trace.traceId();
    List<JsonNode> documents = documents(traceId);
    try {
      return logReader.of(traceId, documents);
    } catch (IOException e) {
      throw new UncheckedIOException("reading the logs of trace " + traceId, e);
    }
  }

  /** At most this many traces are listed by {@link #recent(int, TraceFilter)}. */
  public static final int MAX_RECENT = 500;

  /**
   * The most recent traces, newest first (by start), that pass the filter: the traces of the span
   * indices with the latest documents (in either schema), each read whole. Without a status filter
   * the {@code limit} most recently active traces are read; with one, the {@code 4 × limit} most
   * recent (at most {@value #MAX_RECENT}) are read and those of the status kept. What was indexed in
   * the last second (Elasticsearch's refresh interval) may not be listed yet. Empty for a reader
   * without Elasticsearch.
   *
   * <pre>{@code
   * List<TraceSummary> broken = traces.recent(20, TraceFilter.all().status(TraceSummary.Status.BROKEN));
   * }</pre>
   *
   * @param limit how many traces at most, 1..{@value #MAX_RECENT}
   */
  public List<TraceSummary> recent(int limit, TraceFilter filter) {
    if (limit < 1 || limit > MAX_RECENT) {
      throw new IllegalArgumentException("limit must be within 1.." + MAX_RECENT + ", was " + limit);
    }
    Objects.requireNonNull(filter, "filter");
    if (search == null) {
      return List.of();
    }
    int candidates = filter.status() == null ? limit : Math.min(MAX_RECENT, limit * 4);
    try {
      return search.recentTraces(candidates, filter.service()).entrySet().stream()
          .map(e -> TraceSummary.of(Trace.fromSources(e.getKey(), e.getValue())))
          .filter(t -> t.spanCount() > 0 && filter.accepts(t))
          .sorted(Comparator.comparing(TraceSummary::start, Comparator.nullsLast(Comparator.reverseOrder())))
          .limit(limit)
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException("listing recent traces", e);
    }
  }

  /**
   * Reads the trace until {@code condition} holds and no new document arrived for the quiet
   * period, and returns it.
   *
   * @throws AssertionError on timeout, naming what was awaited, with the last state's waterfall
   */
  public Trace await(String traceId, Predicate<? super Trace> condition) {
    return awaiting.await(traceId, condition);
  }

  /** Waits until {@code trace} (at least one document) has arrived and stays quiet. */
  public Trace await(String traceId) {
    return await(traceId, TraceConditions.hasAtLeastSpans(1));
  }

  /**
   * Reads the trace until {@code assertion} passes on it and no new document arrived for the quiet
   * period. On timeout the assertion runs once more on the last state, so the failure is its own.
   *
   * <pre>{@code
   * traces.awaitSatisfying(traceId, trace -> assertThat(trace).hasPath("client", "producer", "consumer"));
   * }</pre>
   */
  public Trace awaitSatisfying(String traceId, Consumer<? super Trace> assertion) {
    return awaiting.awaitSatisfying(traceId, assertion);
  }

  Duration timeout() {
    return timeout;
  }
}
