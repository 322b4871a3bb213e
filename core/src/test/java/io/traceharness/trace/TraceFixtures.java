package io.traceharness.trace;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** JSON fixtures of this package: a 5-span APM trace plus an orphan, and an OTel-native trace. */
public final class TraceFixtures {
  public static final String APM_TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
  public static final String OTEL_TRACE_ID = "0af7651916cd43dd8448eb211c80319c";
  private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

  private TraceFixtures() {}

  static List<String> lines(String resource) {
    try (InputStream in = TraceFixtures.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("missing fixture " + resource);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@code trace}, whose {@link Trace#logs()} answers {@code logs} (what a reader of Elasticsearch would read). */
  public static Trace withLogs(Trace trace, List<TraceLog> logs) {
    trace.logSource(t -> logs);
    return trace;
  }

  /** A reader that finds both fixtures by their ids, as an Elasticsearch holding them would (other packages' tests). */
  public static Traces reader() {
    return new Traces.Builder(id -> id.equals(APM_TRACE_ID) ? documents("apm-trace.ndjson")
        : id.equals(OTEL_TRACE_ID) ? documents("otel-trace.ndjson") : List.of())
        .atMost(java.time.Duration.ofSeconds(5)).pollInterval(java.time.Duration.ofMillis(10))
        .quietPeriod(java.time.Duration.ofMillis(30)).build();
  }

  private static List<com.fasterxml.jackson.databind.JsonNode> documents(String resource) throws IOException {
    List<com.fasterxml.jackson.databind.JsonNode> docs = new java.util.ArrayList<>();
    for (String line : lines(resource)) {
      if (!line.isBlank()) {
        docs.add(JSON.readTree(line));
      }
    }
    return docs;
  }

  static Trace apmTrace() {
    return Trace.parse(APM_TRACE_ID, lines("apm-trace.ndjson"));
  }

  static Trace otelTrace() {
    return Trace.parse(OTEL_TRACE_ID, lines("otel-trace.ndjson"));
  }

  /** A minimal APM-form document; times in ms from 2026-01-01T00:00:00Z. */
  static String doc(String event, String id, String parent, String service, String name,
      double startMs, double durationMs) {
    long us = 1767225600000000L + Math.round(startMs * 1000);
    String prefix = event.equals("transaction") ? "transaction" : "span";
    return "{\"processor\":{\"event\":\"" + event + "\"},\"trace\":{\"id\":\"t1\"},"
        + "\"span\":{\"id\":\"" + id + "\"" + (event.equals("span") ? ",\"name\":\"" + name + "\",\"type\":\"app\",\"duration\":{\"us\":" + Math.round(durationMs * 1000) + "}" : "") + "},"
        + (event.equals("transaction") ? "\"transaction\":{\"id\":\"" + id + "\",\"name\":\"" + name + "\",\"type\":\"request\",\"duration\":{\"us\":" + Math.round(durationMs * 1000) + "}}," : "")
        + (parent == null ? "" : "\"parent\":{\"id\":\"" + parent + "\"},")
        + "\"service\":{\"name\":\"" + service + "\"},\"timestamp\":{\"us\":" + us + "}}";
  }
}
