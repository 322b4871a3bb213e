package io.traceharness.resilience;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Random;
import java.util.concurrent.Executor;

/**
 * A client without an agent, light enough to run hundreds at once in the test JVM: it makes its own
 * W3C trace (trace id, a transaction and the exit span of its HTTP call), calls a URL with that span
 * as {@code traceparent}, then reports the transaction and span to APM Server as intake v2 ND-JSON,
 * as an Elastic APM agent would at the transaction's end.
 */
final class LightClient {

  /** One scenario as the client saw it; {@code endNanos} is {@link System#nanoTime()} when the call ended. */
  record Call(String traceId, String transactionId, String spanId, int status, String body, long endNanos) {
  }

  private static final Random IDS = new SecureRandom();

  private final HttpClient http;
  private final URI intake;
  private final String token;
  private final String service;

  LightClient(URI apmServer, String token, String service, Executor executor) {
    this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5))
        .executor(executor).build();
    this.intake = apmServer.resolve("/intake/v2/events");
    this.token = token;
    this.service = service;
  }

  String service() {
    return service;
  }

  /** Calls {@code url} with a new trace's context and reports the client's side of it. */
  Call call(String method, URI url, String body) {
    String traceId = hex(16);
    String transactionId = hex(8);
    String spanId = hex(8);
    long startMicros = System.currentTimeMillis() * 1000;
    long t0 = System.nanoTime();
    HttpResponse<String> r = send(HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(60))
        .header("traceparent", "00-" + traceId + "-" + spanId + "-01")
        .header("Content-Type", "application/json")
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
        .build());
    long end = System.nanoTime();
    double ms = (end - t0) / 1e6;
    String outcome = r.statusCode() < 400 ? "success" : "failure";
    String events = "{\"metadata\":{\"service\":{\"name\":\"" + service + "\",\"agent\":{\"name\":\"java\",\"version\":\"1.0.0\"},"
        + "\"language\":{\"name\":\"java\"}}}}\n"
        + "{\"transaction\":{\"id\":\"" + transactionId + "\",\"trace_id\":\"" + traceId + "\",\"type\":\"request\","
        + "\"name\":\"client scenario\",\"duration\":" + ms + ",\"timestamp\":" + startMicros + ",\"sampled\":true,"
        + "\"outcome\":\"" + outcome + "\",\"span_count\":{\"started\":1}}}\n"
        + "{\"span\":{\"id\":\"" + spanId + "\",\"trace_id\":\"" + traceId + "\",\"transaction_id\":\"" + transactionId
        + "\",\"parent_id\":\"" + transactionId + "\",\"name\":\"" + method + " " + url.getPath() + "\",\"type\":\"external\","
        + "\"subtype\":\"http\",\"duration\":" + ms + ",\"timestamp\":" + startMicros + ",\"outcome\":\"" + outcome
        + "\",\"context\":{\"http\":{\"url\":\"" + url + "\",\"method\":\"" + method + "\",\"status_code\":" + r.statusCode()
        + "}}}}\n";
    HttpResponse<String> reported = send(HttpRequest.newBuilder(intake).timeout(Duration.ofSeconds(30))
        .header("Content-Type", "application/x-ndjson").header("Authorization", "Bearer " + token)
        .POST(HttpRequest.BodyPublishers.ofString(events, StandardCharsets.UTF_8)).build());
    if (reported.statusCode() != 202) {
      throw new IllegalStateException("APM Server refused the client's events: " + reported.statusCode() + " "
          + reported.body());
    }
    return new Call(traceId, transactionId, spanId, r.statusCode(), r.body(), end);
  }

  private HttpResponse<String> send(HttpRequest request) {
    try {
      return http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(request.method() + " " + request.uri() + " failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted: " + request.uri(), e);
    }
  }

  private static String hex(int bytes) {
    byte[] b = new byte[bytes];
    IDS.nextBytes(b);
    b[0] |= 1; // never all zero: an all-zero id is invalid in W3C trace context
    return HexFormat.of().formatHex(b);
  }
}
