package io.traceharness.apm;

import java.time.Duration;
import java.util.List;

/** Where mapped documents go: Elasticsearch in production, a list in unit tests. */
interface DocumentSink extends AutoCloseable {

  /**
   * Takes all documents or none: false when accepting them would exceed the bounded queue (the
   * caller then answers 503 like APM Server with a full queue).
   */
  boolean offer(List<ApmDocument> documents);

  /** Waits until every accepted document is indexed or has failed for good. */
  boolean flush(Duration timeout);

  long indexed();

  long failed();

  long queued();

  @Override
  void close();
}
