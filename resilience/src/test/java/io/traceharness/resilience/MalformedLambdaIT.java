package io.traceharness.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.traceharness.junit.TracingStackTest;
import io.traceharness.stack.Deployment;
import io.traceharness.stack.FunctionSpec;
import io.traceharness.stack.TracingStack;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Malformed input to the Lambda side, generated from fixed seeds: control-plane JSON, API Gateway
 * requests, and a misbehaving runtime posting to its own Runtime API. Each case gets the status AWS
 * documents; after each batch a valid request still succeeds.
 */
@TracingStackTest
class MalformedLambdaIT {

  private static final Tally TALLY = new Tally("MalformedLambdaIT");
  private static final Duration BUDGET = Duration.ofSeconds(25);

  /**
   * Echoes API Gateway events; with {"misbehave":N} it posts N bad requests to its own Runtime API
   * (unknown request ids, unknown paths, a late init/error) and answers the statuses it got.
   */
  private static final String HANDLER = """
      'use strict';
      const api = 'http://' + process.env.AWS_LAMBDA_RUNTIME_API + '/2018-06-01/runtime';
      module.exports.echo = async (event) => {
        if (event && event.misbehave) {
          const seen = {};
          let seed = event.seed;
          const rnd = (n) => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed % n; };
          for (let i = 0; i < event.misbehave; i++) {
            const kind = rnd(4);
            const id = kind === 0 ? 'not-a-request-' + rnd(1e6) : '00000000-0000-0000-0000-' + String(rnd(1e6)).padStart(12, '0');
            const path = kind <= 1 ? '/invocation/' + id + (rnd(2) ? '/response' : '/error')
                : kind === 2 ? '/invocation/' + id + '/bogus' : '/init/error';
            const body = rnd(2) ? Buffer.alloc(rnd(4096), rnd(256)) : JSON.stringify({ errorMessage: 'x'.repeat(rnd(2000)) });
            const r = await fetch(api + path, { method: 'POST', body,
              headers: { 'Lambda-Runtime-Function-Error-Type': 'Misbehaving' } });
            const key = kind + ':' + r.status;
            seen[key] = (seen[key] || 0) + 1;
          }
          return seen;
        }
        return { statusCode: 200, headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ bytes: event.body ? Buffer.from(event.body, event.isBase64Encoded ? 'base64' : 'utf8').length : 0 }) };
      };
      """;

  @TempDir
  static Path code;

  @AfterAll
  static void printFigures() {
    TALLY.print();
  }

  private static Deployment deploy(TracingStack stack, String name) throws IOException {
    Files.writeString(code.resolve("handler.js"), HANDLER);
    return stack.deploy(FunctionSpec.nodejs(name, "handler.echo").code(code).timeout(Duration.ofSeconds(30))
        .http("POST", "/" + name).build());
  }

  /**
   * The Lambda API (docs.aws.amazon.com/lambda/latest/api/API_CreateFunction.html, API_Invoke.html,
   * "Errors"): a body that is not the JSON of the operation is InvalidRequestContentException (400);
   * values of the wrong type or out of range are 400 (InvalidParameterValueException /
   * ValidationException); an unknown function is ResourceNotFoundException (404); an Invoke payload
   * over 6 MB is RequestTooLargeException (413).
   */
  @Test
  void controlPlane(TracingStack stack) throws IOException {
    String target = "lambda control plane";
    Deployment fn = deploy(stack, "malformed-cp");
    URI functions = stack.endpoints().lambda().resolve("/2015-03-31/functions");
    String zip = Base64.getEncoder().encodeToString(new byte[] {'P', 'K', 5, 6, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0});
    Random r = new Random(41L);
    Instant deadline = Instant.now().plus(BUDGET);
    for (int i = 0; i < 1000 && Instant.now().isBefore(deadline); i++) {
      int kind = r.nextInt(8);
      String name = "malformed-" + i;
      String good = "{\"FunctionName\":\"" + name + "\",\"Runtime\":\"nodejs20.x\",\"Handler\":\"h.h\",\"Role\":"
          + "\"arn:aws:iam::000000000000:role/x\",\"Code\":{\"ZipFile\":\"" + zip + "\"}}";
      Wire.Answer a;
      int expected;
      switch (kind) {
        case 0 -> { // not JSON
          a = Wire.send("POST", functions, ("#" + new String(bytes(r, r.nextInt(300)), StandardCharsets.ISO_8859_1))
              .getBytes(StandardCharsets.ISO_8859_1), "Content-Type", "application/json");
          expected = 400;
        }
        case 1 -> { // truncated JSON
          a = Wire.send("POST", functions, good.substring(0, 1 + r.nextInt(good.length() - 2)).getBytes(StandardCharsets.UTF_8),
              "Content-Type", "application/json");
          expected = 400;
        }
        case 2 -> { // wrong types and values out of range
          String bad = switch (r.nextInt(4)) {
            case 0 -> good.replace(",\"Runtime\"", ",\"MemorySize\":" + (r.nextBoolean() ? "\"lots\"" : "99999") + ",\"Runtime\"");
            case 1 -> good.replace(",\"Runtime\"", ",\"Timeout\":" + (r.nextBoolean() ? "[]" : "-5") + ",\"Runtime\"");
            case 2 -> good.replace("\"nodejs20.x\"", "\"cobol85\"");
            default -> good.replace("\"" + name + "\"", "\"" + "f".repeat(141 + r.nextInt(5000)) + "\"");
          };
          a = Wire.send("POST", functions, bad.getBytes(StandardCharsets.UTF_8), "Content-Type", "application/json");
          expected = 400;
        }
        case 3 -> { // deep nesting
          int depth = 100 + r.nextInt(3000);
          a = Wire.send("POST", functions, ("{\"FunctionName\":" + "[".repeat(depth) + "]".repeat(depth) + "}")
              .getBytes(StandardCharsets.UTF_8), "Content-Type", "application/json");
          expected = 400;
        }
        case 4 -> { // Invoke: a payload that is not JSON
          a = Wire.send("POST", functions.resolve("functions/" + fn.name() + "/invocations"),
              ("{" + new String(bytes(r, 1 + r.nextInt(200)), StandardCharsets.ISO_8859_1)).getBytes(StandardCharsets.ISO_8859_1));
          expected = 400;
        }
        case 5 -> { // Invoke: an unknown function
          a = Wire.send("POST", functions.resolve("functions/no-such-" + r.nextInt(1_000_000) + "/invocations"),
              "{}".getBytes(StandardCharsets.UTF_8));
          expected = 404;
        }
        case 6 -> { // Invoke: an invocation type or client context that is not one
          boolean type = r.nextBoolean();
          a = Wire.send("POST", functions.resolve("functions/" + fn.name() + "/invocations"), "{}".getBytes(StandardCharsets.UTF_8),
              type ? "X-Amz-Invocation-Type" : "X-Amz-Client-Context", type ? "Sometimes" : "%%not-base64%%");
          expected = 400;
        }
        default -> { // Invoke: over 6 MB; only a few, they are large
          if (i % 50 != 7) {
            continue;
          }
          a = Wire.send("POST", functions.resolve("functions/" + fn.name() + "/invocations"),
              ("\"" + "x".repeat(6 * 1024 * 1024 + 10) + "\"").getBytes(StandardCharsets.UTF_8),
              "X-Amz-Invocation-Type", "DryRun");
          expected = 413;
        }
      }
      TALLY.saw(target, String.valueOf(a.status()));
      assertThat(a.status()).as("%s case %d (kind %d): %s", target, i, kind, a.body()).isEqualTo(expected);
    }
    Wire.Answer ok = Wire.send("POST", functions.resolve("functions/" + fn.name() + "/invocations"),
        "{\"body\":\"hi\"}".getBytes(StandardCharsets.UTF_8));
    assertThat(ok.status()).as("the Lambda API still invokes after the batch: %s", ok.body()).isEqualTo(200);
  }

  /**
   * API Gateway: a method without a route is 403 "Missing Authentication Token" on a REST API and
   * 404 "Not Found" on an HTTP API (docs: "Troubleshoot ... Missing Authentication Token"); binary
   * bodies reach the function base64-encoded; a payload over 10 MB is 413 (API Gateway quotas);
   * header values far over the quota on their combined size (10,240 bytes, API Gateway quotas, which
   * name no status) are refused with HTTP's 431 Request Header Fields Too Large (RFC 6585) before
   * the function runs. Sent over HTTP/1.1: over HTTP/2 a header list this far past the server's
   * {@code SETTINGS_MAX_HEADER_LIST_SIZE} ends the connection (GOAWAY), as RFC 9113 allows.
   */
  @Test
  void apiGateway(TracingStack stack) throws IOException {
    String target = "api gateway";
    Deployment fn = deploy(stack, "malformed-gw");
    URI url = fn.url();
    Wire.Answer probe = Wire.send("GET", url, null);
    int noRoute = probe.body().contains("Missing Authentication Token") ? 403 : 404;
    assertThat(probe.status()).as("a method without a route: %s", probe.body()).isEqualTo(noRoute);
    Random r = new Random(51L);
    Instant deadline = Instant.now().plus(BUDGET);
    for (int i = 0; i < 800 && Instant.now().isBefore(deadline); i++) {
      int kind = r.nextInt(5);
      Wire.Answer a;
      int expected;
      switch (kind) {
        case 4 -> { // header values far over the quota, one huge header or many, over HTTP/1.1 as curl sends them
          String[] headers = r.nextBoolean()
              ? new String[] {"X-Huge", "h".repeat(16 * 1024 + r.nextInt(48 * 1024))}
              : manyHeaders(r, 200 + r.nextInt(300));
          a = Wire.send(Wire.HTTP1, "POST", url, "hi".getBytes(StandardCharsets.UTF_8), headers);
          expected = 431;
        }
        case 0 -> {
          a = Wire.send(List.of("GET", "PUT", "DELETE", "PATCH", "OPTIONS", "PROPFIND").get(r.nextInt(6)), url,
              r.nextBoolean() ? null : bytes(r, r.nextInt(100)));
          expected = noRoute;
        }
        case 1, 2 -> { // binary and text bodies of any bytes reach the function intact
          byte[] body = bytes(r, r.nextInt(kind == 1 ? 2000 : 200_000));
          a = Wire.send("POST", url, body, "Content-Type", kind == 1 ? "application/octet-stream" : "image/png");
          expected = 200;
          if (a.status() == 200) {
            assertThat(Wire.JSON.readTree(a.body()).path("bytes").asInt()).as("bytes the function saw").isEqualTo(body.length);
          }
        }
        default -> { // over 10 MB; only a few, they are large
          if (i % 100 != 3) {
            continue;
          }
          a = Wire.send("POST", url, new byte[10 * 1024 * 1024 + 1], "Content-Type", "application/octet-stream");
          expected = 413;
        }
      }
      TALLY.saw(target, String.valueOf(a.status()));
      assertThat(a.status()).as("%s case %d (kind %d): %s", target, i, kind, a.body()).isEqualTo(expected);
    }
    assertThat(Wire.send("POST", url, "hi".getBytes(StandardCharsets.UTF_8)).status())
        .as("API Gateway still serves after the batch").isEqualTo(200);
  }

  /**
   * The Runtime API (docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html): a response or error
   * for a request id that is not the current one is 400 InvalidRequestID; an unknown path is 404;
   * an init error after init is 403 InvalidStateTransition. The invocation that misbehaved still
   * ends normally, and the next one too.
   */
  @Test
  void runtimeApi(TracingStack stack) throws IOException {
    String target = "lambda runtime api";
    Deployment fn = deploy(stack, "malformed-rt");
    URI invoke = stack.endpoints().lambda().resolve("/2015-03-31/functions/" + fn.name() + "/invocations");
    int[] expectedByKind = {400, 400, 404, 403};
    Instant deadline = Instant.now().plus(BUDGET);
    for (int batch = 0; batch < 8 && Instant.now().isBefore(deadline); batch++) {
      Wire.Answer a = Wire.send("POST", invoke, ("{\"misbehave\":100,\"seed\":" + (61 + batch) + "}").getBytes(StandardCharsets.UTF_8));
      assertThat(a.status()).as("invocation %d: %s", batch, a.body()).isEqualTo(200);
      JsonNode seen = Wire.JSON.readTree(a.body());
      seen.fields().forEachRemaining(e -> {
        int kind = Integer.parseInt(e.getKey().split(":")[0]);
        int status = Integer.parseInt(e.getKey().split(":")[1]);
        for (int n = 0; n < e.getValue().asInt(); n++) {
          TALLY.saw(target, String.valueOf(status));
        }
        assertThat(status).as("runtime post kind %d", kind).isEqualTo(expectedByKind[kind]);
      });
    }
    Wire.Answer ok = Wire.send("POST", invoke, "{\"body\":\"hi\"}".getBytes(StandardCharsets.UTF_8));
    assertThat(ok.status()).as("the function still answers after its runtime misbehaved: %s", ok.body()).isEqualTo(200);
  }

  /** {@code n} headers of 100 to 200 bytes each, as name-value pairs for {@link Wire#send}. */
  private static String[] manyHeaders(Random r, int n) {
    String[] headers = new String[2 * n];
    for (int h = 0; h < n; h++) {
      headers[2 * h] = "X-Many-" + h;
      headers[2 * h + 1] = "m".repeat(100 + r.nextInt(100));
    }
    return headers;
  }

  private static byte[] bytes(Random r, int n) {
    byte[] b = new byte[n];
    r.nextBytes(b);
    return b;
  }
}
