package io.traceharness.embedded;

import io.traceharness.stack.TelemetryPath;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The stack's collector on each {@link TelemetryPath}: its configuration and the environment that
 * configuration reads. On the APM path it forwards OTLP to APM Server with its token if any; on the
 * EDOT path it runs Elastic's gateway configuration ({@link EdotGateway}) writing to Elasticsearch.
 */
final class StackCollector {

  private StackCollector() {
  }

  /** What the configuration reads from its environment on the path. */
  static Map<String, String> environment(TelemetryPath path, URI elasticsearch, URI apmServer, String secretToken) {
    Map<String, String> env = new LinkedHashMap<>();
    if (path == TelemetryPath.EDOT) {
      env.putAll(edotEnvironment(elasticsearch));
    } else {
      env.put("APM_SERVER_URL", apmServer.toString());
      if (secretToken != null) {
        env.put("APM_SERVER_TOKEN", secretToken);
      }
    }
    return env;
  }

  /** What the EDOT configuration reads from its environment: Elasticsearch's endpoint, an empty API key. */
  static Map<String, String> edotEnvironment(URI elasticsearch) {
    // the node runs without security: the exporter sends no Authorization header for an empty key
    return Map.of(EdotGateway.ENDPOINT_ENV, elasticsearch.toString(), EdotGateway.API_KEY_ENV, "");
  }

  /**
   * The stack's collector: OTLP on the chosen ports (0: free ones); on the APM path to APM Server with
   * its token if any, on the EDOT path Elastic's gateway configuration.
   */
  static String config(TelemetryPath path, StackPorts ports, String secretToken) {
    if (path == TelemetryPath.EDOT) {
      return EdotGateway.onPorts(ports.otlpGrpc(), ports.otlpHttp());
    }
    return """
        receivers:
          otlp:
            protocols:
              grpc:
                endpoint: 127.0.0.1:%d
              http:
                endpoint: 127.0.0.1:%d
        processors:
          batch:
            timeout: 200ms
        exporters:
          otlp/elastic:
            endpoint: ${env:APM_SERVER_URL}
            tls:
              insecure: true
        %s
        service:
          pipelines:
            traces:
              receivers: [otlp]
              processors: [batch]
              exporters: [otlp/elastic]
            metrics:
              receivers: [otlp]
              processors: [batch]
              exporters: [otlp/elastic]
            logs:
              receivers: [otlp]
              processors: [batch]
              exporters: [otlp/elastic]
        """.formatted(ports.otlpGrpc(), ports.otlpHttp(), secretToken == null ? ""
        : "    headers:\n      Authorization: \"Bearer ${env:APM_SERVER_TOKEN}\"");
  }
}
