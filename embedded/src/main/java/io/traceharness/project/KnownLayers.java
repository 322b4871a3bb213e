package io.traceharness.project;

import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Public OpenTelemetry Lambda layers, known by the name in their ARN, and what the harness runs in
 * their place: its own OpenTelemetry layer for the runtime ({@code layers.OtelLayers}), with the
 * defaults the real layer has. Every real layer below expects {@code AWS_LAMBDA_EXEC_WRAPPER} to name
 * its script; the harness's layer answers to {@code /opt/otel-handler}.
 *
 * <p>Defaults, from the layers' own scripts: ADOT ({@code aws-otel-*}) uses
 * {@code tracecontext,baggage,xray-lambda} and the function name as service (what the harness's
 * {@code otel-handler} does); upstream opentelemetry-lambda ({@code nodejs/packages/layer/scripts/otel-handler},
 * {@code java/layer-javaagent/scripts/otel-handler}) uses {@code OTEL_PROPAGATORS=tracecontext,baggage,xray}
 * and puts {@code service.name} in {@code OTEL_RESOURCE_ATTRIBUTES}. Both layers' collectors read
 * {@code /opt/collector-config/config.yaml} unless {@code OPENTELEMETRY_COLLECTOR_CONFIG_URI} (ADOT also
 * {@code _FILE}) names another (opentelemetry-lambda {@code collector/internal/collector/collector.go});
 * that default configuration exports to X-Ray or localhost, so with none named the harness sends to
 * the stack's collector instead.
 */
final class KnownLayers {

  private static final Pattern LAYER_ARN =
      Pattern.compile("arn:aws[a-z-]*:lambda:([a-z0-9-]+):(\\d{12}):layer:([A-Za-z0-9_-]+):(\\d+)");

  /** What a known layer gives a function. */
  enum Provides {
    /** OpenTelemetry JS with the Lambda instrumentation. */
    NODEJS,
    /** The OpenTelemetry Java agent. */
    JAVA_AGENT,
    /** Only the collector extension: the function's configured collector runs, nothing instruments. */
    COLLECTOR
  }

  /**
   * A family of layers.
   *
   * @param prefix how the layer name starts
   * @param description for messages
   * @param provides what the harness runs for it
   * @param wrapper the {@code AWS_LAMBDA_EXEC_WRAPPER} the real layer documents, or {@code null}
   * @param defaults environment the real layer's script sets when the function does not
   */
  record Family(String prefix, String description, Provides provides, String wrapper, Map<String, String> defaults) {
  }

  static final List<Family> FAMILIES = List.of(
      new Family("aws-otel-nodejs-", "ADOT Node.js", Provides.NODEJS, "/opt/otel-handler", Map.of()),
      new Family("aws-otel-java-agent-", "ADOT Java agent", Provides.JAVA_AGENT, "/opt/otel-handler", Map.of()),
      new Family("aws-otel-java-wrapper-", "ADOT Java wrapper (run with the Java agent)", Provides.JAVA_AGENT,
          "/opt/otel-handler", Map.of()),
      new Family("AWSOpenTelemetryDistroJs", "ADOT Node.js distro", Provides.NODEJS, "/opt/otel-instrument", Map.of()),
      new Family("AWSOpenTelemetryDistroJava", "ADOT Java distro", Provides.JAVA_AGENT, "/opt/otel-instrument",
          Map.of()),
      new Family("opentelemetry-nodejs-", "opentelemetry-lambda Node.js", Provides.NODEJS, "/opt/otel-handler",
          Map.of("OTEL_PROPAGATORS", "tracecontext,baggage,xray")),
      new Family("opentelemetry-javaagent-", "opentelemetry-lambda Java agent", Provides.JAVA_AGENT,
          "/opt/otel-handler", Map.of("OTEL_PROPAGATORS", "tracecontext,baggage,xray")),
      new Family("opentelemetry-collector-", "opentelemetry-lambda collector", Provides.COLLECTOR, null, Map.of()));

  private KnownLayers() {
  }

  /** Whether the entry looks like a layer version ARN at all. */
  static boolean isArn(String entry) {
    return LAYER_ARN.matcher(entry).matches();
  }

  /**
   * The family of a layer version ARN.
   *
   * @throws IllegalArgumentException naming the ARN and listing what is supported
   */
  static Family of(String arn) {
    Matcher m = LAYER_ARN.matcher(arn);
    if (!m.matches()) {
      throw new IllegalArgumentException("layer " + arn + " is not a layer version ARN"
          + " (arn:aws:lambda:REGION:ACCOUNT:layer:NAME:VERSION)");
    }
    String name = m.group(3);
    for (Family f : FAMILIES) {
      if (name.startsWith(f.prefix())) {
        return f;
      }
    }
    String why = name.toLowerCase(java.util.Locale.ROOT).contains("elastic")
        ? " Elastic's APM Lambda extension sends to APM Server on its own, outside OpenTelemetry; the harness"
            + " checks OpenTelemetry layers only."
        : "";
    throw new IllegalArgumentException("layer " + arn + " (" + name + ") is not one the harness can run." + why
        + " Supported layers: " + supported() + "; or a layer of the project itself");
  }

  static String supported() {
    return FAMILIES.stream().map(f -> f.prefix() + "* (" + f.description() + ")").collect(Collectors.joining(", "));
  }
}
