package io.traceharness.lambda;

import java.nio.charset.StandardCharsets;

/**
 * How an invocation ended inside the execution environment.
 *
 * @param errorType {@code null} on success
 * @param platformLog a line the platform itself writes to the log (timeouts, exits), or {@code null}
 */
record Outcome(byte[] payload, String errorType, String platformLog) {

  static Outcome success(byte[] payload) {
    return new Outcome(payload, null, null);
  }

  static Outcome error(String errorType, byte[] payload) {
    return new Outcome(payload, errorType, null);
  }

  static Outcome platformError(String errorType, String message, String platformLog) {
    String json = "{\"errorType\":\"" + errorType + "\",\"errorMessage\":\"" + message.replace("\\", "\\\\")
        .replace("\"", "\\\"") + "\"}";
    return new Outcome(json.getBytes(StandardCharsets.UTF_8), errorType, platformLog);
  }

  boolean failed() {
    return errorType != null;
  }
}
