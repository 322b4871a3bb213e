package io.traceharness.embedded;

import io.traceharness.support.WorkDirs;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * The EDOT path's collector configuration, {@code edot-gateway.yaml} next to this class: Elastic's
 * self-managed gateway (elastic/elastic-agent {@code internal/pkg/otel/samples/linux/gateway.yml}),
 * receivers on 4317/4318, the {@code elasticsearch} exporter in otel mode to {@code ELASTIC_ENDPOINT}
 * with {@code ELASTIC_API_KEY}.
 */
final class EdotGateway {

  static final String ENDPOINT_ENV = "ELASTIC_ENDPOINT";
  static final String API_KEY_ENV = "ELASTIC_API_KEY";
  private static final String GRPC = "endpoint: 0.0.0.0:4317";
  private static final String HTTP = "endpoint: 0.0.0.0:4318";

  private EdotGateway() {
  }

  static String yaml() {
    try (InputStream in = Objects.requireNonNull(EdotGateway.class.getResourceAsStream("edot-gateway.yaml"),
        "resource edot-gateway.yaml")) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("reading edot-gateway.yaml", e);
    }
  }

  /** The same configuration with its receivers on the stack's loopback ports (0: a free one). */
  static String onPorts(int grpc, int http) {
    String yaml = yaml();
    if (!yaml.contains(GRPC) || !yaml.contains(HTTP)) {
      throw new IllegalStateException("edot-gateway.yaml no longer names its receivers as " + GRPC + " and " + HTTP);
    }
    return yaml.replace(GRPC, "endpoint: 127.0.0.1:" + grpc).replace(HTTP, "endpoint: 127.0.0.1:" + http);
  }

  /** The configuration as a file, for a function's {@code OPENTELEMETRY_COLLECTOR_CONFIG_URI}. */
  static synchronized Path file() {
    Path file = WorkDirs.root().resolve("collector").resolve("edot-gateway.yaml");
    try {
      String yaml = yaml();
      if (!Files.isRegularFile(file) || !Files.readString(file).equals(yaml)) {
        Files.createDirectories(file.getParent());
        Path tmp = Files.createTempFile(file.getParent(), "edot-gateway", ".tmp");
        Files.writeString(tmp, yaml);
        Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
            java.nio.file.StandardCopyOption.ATOMIC_MOVE);
      }
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException("writing " + file, e);
    }
  }
}
