package io.traceharness.collector;

import com.google.protobuf.Message;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The collector's exporterhelper around one exporter of one pipeline: an in-memory
 * {@code sending_queue} of at most {@code queue_size} requests read by {@code num_consumers}
 * threads, and {@code retry_on_failure} with exponential backoff (randomized, capped at
 * {@code max_interval}, given up after {@code max_elapsed_time}). Nothing is dropped silently:
 * every request that is not delivered adds its items to {@code dropped}, is logged with the
 * reason, and is listed among the collector's export failures.
 */
final class ExporterHelper implements SignalConsumer {

  private final String pipeline;
  private final String exporter;
  private final Signal signal;
  private final CollectorConfig.RetrySpec retry;
  private final CollectorConfig.QueueSpec queueSpec;
  private final Sender sender;
  private final CollectorLog log;
  private final FailureLog failures;
  private final BlockingQueue<Message> queue;
  private final List<Thread> consumers = new ArrayList<>();
  private final FreezeGate gate;
  private final AtomicLong sent = new AtomicLong();
  private final AtomicLong dropped = new AtomicLong();
  private final AtomicLong failedAttempts = new AtomicLong();
  /** Requests queued or being sent; {@link #shutdown} waits on this monitor until it reaches zero. */
  private final Object drained = new Object();
  private long pending;
  private final CountDownLatch stopSignal = new CountDownLatch(1);
  private volatile boolean stopping;

  ExporterHelper(String pipeline, String exporter, Signal signal, CollectorConfig.RetrySpec retry,
      CollectorConfig.QueueSpec queueSpec, Sender sender, CollectorLog log, FailureLog failures) {
    this(pipeline, exporter, signal, retry, queueSpec, sender, log, failures, new FreezeGate());
  }

  ExporterHelper(String pipeline, String exporter, Signal signal, CollectorConfig.RetrySpec retry,
      CollectorConfig.QueueSpec queueSpec, Sender sender, CollectorLog log, FailureLog failures, FreezeGate gate) {
    this.gate = gate;
    this.pipeline = pipeline;
    this.exporter = exporter;
    this.signal = signal;
    this.retry = retry;
    this.queueSpec = queueSpec;
    this.sender = sender;
    this.log = log;
    this.failures = failures;
    this.queue = queueSpec.enabled() ? new ArrayBlockingQueue<>(queueSpec.queueSize()) : null;
    if (queue != null) {
      for (int i = 0; i < queueSpec.numConsumers(); i++) {
        Thread t = new Thread(this::consumeQueue, "collector-" + exporter + "-" + pipeline + "-" + i);
        t.setDaemon(true);
        consumers.add(t);
        t.start();
      }
    }
  }

  String exporter() {
    return exporter;
  }

  EmbeddedCollector.ExporterStats stats() {
    return new EmbeddedCollector.ExporterStats(exporter, sender.destination(signal), sent.get(), dropped.get(),
        failedAttempts.get(), queue == null ? 0 : queue.size());
  }

  @Override
  public void consume(Message request) throws ConsumeException {
    int items = signal.count(request);
    if (items == 0) {
      return;
    }
    if (stopping) {
      drop(request, items, "the collector is shutting down");
      throw new ConsumeException("exporter " + exporter + " is shutting down", false);
    }
    if (queue == null) {
      String reason = sendWithRetry(request, items);
      if (reason != null) {
        throw new ConsumeException(reason, reason.startsWith("Permanent error"));
      }
      return;
    }
    changePending(1);
    if (!queue.offer(request)) {
      changePending(-1);
      drop(request, items, "sending queue is full (queue_size " + queueSpec.queueSize() + " requests)");
      throw new ConsumeException("sending queue is full", false);
    }
  }

  private void consumeQueue() {
    while (true) {
      Message request;
      try {
        request = queue.poll(100, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        return;
      }
      if (request == null) {
        if (stopping) {
          return;
        }
        continue;
      }
      try {
        sendWithRetry(request, signal.count(request));
      } finally {
        changePending(-1);
      }
    }
  }

  /** Sends with retries; returns null when delivered, else the reason the items were dropped. */
  private String sendWithRetry(Message request, int items) {
    long start = System.nanoTime();
    double interval = retry.initialInterval().toNanos();
    while (true) {
      try {
        gate.pass();
        sender.send(signal, request);
        // an export in flight when the environment froze completes only once it is thawed
        gate.pass();
        sent.addAndGet(items);
        return null;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return drop(request, items, "interrupted while the environment was frozen");
      } catch (Sender.ExportException e) {
        failedAttempts.incrementAndGet();
        if (sender.retriesItself()) {
          return drop(request, items, e.getMessage());
        }
        if (!e.retryable()) {
          return drop(request, items, "Permanent error: " + e.getMessage());
        }
        if (!retry.enabled()) {
          return drop(request, items, e.getMessage() + " (retry_on_failure disabled)");
        }
        long backoff = e.throttle() != null ? e.throttle().toNanos() : randomized(interval);
        long elapsed = System.nanoTime() - start;
        if (!retry.maxElapsedTime().isZero() && elapsed + backoff > retry.maxElapsedTime().toNanos()) {
          return drop(request, items, "no more retries left: " + e.getMessage());
        }
        if (stopping) {
          return drop(request, items, "interrupted due to shutdown: " + e.getMessage());
        }
        Duration wait = Duration.ofNanos(backoff);
        log.info("Exporting failed. Will retry the request after interval. exporter=" + exporter + " pipeline="
            + pipeline + " error=\"" + e.getMessage() + "\" interval=" + format(wait));
        failures.add(new EmbeddedCollector.ExportFailure(Instant.now(), pipeline, exporter,
            sender.destination(signal), items, e.getMessage(), false));
        if (!sleep(backoff)) {
          return drop(request, items, "interrupted due to shutdown: " + e.getMessage());
        }
        interval = Math.min(interval * retry.multiplier(), retry.maxInterval().toNanos());
      } catch (RuntimeException e) {
        failedAttempts.incrementAndGet();
        return drop(request, items, "Permanent error: " + e);
      }
    }
  }

  private void changePending(long delta) {
    synchronized (drained) {
      pending += delta;
      if (pending == 0) {
        drained.notifyAll();
      }
    }
  }

  /** The retry backoff: false when shutdown cut it short. */
  private boolean sleep(long nanos) {
    try {
      return !stopSignal.await(nanos, TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private long randomized(double interval) {
    double delta = retry.randomizationFactor() * interval;
    double min = interval - delta;
    double max = interval + delta;
    return (long) (min + ThreadLocalRandom.current().nextDouble() * (max - min + 1));
  }

  private String drop(Message request, int items, String reason) {
    // the failure is listed before the count moves, so whoever sees the count also finds the reason
    failures.add(new EmbeddedCollector.ExportFailure(Instant.now(), pipeline, exporter, sender.destination(signal),
        items, reason, true));
    dropped.addAndGet(items);
    log.warn("Exporting failed. Dropping data. exporter=" + exporter + " pipeline=" + pipeline + " error=\""
        + reason + "\" dropped_items=" + items + " (" + signal.itemName() + ")");
    return reason;
  }

  /**
   * Lets the consumers drain the queue for at most {@code grace}, then stops them; whatever is still
   * queued or waiting for a retry is dropped and counted.
   */
  void shutdown(Duration grace) {
    long deadline = System.nanoTime() + grace.toNanos();
    synchronized (drained) {
      long left;
      while (pending > 0 && (left = deadline - System.nanoTime()) > 0) {
        try {
          TimeUnit.NANOSECONDS.timedWait(drained, left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
      }
    }
    stopping = true;
    stopSignal.countDown();
    for (Thread t : consumers) {
      try {
        t.join(Math.max(1000, grace.toMillis()));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (queue != null) {
      List<Message> left = new ArrayList<>();
      queue.drainTo(left);
      for (Message m : left) {
        drop(m, signal.count(m), "the collector stopped before the sending queue drained");
      }
    }
    sender.close();
  }

  private static String format(Duration d) {
    return String.format(java.util.Locale.ROOT, "%.3fs", d.toNanos() / 1e9);
  }
}
