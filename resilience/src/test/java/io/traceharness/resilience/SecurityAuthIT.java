package io.traceharness.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import com.linecorp.armeria.client.grpc.GrpcClientBuilder;
import com.linecorp.armeria.client.grpc.GrpcClients;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.TraceServiceGrpc;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.traceharness.apm.EmbeddedApmServer;
import io.traceharness.junit.TracingStackTest;
import io.traceharness.stack.TracingStack;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * With a secret token or an API key set, a wrong or missing credential gets APM Server's 401 (gRPC
 * {@code UNAUTHENTICATED}) with APM Server's message, on intake v2, OTLP/HTTP and OTLP/gRPC, and
 * nothing it carried is indexed: every request carries a trace id of its own, counted in
 * Elasticsearch after a request with the right credential has been indexed and the indices
 * refreshed.
 *
 * <p>The messages are those of elastic/apm-server {@code internal/beater/auth/authenticator.go}
 * ({@code ErrAuthFailed}, {@code errAuthMissing}, the unknown-scheme error) and
 * {@code header.go} (the scheme is what precedes the first space, compared as written). The stack
 * takes a secret token only, so the API key case runs a second APM Server, built here, that writes
 * to the stack's Elasticsearch.
 */
@TracingStackTest
class SecurityAuthIT {

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final String EXPECTED = "expected 'Authorization: Bearer secret_token' or "
      + "'Authorization: ApiKey base64(API key ID:API key)'";
  private static final String MISSING = "authentication failed: missing or improperly formatted Authorization header: "
      + EXPECTED;
  private static final String FAILED = "authentication failed";
  private static final String KEY_ID = "resilience";
  private static final String KEY = "k3y-" + hex(8);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private static EmbeddedApmServer apiKeyServer;

  /** One request: where it went, with which credential, what came back and the trace id it carried. */
  private record Attempt(String server, String transport, String credential, String traceId, int status,
      String message) {
  }

  private record Credential(String label, String header, String expectedMessage) {
  }

  @BeforeAll
  static void apiKeyServer(TracingStack stack) {
    apiKeyServer = EmbeddedApmServer.builder().elasticsearch(stack.endpoints().elasticsearch()).apiKey(KEY_ID, KEY)
        .logFile(Path.of("target", "traceharness", "apm-server-api-key", "apm-server.log").toAbsolutePath())
        .build().start();
  }

  @AfterAll
  static void stopApiKeyServer() {
    if (apiKeyServer != null) {
      apiKeyServer.close();
    }
  }

  @Test
  void wrongOrMissingCredentialsGetApmServers401AndNothingIsIndexed(TracingStack stack) throws Exception {
    String token = stack.endpoints().apmSecretToken();
    assertThat(token).as("the stack's APM Server secret token").isNotBlank();
    String apiKey = "ApiKey " + base64(KEY_ID + ":" + KEY);

    List<Credential> againstToken = List.of(
        new Credential("none", null, MISSING),
        new Credential("Bearer <wrong token>", "Bearer " + token + "x", FAILED),
        new Credential("Bearer (no token)", "Bearer", MISSING),
        new Credential("bearer <token> (lower case)", "bearer " + token,
            "authentication failed: unknown Authentication header bearer: " + EXPECTED),
        new Credential("Bearer  <token> (two spaces)", "Bearer  " + token, FAILED),
        new Credential("ApiKey (API keys off)", apiKey, FAILED),
        new Credential("Basic user:pass", "Basic " + base64("elastic:" + token),
            "authentication failed: unknown Authentication header Basic: " + EXPECTED));
    List<Credential> againstApiKey = List.of(
        new Credential("none", null, MISSING),
        new Credential("ApiKey <wrong key>", "ApiKey " + base64(KEY_ID + ":" + KEY + "x"), FAILED),
        new Credential("ApiKey <unknown id>", "ApiKey " + base64("other:" + KEY), FAILED),
        new Credential("Bearer <stack token>", "Bearer " + token, FAILED));

    URI tokenServer = stack.endpoints().apmServer();
    URI keyServer = apiKeyServer.endpoint();
    List<Attempt> refused = new ArrayList<>();
    for (String transport : List.of("intake v2", "OTLP/HTTP", "OTLP/gRPC")) {
      for (Credential c : againstToken) {
        refused.add(send("secret token", tokenServer, transport, c));
      }
      for (Credential c : againstApiKey) {
        refused.add(send("API key", keyServer, transport, c));
      }
    }
    // the right credentials, sent last: once these are indexed, anything accepted before them would be too
    List<Attempt> accepted = new ArrayList<>();
    for (String transport : List.of("intake v2", "OTLP/HTTP", "OTLP/gRPC")) {
      accepted.add(send("secret token", tokenServer, transport, new Credential("Bearer <token>", "Bearer " + token, null)));
      accepted.add(send("API key", keyServer, transport, new Credential("ApiKey <key>", apiKey, null)));
    }

    URI es = stack.endpoints().elasticsearch();
    Map<Attempt, Long> acceptedCounts = await("the requests with the right credential indexed")
        .atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
        .until(() -> counts(es, accepted), m -> m.values().stream().allMatch(n -> n > 0));
    Map<Attempt, Long> refusedCounts = counts(es, refused);
    print(refused, refusedCounts, accepted, acceptedCounts);

    for (Attempt a : refused) {
      String what = a.server() + " " + a.transport() + " with credential " + a.credential();
      Credential c = (a.server().equals("API key") ? againstApiKey : againstToken).stream()
          .filter(x -> x.label().equals(a.credential())).findFirst().orElseThrow();
      assertThat(a.status()).as(what + ": status").isEqualTo(a.transport().equals("OTLP/gRPC")
          ? Status.Code.UNAUTHENTICATED.value() : 401);
      assertThat(a.message()).as(what + ": message").isEqualTo(c.expectedMessage());
      assertThat(refusedCounts.get(a)).as(what + ": documents indexed for trace " + a.traceId()).isZero();
    }
    for (Attempt a : accepted) {
      assertThat(a.status()).as(a.server() + " " + a.transport() + " with the right credential")
          .isIn(200, 202, Status.Code.OK.value());
    }
  }

  // ------------------------------------------------------------------ requests

  private static Attempt send(String server, URI apm, String transport, Credential c) throws Exception {
    String traceId = hex(16);
    return switch (transport) {
      case "intake v2" -> intake(server, apm, c, traceId);
      case "OTLP/HTTP" -> otlpHttp(server, apm, c, traceId);
      case "OTLP/gRPC" -> otlpGrpc(server, apm, c, traceId);
      default -> throw new IllegalArgumentException(transport);
    };
  }

  private static Attempt intake(String server, URI apm, Credential c, String traceId) throws Exception {
    long nowMicros = TimeUnit.MILLISECONDS.toMicros(System.currentTimeMillis());
    String body = """
        {"metadata":{"service":{"name":"resilience-auth","agent":{"name":"java","version":"1.0.0"}}}}
        {"transaction":{"id":"%s","trace_id":"%s","name":"GET /auth","type":"request","duration":1.5,"timestamp":%d,"span_count":{"started":0}}}
        """.formatted(hex(8), traceId, nowMicros);
    HttpRequest.Builder b = HttpRequest.newBuilder(apm.resolve("/intake/v2/events")).timeout(Duration.ofSeconds(10))
        .header("Content-Type", "application/x-ndjson").POST(HttpRequest.BodyPublishers.ofString(body));
    if (c.header() != null) {
      b.header("Authorization", c.header());
    }
    HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    return new Attempt(server, "intake v2", c.label(), traceId, r.statusCode(), errorOf(r.body()));
  }

  private static Attempt otlpHttp(String server, URI apm, Credential c, String traceId) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(apm.resolve("/v1/traces")).timeout(Duration.ofSeconds(10))
        .header("Content-Type", "application/x-protobuf")
        .POST(HttpRequest.BodyPublishers.ofByteArray(export(traceId).toByteArray()));
    if (c.header() != null) {
      b.header("Authorization", c.header());
    }
    HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    return new Attempt(server, "OTLP/HTTP", c.label(), traceId, r.statusCode(),
        r.statusCode() == 200 ? null : errorOf(r.body()));
  }

  private static Attempt otlpGrpc(String server, URI apm, Credential c, String traceId) {
    GrpcClientBuilder b = GrpcClients.builder("http://" + apm.getHost() + ":" + apm.getPort())
        .responseTimeout(Duration.ofSeconds(10));
    if (c.header() != null) {
      b.addHeader("authorization", c.header());
    }
    try {
      b.build(TraceServiceGrpc.TraceServiceBlockingStub.class).export(export(traceId));
      return new Attempt(server, "OTLP/gRPC", c.label(), traceId, Status.Code.OK.value(), null);
    } catch (StatusRuntimeException e) {
      return new Attempt(server, "OTLP/gRPC", c.label(), traceId, e.getStatus().getCode().value(),
          e.getStatus().getDescription());
    }
  }

  private static ExportTraceServiceRequest export(String traceId) {
    long now = System.currentTimeMillis() * 1_000_000L;
    Span span = Span.newBuilder().setTraceId(ByteString.copyFrom(HexFormat.of().parseHex(traceId)))
        .setSpanId(ByteString.copyFrom(HexFormat.of().parseHex(hex(8)))).setName("GET /auth")
        .setKind(Span.SpanKind.SPAN_KIND_SERVER).setStartTimeUnixNano(now - 1_000_000).setEndTimeUnixNano(now).build();
    Resource resource = Resource.newBuilder().addAttributes(KeyValue.newBuilder().setKey("service.name")
        .setValue(AnyValue.newBuilder().setStringValue("resilience-auth"))).build();
    return ExportTraceServiceRequest.newBuilder().addResourceSpans(ResourceSpans.newBuilder().setResource(resource)
        .addScopeSpans(ScopeSpans.newBuilder().addSpans(span))).build();
  }

  /** APM Server's JSON error body {@code {"error": "..."}}, or the body itself when it is something else. */
  private static String errorOf(String body) {
    try {
      JsonNode n = JSON.readTree(body);
      return n != null && n.has("error") ? n.get("error").asText() : body;
    } catch (IOException e) {
      return body;
    }
  }

  // ------------------------------------------------------------------ Elasticsearch

  /** Documents per attempt's trace id, across APM Server's data streams, after a refresh. */
  private static Map<Attempt, Long> counts(URI es, List<Attempt> attempts) throws Exception {
    String indices = "traces-*,logs-*,metrics-*";
    String options = "ignore_unavailable=true&allow_no_indices=true";
    HTTP.send(HttpRequest.newBuilder(es.resolve("/" + indices + "/_refresh?" + options))
        .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    Map<Attempt, Long> counts = new LinkedHashMap<>();
    for (Attempt a : attempts) {
      String query = "{\"query\":{\"term\":{\"trace.id\":\"" + a.traceId() + "\"}}}";
      HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(es.resolve("/" + indices + "/_count?" + options))
          .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(query)).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).as("count in Elasticsearch: " + r.body()).isEqualTo(200);
      counts.put(a, JSON.readTree(r.body()).path("count").asLong());
    }
    return counts;
  }

  private static void print(List<Attempt> refused, Map<Attempt, Long> refusedCounts, List<Attempt> accepted,
      Map<Attempt, Long> acceptedCounts) {
    StringBuilder out = new StringBuilder("\n== Security: credentials on APM Server (intake v2, OTLP/HTTP, OTLP/gRPC) ==\n");
    out.append(String.format("%-13s %-10s %-30s %-15s %-8s %s%n", "server", "transport", "credential", "status",
        "indexed", "message"));
    for (List<Attempt> group : List.of(refused, accepted)) {
      Map<Attempt, Long> counts = group == refused ? refusedCounts : acceptedCounts;
      for (Attempt a : group) {
        String status = a.transport().equals("OTLP/gRPC") ? Status.fromCodeValue(a.status()).getCode().name()
            : Integer.toString(a.status());
        String message = a.message() == null ? "" : a.message().length() > 70 ? a.message().substring(0, 69) + "…"
            : a.message();
        out.append(String.format("%-13s %-10s %-30s %-15s %-8d %s%n", a.server(), a.transport(), a.credential(),
            status, counts.get(a), message));
      }
    }
    out.append(String.format("refused %d of %d wrong or missing credentials, %d documents indexed from them; "
        + "right credentials: %d requests, %d documents%n",
        refused.stream().filter(a -> a.status() == 401 || a.status() == Status.Code.UNAUTHENTICATED.value()).count(),
        refused.size(), refusedCounts.values().stream().mapToLong(Long::longValue).sum(), accepted.size(),
        acceptedCounts.values().stream().mapToLong(Long::longValue).sum()));
    System.out.print(out);
  }

  private static String base64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  private static String hex(int bytes) {
    byte[] b = new byte[bytes];
    RANDOM.nextBytes(b);
    return HexFormat.of().formatHex(b);
  }
}
