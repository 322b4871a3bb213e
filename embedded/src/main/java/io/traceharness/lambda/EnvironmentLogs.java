package io.traceharness.lambda;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The output of one execution environment: what its runtime writes ({@code runtime.log}) and what its
 * external extensions write ({@code extensions.log}), and where in each the Init phase ends and the
 * Shutdown phase begins, so that init, each invocation and the Shutdown phase get their own slices.
 */
final class EnvironmentLogs {

  private final Path dir;
  private long initLogEnd = -1;
  private long initExtLogEnd = -1;
  private volatile long shutdownLogStart = -1;
  private volatile long shutdownExtLogStart = -1;

  EnvironmentLogs(Path dir) {
    this.dir = dir;
  }

  Path logFile() {
    return dir.resolve("runtime.log");
  }

  /** What the external extensions write (the Telemetry API's {@code extension} stream; the function's log). */
  Path extensionLogFile() {
    return dir.resolve("extensions.log");
  }

  /** A new environment starts with empty outputs. */
  void clear() {
    try {
      Files.deleteIfExists(logFile());
      Files.deleteIfExists(extensionLogFile());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Marks the end of Init in both outputs. */
  synchronized void markInitEnd() {
    initLogEnd = ProcessReadings.size(logFile());
    initExtLogEnd = ProcessReadings.size(extensionLogFile());
  }

  /** Marks the end of Init in both outputs unless it is marked already. */
  synchronized void markInitEndIfOpen() {
    if (initLogEnd < 0) {
      markInitEnd();
    }
  }

  /** What the environment writes from now on belongs to its Shutdown phase. */
  void markShutdownStart() {
    shutdownLogStart = ProcessReadings.size(logFile());
    shutdownExtLogStart = ProcessReadings.size(extensionLogFile());
  }

  /** What the environment writes from now on (a timer left behind firing once thawed) belongs to {@code call}. */
  void markInvocationStart(Call call) {
    call.logStart = ProcessReadings.size(logFile());
    call.extLogStart = ProcessReadings.size(extensionLogFile());
  }

  /** Init output: the log up to the end of init (or the failure). */
  String initLog() {
    long end = initLogEnd < 0 ? ProcessReadings.size(logFile()) : initLogEnd;
    long extEnd = initExtLogEnd < 0 ? ProcessReadings.size(extensionLogFile()) : initExtLogEnd;
    // the extensions start, and register, before the runtime
    return join(ProcessReadings.read(extensionLogFile(), 0, extEnd), ProcessReadings.read(logFile(), 0, end));
  }

  String invocationLog(Call call) {
    long end = ProcessReadings.size(logFile());
    long extEnd = ProcessReadings.size(extensionLogFile());
    long shutdownStart = shutdownLogStart;
    long extShutdownStart = shutdownExtLogStart;
    return join(ProcessReadings.read(logFile(), call.logStart, shutdownStart >= 0 ? Math.min(end, shutdownStart) : end),
        ProcessReadings.read(extensionLogFile(), call.extLogStart,
            extShutdownStart >= 0 ? Math.min(extEnd, extShutdownStart) : extEnd));
  }

  /** What the environment wrote during its Shutdown phase. */
  String shutdownLog() {
    return join(ProcessReadings.read(logFile(), shutdownLogStart, ProcessReadings.size(logFile())),
        ProcessReadings.read(extensionLogFile(), shutdownExtLogStart, ProcessReadings.size(extensionLogFile())));
  }

  /** Two slices of output, one after the other, each ending with a line break. */
  private static String join(String first, String second) {
    if (first.isEmpty() || first.endsWith("\n") || second.isEmpty()) {
      return first + second;
    }
    return first + "\n" + second;
  }
}
