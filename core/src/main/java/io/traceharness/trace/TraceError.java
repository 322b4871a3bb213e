package io.traceharness.trace;

import java.time.Instant;
import java.util.Optional;

/**
 * An error document of the trace ({@code logs-apm.error*}): an exception an agent captured, or an
 * OTel span event named {@code exception} that APM Server turned into an error.
 *
 * <pre>{@code
 * for (TraceError e : trace.errors()) {
 *   String where = e.in(trace).map(SpanNode::describe).orElse("span " + e.parentId());
 *   log.warn("{}: {} in {}", e.type(), e.message(), where);
 * }
 * }</pre>
 *
 * @param id {@code error.id}
 * @param parentId {@code parent.id}: the transaction or span the error happened in
 * @param transactionId {@code transaction.id}, when the document carries one
 * @param service {@code service.name}
 * @param type exception type, e.g. {@code java.lang.IllegalStateException}
 * @param message exception message or log message
 * @param timestamp when it happened
 */
public record TraceError(
    String id,
    String parentId,
    String transactionId,
    String service,
    String type,
    String message,
    Instant timestamp) {

  /** The transaction or span this error belongs to, if the trace has it. */
  public Optional<SpanNode> in(Trace trace) {
    return parentId == null ? Optional.empty() : trace.span(parentId);
  }
}
