package io.traceharness.elasticsearch;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Objects;

/**
 * Our stand-in for the apm-data and otel-data plugins' templates, which the integ-test distribution
 * lacks: one component template with APM Server's fields (and the OpenTelemetry-native ids), one
 * data stream template per APM data stream family, and one per OpenTelemetry-native family
 * ({@code traces-*.otel-*} …, at a lower priority because their patterns overlap the APM ones), and one
 * for the other {@code logs-*-*} data streams (priority 100, as the stack's {@code logs} template).
 * The JSON lives in {@code templates/} next to this class.
 */
final class IndexTemplates {

  static final String COMPONENT = "traceharness-apm@mappings";
  static final List<String> INDEX_TEMPLATES = List.of("traces-apm", "logs-apm.error", "logs-apm.app", "metrics-apm",
      "traces-otel", "logs-otel", "metrics-otel", "logs");

  private IndexTemplates() {
  }

  static InputStream open(String name) {
    return Objects.requireNonNull(IndexTemplates.class.getResourceAsStream("templates/" + name + ".json"),
        "template resource " + name + ".json");
  }

  /** Puts (or overwrites, so a changed resource wins over an old data dir) every template. */
  static void install(ElasticsearchClient client) {
    try {
      try (InputStream in = open(COMPONENT)) {
        client.cluster().putComponentTemplate(r -> r.name(COMPONENT).withJson(in));
      }
      for (String name : INDEX_TEMPLATES) {
        try (InputStream in = open(name)) {
          client.indices().putIndexTemplate(r -> r.name(name).withJson(in));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("could not install the APM index templates", e);
    }
  }
}
