package io.traceharness.cli;

/** A failure the command explains in its message, printed as it is (one line, no stack trace), exit code 1. */
final class CliFailure extends RuntimeException {

  CliFailure(String message) {
    super(message, null, false, false);
  }
}
