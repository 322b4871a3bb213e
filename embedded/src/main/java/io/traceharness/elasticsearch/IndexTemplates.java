package io.traceharness.elasticsearch;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Objects;

/**
 * Our stand-in for the apm-data and otel-data plugins' templates, which the integ-test distribution
 * lacks. APM: one component template with APM Server's fields and one data stream template per APM
 * data stream family. OpenTelemetry-native: the otel-data plugin's component templates under their
 * own names ({@code otel@mappings}, {@code traces-otel@mappings}, {@code logs-otel@mappings},
 * {@code metrics-otel@mappings}, {@code semconv-resource-to-ecs@mappings}), what they take from the
 * stack templates this distribution also lacks ({@code traceharness-ecs@mappings}), and the index
 * templates {@code traces-otel}, {@code logs-otel}, {@code metrics-otel} on {@code traces-*.otel-*} …
 * at the plugin's priority 120, below the APM ones because their patterns overlap. Where a mapper
 * type is missing here, each JSON's {@code _meta.description} names the closest one it uses.
 * The Elastic Serverless Forwarder's {@code logs-*-*} data streams get the stack's {@code logs} template
 * (priority 100).
 * The JSON lives in {@code templates/} next to this class.
 */
final class IndexTemplates {

  static final String COMPONENT = "traceharness-apm@mappings";
  /** In dependency order: an alias in a later one may point at a field an earlier one maps. */
  static final List<String> COMPONENTS = List.of(COMPONENT, "otel@mappings", "traces-otel@mappings",
      "logs-otel@mappings", "metrics-otel@mappings", "semconv-resource-to-ecs@mappings", "traceharness-ecs@mappings");
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
      for (String name : COMPONENTS) {
        try (InputStream in = open(name)) {
          client.cluster().putComponentTemplate(r -> r.name(name).withJson(in));
        }
      }
      for (String name : INDEX_TEMPLATES) {
        try (InputStream in = open(name)) {
          client.indices().putIndexTemplate(r -> r.name(name).withJson(in));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("could not install the APM and OpenTelemetry index templates", e);
    }
  }
}
