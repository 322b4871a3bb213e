package io.traceharness.lambda;

import java.time.Instant;
import java.util.List;

/**
 * Log events of one function's log stream as a CloudWatch Logs subscription delivers them (the
 * {@code awslogs} payload's {@code owner}, {@code logGroup}, {@code logStream}, {@code logEvents}
 * of {@code id}, {@code timestamp}, {@code message}): one event per line the function's log gained,
 * in order. A subscriber registered with {@link LambdaEmulator.Builder#logSubscriber} gets them as
 * each invocation's block is written, and as an environment's Shutdown output is appended.
 *
 * <pre>{@code
 * LambdaEmulator.builder().logSubscriber(events ->
 *     events.logEvents().forEach(e -> System.out.println(events.logStream() + " " + e.message())));
 * }</pre>
 *
 * @param owner the account id
 * @param logGroup {@code /aws/lambda/<function>}
 * @param logStream {@code yyyy/MM/dd/[$LATEST]<environment>}: one per execution environment
 * @param function the function's name
 * @param logEvents the lines, in order
 */
public record LogEvents(String owner, String logGroup, String logStream, String function, List<LogEvent> logEvents) {

  public LogEvents {
    logEvents = List.copyOf(logEvents);
  }

  /**
   * One line of the log.
   *
   * @param id unique within the stream, a string of digits as CloudWatch's event ids are
   * @param timestamp when the line was written to the log (the end of its invocation for the
   *     invocation's block: the service writes a block at once)
   * @param requestId the invocation the line belongs to: from its {@code START} to its {@code REPORT}
   *     and {@code XRAY} lines; {@code null} for init and Shutdown output (not part of CloudWatch's
   *     payload: the service knows it, the subscriber gets it for free)
   */
  public record LogEvent(String id, Instant timestamp, String message, String requestId) {
  }
}
