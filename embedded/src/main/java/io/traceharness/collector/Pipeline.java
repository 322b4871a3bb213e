package io.traceharness.collector;

import com.google.protobuf.Message;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One {@code service::pipelines} entry: receivers hand requests to it, it runs them through the
 * processors in order and fans out to every exporter.
 */
final class Pipeline implements SignalConsumer {

  private final String id;
  private final Signal signal;
  private final SignalConsumer head;
  private final List<ExporterHelper> exporters;
  private final AtomicLong received = new AtomicLong();
  private final AtomicLong refused = new AtomicLong();

  Pipeline(String id, Signal signal, SignalConsumer head, List<ExporterHelper> exporters) {
    this.id = id;
    this.signal = signal;
    this.head = head;
    this.exporters = exporters;
  }

  String id() {
    return id;
  }

  Signal signal() {
    return signal;
  }

  List<ExporterHelper> exporters() {
    return exporters;
  }

  @Override
  public void consume(Message request) throws ConsumeException {
    int items = signal.count(request);
    received.addAndGet(items);
    try {
      head.consume(request);
    } catch (ConsumeException e) {
      refused.addAndGet(items);
      throw e;
    }
  }

  @Override
  public void flush() {
    head.flush();
  }

  EmbeddedCollector.PipelineStats stats() {
    return new EmbeddedCollector.PipelineStats(id, signal.itemName(), received.get(), refused.get(),
        exporters.stream().map(ExporterHelper::stats).toList());
  }

  /** The end of a pipeline: every exporter gets every request. */
  static final class FanOut implements SignalConsumer {
    private final List<? extends SignalConsumer> consumers;

    FanOut(List<? extends SignalConsumer> consumers) {
      this.consumers = consumers;
    }

    @Override
    public void consume(Message request) throws ConsumeException {
      List<ConsumeException> errors = new ArrayList<>();
      for (SignalConsumer c : consumers) {
        try {
          c.consume(request);
        } catch (ConsumeException e) {
          errors.add(e);
        }
      }
      if (!errors.isEmpty()) {
        boolean permanent = errors.stream().allMatch(ConsumeException::permanent);
        throw new ConsumeException(String.join("; ", errors.stream().map(Throwable::getMessage).toList()), permanent);
      }
    }
  }
}
