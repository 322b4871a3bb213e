package io.traceharness.stack;

import io.traceharness.support.ChildProcess;
import java.nio.file.Path;

/** One component's log file, so a failed test can print what that component saw. */
public record ComponentLog(String component, Path file) {

  /** The last {@code lines} lines of the file. */
  public String tail(int lines) {
    return ChildProcess.tail(file, lines);
  }
}
