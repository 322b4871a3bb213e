package io.traceharness.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.linecorp.armeria.client.ClientFactory;
import com.linecorp.armeria.client.WebClient;
import io.traceharness.junit.TracingStackTest;
import io.traceharness.stack.Endpoints;
import io.traceharness.stack.TracingStack;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Malformed telemetry, generated from fixed seeds: OTLP protobuf and JSON to the collector (HTTP and
 * gRPC) and to APM Server (HTTP and gRPC), and intake v2 ND-JSON. Every case gets the status the real
 * component gives (the source is named where the expectation is made); after each batch a valid
 * request still succeeds; the valid events sent among the bad ones are counted in Elasticsearch.
 */
@TracingStackTest
class MalformedTelemetryIT {

  private static final Tally TALLY = new Tally("MalformedTelemetryIT");
  /**
   * Every generator stops at its count or after this long, whichever comes first. The counts add
   * up to 12,500 cases (the goal is at least 10,000); the fastest targets get the most, so
   * two loaded cores still reach it within the budget.
   */
  private static final Duration BUDGET = Duration.ofSeconds(25);
  private static final String TRACE_PATH = "/opentelemetry.proto.collector.trace.v1.TraceService/Export";

  @AfterAll
  static void printFigures() {
    TALLY.print();
  }

  // ---------------------------------------------------------------- OTLP over HTTP

  @Test
  void collectorOtlpHttpProtobuf(TracingStack stack) {
    otlpHttp(stack, "collector otlp/http protobuf", stack.endpoints().otlpHttp(), null, 3500, 11L, true);
  }

  @Test
  void apmServerOtlpHttpProtobuf(TracingStack stack) {
    otlpHttp(stack, "apm-server otlp/http protobuf", stack.endpoints().apmServer(), bearer(stack), 1800, 12L, false);
  }

  /**
   * Collector: receiver/otlpreceiver/otlphttp.go (405 other methods, 415 other media types, 400 for a
   * body that does not decode), config/confighttp/compression.go (400 for an unknown or lying
   * Content-Encoding). APM Server: internal/beater/otlp/http.go decodes any method and content type
   * as protobuf (400 when it cannot); internal/beater/request/context.go sniffs gzip/zlib magic bytes.
   */
  private void otlpHttp(TracingStack stack, String target, URI base, String auth, int count, long seed, boolean collector) {
    Random r = new Random(seed);
    URI uri = base.resolve("/v1/traces");
    List<String> validIds = new ArrayList<>();
    Instant deadline = Instant.now().plus(BUDGET);
    for (int i = 0; i < count && Instant.now().isBefore(deadline); i++) {
      String traceId = Otlp.hex(r, 16);
      byte[] valid = Otlp.request(traceId, Otlp.hex(r, 8), "case-" + i).toByteArray();
      int kind = r.nextInt(collector ? 10 : 7);
      byte[] body;
      String encoding = null;
      String contentType = "application/x-protobuf";
      String method = "POST";
      int expected;
      switch (kind) {
        case 0 -> { // valid: counted in Elasticsearch below
          body = valid;
          expected = 200;
          validIds.add(traceId);
        }
        case 1 -> { // truncated
          body = Arrays.copyOf(valid, 1 + r.nextInt(valid.length - 1));
          expected = verdict(body);
        }
        case 2 -> { // random bytes
          body = randomBytes(r, 1 + r.nextInt(300), !collector);
          Boolean ok = Otlp.goAccepts(body);
          if (ok == null) {
            body = Arrays.copyOf(valid, 1);
            ok = Boolean.FALSE;
          }
          expected = ok ? 200 : 400;
        }
        case 3 -> { // one flipped byte
          body = valid.clone();
          body[r.nextInt(body.length)] ^= (byte) (1 + r.nextInt(255));
          if (!collector && sniffedAsCompressed(body)) {
            body[0] = 0x0a;
          }
          Boolean ok = Otlp.goAccepts(body);
          expected = ok == null ? -1 : ok ? 200 : 400;
        }
        case 4 -> { // a trace or span id of the wrong length (pdata/internal/traceid.go, spanid.go)
          byte[] tid = HexFormat.of().parseHex(Otlp.hex(r, 16));
          byte[] sid = HexFormat.of().parseHex(Otlp.hex(r, 8));
          if (r.nextBoolean()) {
            tid = Arrays.copyOf(tid, pick(r, 1, 40, 16));
          } else {
            sid = Arrays.copyOf(sid, pick(r, 1, 20, 8));
          }
          body = Otlp.request(tid, sid, "bad-id").toByteArray();
          expected = 400;
        }
        case 5 -> { // lying compression: says gzip, is not
          body = valid;
          encoding = "gzip";
          expected = 400;
        }
        case 6 -> { // gzip cut short: the header reads, the stream ends early
          byte[] gz = Wire.gzip(valid);
          body = Arrays.copyOf(gz, 10 + r.nextInt(gz.length - 18));
          encoding = "gzip";
          expected = 400;
        }
        case 7 -> { // an encoding the collector does not enable
          body = valid;
          encoding = r.nextBoolean() ? "br" : "compress";
          expected = 400;
        }
        case 8 -> { // wrong media type
          body = valid;
          contentType = List.of("text/plain", "application/octet-stream", "application/grpc", "multipart/form-data")
              .get(r.nextInt(4));
          expected = 415;
        }
        default -> { // wrong method
          body = r.nextBoolean() ? valid : null;
          method = List.of("GET", "PUT", "DELETE", "PATCH").get(r.nextInt(4));
          expected = 405;
        }
      }
      if (expected < 0) {
        continue;
      }
      Wire.Answer a = Wire.send(method, uri, body, "Content-Type", contentType, "Content-Encoding", encoding,
          "Authorization", auth);
      TALLY.saw(target, String.valueOf(a.status()));
      assertThat(a.status()).as("%s case %d (kind %d): %s", target, i, kind, a.body()).isEqualTo(expected);
    }
    stillServing(stack, target, uri, auth);
    countIndexed(stack, target, validIds);
  }

  @Test
  void collectorOtlpHttpJson(TracingStack stack) {
    String target = "collector otlp/http json";
    Random r = new Random(13L);
    URI uri = stack.endpoints().otlpHttp().resolve("/v1/traces");
    List<String> validIds = new ArrayList<>();
    Instant deadline = Instant.now().plus(BUDGET);
    for (int i = 0; i < 1200 && Instant.now().isBefore(deadline); i++) {
      String traceId = Otlp.hex(r, 16);
      String valid = Otlp.json(traceId, Otlp.hex(r, 8), "case-" + i);
      int kind = r.nextInt(7);
      String body;
      int expected = 400; // receiver/otlpreceiver/otlphttp.go: a body that does not unmarshal
      switch (kind) {
        case 0 -> {
          body = valid;
          expected = 200;
          validIds.add(traceId);
        }
        case 1 -> body = valid.substring(0, 1 + r.nextInt(valid.length() - 2));
        case 2 -> body = "#" + new String(randomBytes(r, r.nextInt(200), false), StandardCharsets.ISO_8859_1);
        case 3 -> { // deep nesting where an object is expected
          int depth = 50 + r.nextInt(3000);
          body = "{\"resourceSpans\":" + "[".repeat(depth) + "]".repeat(depth) + "}";
        }
        case 4 -> { // wrong types
          body = switch (r.nextInt(4)) {
            case 0 -> valid.replace("\"resourceSpans\":[", "\"resourceSpans\":\"x\",\"ignored\":[");
            case 1 -> valid.replace("\"name\":\"case-" + i + "\"", "\"name\":[1,2]");
            case 2 -> valid.replaceFirst("\"startTimeUnixNano\":\"\\d+\"", "\"startTimeUnixNano\":\"soon\"");
            default -> valid.replace("\"spans\":[", "\"spans\":{\"a\":[");
          };
          if (body.contains("\"spans\":{\"a\":[")) {
            body = body.replace("}]}]}]}", "}]}}]}]}");
          }
        }
        case 5 -> { // a huge but valid field
          body = valid.replace("\"case-" + i + "\"", "\"" + "n".repeat(100_000 + r.nextInt(900_000)) + "\"");
          expected = 200;
          validIds.add(traceId);
        }
        default -> { // wrong media type for a JSON body
          Wire.Answer a = Wire.send("POST", uri, valid.getBytes(StandardCharsets.UTF_8), "Content-Type", "text/json");
          TALLY.saw(target, String.valueOf(a.status()));
          assertThat(a.status()).as("%s case %d: %s", target, i, a.body()).isEqualTo(415);
          continue;
        }
      }
      Wire.Answer a = Wire.send("POST", uri, body.getBytes(StandardCharsets.ISO_8859_1), "Content-Type", "application/json");
      TALLY.saw(target, String.valueOf(a.status()));
      assertThat(a.status()).as("%s case %d (kind %d): %s", target, i, kind, abbreviate(a.body())).isEqualTo(expected);
    }
    stillServing(stack, target, uri, null);
    countIndexed(stack, target, validIds);
  }

  // ---------------------------------------------------------------- OTLP over gRPC

  @Test
  void collectorOtlpGrpc(TracingStack stack) {
    otlpGrpc(stack, "collector otlp/grpc", stack.endpoints().otlpGrpc(), null, 2500, 21L);
  }

  @Test
  void apmServerOtlpGrpc(TracingStack stack) {
    otlpGrpc(stack, "apm-server otlp/grpc", stack.endpoints().apmServer(), bearer(stack), 2000, 22L);
  }

  /**
   * grpc-go (both real servers): a message that does not unmarshal is INTERNAL (13,
   * server.go processUnaryRPC "grpc: error unmarshalling request"); a compressed flag without
   * grpc-encoding is INTERNAL (rpc_util.go checkRecvPayload); a content type other than
   * application/grpc is HTTP 415 (internal/transport/http2_server.go).
   */
  private void otlpGrpc(TracingStack stack, String target, URI endpoint, String auth, int count, long seed) {
    Random r = new Random(seed);
    List<String> validIds = new ArrayList<>();
    try (ClientFactory factory = ClientFactory.builder().build()) {
      WebClient client = WebClient.builder("h2c://" + endpoint.getAuthority()).factory(factory)
          .responseTimeout(Duration.ofSeconds(20)).build();
      Instant deadline = Instant.now().plus(BUDGET);
      for (int i = 0; i < count && Instant.now().isBefore(deadline); i++) {
        String traceId = Otlp.hex(r, 16);
        byte[] valid = Otlp.request(traceId, Otlp.hex(r, 8), "case-" + i).toByteArray();
        int kind = r.nextInt(6);
        byte[] frame;
        String contentType = "application/grpc";
        String expected;
        switch (kind) {
          case 0 -> {
            frame = Wire.grpcFrame(false, valid.length, valid);
            expected = "grpc-0";
            validIds.add(traceId);
          }
          case 1, 2 -> {
            byte[] msg = kind == 1 ? Arrays.copyOf(valid, 1 + r.nextInt(valid.length - 1)) : randomBytes(r, 1 + r.nextInt(300), false);
            Boolean ok = Otlp.goAccepts(msg);
            if (ok == null) {
              continue;
            }
            frame = Wire.grpcFrame(false, msg.length, msg);
            expected = ok ? "grpc-0" : "grpc-13";
          }
          case 3 -> {
            byte[] msg = Otlp.request(Arrays.copyOf(HexFormat.of().parseHex(Otlp.hex(r, 16)), pick(r, 1, 40, 16)),
                HexFormat.of().parseHex(Otlp.hex(r, 8)), "bad-id").toByteArray();
            frame = Wire.grpcFrame(false, msg.length, msg);
            expected = "grpc-13";
          }
          case 4 -> {
            frame = Wire.grpcFrame(true, valid.length, valid);
            expected = "grpc-13";
          }
          default -> {
            frame = Wire.grpcFrame(false, valid.length, valid);
            contentType = r.nextBoolean() ? "application/json" : "text/plain";
            expected = "http-415";
          }
        }
        String status = Wire.grpc(client, TRACE_PATH, contentType, auth, frame);
        TALLY.saw(target, status);
        assertThat(status).as("%s case %d (kind %d)", target, i, kind).isEqualTo(expected);
      }
      byte[] ok = Otlp.request(Otlp.hex(r, 16), Otlp.hex(r, 8), "after").toByteArray();
      assertThat(Wire.grpc(client, TRACE_PATH, "application/grpc", auth, Wire.grpcFrame(false, ok.length, ok)))
          .as("%s still serves a valid export after the batch", target).isEqualTo("grpc-0");
    }
    countIndexed(stack, target, validIds);
  }

  // ---------------------------------------------------------------- intake v2

  /**
   * elastic/apm-server internal/beater/api/intake/handler.go: 202 when every line is valid, else 400
   * with {@code accepted} and at most five {@code errors} (elastic/apm-data input/elasticapm, whose
   * readBatch keeps reading past invalid lines); a too-large line is 400 too (the "TooLarge" case
   * of handler_test.go); 400 for a method other than POST and a content type without
   * application/x-ndjson; 400 "data decoding error" for a body that is not the gzip it claims.
   */
  @Test
  void intakeV2(TracingStack stack) {
    String target = "apm-server intake v2";
    Random r = new Random(31L);
    URI uri = stack.endpoints().apmServer().resolve("/intake/v2/events");
    String auth = bearer(stack);
    List<String> validIds = new ArrayList<>();
    Instant deadline = Instant.now().plus(BUDGET);
    for (int i = 0; i < 1500 && Instant.now().isBefore(deadline); i++) {
      int kind = r.nextInt(10);
      if (kind >= 7) {
        String[] request = switch (kind) {
          case 7 -> new String[] {"GET", "application/x-ndjson", null};
          case 8 -> new String[] {"POST", List.of("application/json", "text/plain").get(r.nextInt(2)), null};
          default -> new String[] {"POST", "application/x-ndjson", "gzip"};
        };
        byte[] body = (metadata() + "\n" + transaction(r, Otlp.hex(r, 16)) + "\n").getBytes(StandardCharsets.UTF_8);
        Wire.Answer a = Wire.send(request[0], uri, request[0].equals("GET") ? null : body, "Content-Type", request[1],
            "Content-Encoding", request[2], "Authorization", auth);
        TALLY.saw(target, String.valueOf(a.status()));
        assertThat(a.status()).as("%s case %d (kind %d): %s", target, i, kind, a.body()).isEqualTo(400);
        assertThat(json(a.body()).path("accepted").asInt(-1)).isZero();
        continue;
      }
      List<String> lines = new ArrayList<>();
      List<String> ids = new ArrayList<>();
      int valid = r.nextInt(6);
      for (int v = 0; v < valid; v++) {
        String traceId = Otlp.hex(r, 16);
        ids.add(traceId);
        lines.add(transaction(r, traceId));
      }
      int invalid = kind == 0 ? 0 : 1 + r.nextInt(7);
      for (int b = 0; b < invalid; b++) {
        lines.add(badLine(r));
      }
      Collections.shuffle(lines, r);
      String encoding = null;
      if (kind == 6) {
        // an unknown Content-Encoding is not refused: request/context.go sniffs the first bytes instead
        encoding = "br";
      }
      byte[] body = (metadata() + "\n" + String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8);
      if (kind == 5) {
        body = Wire.gzip(body);
        encoding = "gzip";
      }
      Wire.Answer a = Wire.send("POST", uri, body, "Content-Type", "application/x-ndjson", "Content-Encoding", encoding,
          "Authorization", auth);
      TALLY.saw(target, String.valueOf(a.status()));
      int expected = invalid == 0 ? 202 : 400;
      assertThat(a.status()).as("%s case %d (kind %d): %s", target, i, kind, abbreviate(a.body())).isEqualTo(expected);
      if (invalid > 0) {
        JsonNode answer = json(a.body());
        assertThat(answer.path("accepted").asInt(-1)).as("accepted of %s", abbreviate(a.body())).isEqualTo(valid);
        assertThat(answer.path("errors").size()).as("errors of %s", abbreviate(a.body())).isEqualTo(Math.min(invalid, 5));
      }
      validIds.addAll(ids);
    }
    byte[] ok = (metadata() + "\n" + transaction(r, Otlp.hex(r, 16)) + "\n").getBytes(StandardCharsets.UTF_8);
    assertThat(Wire.send("POST", uri, ok, "Content-Type", "application/x-ndjson", "Authorization", auth).status())
        .as("%s still accepts a valid request after the batch", target).isEqualTo(202);
    countIndexed(stack, target, validIds);
  }

  private static String metadata() {
    return "{\"metadata\":{\"service\":{\"name\":\"malformed-intake\",\"agent\":{\"name\":\"java\",\"version\":\"1.0.0\"}}}}";
  }

  private static String transaction(Random r, String traceId) {
    return "{\"transaction\":{\"id\":\"" + Otlp.hex(r, 8) + "\",\"trace_id\":\"" + traceId
        + "\",\"type\":\"request\",\"name\":\"GET /malformed\",\"duration\":1.5,\"span_count\":{\"started\":0},"
        + "\"timestamp\":" + System.currentTimeMillis() * 1000 + "}}";
  }

  /** A line elastic/apm-data refuses: each kind names the decoder rule it breaks. */
  private static String badLine(Random r) {
    String good = transaction(r, Otlp.hex(r, 16));
    return switch (r.nextInt(7)) {
      case 0 -> "#" + new String(randomBytes(r, r.nextInt(200), false), StandardCharsets.ISO_8859_1)
          .replace('\n', ' ').replace('\r', ' ');
      case 1 -> good.substring(0, 1 + r.nextInt(good.length() - 2));
      case 2 -> "{\"tennis-court\":{\"name\":\"Centre Court\"}}"; // "did not recognize object type"
      case 3 -> good.replaceFirst(",\"trace_id\":\"[0-9a-f]+\"", ""); // validation error: 'trace_id' required
      // modeldecoder/v2: a string field given a number is a decode error ("ReadString: expects \" or n")
      case 4 -> good.replaceFirst("\"id\":\"[0-9a-f]+\"", "\"id\":" + r.nextInt(1_000_000));
      case 5 -> { // deeper than any decoder reads as a transaction
        int depth = 1100 + r.nextInt(2000);
        yield "{\"transaction\":" + "[".repeat(depth) + "]".repeat(depth) + "}";
      }
      default -> good.replace("GET /malformed", "x".repeat(310 * 1024)); // over max_event_size (300 KiB)
    };
  }

  // ---------------------------------------------------------------- helpers

  private static String bearer(TracingStack stack) {
    String token = stack.endpoints().apmSecretToken();
    return token == null ? null : "Bearer " + token;
  }

  private static int verdict(byte[] body) {
    Boolean ok = Otlp.goAccepts(body);
    return ok == null ? -1 : ok ? 200 : 400;
  }

  /** APM Server reads a body starting with gzip or zlib magic as compressed (request/context.go). */
  private static boolean sniffedAsCompressed(byte[] b) {
    return b.length > 0 && ((b[0] & 0x0f) == 8 || (b.length > 1 && (b[0] & 0xff) == 0x1f && (b[1] & 0xff) == 0x8b));
  }

  private static byte[] randomBytes(Random r, int n, boolean avoidCompressionMagic) {
    byte[] b = new byte[n];
    r.nextBytes(b);
    if (avoidCompressionMagic && sniffedAsCompressed(b)) {
      b[0] = (byte) 0x0a;
    }
    return b;
  }

  /** A length in [min, max] other than {@code not}. */
  private static int pick(Random r, int min, int max, int not) {
    int n;
    do {
      n = min + r.nextInt(max - min + 1);
    } while (n == not);
    return n;
  }

  private static JsonNode json(String body) {
    try {
      return Wire.JSON.readTree(body);
    } catch (java.io.IOException e) {
      throw new AssertionError("not JSON: " + abbreviate(body), e);
    }
  }

  private static String abbreviate(String s) {
    return s == null || s.length() < 400 ? s : s.substring(0, 400) + "…";
  }

  private static void stillServing(TracingStack stack, String target, URI uri, String auth) {
    Random r = new Random();
    byte[] ok = Otlp.request(Otlp.hex(r, 16), Otlp.hex(r, 8), "after").toByteArray();
    assertThat(Wire.send("POST", uri, ok, "Content-Type", "application/x-protobuf", "Authorization", auth).status())
        .as("%s still serves a valid request after the batch", target).isEqualTo(200);
  }

  /** The valid events sent among the bad ones are all in Elasticsearch, counted by trace id. */
  private static void countIndexed(TracingStack stack, String target, List<String> validIds) {
    Endpoints e = stack.endpoints();
    long[] indexed = {0};
    try {
      await(target + ": " + validIds.size() + " valid traces indexed").atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(500))
          .until(() -> (indexed[0] = Wire.distinctTraceIds(e.elasticsearch(), "traces-*", validIds)) >= validIds.size());
    } finally {
      TALLY.events(target, validIds.size(), indexed[0]);
    }
    assertThat(indexed[0]).as("%s: valid traces indexed", target).isEqualTo(validIds.size());
  }
}
