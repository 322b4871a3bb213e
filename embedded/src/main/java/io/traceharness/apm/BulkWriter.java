package io.traceharness.apm;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch._helpers.bulk.BulkIngester;
import co.elastic.clients.elasticsearch._helpers.bulk.BulkListener;
import co.elastic.clients.elasticsearch.core.BulkRequest;
import co.elastic.clients.elasticsearch.core.BulkResponse;
import co.elastic.clients.elasticsearch.core.bulk.BulkOperation;
import co.elastic.clients.elasticsearch.core.bulk.BulkResponseItem;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Writes documents with {@code _bulk} through a {@link BulkIngester} (batched by count, bytes and
 * a short flush interval), retrying 429, 5xx and unreachable Elasticsearch with exponential
 * backoff. Memory is bounded by counting every document from acceptance until it is indexed or has
 * failed for good: beyond {@code capacity}, {@link #offer} refuses and the caller answers 503.
 */
final class BulkWriter implements DocumentSink {

  /** One queued document and how often it was tried. */
  record Pending(ApmDocument document, int attempt) {
  }

  private static final Duration MAX_BACKOFF = Duration.ofSeconds(2);

  private final ElasticsearchClient client;
  private final BulkIngester<Pending> ingester;
  private final BlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
  private final ScheduledExecutorService retries;
  private final Thread feeder;
  private final ApmLog log;
  private final long capacity;
  private final AtomicLong inFlight = new AtomicLong();
  private final Object drained = new Object();
  private final AtomicLong indexed = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final AtomicBoolean unreachable = new AtomicBoolean();

  BulkWriter(ElasticsearchClient client, long capacity, Duration flushInterval, ApmLog log) {
    this.client = client;
    this.capacity = capacity;
    this.log = log;
    this.ingester = BulkIngester.of(b -> b.client(client)
        .maxOperations(1000)
        .maxSize(5L * 1024 * 1024)
        .maxConcurrentRequests(2)
        .flushInterval(flushInterval.toMillis(), TimeUnit.MILLISECONDS)
        .listener(new Listener()));
    this.retries = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "apm-server-bulk-retry"));
    this.feeder = daemon(this::feed, "apm-server-bulk-feeder");
    feeder.start();
  }

  private static Thread daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }

  @Override
  public boolean offer(List<ApmDocument> documents) {
    if (closed.get()) {
      return false;
    }
    long n = documents.size();
    while (true) {
      long current = inFlight.get();
      if (current + n > capacity) {
        return false;
      }
      if (inFlight.compareAndSet(current, current + n)) {
        break;
      }
    }
    for (ApmDocument d : documents) {
      queue.add(new Pending(d, 0));
    }
    return true;
  }

  /** BulkIngester.add blocks while its concurrent requests are busy, so it runs on its own thread. */
  private void feed() {
    while (!closed.get() || !queue.isEmpty()) {
      try {
        Pending p = queue.poll(100, TimeUnit.MILLISECONDS);
        if (p != null) {
          ingester.add(operation(p.document()), p);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (RuntimeException e) {
        log.warn("bulk feeder: " + e);
      }
    }
  }

  private static BulkOperation operation(ApmDocument d) {
    // data streams accept only op_type create
    return BulkOperation.of(o -> o.create(c -> c.index(d.dataStream()).document(d.source())));
  }

  private final class Listener implements BulkListener<Pending> {
    @Override
    public void beforeBulk(long executionId, BulkRequest request, List<Pending> contexts) {
    }

    @Override
    public void afterBulk(long executionId, BulkRequest request, List<Pending> contexts, BulkResponse response) {
      if (unreachable.compareAndSet(true, false)) {
        log.info("Elasticsearch answers again; " + inFlight.get() + " documents still queued");
      }
      List<BulkResponseItem> items = response.items();
      for (int i = 0; i < items.size() && i < contexts.size(); i++) {
        BulkResponseItem item = items.get(i);
        Pending p = contexts.get(i);
        if (item.error() == null) {
          indexed.incrementAndGet();
          settled();
        } else if (item.status() == 429 || item.status() >= 500) {
          retry(p, "status " + item.status() + " " + item.error().reason());
        } else {
          failed.incrementAndGet();
          settled();
          log.warn("failed to index document into " + p.document().dataStream() + ": status "
              + item.status() + ", " + item.error().type() + ": " + item.error().reason());
        }
      }
    }

    @Override
    public void afterBulk(long executionId, BulkRequest request, List<Pending> contexts, Throwable failure) {
      if (unreachable.compareAndSet(false, true)) {
        log.warn("bulk request of " + contexts.size() + " documents failed, retrying with backoff until "
            + "Elasticsearch answers: " + failure);
      }
      for (Pending p : contexts) {
        retry(p, failure.toString());
      }
    }
  }

  private void retry(Pending p, String reason) {
    if (closed.get()) {
      failed.incrementAndGet();
      settled();
      log.warn("dropping document for " + p.document().dataStream() + " at shutdown: " + reason);
      return;
    }
    int attempt = p.attempt() + 1;
    long delay = Math.min(MAX_BACKOFF.toMillis(), 50L << Math.min(attempt, 10));
    retries.schedule(() -> queue.add(new Pending(p.document(), attempt)), delay, TimeUnit.MILLISECONDS);
  }

  /** A document left the writer (indexed, or failed for good); the last one wakes {@link #flush}. */
  private void settled() {
    if (inFlight.decrementAndGet() == 0) {
      synchronized (drained) {
        drained.notifyAll();
      }
    }
  }

  @Override
  public boolean flush(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (inFlight.get() != 0) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return false;
      }
      if (queue.isEmpty()) {
        ingester.flush();   // sends what the ingester holds; retried documents come back through the queue
      }
      synchronized (drained) {
        if (inFlight.get() != 0) {
          try {
            // woken by the last settled document; the bound re-flushes documents a retry re-queued
            drained.wait(Math.max(1, Math.min(TimeUnit.NANOSECONDS.toMillis(left), 50)));
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
          }
        }
      }
    }
    return true;
  }

  @Override
  public long indexed() {
    return indexed.get();
  }

  @Override
  public long failed() {
    return failed.get();
  }

  @Override
  public long queued() {
    return inFlight.get();
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      try {
        feeder.join(5_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      ingester.close();
      retries.shutdownNow();
      try {
        client._transport().close();
      } catch (java.io.IOException e) {
        log.warn("closing the Elasticsearch client: " + e);
      }
    }
  }
}
