package io.traceharness.collector;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.Message;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.metric.NoopMeterRegistry;
import com.linecorp.armeria.server.Server;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * opentelemetry-lambda's {@code telemetryapi} receiver ({@code collector/receiver/telemetryapireceiver/receiver.go}):
 * at start it listens on a port of the sandbox ({@code port}, 0 for any; {@code sandbox.localdomain} in AWS,
 * the loopback here) and subscribes that listener through the environment's Telemetry API with the collector's
 * extension id, as {@code internal/telemetryapi/client.go} does (schema 2022-12-13, the configured
 * {@code types}, buffering 1,000 items, 256 KiB, 25 ms). Every batch the environment POSTs is turned into log
 * records by {@link TelemetryApiLogs} and handed to the receiver's logs pipelines.
 */
final class TelemetryApiReceiver implements AutoCloseable {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(2)).build();

  private final CollectorConfig.TelemetryApiSpec spec;
  private final List<Pipeline> logsPipelines;
  private final CollectorLog log;
  private final String runtimeApi;
  private final String extensionId;
  private final TelemetryApiLogs logs;
  private Server server;

  TelemetryApiReceiver(CollectorConfig.TelemetryApiSpec spec, List<Pipeline> logsPipelines, CollectorLog log,
      Map<String, String> env, String extensionId, String serviceInstanceId) {
    this.spec = spec;
    this.logsPipelines = List.copyOf(logsPipelines);
    this.log = log;
    this.runtimeApi = env.get("AWS_LAMBDA_RUNTIME_API");
    this.extensionId = extensionId;
    this.logs = new TelemetryApiLogs(env, serviceInstanceId, spec.logReport());
  }

  String id() {
    return spec.id();
  }

  /** The listener's port once started. */
  int port() {
    return server == null ? -1 : server.activeLocalPort();
  }

  /**
   * Listens again on the port of an earlier start, where the environment still delivers: a subscription
   * lasts as long as the environment, so a restarted collector does not subscribe twice.
   */
  void startAt(int port) {
    server = listener(port);
    log.info("Telemetry API listener " + spec.id() + " listening again on 127.0.0.1:" + port);
  }

  private Server listener(int port) {
    Server s = Server.builder()
        .http(new InetSocketAddress("127.0.0.1", port))
        .meterRegistry(NoopMeterRegistry.get())
        // as Go's http.Server.Shutdown (1 s context in listener.go): no quiet period, requests in flight finish
        .gracefulShutdownTimeout(Duration.ZERO, Duration.ofSeconds(1))
        .service("prefix:/", (ctx, req) -> HttpResponse.of(req.aggregate().thenApply(agg -> {
          receive(agg.contentUtf8());
          return HttpResponse.of(HttpStatus.OK);
        })))
        .build();
    s.start().join();
    return s;
  }

  /** Listens and subscribes; fails as the real receiver's {@code Start} does. */
  void start(boolean freePorts) {
    if (spec.types().isEmpty()) {
      throw new IllegalStateException("receiver " + spec.id() + ": no telemetry event types provided");
    }
    if (runtimeApi == null || runtimeApi.isBlank() || extensionId == null) {
      throw new IllegalStateException("receiver " + spec.id() + ": the Telemetry API is reached through"
          + " AWS_LAMBDA_RUNTIME_API by a registered extension: it runs in a Lambda layer's collector only");
    }
    server = listener(freePorts ? 0 : spec.port());
    int port = server.activeLocalPort();
    log.info("Starting telemetry API listener " + spec.id() + " on 127.0.0.1:" + port);
    try {
      subscribe(port);
    } catch (RuntimeException e) {
      close();
      throw e;
    }
    log.info("Successfully subscribed " + spec.id() + " to telemetry " + spec.types());
  }

  private void subscribe(int port) {
    var body = JSON.createObjectNode().put("schemaVersion", "2022-12-13");
    body.putArray("types").addAll(spec.types().stream().map(JSON.getNodeFactory()::textNode).toList());
    body.putObject("buffering").put("maxItems", 1000).put("maxBytes", 256 * 1024).put("timeoutMs", 25);
    body.putObject("destination").put("protocol", "HTTP").put("URI", "http://sandbox.localdomain:" + port + "/")
        .put("method", "POST").put("encoding", "JSON");
    URI url = URI.create("http://" + runtimeApi + "/2022-07-01/telemetry");
    HttpRequest put = HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(10))
        .header("Content-Type", "application/json").header("Lambda-Extension-Identifier", extensionId)
        .PUT(HttpRequest.BodyPublishers.ofString(body.toString())).build();
    java.net.http.HttpResponse<String> answer;
    try {
      answer = HTTP.send(put, BodyHandlers.ofString());
    } catch (IOException e) {
      throw new IllegalStateException("receiver " + spec.id() + ": subscribing to " + url + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted subscribing " + spec.id(), e);
    }
    if (answer.statusCode() == 202) {
      log.error("Subscription failed. Logs API is not supported! Is this extension running in a local sandbox?",
          null);
    } else if (answer.statusCode() != 200) {
      throw new IllegalStateException("request to " + url + " failed: " + answer.statusCode() + "["
          + answer.statusCode() + " " + HttpStatus.valueOf(answer.statusCode()).reasonPhrase() + "] " + answer.body());
    }
  }

  /** One batch from the Telemetry API; what cannot be read is logged and dropped, as the real handler does. */
  void receive(String body) {
    JsonNode events;
    try {
      events = JSON.readTree(body);
    } catch (IOException e) {
      log.error("error unmarshalling body: " + e.getMessage(), null);
      return;
    }
    if (events == null || !events.isArray()) {
      log.error("error unmarshalling body: a JSON array of events is expected", null);
      return;
    }
    Message request;
    try {
      request = logs.createLogs(events, Instant.now());
    } catch (IllegalArgumentException e) {
      log.error("error parsing time: " + e.getMessage(), null);
      return;
    }
    if (Signal.LOGS.count(request) == 0) {
      return;
    }
    for (Pipeline p : logsPipelines) {
      try {
        p.consume(request);
      } catch (SignalConsumer.ConsumeException e) {
        log.error("error receiving logs: " + e.getMessage(), null);
      }
    }
  }

  @Override
  public void close() {
    Server s = server;
    if (s != null) {
      // the port closes at once; Armeria's stop future also waits out its event loops' quiet period
      s.stop();
    }
  }
}
