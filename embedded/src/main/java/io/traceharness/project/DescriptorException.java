package io.traceharness.project;

import java.nio.file.Path;

/**
 * A descriptor the harness cannot deploy, named as the user finds it: the file, the key path and
 * the line, e.g. {@code serverless.yml: functions.producer.runtime (line 14): …}.
 */
final class DescriptorException extends IllegalArgumentException {

  private static final long serialVersionUID = 1L;

  DescriptorException(Path file, YNode at, String message) {
    super(where(file, at) + ": " + message);
  }

  DescriptorException(Path file, YNode at, String message, Throwable cause) {
    super(where(file, at) + ": " + message, cause);
  }

  static String where(Path file, YNode at) {
    String name = file.getFileName().toString();
    if (at == null) {
      return name;
    }
    return name + ": " + (at.path().isEmpty() ? "(top level)" : at.path()) + " (line " + at.line() + ")";
  }
}
