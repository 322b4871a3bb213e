package io.traceharness.collector;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.Message;
import com.linecorp.armeria.client.ClientFactory;
import com.linecorp.armeria.client.WebClient;
import com.linecorp.armeria.common.AggregatedHttpResponse;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.RequestHeaders;
import com.linecorp.armeria.common.RequestHeadersBuilder;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.traceharness.collector.CollectorConfig.ElasticsearchSpec;
import io.traceharness.collector.CollectorConfig.MappingMode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The contrib {@code elasticsearch} exporter's transport: each export request becomes documents (one per
 * span, span event and log record, encoded per {@code mapping::mode}) written with one {@code _bulk} request of
 * {@code create} actions ({@code exporter.go}: {@code docappender.ActionCreate}); in otel mode with
 * {@code require_data_stream=true} ({@code bulkindexer.go}: {@code mode == MappingOTel}).
 *
 * <p>Retries as the exporter's Elasticsearch client and bulk indexer do them ({@code esclient.go},
 * {@code bulkindexer.go}): the whole request is retried on a connection error or a status in
 * {@code retry::retry_on_status} at most {@code min(2, max_retries)} times; documents whose item status is in
 * {@code retry_on_status} are sent again, at most {@code max_retries} times (2 when unset); other failed documents
 * are dropped with the exporter's {@code failed to index document} log line. Backoff is exponential from
 * {@code initial_interval} to {@code max_interval} (cenkalti/backoff defaults: ×1.5, ±50 %).
 */
final class ElasticsearchSender implements Sender {

  private static final ObjectMapper JSON = new ObjectMapper();
  /** bulkindexer.go {@code defaultMaxRetries}. */
  static final int DEFAULT_MAX_RETRIES = 2;

  /** One document and where it goes. */
  record Document(String index, String id, String pipeline, ObjectNode source) {
  }

  private final ElasticsearchSpec spec;
  private final String pipelineId;
  private final CollectorLog log;
  private final FailureLog failures;
  private final ClientFactory factory;
  private final WebClient client;
  private final AtomicInteger next = new AtomicInteger();
  private final CountDownLatch closed = new CountDownLatch(1);
  private final DocumentRouter traceRouter;
  private final DocumentRouter spanEventRouter;
  private final DocumentRouter logRouter;

  ElasticsearchSender(ElasticsearchSpec spec, String pipelineId, CollectorLog log, FailureLog failures) {
    this.spec = spec;
    this.pipelineId = pipelineId;
    this.log = log;
    this.failures = failures;
    this.factory = Sender.clientFactory(spec.tlsSpec());
    this.client = WebClient.builder().factory(factory)
        .responseTimeout(spec.timeout().isZero() ? Duration.ofDays(1) : spec.timeout())
        .maxResponseLength(0).build();
    this.traceRouter = new DocumentRouter(spec.mappingMode(), spec.tracesIndex());
    // exporter.go pushTraceData: span events are routed with the logs index setting
    this.spanEventRouter = new DocumentRouter(spec.mappingMode(), spec.logsIndex());
    this.logRouter = new DocumentRouter(spec.mappingMode(), spec.logsIndex());
  }

  /** esclient.go and bulkindexer.go retry; the exporter has no {@code retry_on_failure}. */
  @Override
  public boolean retriesItself() {
    return true;
  }

  @Override
  public String destination(Signal signal) {
    return spec.endpoints().get(0).toString();
  }

  /** The documents one export request becomes, in the order the exporter adds them to its bulk request. */
  List<Document> documents(Signal signal, Message request) {
    List<Document> docs = new ArrayList<>();
    if (signal == Signal.TRACES) {
      for (ResourceSpans rs : ((ExportTraceServiceRequest) request).getResourceSpansList()) {
        for (ScopeSpans ss : rs.getScopeSpansList()) {
          for (Span span : ss.getSpansList()) {
            DocumentRouter.Index index = traceRouter.route("traces", rs.getResource(), ss.getScope(),
                span.getAttributesList());
            docs.add(new Document(index.index(), null, null, encodeSpan(rs, ss, span, index)));
            for (Span.Event event : span.getEventsList()) {
              DocumentRouter.Index ei = spanEventRouter.route("logs", rs.getResource(), ss.getScope(),
                  event.getAttributesList());
              ObjectNode doc = encodeSpanEvent(rs, ss, span, event, ei);
              if (doc != null) {
                docs.add(new Document(ei.index(), null, null, doc));
              }
            }
          }
        }
      }
    } else if (signal == Signal.LOGS) {
      for (ResourceLogs rl : ((ExportLogsServiceRequest) request).getResourceLogsList()) {
        for (ScopeLogs sl : rl.getScopeLogsList()) {
          for (LogRecord record : sl.getLogRecordsList()) {
            DocumentRouter.Index index = logRouter.route("logs", rl.getResource(), sl.getScope(),
                record.getAttributesList());
            String id = spec.logsDynamicId() ? DocumentRouter.fromAttributes(OtelDocumentEncoder.DOCUMENT_ID,
                record.getAttributesList()).orElse(null) : null;
            String pipeline = spec.logsDynamicPipeline() ? DocumentRouter.fromAttributes(
                OtelDocumentEncoder.DOCUMENT_PIPELINE, record.getAttributesList()).orElse(null) : null;
            docs.add(new Document(index.index(), id, pipeline, encodeLog(rl, sl, record, index)));
          }
        }
      }
    } else {
      throw new IllegalArgumentException("the elasticsearch exporter here encodes traces and logs, not " + signal);
    }
    return docs;
  }

  private ObjectNode encodeSpan(ResourceSpans rs, ScopeSpans ss, Span span, DocumentRouter.Index index) {
    if (spec.mappingMode() == MappingMode.ECS) {
      return EcsDocumentEncoder.span(rs.getResource(), ss.getScope(), span, index);
    }
    return OtelDocumentEncoder.span(rs.getResource(), rs.getSchemaUrl(), ss.getScope(), ss.getSchemaUrl(), span,
        index);
  }

  /** Null when the mode writes no document for span events. */
  private ObjectNode encodeSpanEvent(ResourceSpans rs, ScopeSpans ss, Span span, Span.Event event,
      DocumentRouter.Index index) {
    if (spec.mappingMode() == MappingMode.ECS) {
      return EcsDocumentEncoder.spanEvent(rs.getResource(), ss.getScope(), span, event, index);
    }
    return OtelDocumentEncoder.spanEvent(rs.getResource(), rs.getSchemaUrl(), ss.getScope(), ss.getSchemaUrl(),
        span, event, index);
  }

  private ObjectNode encodeLog(ResourceLogs rl, ScopeLogs sl, LogRecord record, DocumentRouter.Index index) {
    if (spec.mappingMode() == MappingMode.ECS) {
      return EcsDocumentEncoder.log(rl.getResource(), sl.getScope(), record, index);
    }
    return OtelDocumentEncoder.log(rl.getResource(), rl.getSchemaUrl(), sl.getScope(), sl.getSchemaUrl(), record,
        index);
  }

  /** The NDJSON body of a {@code _bulk} request: a {@code create} action line, then the document. */
  static byte[] bulkBody(List<Document> docs) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(docs.size() * 512);
    try {
      for (Document d : docs) {
        ObjectNode action = JSON.createObjectNode();
        ObjectNode create = action.putObject("create");
        create.put("_index", d.index());
        if (d.id() != null) {
          create.put("_id", d.id());
        }
        if (d.pipeline() != null) {
          create.put("pipeline", d.pipeline());
        }
        out.write(JSON.writeValueAsBytes(action));
        out.write('\n');
        out.write(JSON.writeValueAsBytes(d.source()));
        out.write('\n');
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  @Override
  public void send(Signal signal, Message request) throws ExportException {
    List<Document> pending = documents(signal, request);
    int maxDocRetries = spec.retry().enabled()
        ? (spec.retry().maxRetries() != 0 ? spec.retry().maxRetries() : DEFAULT_MAX_RETRIES) : 0;
    Backoff backoff = new Backoff();
    for (int attempt = 0; !pending.isEmpty(); attempt++) {
      JsonNode response = bulk(pending);
      List<Document> retry = new ArrayList<>();
      JsonNode items = response.path("items");
      for (int i = 0; i < pending.size(); i++) {
        JsonNode item = items.path(i);
        JsonNode result = item.isObject() && item.size() > 0 ? item.elements().next() : null;
        int status = result == null ? 0 : result.path("status").asInt();
        if (result != null && status >= 200 && status < 300) {
          continue;
        }
        if (spec.retry().retryOnStatus().contains(status) && attempt < maxDocRetries) {
          retry.add(pending.get(i));
          continue;
        }
        failedDocument(pending.get(i), status, result);
      }
      pending = retry;
      if (!pending.isEmpty() && !pause(backoff.next())) {
        failures.add(new EmbeddedCollector.ExportFailure(Instant.now(), pipelineId, spec.id(),
            destination(signal), pending.size(), "interrupted due to shutdown: documents pending retry", true));
        return;
      }
    }
  }

  /** bulkindexer.go {@code flushBulkIndexer}: each failed document is logged (and listed among failures). */
  private void failedDocument(Document d, int status, JsonNode result) {
    String type = result == null ? "" : result.path("error").path("type").asText("");
    String reason = result == null ? "no item in the bulk response" : result.path("error").path("reason").asText("");
    log.error("failed to index document index=" + d.index() + " error.type=" + type
        + (spec.includeSourceOnError() != null ? " error.reason=\"" + reason + "\"" : ""), null);
    failures.add(new EmbeddedCollector.ExportFailure(Instant.now(), pipelineId, spec.id(), d.index(), 1,
        "failed to index document (" + status + "): " + type + (reason.isEmpty() ? "" : ": " + reason), true));
  }

  /**
   * One {@code _bulk} request with the client's request-level retries; the parsed response, or the error the
   * bulk indexer reports ({@code flush failed (<status>): <body>}, go-docappender).
   */
  private JsonNode bulk(List<Document> docs) throws ExportException {
    byte[] body = bulkBody(docs);
    boolean gzip = spec.gzip();
    byte[] payload = gzip ? OtlpHttpSender.gzip(body) : body;
    int requestRetries = spec.retry().enabled() ? Math.min(DEFAULT_MAX_RETRIES, spec.retry().maxRetries()) : 0;
    Backoff backoff = new Backoff();
    for (int attempt = 0; ; attempt++) {
      URI endpoint = spec.endpoints().get(Math.floorMod(next.getAndIncrement(), spec.endpoints().size()));
      String url = bulkUrl(endpoint);
      RequestHeadersBuilder headers = RequestHeaders.builder(HttpMethod.POST, url)
          .contentType(MediaType.parse("application/x-ndjson"));
      if (gzip) {
        headers.add("content-encoding", "gzip");
      }
      spec.headers().forEach(headers::add);
      authorization(headers);
      headers.set("user-agent", "traceharness-collector");
      AggregatedHttpResponse res;
      try {
        res = client.execute(headers.build(), payload).aggregate().join();
      } catch (CompletionException e) {
        String hostPort = endpoint.getHost() + ":" + (endpoint.getPort() > 0 ? endpoint.getPort()
            : endpoint.getScheme().equals("https") ? 443 : 80);
        String message = "Post \"" + url + "\": " + Sender.describeCause(e, hostPort);
        if (attempt < requestRetries && pause(backoff.next())) {
          continue;
        }
        throw new ExportException(message, false, null);
      }
      int code = res.status().code();
      if (code >= 200 && code < 300) {
        try {
          return JSON.readTree(res.contentUtf8());
        } catch (IOException e) {
          throw new ExportException("error decoding bulk response: " + e.getMessage(), false, null);
        }
      }
      if (spec.retry().retryOnStatus().contains(code) && attempt < requestRetries && pause(backoff.next())) {
        continue;
      }
      throw new ExportException("flush failed (" + code + "): " + abbreviate(res.contentUtf8()), false, null);
    }
  }

  private String bulkUrl(URI endpoint) {
    String base = endpoint.toString();
    StringBuilder url = new StringBuilder(base.endsWith("/") ? base.substring(0, base.length() - 1) : base)
        .append("/_bulk");
    List<String> params = new ArrayList<>();
    if (spec.mappingMode() == MappingMode.OTEL) {
      params.add("require_data_stream=true");
    }
    if (!spec.pipeline().isEmpty()) {
      params.add("pipeline=" + URLEncoder.encode(spec.pipeline(), StandardCharsets.UTF_8));
    }
    if (spec.includeSourceOnError() != null) {
      params.add("include_source_on_error=" + spec.includeSourceOnError());
    }
    if (!params.isEmpty()) {
      url.append('?').append(String.join("&", params));
    }
    return url.toString();
  }

  /** go-elasticsearch: an API key wins over user and password. */
  private void authorization(RequestHeadersBuilder headers) {
    if (!spec.apiKey().isEmpty()) {
      headers.set("authorization", "ApiKey " + spec.apiKey());
    } else if (!spec.user().isEmpty()) {
      headers.set("authorization", "Basic " + Base64.getEncoder().encodeToString(
          (spec.user() + ":" + spec.password()).getBytes(StandardCharsets.UTF_8)));
    }
  }

  /** Waits out a backoff; false when the collector stopped meanwhile. */
  private boolean pause(Duration d) {
    try {
      return !closed.await(d.toNanos(), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private static String abbreviate(String s) {
    String oneLine = s.replace('\n', ' ').trim();
    return oneLine.length() > 500 ? oneLine.substring(0, 500) + "…" : oneLine;
  }

  /** cenkalti/backoff {@code ExponentialBackOff} with the exporter's intervals (multiplier 1.5, randomization 0.5). */
  private final class Backoff {
    private double current = spec.retry().initialInterval().toNanos();

    Duration next() {
      double delta = 0.5 * current;
      double wait = current - delta + ThreadLocalRandom.current().nextDouble() * (2 * delta + 1);
      current = Math.min(current * 1.5, spec.retry().maxInterval().toNanos());
      return Duration.ofNanos((long) wait);
    }
  }

  @Override
  public void close() {
    closed.countDown();
    factory.closeAsync();
  }
}
