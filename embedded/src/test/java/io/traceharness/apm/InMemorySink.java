package io.traceharness.apm;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/** Keeps documents in a list, with a capacity to play a full queue. */
final class InMemorySink implements DocumentSink {

  private final List<ApmDocument> documents = new ArrayList<>();
  private final int capacity;

  InMemorySink(int capacity) {
    this.capacity = capacity;
  }

  InMemorySink() {
    this(Integer.MAX_VALUE);
  }

  @Override
  public synchronized boolean offer(List<ApmDocument> batch) {
    if (documents.size() + batch.size() > capacity) {
      return false;
    }
    documents.addAll(batch);
    return true;
  }

  synchronized List<ApmDocument> documents() {
    return List.copyOf(documents);
  }

  synchronized List<ApmDocument> where(Predicate<ApmDocument> filter) {
    return documents.stream().filter(filter).toList();
  }

  synchronized void clear() {
    documents.clear();
  }

  @Override
  public boolean flush(Duration timeout) {
    return true;
  }

  @Override
  public synchronized long indexed() {
    return documents.size();
  }

  @Override
  public long failed() {
    return 0;
  }

  @Override
  public long queued() {
    return 0;
  }

  @Override
  public void close() {
  }
}
