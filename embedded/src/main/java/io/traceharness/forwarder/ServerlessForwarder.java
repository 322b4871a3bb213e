package io.traceharness.forwarder;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch._helpers.bulk.BulkIngester;
import co.elastic.clients.elasticsearch._helpers.bulk.BulkListener;
import co.elastic.clients.elasticsearch.core.BulkRequest;
import co.elastic.clients.elasticsearch.core.BulkResponse;
import co.elastic.clients.elasticsearch.core.bulk.BulkResponseItem;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.traceharness.lambda.LogEvents;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ships the Lambda functions' CloudWatch logs to Elasticsearch as the Elastic Serverless Forwarder
 * does with a CloudWatch Logs subscription input (elastic/elastic-serverless-forwarder,
 * {@code handlers/aws/cloudwatch_logs_trigger.py} builds the event, {@code shippers/es.py} enriches and
 * sends it, {@code handlers/aws/utils.py#cloudwatch_logs_object_id} names it): one document per line in
 * the data stream {@code logs-generic-default} (ESF's default when no {@code es_datastream_name} is set),
 * {@code create} operations in bulk requests of at most 500 actions, each with
 * <ul>
 *   <li>{@code @timestamp}: when it is shipped (ESF stamps the time it processes the event);</li>
 *   <li>{@code message}: the line;</li>
 *   <li>{@code log.offset} (0: a line is a whole event), {@code log.file.path} ({@code <group>/<stream>});</li>
 *   <li>{@code aws.cloudwatch.log_group}, {@code .log_stream}, {@code .event_id};</li>
 *   <li>{@code cloud.provider} {@code aws}, {@code cloud.region}, {@code cloud.account.id};</li>
 *   <li>{@code tags} {@code [forwarded, generic]}, {@code data_stream.*}, {@code event.dataset} {@code generic};</li>
 *   <li>{@code _id}: {@code <event timestamp>-<SHA3-384 of group-stream-event id>-<offset, 12 digits>}, so a
 *       line shipped twice is refused as a conflict, which ESF skips.</li>
 * </ul>
 * Two additions of the harness, which ESF does not make (the log group and the line's position tell a
 * reader the same): {@code faas.name}, the function, and {@code faas.execution}, the request id of the
 * invocation the line was written in (absent for init and Shutdown output), so a test finds the lines
 * of a trace's invocations that carry no trace id. Then Elasticsearch's {@code logs@json-pipeline} runs
 * on each document ({@link JsonLogMessages}), as a {@code logs@custom} pipeline calling it would make it
 * run: ECS-JSON lines become fields ({@code trace.id}, {@code span.id}, {@code log.level} …), which is
 * how Kibana links a trace to its logs.
 *
 * <p>Documents are sent within a second (the bulk ingester's flush interval) or when 500 wait;
 * {@link #close()} sends whatever is left and waits for it. The Lambda service hands lines over
 * without waiting on Elasticsearch (a queue of 10,000 batches; beyond, lines are dropped, counted in
 * {@link #failed()} and logged).
 *
 * <pre>{@code
 * ServerlessForwarder forwarder = ServerlessForwarder.builder(es.client()).region("us-east-1").build();
 * LambdaEmulator lambda = LambdaEmulator.builder().logSubscriber(forwarder).build().start();
 * }</pre>
 */
public final class ServerlessForwarder implements Consumer<LogEvents>, AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ServerlessForwarder.class);
  /** ESF's default data stream: {@code logs-<dataset generic>-<namespace default>}. */
  public static final String DEFAULT_DATA_STREAM = "logs-generic-default";
  private static final DateTimeFormatter TIMESTAMP =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private final String region;
  private final String dataStream;
  private final String dataset;
  private final String namespace;
  private final BulkIngester<Void> ingester;
  private final AtomicLong shipped = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final AtomicBoolean closed = new AtomicBoolean();
  /** Lines wait here, so the Lambda service never waits on Elasticsearch; full: a line is dropped and counted. */
  private final BlockingQueue<LogEvents> queue = new LinkedBlockingQueue<>(QUEUE_CAPACITY);
  private final Thread feeder;
  private static final int QUEUE_CAPACITY = 10_000;

  private ServerlessForwarder(Builder b) {
    this.region = b.region;
    this.dataStream = b.dataStream;
    String[] parts = dataStream.split("-");
    // es.py _discover_dataset: only a logs-<dataset>-<namespace> name sets the dataset and namespace
    boolean logsPattern = dataStream.startsWith("logs-") && parts.length == 3;
    this.dataset = logsPattern ? parts[1] : "";
    this.namespace = logsPattern ? parts[2] : "";
    this.ingester = BulkIngester.of(i -> i.client(b.client)
        .maxOperations(b.batchMaxActions)
        .maxSize(b.batchMaxBytes)
        .maxConcurrentRequests(1)
        .flushInterval(b.flushInterval.toMillis(), TimeUnit.MILLISECONDS)
        .listener(new Listener()));
    this.feeder = new Thread(this::feed, "log-forwarder-feeder");
    feeder.setDaemon(true);
    feeder.start();
  }

  public static Builder builder(ElasticsearchClient client) {
    return new Builder(client);
  }

  /** Queues the lines without waiting; they leave within the flush interval. */
  @Override
  public void accept(LogEvents events) {
    if (closed.get()) {
      LOG.warn("{} lines of {} arrived after the forwarder closed and were not shipped", events.logEvents().size(),
          events.logGroup());
      return;
    }
    if (!queue.offer(events)) {
      failed.addAndGet(events.logEvents().size());
      LOG.warn("{} lines of {} dropped: {} batches wait for Elasticsearch already", events.logEvents().size(),
          events.logGroup(), QUEUE_CAPACITY);
    }
  }

  private void feed() {
    try {
      while (true) {
        LogEvents events = queue.take();
        if (events == END) {
          return;
        }
        ship(events);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Marks the end of the queue for the feeder. */
  private static final LogEvents END = new LogEvents("", "", "", "", List.of());

  /** One document per line to the bulk ingester, which may wait while a bulk request is in flight. */
  private void ship(LogEvents events) {
    Instant now = Instant.now();
    for (LogEvents.LogEvent event : events.logEvents()) {
      try {
        ObjectNode doc = document(events, event, now);
        String id = objectId(events, event, 0);
        ingester.add(op -> op.create(c -> c.index(dataStream).id(id).document(doc)));
      } catch (RuntimeException e) {
        failed.incrementAndGet();
        LOG.warn("A line of {} could not be queued for Elasticsearch: {}", events.logGroup(), e.toString());
      }
    }
  }

  /** {@code cloudwatch_logs_trigger.py} builds it, {@code es.py _enrich_event} adds tags and data stream. */
  ObjectNode document(LogEvents events, LogEvents.LogEvent event, Instant now) {
    ObjectNode doc = NODES.objectNode();
    doc.put("@timestamp", TIMESTAMP.format(now));
    doc.put("message", event.message());
    ObjectNode log = doc.putObject("log");
    log.put("offset", 0);
    log.putObject("file").put("path", events.logGroup() + "/" + events.logStream());
    ObjectNode cloudwatch = doc.putObject("aws").putObject("cloudwatch");
    cloudwatch.put("log_group", events.logGroup());
    cloudwatch.put("log_stream", events.logStream());
    cloudwatch.put("event_id", event.id());
    ObjectNode cloud = doc.putObject("cloud");
    cloud.put("provider", "aws");
    cloud.put("region", region);
    cloud.putObject("account").put("id", events.owner());
    ObjectNode faas = doc.putObject("faas");
    faas.put("name", events.function());
    if (event.requestId() != null) {
      faas.put("execution", event.requestId());
    }
    doc.putArray("tags").add("forwarded");
    if (!dataset.isEmpty()) {
      ObjectNode ds = doc.putObject("data_stream");
      ds.put("type", "logs");
      ds.put("dataset", dataset);
      ds.put("namespace", namespace);
      doc.putObject("event").put("dataset", dataset);
      doc.withArray("tags").add(dataset.replace('.', '-'));
    }
    JsonLogMessages.apply(doc);
    return doc;
  }

  /** {@code utils.py cloudwatch_logs_object_id}. */
  static String objectId(LogEvents events, LogEvents.LogEvent event, int offset) {
    String src = events.logGroup() + "-" + events.logStream() + "-" + event.id();
    try {
      byte[] digest = MessageDigest.getInstance("SHA3-384").digest(src.getBytes(StandardCharsets.UTF_8));
      return event.timestamp().toEpochMilli() + "-" + HexFormat.of().formatHex(digest) + "-"
          + String.format(Locale.ROOT, "%012d", offset);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("this JVM has no SHA3-384", e);
    }
  }

  /** Lines Elasticsearch accepted so far. */
  public long shipped() {
    return shipped.get();
  }

  /** Lines Elasticsearch refused (a line shipped twice, refused as a conflict, is not counted). */
  public long failed() {
    return failed.get();
  }

  /** Sends what is queued, waits for it, and stops. Idempotent. */
  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      try {
        queue.put(END);
        feeder.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      ingester.close();
      LOG.info("Log forwarder stopped: {} lines shipped to {}, {} refused", shipped.get(), dataStream, failed.get());
    }
  }

  private final class Listener implements BulkListener<Void> {
    @Override
    public void beforeBulk(long executionId, BulkRequest request, List<Void> contexts) {
    }

    @Override
    public void afterBulk(long executionId, BulkRequest request, List<Void> contexts, BulkResponse response) {
      for (BulkResponseItem item : response.items()) {
        if (item.error() == null) {
          shipped.incrementAndGet();
        } else if (item.status() != 409) {
          failed.incrementAndGet();
          LOG.warn("Elasticsearch refused a log line ({}): {}: {}", item.status(), item.error().type(),
              item.error().reason());
        }
      }
    }

    @Override
    public void afterBulk(long executionId, BulkRequest request, List<Void> contexts, Throwable failure) {
      failed.addAndGet(request.operations().size());
      LOG.warn("A bulk request of {} log lines failed: {}", request.operations().size(), failure.toString());
    }
  }

  public static final class Builder {
    private final ElasticsearchClient client;
    private String region = "us-east-1";
    private String dataStream = DEFAULT_DATA_STREAM;
    private int batchMaxActions = 500;
    private long batchMaxBytes = 10L * 1024 * 1024;
    private Duration flushInterval = Duration.ofSeconds(1);

    private Builder(ElasticsearchClient client) {
      this.client = Objects.requireNonNull(client, "client");
    }

    /** The {@code cloud.region} of the documents; default {@code us-east-1}. */
    public Builder region(String region) {
      this.region = Objects.requireNonNull(region, "region");
      return this;
    }

    /** ESF's {@code es_datastream_name}; default {@value #DEFAULT_DATA_STREAM}. */
    public Builder dataStream(String name) {
      this.dataStream = Objects.requireNonNull(name, "name");
      return this;
    }

    /** ESF's {@code batch_max_actions} (default 500) and {@code batch_max_bytes} (default 10 MiB). */
    public Builder batch(int maxActions, long maxBytes) {
      this.batchMaxActions = maxActions;
      this.batchMaxBytes = maxBytes;
      return this;
    }

    /** How long a line may wait for its bulk request; default 1 s. */
    public Builder flushInterval(Duration interval) {
      this.flushInterval = Objects.requireNonNull(interval, "interval");
      return this;
    }

    public ServerlessForwarder build() {
      return new ServerlessForwarder(this);
    }
  }
}
