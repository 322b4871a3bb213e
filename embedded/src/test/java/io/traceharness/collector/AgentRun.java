package io.traceharness.collector;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Context;
import io.traceharness.support.ChildProcess;
import io.traceharness.support.MavenArtifacts;
import io.traceharness.support.Versions;
import io.traceharness.support.WorkDirs;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Runs {@link TracedApp} in a child JVM under the real OpenTelemetry Java agent. */
final class AgentRun {

  /** The ids {@link TracedApp} printed. */
  record Ids(String traceId, String serverSpanId, String clientSpanId, String internalSpanId) {
  }

  private AgentRun() {
  }

  /** {@code protocol} is {@code http/protobuf} or {@code grpc}, as in OTEL_EXPORTER_OTLP_PROTOCOL. */
  static Ids run(String name, String protocol, String endpoint, String serviceName) throws InterruptedException {
    Path agent = MavenArtifacts.resolve("io.opentelemetry.javaagent:opentelemetry-javaagent:"
        + Versions.of("opentelemetry-javaagent"));
    String classpath = String.join(File.pathSeparator, location(TracedApp.class), location(Span.class),
        location(Context.class), location(componentLoader()));
    Path log = WorkDirs.root().resolve("logs").resolve(name + ".log");
    Map<String, String> env = new HashMap<>();
    env.put("OTEL_SERVICE_NAME", serviceName);
    env.put("OTEL_TRACES_EXPORTER", "otlp");
    env.put("OTEL_METRICS_EXPORTER", "none");
    env.put("OTEL_LOGS_EXPORTER", "none");
    env.put("OTEL_EXPORTER_OTLP_PROTOCOL", protocol);
    env.put("OTEL_EXPORTER_OTLP_ENDPOINT", endpoint);
    env.put("OTEL_BSP_SCHEDULE_DELAY", "200");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    try (ChildProcess child = ChildProcess.builder(name)
        .command(List.of(java, "-Xms64m", "-Xmx128m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
            "-javaagent:" + agent, "-cp", classpath, TracedApp.class.getName()))
        .env(env)
        .logFile(log)
        .start()) {
      if (!child.waitFor(Duration.ofSeconds(90))) {
        throw new AssertionError(name + " did not finish in 90 s; log tail:\n" + child.logTail(40));
      }
      String out;
      try {
        out = Files.readString(log);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      if (child.exitCode() != 0 || !out.contains("INTERNAL_SPAN_ID=") || out.contains("NO_AGENT")) {
        throw new AssertionError(name + " failed (exit " + child.exitCode() + "); log tail:\n" + child.logTail(40));
      }
      return new Ids(value(out, "TRACE_ID"), value(out, "SERVER_SPAN_ID"), value(out, "CLIENT_SPAN_ID"),
          value(out, "INTERNAL_SPAN_ID"));
    }
  }

  private static String value(String out, String key) {
    int at = out.indexOf(key + "=");
    int end = out.indexOf('\n', at);
    return out.substring(at + key.length() + 1, end < 0 ? out.length() : end).trim();
  }

  /** opentelemetry-context needs opentelemetry-common (split out in API 1.5x) on the classpath. */
  private static Class<?> componentLoader() {
    try {
      return Class.forName("io.opentelemetry.common.ComponentLoader");
    } catch (ClassNotFoundException e) {
      return Context.class;
    }
  }

  private static String location(Class<?> type) {
    try {
      return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }
}
