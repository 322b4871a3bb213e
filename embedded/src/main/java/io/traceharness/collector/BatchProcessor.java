package io.traceharness.collector;

import com.google.protobuf.Message;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The {@code batch} processor: accepts at once, and sends on when {@code send_batch_size} items
 * are buffered or {@code timeout} has passed since the first buffered item; with
 * {@code send_batch_max_size} no batch sent holds more items than that. As in the real processor,
 * a failure downstream cannot reach the client any more: it is logged (the exporter has counted
 * the items it dropped).
 */
final class BatchProcessor implements SignalConsumer {

  private final CollectorConfig.BatchSpec spec;
  private final Signal signal;
  private final SignalConsumer next;
  private final CollectorLog log;
  private final String pipeline;
  private final ScheduledExecutorService timer;
  private final List<Message> buffer = new ArrayList<>();
  private int buffered;
  private ScheduledFuture<?> pendingTimeout;

  private final FreezeGate gate;

  BatchProcessor(CollectorConfig.BatchSpec spec, Signal signal, SignalConsumer next, CollectorLog log, String pipeline) {
    this(spec, signal, next, log, pipeline, new FreezeGate());
  }

  BatchProcessor(CollectorConfig.BatchSpec spec, Signal signal, SignalConsumer next, CollectorLog log, String pipeline,
      FreezeGate gate) {
    this.gate = gate;
    this.spec = spec;
    this.signal = signal;
    this.next = next;
    this.log = log;
    this.pipeline = pipeline;
    this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "collector-" + spec.id() + "-" + pipeline);
      t.setDaemon(true);
      return t;
    });
  }

  @Override
  public void consume(Message request) {
    int items = signal.count(request);
    if (items == 0) {
      return;
    }
    List<Message> ready = null;
    synchronized (this) {
      buffer.add(request);
      buffered += items;
      if (spec.sendBatchSize() > 0 && buffered >= spec.sendBatchSize()) {
        ready = drainLocked();
      } else if (pendingTimeout == null && !spec.timeout().isZero()) {
        pendingTimeout = timer.schedule(this::onTimeout, spec.timeout().toNanos(), TimeUnit.NANOSECONDS);
      } else if (spec.timeout().isZero()) {
        ready = drainLocked();
      }
    }
    if (ready != null) {
      List<Message> batches = ready;
      timer.execute(() -> send(batches));
    }
  }

  private void onTimeout() {
    try {
      // a frozen environment's timer fires only once it is thawed
      gate.pass();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return;
    }
    List<Message> ready;
    synchronized (this) {
      pendingTimeout = null;
      ready = drainLocked();
    }
    send(ready);
  }

  private List<Message> drainLocked() {
    if (pendingTimeout != null) {
      pendingTimeout.cancel(false);
      pendingTimeout = null;
    }
    if (buffer.isEmpty()) {
      return List.of();
    }
    Message merged = signal.merge(buffer);
    buffer.clear();
    buffered = 0;
    if (spec.sendBatchMaxSize() > 0 && signal.count(merged) > spec.sendBatchMaxSize()) {
      return signal.split(merged, spec.sendBatchMaxSize());
    }
    return List.of(merged);
  }

  private void send(List<Message> batches) {
    for (Message batch : batches) {
      try {
        next.consume(batch);
      } catch (ConsumeException e) {
        log.warn("Sender failed: pipeline " + pipeline + ", processor " + spec.id() + ": " + e.getMessage());
      } catch (RuntimeException e) {
        log.error("Sender failed: pipeline " + pipeline + ", processor " + spec.id() + ": " + e, e);
      }
    }
  }

  @Override
  public void flush() {
    List<Message> ready;
    synchronized (this) {
      ready = drainLocked();
    }
    send(ready);
    timer.shutdown();
    try {
      timer.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    next.flush();
  }
}
