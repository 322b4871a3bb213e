package io.traceharness.elasticsearch;

import java.nio.file.Path;
import java.util.regex.Pattern;

/** Reads why a node did not come up, and words it for the person looking at a failed build. */
final class StartFailure {

  static final int TAIL_LINES = 40;

  private static final Pattern PORT_CLASH = Pattern.compile(
      "BindHttpException|BindTransportException|Address already in use|Failed to bind to");
  private static final Pattern FIRST_ERROR = Pattern.compile(
      "^ERROR:|\\]\\[ERROR|^\\S*(Exception|Error): ");

  private StartFailure() {
  }

  /** True when the node gave up because another process holds one of its ports. */
  static boolean isPortClash(String logTail) {
    return PORT_CLASH.matcher(logTail).find();
  }

  /**
   * The first line of this start's output that names an error ("ERROR: …", "[ERROR]", "…Exception: …"):
   * with a long stack trace it would otherwise scroll out of the tail.
   */
  static String firstError(String logSinceStart) {
    for (String line : logSinceStart.split("\r?\n")) {
      if (FIRST_ERROR.matcher(line).find()) {
        return line.strip();
      }
    }
    return "";
  }

  /** "Elasticsearch 8.19.21 did not start: &lt;reason&gt;" followed by the indented tail of the log. */
  static String message(String version, String reason, String firstError, Path log, String tail) {
    StringBuilder m = new StringBuilder("Elasticsearch ").append(version).append(" did not start: ")
        .append(reason);
    if (firstError != null && !firstError.isBlank() && (tail == null || !tail.contains(firstError))) {
      m.append("\nFirst error: ").append(firstError);
    }
    if (tail == null || tail.isBlank()) {
      m.append("\n(").append(log).append(" is empty or missing)");
      return m.toString();
    }
    m.append("\nLast lines of ").append(log).append(':');
    for (String line : tail.split("\r?\n")) {
      m.append("\n  | ").append(line);
    }
    return m.toString();
  }
}
