package io.traceharness.resilience;

import com.linecorp.armeria.client.WebClient;
import com.linecorp.armeria.common.AggregatedHttpResponse;
import com.linecorp.armeria.common.HttpData;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.RequestHeaders;
import com.linecorp.armeria.common.RequestHeadersBuilder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Collection;
import java.util.zip.GZIPOutputStream;

/** Raw HTTP/1.1 and gRPC-over-h2c requests, and Elasticsearch counts, for the malformed-input suites. */
final class Wire {

  static final ObjectMapper JSON = new ObjectMapper();
  static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private Wire() {
  }

  record Answer(int status, String body) {
  }

  /** HTTP/1.1 only: no upgrade to h2c, whose limits and errors are HTTP/2's. */
  static final HttpClient HTTP1 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();

  static Answer send(String method, URI uri, byte[] body, String... headers) {
    return send(HTTP, method, uri, body, headers);
  }

  static Answer send(HttpClient client, String method, URI uri, byte[] body, String... headers) {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
    for (int i = 0; i < headers.length; i += 2) {
      if (headers[i + 1] != null) {
        b.header(headers[i], headers[i + 1]);
      }
    }
    try {
      HttpResponse<String> r = client.send(b.build(), HttpResponse.BodyHandlers.ofString());
      return new Answer(r.statusCode(), r.body());
    } catch (IOException e) {
      throw new UncheckedIOException(method + " " + uri + " failed: the server dropped the connection", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  static byte[] gzip(byte[] plain) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(plain);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /** One gRPC length-prefixed message: compressed flag, 4-byte big-endian length, payload. */
  static byte[] grpcFrame(boolean compressedFlag, int declaredLength, byte[] payload) {
    return ByteBuffer.allocate(5 + payload.length).put((byte) (compressedFlag ? 1 : 0)).putInt(declaredLength)
        .put(payload).array();
  }

  /** A unary gRPC call with raw bytes; answers the grpc-status, or "http-NNN" when none came. */
  static String grpc(WebClient client, String path, String contentType, String authorization, byte[] body) {
    RequestHeadersBuilder h = RequestHeaders.builder(HttpMethod.POST, path).contentType(
        com.linecorp.armeria.common.MediaType.parse(contentType)).add("te", "trailers");
    if (authorization != null) {
      h.add("authorization", authorization);
    }
    AggregatedHttpResponse r = client.execute(h.build(), HttpData.wrap(body)).aggregate().join();
    String s = r.trailers().get("grpc-status");
    if (s == null) {
      s = r.headers().get("grpc-status");
    }
    return s != null ? "grpc-" + s : "http-" + r.status().code();
  }

  /** How many distinct trace ids of {@code ids} have documents in {@code indices}. */
  static long distinctTraceIds(URI elasticsearch, String indices, Collection<String> ids) {
    if (ids.isEmpty()) {
      return 0;
    }
    try {
      String query = JSON.writeValueAsString(JSON.createObjectNode().put("size", 0)
          .<com.fasterxml.jackson.databind.node.ObjectNode>set("query", JSON.createObjectNode().set("terms",
              JSON.createObjectNode().set("trace.id", JSON.valueToTree(ids))))
          .set("aggs", JSON.readTree("{\"ids\":{\"cardinality\":{\"field\":\"trace.id\",\"precision_threshold\":40000}}}")));
      Answer a = send("POST", elasticsearch.resolve("/" + indices + "/_search?ignore_unavailable=true&allow_no_indices=true"),
          query.getBytes(java.nio.charset.StandardCharsets.UTF_8), "Content-Type", "application/json");
      if (a.status() != 200) {
        throw new IllegalStateException("Elasticsearch answered " + a.status() + ": " + a.body());
      }
      JsonNode n = JSON.readTree(a.body());
      return n.path("aggregations").path("ids").path("value").asLong();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
