package io.traceharness.lambda;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A deployed function's configuration as the Lambda service holds it ({@code $LATEST}).
 *
 * <pre>{@code
 * boolean active = emulator.function("producer").map(FunctionConfig::activeTracing).orElse(false);
 * }</pre>
 *
 * @param environment the function's own variables, untranslated (as {@code GetFunctionConfiguration} shows them)
 * @param tracingMode {@code Active} or {@code PassThrough}
 * @param layers layer version ARNs in order
 * @param state {@code Pending}, {@code Active}
 * @param lastUpdateStatus {@code InProgress}, {@code Successful}
 * @param codeSha256 base64 SHA-256 of the deployment package, as Lambda reports it
 */
public record FunctionConfig(String name, String arn, String runtime, String handler, int memoryMb,
    Duration timeout, Map<String, String> environment, String tracingMode, List<String> layers, String state,
    String lastUpdateStatus, String codeSha256, long codeSize, Integer reservedConcurrency, Instant lastModified,
    String revisionId, String role, String description) {

  public FunctionConfig {
    environment = Map.copyOf(environment);
    layers = List.copyOf(layers);
  }

  public boolean activeTracing() {
    return "Active".equals(tracingMode);
  }
}
