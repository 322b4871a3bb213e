package io.traceharness.lambda;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A function's configuration as the Lambda service holds it ({@code $LATEST}): immutable; a change
 * is a copy made with a {@code with…} method.
 *
 * <pre>{@code
 * boolean active = emulator.function("producer").map(FunctionConfig::activeTracing).orElse(false);
 * FunctionConfig bigger = config.withMemoryMb(512).withTimeout(Duration.ofSeconds(10));
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

  /**
   * What a {@code CreateFunction} asks for before the service has seen the code: Lambda's defaults
   * (128 MB, 3 s, {@code PassThrough}, no environment, no layers).
   */
  public static FunctionConfig requested(String name, String arn, String runtime, String handler) {
    return new FunctionConfig(name, arn, runtime, handler, 128, Duration.ofSeconds(3), Map.of(), "PassThrough",
        List.of(), null, null, null, 0, null, null, null, null, "");
  }

  public boolean activeTracing() {
    return "Active".equals(tracingMode);
  }

  public FunctionConfig withRuntime(String runtime) {
    return copy().runtime(runtime).build();
  }

  public FunctionConfig withHandler(String handler) {
    return copy().handler(handler).build();
  }

  public FunctionConfig withMemoryMb(int memoryMb) {
    return copy().memoryMb(memoryMb).build();
  }

  public FunctionConfig withTimeout(Duration timeout) {
    return copy().timeout(timeout).build();
  }

  public FunctionConfig withEnvironment(Map<String, String> environment) {
    return copy().environment(environment).build();
  }

  /** {@code Active} or {@code PassThrough}. */
  public FunctionConfig withTracingMode(String tracingMode) {
    return copy().tracingMode(tracingMode).build();
  }

  public FunctionConfig withLayers(List<String> layers) {
    return copy().layers(layers).build();
  }

  public FunctionConfig withState(String state) {
    return copy().state(state).build();
  }

  public FunctionConfig withLastUpdateStatus(String lastUpdateStatus) {
    return copy().lastUpdateStatus(lastUpdateStatus).build();
  }

  /** The deployment package's hash and size. */
  public FunctionConfig withCode(String codeSha256, long codeSize) {
    return copy().code(codeSha256, codeSize).build();
  }

  public FunctionConfig withReservedConcurrency(Integer reservedConcurrency) {
    return copy().reservedConcurrency(reservedConcurrency).build();
  }

  /** A new revision: when it was made and its id. */
  public FunctionConfig withRevision(Instant lastModified, String revisionId) {
    return copy().revision(lastModified, revisionId).build();
  }

  public FunctionConfig withRole(String role) {
    return copy().role(role).build();
  }

  public FunctionConfig withDescription(String description) {
    return copy().description(description).build();
  }

  private Copy copy() {
    return new Copy(this);
  }

  /** The one place that lists every field, so the {@code with…} methods each name only theirs. */
  private static final class Copy {
    private final String name;
    private final String arn;
    private String runtime;
    private String handler;
    private int memoryMb;
    private Duration timeout;
    private Map<String, String> environment;
    private String tracingMode;
    private List<String> layers;
    private String state;
    private String lastUpdateStatus;
    private String codeSha256;
    private long codeSize;
    private Integer reservedConcurrency;
    private Instant lastModified;
    private String revisionId;
    private String role;
    private String description;

    private Copy(FunctionConfig c) {
      name = c.name;
      arn = c.arn;
      runtime = c.runtime;
      handler = c.handler;
      memoryMb = c.memoryMb;
      timeout = c.timeout;
      environment = c.environment;
      tracingMode = c.tracingMode;
      layers = c.layers;
      state = c.state;
      lastUpdateStatus = c.lastUpdateStatus;
      codeSha256 = c.codeSha256;
      codeSize = c.codeSize;
      reservedConcurrency = c.reservedConcurrency;
      lastModified = c.lastModified;
      revisionId = c.revisionId;
      role = c.role;
      description = c.description;
    }

    Copy runtime(String v) {
      runtime = v;
      return this;
    }

    Copy handler(String v) {
      handler = v;
      return this;
    }

    Copy memoryMb(int v) {
      memoryMb = v;
      return this;
    }

    Copy timeout(Duration v) {
      timeout = v;
      return this;
    }

    Copy environment(Map<String, String> v) {
      environment = v;
      return this;
    }

    Copy tracingMode(String v) {
      tracingMode = v;
      return this;
    }

    Copy layers(List<String> v) {
      layers = v;
      return this;
    }

    Copy state(String v) {
      state = v;
      return this;
    }

    Copy lastUpdateStatus(String v) {
      lastUpdateStatus = v;
      return this;
    }

    Copy code(String sha, long size) {
      codeSha256 = sha;
      codeSize = size;
      return this;
    }

    Copy reservedConcurrency(Integer v) {
      reservedConcurrency = v;
      return this;
    }

    Copy revision(Instant modified, String id) {
      lastModified = modified;
      revisionId = id;
      return this;
    }

    Copy role(String v) {
      role = v;
      return this;
    }

    Copy description(String v) {
      description = v;
      return this;
    }

    FunctionConfig build() {
      return new FunctionConfig(name, arn, runtime, handler, memoryMb, timeout, environment, tracingMode, layers,
          state, lastUpdateStatus, codeSha256, codeSize, reservedConcurrency, lastModified, revisionId, role,
          description);
    }
  }
}
