package io.traceharness.collector;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

/** The most recent export failures (retried or dropped), newest last. */
final class FailureLog {

  private final int capacity;
  private final Deque<EmbeddedCollector.ExportFailure> entries = new ArrayDeque<>();

  FailureLog(int capacity) {
    this.capacity = capacity;
  }

  synchronized void add(EmbeddedCollector.ExportFailure failure) {
    if (entries.size() == capacity) {
      entries.removeFirst();
    }
    entries.addLast(failure);
  }

  synchronized List<EmbeddedCollector.ExportFailure> snapshot() {
    return List.copyOf(entries);
  }
}
