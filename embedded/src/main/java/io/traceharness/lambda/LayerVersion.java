package io.traceharness.lambda;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/**
 * A published layer version: its content extracted once, overlaid into each function's {@code /opt}.
 * {@code licenseInfo} is null when the publisher gave none.
 */
record LayerVersion(String name, long version, String layerArn, String layerVersionArn, Path content,
    String codeSha256, long codeSize, String description, List<String> compatibleRuntimes,
    List<String> compatibleArchitectures, String licenseInfo, Instant created) {

  LayerVersion {
    compatibleRuntimes = List.copyOf(compatibleRuntimes);
    compatibleArchitectures = List.copyOf(compatibleArchitectures);
  }
}
