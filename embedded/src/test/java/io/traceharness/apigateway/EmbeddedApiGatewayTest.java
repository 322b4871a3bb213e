package io.traceharness.apigateway;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.traceharness.lambda.LambdaEmulator;
import io.traceharness.support.LocalCertificateAuthority;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedApiGatewayTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String TRACEPARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
  private static final String OK = "{\"statusCode\":200,\"headers\":{\"content-type\":\"text/plain\"},\"body\":\"pong\"}";

  @TempDir
  static Path tmp;

  // one REST API for the class: stopping an Armeria server takes about two seconds
  private static final FakeInvoker invoker = new FakeInvoker();
  private static EmbeddedApiGateway rest;
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();

  @BeforeAll
  static void startRest() {
    rest = EmbeddedApiGateway.builder().stage("dev").apiId("abc123defg").invoker(invoker)
        .integrationTimeout(Duration.ofMillis(800)).logFile(tmp.resolve("apigateway.log")).build().start();
  }

  @AfterAll
  static void stopRest() {
    rest.stop();
  }

  private static List<GatewayRequest> requestsOf(EmbeddedApiGateway gw, String pathPrefix) {
    return gw.requests().stream().filter(r -> r.path().startsWith(pathPrefix)).toList();
  }

  private HttpResponse<String> send(String method, String url, String body, String... headers) throws Exception {
    return send(method, URI.create(url), body, headers);
  }

  private HttpResponse<String> send(String method, URI url, String body, String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(20))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void routesByResourceSpecificityThenMethod() throws Exception {
    try (EmbeddedApiGateway gw = EmbeddedApiGateway.builder().invoker(invoker)
        .logFile(tmp.resolve("routing.log")).build().start()) {
      routes(gw);
    }
  }

  private void routes(EmbeddedApiGateway gw) throws Exception {
    gw.route("ANY", "/{proxy+}", "catchAll");
    gw.route("GET", "/items/{id}", "getItem");
    gw.route("ANY", "/items/{id}", "anyItem");
    gw.route("GET", "/items/special", "special");
    gw.route("GET", "/", "root");
    for (String fn : List.of("catchAll", "getItem", "anyItem", "special", "root")) {
      invoker.on(fn, e -> OK);
    }

    send("GET", gw.endpoint() + "/items/special", null);
    send("GET", gw.endpoint() + "/items/42", null);
    send("DELETE", gw.endpoint() + "/items/42", null);
    send("GET", gw.endpoint() + "/items/42/parts/7", null);
    send("GET", gw.endpoint().toString(), null);

    assertThat(gw.requests()).extracting(GatewayRequest::function)
        .containsExactly("special", "getItem", "anyItem", "catchAll", "root");
    assertThat(gw.requests()).extracting(GatewayRequest::route)
        .containsExactly("/items/special", "/items/{id}", "/items/{id}", "/{proxy+}", "/");
    JsonNode proxied = invoker.events.get("catchAll");
    assertThat(proxied.path("pathParameters").path("proxy").asText()).isEqualTo("items/42/parts/7");
    assertThat(proxied.path("resource").asText()).isEqualTo("/{proxy+}");
  }

  @Test
  void unknownRouteWrongMethodOrStageAnswerMissingAuthenticationToken() throws Exception {
    EmbeddedApiGateway gw = rest;
    gw.route("POST", "/only-post", "postOnly");
    String other = gw.endpoint().toString().replace("/dev", "/prod");

    for (HttpResponse<String> r : List.of(send("GET", gw.endpoint() + "/nothing", null),
        send("GET", gw.endpoint() + "/only-post", null), send("POST", other + "/only-post", "{}"))) {
      assertThat(r.statusCode()).as(r.uri().toString()).isEqualTo(403);
      assertThat(r.body()).isEqualTo("{\"message\":\"Missing Authentication Token\"}");
      assertThat(r.headers().firstValue("x-amzn-ErrorType")).hasValue("MissingAuthenticationTokenException");
      assertThat(r.headers().firstValue("x-amzn-RequestId")).isPresent();
    }
    assertThat(invoker.events).doesNotContainKey("postOnly");
    assertThat(requestsOf(gw, "/dev/nothing")).singleElement().satisfies(r -> assertThat(r.function()).isNull());
  }

  /** A method Armeria's decoder does not know still gets the gateway's no-route answer, and the server serves on. */
  @Test
  void anUnknownMethodAnswersMissingAuthenticationToken() throws Exception {
    rest.route("POST", "/webdav", "webdav");
    invoker.on("webdav", e -> OK);
    for (String method : List.of("PROPFIND", "MKCOL", "BREW")) {
      HttpResponse<String> r = send(method, rest.endpoint() + "/webdav", method.equals("MKCOL") ? null : "<propfind/>");
      assertThat(r.statusCode()).as(method).isEqualTo(403);
      assertThat(r.body()).isEqualTo("{\"message\":\"Missing Authentication Token\"}");
      assertThat(r.headers().firstValue("x-amzn-ErrorType")).hasValue("MissingAuthenticationTokenException");
    }
    assertThat(send("POST", rest.endpoint() + "/webdav", "{}").statusCode()).isEqualTo(200);
    // java.net.http's default upgrades to cleartext HTTP/2 (h2c), where Armeria refuses the method elsewhere
    HttpClient h2 = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    for (int i = 0; i < 2; i++) {
      HttpResponse<String> r = h2.send(HttpRequest.newBuilder(URI.create(rest.endpoint() + "/webdav"))
          .method("PROPFIND", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).as("PROPFIND over %s", r.version()).isEqualTo(403);
      assertThat(r.body()).isEqualTo("{\"message\":\"Missing Authentication Token\"}");
    }
    assertThat(h2.send(HttpRequest.newBuilder(URI.create(rest.endpoint() + "/webdav"))
        .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString()).statusCode())
        .as("h2c goes on serving").isEqualTo(200);
  }

  /** Over the 10 MB quota: the gateway's 413, and the server goes on serving. */
  @Test
  void aPayloadOverTenMegabytesIs413() throws Exception {
    rest.route("POST", "/upload", "upload");
    invoker.on("upload", e -> OK);
    HttpResponse<String> big = http.send(HttpRequest.newBuilder(URI.create(rest.endpoint() + "/upload"))
        .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[10 * 1024 * 1024 + 1])).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(big.statusCode()).isEqualTo(413);
    assertThat(send("POST", rest.endpoint() + "/upload", "{}").statusCode()).isEqualTo(200);
  }

  @Test
  void headerValuesOverTheQuotaAre431AndJustUnderItReachTheFunction() throws Exception {
    rest.route("GET", "/headers", "headers");
    invoker.on("headers", e -> OK);
    URI url = URI.create(rest.endpoint() + "/headers");
    // request line "GET /dev/headers HTTP/1.1" plus the Host value and the values below
    long fixed = ("GET " + url.getRawPath() + " HTTP/1.1").length() + url.getAuthority().length();
    // 9,000 bytes of values: over Armeria's default 8 KiB header limit, under the gateway's 10,240
    String under = "u".repeat((int) (9_000 - fixed));
    assertThat(send("GET", url, null, "X-Under", under).statusCode()).isEqualTo(200);
    String over = "o".repeat((int) (EmbeddedApiGateway.MAX_HEADER_BYTES - fixed + 1));
    HttpResponse<String> refused = send("GET", url, null, "X-Over", over);
    assertThat(refused.statusCode()).isEqualTo(431);
    assertThat(refused.body()).isEqualTo("{\"message\":\"Request Header Fields Too Large\"}");
    assertThat(send("GET", url, null).statusCode()).as("the gateway keeps serving").isEqualTo(200);
  }

  @Test
  void buildsTheRestApiProxyEventAsAwsDocumentsIt() throws Exception {
    EmbeddedApiGateway gw = rest;
    gw.route("POST", "/items/{id}", "eventFn");
    String item = gw.endpoint() + "/items/";
    invoker.on("eventFn", e -> OK);

    send("POST", item + "a%20b" + "?q=1&q=2&single=x%2By", "{\"name\":\"John\"}",
        "Content-Type", "application/json", "User-Agent", "curl/8.0", "X-Custom", "v1");

    JsonNode e = invoker.events.get("eventFn");
    assertThat(e.path("resource").asText()).isEqualTo("/items/{id}");
    assertThat(e.path("path").asText()).isEqualTo("/items/a b");
    assertThat(e.path("httpMethod").asText()).isEqualTo("POST");
    assertThat(e.path("headers").path("x-custom").asText()).isEqualTo("v1");
    assertThat(e.path("headers").path("host").asText()).startsWith("127.0.0.1:");
    assertThat(e.path("headers").path("X-Forwarded-For").asText()).isEqualTo("127.0.0.1");
    assertThat(e.path("multiValueHeaders").path("x-custom").get(0).asText()).isEqualTo("v1");
    assertThat(e.path("queryStringParameters").path("q").asText()).isEqualTo("2");
    assertThat(e.path("queryStringParameters").path("single").asText()).isEqualTo("x+y");
    assertThat(e.path("multiValueQueryStringParameters").path("q"))
        .extracting(JsonNode::asText).containsExactly("1", "2");
    assertThat(e.path("pathParameters").path("id").asText()).isEqualTo("a b");
    assertThat(e.has("stageVariables")).isTrue();
    assertThat(e.path("body").asText()).isEqualTo("{\"name\":\"John\"}");
    assertThat(e.path("isBase64Encoded").asBoolean()).isFalse();

    JsonNode ctx = e.path("requestContext");
    assertThat(ctx.path("stage").asText()).isEqualTo("dev");
    assertThat(ctx.path("resourcePath").asText()).isEqualTo("/items/{id}");
    assertThat(ctx.path("httpMethod").asText()).isEqualTo("POST");
    assertThat(ctx.path("path").asText()).isEqualTo("/dev/items/a b");
    assertThat(ctx.path("accountId").asText()).isEqualTo("000000000000");
    assertThat(ctx.path("apiId").asText()).isEqualTo("abc123defg");
    assertThat(ctx.path("protocol").asText()).isEqualTo("HTTP/1.1");
    assertThat(ctx.path("requestTime").asText()).matches("\\d{2}/[A-Z][a-z]{2}/\\d{4}:\\d{2}:\\d{2}:\\d{2} \\+0000");
    assertThat(ctx.path("requestTimeEpoch").asLong()).isPositive();
    assertThat(ctx.path("identity").path("sourceIp").asText()).isEqualTo("127.0.0.1");
    assertThat(ctx.path("identity").path("userAgent").asText()).isEqualTo("curl/8.0");
    GatewayRequest seen = requestsOf(gw, "/dev/items/").get(0);
    assertThat(ctx.path("requestId").asText()).isEqualTo(seen.requestId());
    assertThat(ctx.path("extendedRequestId").asText()).hasSize(16);

    // the event binds to the aws-lambda-java-events type handlers use, with no unknown field
    APIGatewayProxyRequestEvent typed = JSON.copy().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        .treeToValue(e, APIGatewayProxyRequestEvent.class);
    assertThat(typed.getRequestContext().getIdentity().getSourceIp()).isEqualTo("127.0.0.1");
    assertThat(typed.getPathParameters()).containsEntry("id", "a b");
    assertThat(typed.getMultiValueQueryStringParameters().get("q")).containsExactly("1", "2");
  }

  @Test
  void emptyQueryAndPathParametersAreNullAndBinaryBodiesBase64() throws Exception {
    EmbeddedApiGateway gw = rest;
    URI url = gw.route("PUT", "/blob", "blob");
    invoker.on("blob", e -> OK);

    HttpRequest req = HttpRequest.newBuilder(url).header("Content-Type", "application/octet-stream")
        .PUT(HttpRequest.BodyPublishers.ofByteArray(new byte[] {0, 1, (byte) 0xff})).build();
    http.send(req, HttpResponse.BodyHandlers.discarding());

    JsonNode e = invoker.events.get("blob");
    assertThat(e.get("queryStringParameters").isNull()).isTrue();
    assertThat(e.get("multiValueQueryStringParameters").isNull()).isTrue();
    assertThat(e.get("pathParameters").isNull()).isTrue();
    assertThat(e.path("isBase64Encoded").asBoolean()).isTrue();
    assertThat(Base64.getDecoder().decode(e.path("body").asText())).containsExactly(0, 1, 0xff);
  }

  @Test
  void mapsTheProxyResponseBack() throws Exception {
    EmbeddedApiGateway gw = rest;
    URI url = gw.route("GET", "/mapped", "mapped");
    invoker.on("mapped", e -> "{\"statusCode\":201,\"headers\":{\"X-One\":\"1\",\"content-type\":\"text/plain\"},"
        + "\"multiValueHeaders\":{\"X-Many\":[\"a\",\"b\"]},\"body\":\"" + Base64.getEncoder().encodeToString("hi".getBytes(UTF_8))
        + "\",\"isBase64Encoded\":true}");

    HttpResponse<String> r = send("GET", url, null);

    assertThat(r.statusCode()).isEqualTo(201);
    assertThat(r.body()).isEqualTo("hi");
    assertThat(r.headers().firstValue("x-one")).hasValue("1");
    assertThat(r.headers().allValues("x-many")).containsExactly("a", "b");
    assertThat(r.headers().firstValue("content-type")).hasValue("text/plain");
    assertThat(r.headers().firstValue("x-amzn-RequestId")).hasValue(requestsOf(gw, "/dev/mapped").get(0).requestId());
    assertThat(r.headers().firstValue("x-amz-apigw-id")).isPresent();
    assertThat(requestsOf(gw, "/dev/mapped").get(0).status()).isEqualTo(201);
  }

  @Test
  void jsonIsTheDefaultContentType() throws Exception {
    EmbeddedApiGateway gw = rest;
    URI url = gw.route("GET", "/json", "json");
    invoker.on("json", e -> "{\"statusCode\":200,\"body\":\"{\\\"ok\\\":true}\"}");

    HttpResponse<String> r = send("GET", url, null);

    assertThat(r.headers().firstValue("content-type")).hasValue("application/json");
    assertThat(r.body()).isEqualTo("{\"ok\":true}");
  }

  @Test
  void malformedResponsesAndFunctionErrorsAre502() throws Exception {
    EmbeddedApiGateway gw = rest;
    gw.route("ANY", "/bad/{proxy+}", "fn");
    String bad = gw.endpoint() + "/bad/";
    Map<String, Function<JsonNode, String>> cases = Map.of(
        "not-json", e -> "pong",
        "no-status", e -> "{\"body\":\"x\"}",
        "extra-field", e -> "{\"statusCode\":200,\"body\":\"x\",\"extra\":1}",
        "body-object", e -> "{\"statusCode\":200,\"body\":{\"a\":1}}",
        "array", e -> "[1,2]");
    for (var c : cases.entrySet()) {
      invoker.on("fn", c.getValue());
      HttpResponse<String> r = send("GET", bad + c.getKey(), null);
      assertThat(r.statusCode()).as(c.getKey()).isEqualTo(502);
      assertThat(r.body()).as(c.getKey()).isEqualTo("{\"message\": \"Internal server error\"}");
    }

    invoker.onError("fn", "Unhandled", "{\"errorMessage\":\"boom\",\"errorType\":\"Error\"}");
    assertThat(send("GET", bad + "throws", null).statusCode()).isEqualTo(502);

    invoker.on("fn", e -> {
      throw new IllegalStateException("Lambda service down");
    });
    HttpResponse<String> down = send("GET", bad + "down", null);
    assertThat(down.statusCode()).isEqualTo(502);
    assertThat(down.body()).isEqualTo("{\"message\": \"Internal server error\"}");

    invoker.on("fn", e -> OK);
    assertThat(send("GET", bad + "fine", null).statusCode())
        .as("the gateway keeps serving after errors").isEqualTo(200);
  }

  @Test
  void integrationTimeoutIs504() throws Exception {
    EmbeddedApiGateway gw = rest;
    URI url = gw.route("GET", "/slow", "slow");
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch answered = new CountDownLatch(1);
    invoker.on("slow", e -> {
      try {
        release.await(30, TimeUnit.SECONDS);
      } catch (InterruptedException ie) {
        Thread.currentThread().interrupt();
      }
      answered.countDown();
      return OK;
    });

    HttpResponse<String> r = send("GET", url, null);

    assertThat(r.statusCode()).isEqualTo(504);
    assertThat(r.body()).isEqualTo("{\"message\": \"Endpoint request timed out\"}");
    assertThat(requestsOf(gw, "/dev/slow")).singleElement().satisfies(req -> {
      assertThat(req.status()).isEqualTo(504);
      assertThat(req.latency()).isLessThan(Duration.ofMillis(1800));
    });
    release.countDown();
    assertThat(answered.await(10, TimeUnit.SECONDS)).as("the function answered late").isTrue();
    await("the late answer is not recorded").during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2))
        .until(() -> requestsOf(gw, "/dev/slow").size(), n -> n == 1);
  }

  @Test
  void anInvokeLambdaRefusesIs500AndAFunctionError502() throws Exception {
    // Lambda Developer Guide, "Handling Lambda errors with an API Gateway API"
    // (https://docs.aws.amazon.com/lambda/latest/dg/services-apigateway-errors.html)
    EmbeddedApiGateway gw = rest;
    URI url = gw.route("GET", "/refused", "refused");
    invoker.refuse("refused", "TooManyRequestsException",
        "{\"Reason\":\"ConcurrentInvocationLimitExceeded\",\"Type\":\"User\",\"message\":\"Rate Exceeded.\"}");

    HttpResponse<String> throttled = send("GET", url, null);

    assertThat(throttled.statusCode()).isEqualTo(500);
    assertThat(throttled.body()).isEqualTo("{\"message\": \"Internal server error\"}");
    assertThat(throttled.headers().firstValue("x-amzn-ErrorType")).isEmpty();
    assertThat(java.nio.file.Files.readString(gw.logFile())).contains("Lambda refused the invoke: TooManyRequestsException");

    invoker.onError("refused", "Unhandled", "{\"errorMessage\":\"boom\"}");
    assertThat(send("GET", url, null).statusCode()).as("the function ran and failed").isEqualTo(502);
  }

  @Test
  void theLambdaServicesRefusalsReachTheGatewayAsRefusals(@TempDir Path work) throws Exception {
    try (LambdaEmulator lambda = LambdaEmulator.builder().workDir(work).build().start();
        EmbeddedApiGateway gw = EmbeddedApiGateway.builder().stage("dev").invoker(FunctionInvoker.lambda(lambda))
            .logFile(work.resolve("refusals.log")).build().start()) {
      FunctionInvoker.FunctionResult absent = FunctionInvoker.lambda(lambda).invoke("absent", "{}".getBytes(UTF_8), null);
      assertThat(absent.refused()).isTrue();
      assertThat(absent.serviceError()).isEqualTo("ResourceNotFoundException");
      assertThat(absent.failed()).as("no function ran, so no function error").isFalse();

      HttpResponse<String> r = send("GET", gw.route("GET", "/absent", "absent"), null);

      assertThat(r.statusCode()).isEqualTo(500);
      assertThat(r.body()).isEqualTo("{\"message\": \"Internal server error\"}");
    }
  }

  @Test
  void traceContextPassesThroughUnchangedWithoutActiveTracing() throws Exception {
    EmbeddedApiGateway gw = rest;
    URI url = gw.route("POST", "/produce", "producer");
    invoker.on("producer", e -> OK);

    HttpResponse<String> r = send("POST", url, "{}", "traceparent", TRACEPARENT, "tracestate", "es=s:1");

    JsonNode headers = invoker.events.get("producer").path("headers");
    assertThat(headers.path("traceparent").asText()).isEqualTo(TRACEPARENT);
    assertThat(headers.path("tracestate").asText()).isEqualTo("es=s:1");
    assertThat(headers.has("X-Amzn-Trace-Id")).isFalse();
    assertThat(invoker.xray.get("producer")).isEqualTo("none");
    assertThat(r.headers().firstValue("X-Amzn-Trace-Id")).isEmpty();
    assertThat(requestsOf(gw, "/dev/produce")).singleElement().satisfies(req -> {
      assertThat(req.traceparent()).isEqualTo(TRACEPARENT);
      assertThat(req.tracestate()).isEqualTo("es=s:1");
      assertThat(req.xAmznTraceId()).isNull();
    });
  }

  @Test
  void activeTracingAddsAnXRayHeaderAndPassesItToTheInvoke() throws Exception {
    EmbeddedApiGateway gw = rest;
    URI url = gw.route("POST", "/traced", "traced");
    invoker.on("traced", e -> OK);
    invoker.active.add("traced");

    HttpResponse<String> fresh = send("POST", url, "{}", "traceparent", TRACEPARENT);
    JsonNode headers = invoker.events.get("traced").path("headers");
    String xray = headers.path("X-Amzn-Trace-Id").asText();
    assertThat(xray).matches("Root=1-[0-9a-f]{8}-[0-9a-f]{24};Parent=[0-9a-f]{16};Sampled=1");
    assertThat(headers.path("traceparent").asText()).isEqualTo(TRACEPARENT);
    assertThat(invoker.xray.get("traced")).isEqualTo(xray);
    assertThat(fresh.headers().firstValue("X-Amzn-Trace-Id")).hasValue(xray);
    assertThat(requestsOf(gw, "/dev/traced").get(0).xAmznTraceId()).isEqualTo(xray);

    String callerRoot = "1-5759e988-bd862e3fe1be46a994272793";
    send("POST", url, "{}", "X-Amzn-Trace-Id", "Root=" + callerRoot + ";Sampled=1");
    String continued = invoker.events.get("traced").path("headers").path("X-Amzn-Trace-Id").asText();
    assertThat(continued).startsWith("Root=" + callerRoot + ";Parent=").endsWith(";Sampled=1");
    assertThat(invoker.events.get("traced").path("multiValueHeaders").path("X-Amzn-Trace-Id")).hasSize(1);
  }

  /**
   * HTTP APIs have no X-Ray tracing (API Gateway's developer guide, http-api-vs-rest): whatever the
   * function's tracing mode, the event carries a root-only header (lambda-events'
   * example-apigw-v2-request-no-authorizer.json in aws-lambda-rust-runtime) and the invoke none.
   */
  @Test
  void anHttpApiAddsARootOnlyTraceHeaderEvenUnderActiveTracing() throws Exception {
    try (EmbeddedApiGateway gw = EmbeddedApiGateway.builder().stage("$default").payloadFormatVersion("2.0")
        .invoker(invoker).logFile(tmp.resolve("http-api-xray.log")).build().start()) {
      URI url = gw.route("POST", "/traced-v2", "traced-v2");
      invoker.on("traced-v2", e -> OK);
      invoker.active.add("traced-v2");

      HttpResponse<String> r = send("POST", url, "{}", "traceparent", TRACEPARENT);

      JsonNode headers = invoker.events.get("traced-v2").path("headers");
      assertThat(headers.path("x-amzn-trace-id").asText()).matches("Root=1-[0-9a-f]{8}-[0-9a-f]{24}");
      assertThat(headers.path("traceparent").asText()).isEqualTo(TRACEPARENT);
      assertThat(invoker.xray.get("traced-v2")).isEqualTo("none");
      assertThat(r.headers().firstValue("X-Amzn-Trace-Id")).isEmpty();
      assertThat(gw.requests()).last().satisfies(req ->
          assertThat(req.xAmznTraceId()).isEqualTo(headers.path("x-amzn-trace-id").asText()));
    }
  }

  @Test
  void httpApiPayloadFormat2() throws Exception {
    try (EmbeddedApiGateway gw = EmbeddedApiGateway.builder().stage("prod").payloadFormatVersion("2.0")
        .invoker(invoker).logFile(tmp.resolve("http-api.log")).build().start()) {
      httpApi(gw);
    }
  }

  private void httpApi(EmbeddedApiGateway gw) throws Exception {
    gw.route("GET", "/users/{id}", "users");
    String user = gw.endpoint() + "/users/";
    invoker.on("users", e -> "{\"id\":1}");

    HttpResponse<String> r = send("GET", user + "7" + "?a=1&a=2&b=x", null,
        "Cookie", "c1=v1; c2=v2", "traceparent", TRACEPARENT, "X-Multi", "one");

    JsonNode e = invoker.events.get("users");
    assertThat(e.path("version").asText()).isEqualTo("2.0");
    assertThat(e.path("routeKey").asText()).isEqualTo("GET /users/{id}");
    assertThat(e.path("rawPath").asText()).isEqualTo("/prod/users/7");
    assertThat(e.path("rawQueryString").asText()).isEqualTo("a=1&a=2&b=x");
    assertThat(e.path("cookies")).extracting(JsonNode::asText).containsExactly("c1=v1", "c2=v2");
    assertThat(e.path("headers").has("cookie")).isFalse();
    assertThat(e.path("headers").path("traceparent").asText()).isEqualTo(TRACEPARENT);
    assertThat(e.path("queryStringParameters").path("a").asText()).isEqualTo("1,2");
    assertThat(e.path("pathParameters").path("id").asText()).isEqualTo("7");
    JsonNode http2 = e.path("requestContext").path("http");
    assertThat(http2.path("method").asText()).isEqualTo("GET");
    assertThat(http2.path("path").asText()).isEqualTo("/prod/users/7");
    assertThat(http2.path("sourceIp").asText()).isEqualTo("127.0.0.1");
    assertThat(e.path("requestContext").path("stage").asText()).isEqualTo("prod");
    assertThat(e.path("isBase64Encoded").asBoolean()).isFalse();
    APIGatewayV2HTTPEvent typed = JSON.treeToValue(e, APIGatewayV2HTTPEvent.class);
    assertThat(typed.getRequestContext().getHttp().getSourceIp()).isEqualTo("127.0.0.1");

    // the simple response form: any JSON without statusCode is a 200 application/json body
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("{\"id\":1}");
    assertThat(r.headers().firstValue("content-type")).hasValue("application/json");

    invoker.on("users", ev -> "{\"statusCode\":202,\"cookies\":[\"s=1\"],\"body\":\"queued\"}");
    HttpResponse<String> structured = send("GET", user + "8", null);
    assertThat(structured.statusCode()).isEqualTo(202);
    assertThat(structured.headers().allValues("set-cookie")).containsExactly("s=1");

    assertThat(send("GET", gw.endpoint() + "/nope", null)).satisfies(nf -> {
      assertThat(nf.statusCode()).isEqualTo(404);
      assertThat(nf.body()).isEqualTo("{\"message\":\"Not Found\"}");
    });
    invoker.onError("users", "Unhandled", "{\"errorMessage\":\"boom\"}");
    assertThat(send("GET", user + "9", null)).satisfies(err -> {
      assertThat(err.statusCode()).isEqualTo(500);
      assertThat(err.body()).isEqualTo("{\"message\":\"Internal Server Error\"}");
    });
  }

  @Test
  void keepsAnAccessLogForDiagnosis() throws Exception {
    EmbeddedApiGateway gw = rest;
    URI url = gw.route("GET", "/ping", "consumer");
    invoker.on("consumer", e -> OK);

    send("GET", url, null, "traceparent", TRACEPARENT);

    assertThat(java.nio.file.Files.readString(gw.logFile()))
        .contains("http GET /dev/ping route=/ping function=consumer status=200")
        .contains("traceparent=" + TRACEPARENT);
  }

  /** Functions as lambdas over the event; remembers the last event and X-Ray header per function. */
  /**
   * HTTPS and plaintext on the gateway's one port, with a certificate of the local CA: a client that
   * trusts the CA gets the function's answer over TLS (and the event says {@code X-Forwarded-Proto:
   * https}); a client with only the JDK's public roots is refused in the handshake.
   */
  @Test
  void servesHttpsAndPlaintextOnTheChosenPortAndRefusesClientsNotTrustingTheLocalCa() throws Exception {
    LocalCertificateAuthority ca = LocalCertificateAuthority.in(tmp.resolve("ca"));
    int port = io.traceharness.support.Ports.free();
    invoker.on("secure", e -> OK);
    try (EmbeddedApiGateway gw = EmbeddedApiGateway.builder().stage("dev").port(port).invoker(invoker)
        .tls(ca.issueServer("api-gateway")).logFile(tmp.resolve("https.log")).build().start()) {
      URI plain = gw.route("GET", "/secure", "secure");
      assertThat(plain).hasToString("http://127.0.0.1:" + port + "/dev/secure");
      assertThat(gw.httpsEndpoint()).hasToString("https://127.0.0.1:" + port + "/dev");

      HttpClient trusting = HttpClient.newBuilder().sslContext(ca.clientSslContext())
          .connectTimeout(Duration.ofSeconds(5)).build();
      HttpResponse<String> overTls = trusting.send(HttpRequest.newBuilder(URI.create(gw.httpsEndpoint() + "/secure"))
          .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(overTls.statusCode()).isEqualTo(200);
      assertThat(overTls.body()).isEqualTo("pong");
      assertThat(overTls.sslSession()).isPresent();
      assertThat(invoker.events.get("secure").path("headers").path("X-Forwarded-Proto").asText()).isEqualTo("https");
      assertThat(gw.requests()).last().satisfies(r -> assertThat(r.scheme()).isEqualTo("https"));

      assertThat(send("GET", plain, null).body()).as("plaintext on the same port").isEqualTo("pong");
      assertThat(invoker.events.get("secure").path("headers").path("X-Forwarded-Proto").asText()).isEqualTo("http");
      assertThat(gw.requests()).last().satisfies(r -> assertThat(r.scheme()).isEqualTo("http"));

      HttpClient publicRootsOnly = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
      int before = gw.requests().size();
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> publicRootsOnly.send(
              HttpRequest.newBuilder(URI.create(gw.httpsEndpoint() + "/secure")).timeout(Duration.ofSeconds(20)).build(),
              HttpResponse.BodyHandlers.ofString()))
          .isInstanceOf(javax.net.ssl.SSLHandshakeException.class)
          .hasMessageContaining("unable to find valid certification path");
      assertThat(gw.requests()).as("the refused client reached no function").hasSize(before);
    }
    try (EmbeddedApiGateway plainOnly = EmbeddedApiGateway.builder().invoker(invoker)
        .logFile(tmp.resolve("plain.log")).build().start()) {
      assertThat(plainOnly.servesHttps()).isFalse();
      org.assertj.core.api.Assertions.assertThatThrownBy(plainOnly::httpsEndpoint)
          .isInstanceOf(IllegalStateException.class).hasMessageContaining("serves no HTTPS");
    }
  }

  @Test
  void aTakenPortIsAClearError() throws Exception {
    try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> EmbeddedApiGateway.builder().port(taken.getLocalPort())
              .invoker(invoker).logFile(tmp.resolve("taken.log")).build().start())
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("cannot listen on 127.0.0.1:" + taken.getLocalPort() + ": ")
          .hasMessageContaining("Address already in use");
    }
  }

  static final class FakeInvoker implements FunctionInvoker {
    final Map<String, Function<JsonNode, String>> handlers = new ConcurrentHashMap<>();
    final Map<String, FunctionResult> errors = new ConcurrentHashMap<>();
    final Map<String, JsonNode> events = new ConcurrentHashMap<>();
    final Map<String, String> xray = new ConcurrentHashMap<>();
    final java.util.Set<String> active = ConcurrentHashMap.newKeySet();

    void on(String fn, Function<JsonNode, String> handler) {
      errors.remove(fn);
      handlers.put(fn, handler);
    }

    void onError(String fn, String type, String payload) {
      errors.put(fn, FunctionResult.error(type, payload.getBytes(UTF_8)));
    }

    void refuse(String fn, String serviceError, String body) {
      errors.put(fn, FunctionResult.refusal(serviceError, body.getBytes(UTF_8)));
    }

    @Override
    public FunctionResult invoke(String functionName, byte[] payload, String xrayTraceHeader) {
      JsonNode event;
      try {
        event = JSON.readTree(payload);
      } catch (java.io.IOException e) {
        throw new AssertionError("the gateway sent invalid JSON", e);
      }
      events.put(functionName, event);
      xray.put(functionName, xrayTraceHeader == null ? "none" : xrayTraceHeader);
      FunctionResult error = errors.get(functionName);
      if (error != null) {
        return error;
      }
      return FunctionResult.success(handlers.get(functionName).apply(event).getBytes(UTF_8));
    }

    @Override
    public boolean activeTracing(String functionName) {
      return active.contains(functionName);
    }
  }
}
