package io.traceharness.stack;

import java.util.List;

/**
 * What a test sees of the tracing stack: the endpoints of Elasticsearch, APM Server, the collector,
 * the Lambda API and API Gateway, whichever backend runs them (embedded or containers).
 *
 * <p>Choose the backend with {@code -Dtraceharness.stack=embedded|containers} (or the
 * {@code TRACEHARNESS_STACK} environment variable); nothing else in a test depends on it.
 */
public interface TracingStack extends AutoCloseable {

  /** {@code embedded} or {@code containers}. */
  String backend();

  /** Where the running components answer. */
  Endpoints endpoints();

  /** Log files of the components, for failure reports. */
  List<ComponentLog> logs();

  /** Stops every component and child process. Idempotent. */
  @Override
  void close();
}
