package io.traceharness.apigateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Lambda proxy integration payloads: the event API Gateway sends (REST API payload 1.0, HTTP API
 * payload 2.0) and the reading of the function's answer.
 */
final class ProxyEvents {

  static final ObjectMapper JSON = new ObjectMapper();

  private static final DateTimeFormatter REQUEST_TIME_V1 =
      DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss Z", Locale.ENGLISH).withZone(ZoneOffset.UTC);

  private ProxyEvents() {
  }

  /** What the gateway knows about a request when it builds the integration payload. */
  record Incoming(
      String method,
      String stage,
      String path,
      String rawQuery,
      List<Map.Entry<String, String>> headers,
      byte[] body,
      String sourceIp,
      String protocol,
      String domainName,
      String requestId,
      String extendedRequestId,
      Instant time) {

    String header(String name) {
      String found = null;
      for (Map.Entry<String, String> h : headers) {
        if (h.getKey().equalsIgnoreCase(name)) {
          found = h.getValue();
        }
      }
      return found;
    }
  }

  /** Identity of the API the events describe. */
  record Api(String apiId, String accountId) {
  }

  /** The REST API (payload format 1.0) proxy event. */
  static ObjectNode v1(Incoming in, RouteTable.Match match, Api api) {
    ObjectNode e = JSON.createObjectNode();
    e.put("resource", match.route().template());
    e.put("path", decode(in.path()));
    e.put("httpMethod", in.method());

    putSingleAndMulti(e, "headers", "multiValueHeaders", multiMap(in.headers()));
    putSingleAndMulti(e, "queryStringParameters", "multiValueQueryStringParameters", queryParameters(in.rawQuery()));
    putPathParameters(e, match);
    e.putNull("stageVariables");

    ObjectNode ctx = e.putObject("requestContext");
    ctx.put("resourceId", in.extendedRequestId().substring(0, 6).toLowerCase(Locale.ROOT));
    ctx.put("resourcePath", match.route().template());
    ctx.put("httpMethod", in.method());
    ctx.put("extendedRequestId", in.extendedRequestId());
    ctx.put("requestTime", REQUEST_TIME_V1.format(in.time()));
    ctx.put("path", "/" + in.stage() + decode(in.path()));
    ctx.put("accountId", api.accountId());
    ctx.put("protocol", in.protocol());
    ctx.put("stage", in.stage());
    ctx.put("domainPrefix", api.apiId());
    ctx.put("requestTimeEpoch", in.time().toEpochMilli());
    ctx.put("requestId", in.requestId());
    ObjectNode identity = ctx.putObject("identity");
    for (String k : List.of("cognitoIdentityPoolId", "accountId", "cognitoIdentityId", "caller", "accessKey")) {
      identity.putNull(k);
    }
    identity.put("sourceIp", in.sourceIp());
    for (String k : List.of("principalOrgId", "cognitoAuthenticationType", "cognitoAuthenticationProvider",
        "userArn")) {
      identity.putNull(k);
    }
    putNullable(identity, "userAgent", in.header("user-agent"));
    identity.putNull("user");
    ctx.put("domainName", in.domainName());
    ctx.put("apiId", api.apiId());

    putBody(e, in);
    return e;
  }

  /** The HTTP API (payload format 2.0) event. */
  static ObjectNode v2(Incoming in, RouteTable.Match match, Api api) {
    ObjectNode e = JSON.createObjectNode();
    e.put("version", "2.0");
    e.put("routeKey", match.route().routeKey());
    // a named stage stays in rawPath, as HTTP APIs do for stages other than $default
    String rawPath = "/" + in.stage() + in.path();
    e.put("rawPath", rawPath);
    e.put("rawQueryString", in.rawQuery() == null ? "" : in.rawQuery());

    List<String> cookies = new ArrayList<>();
    ObjectNode headers = JSON.createObjectNode();
    multiMap(in.headers()).forEach((k, v) -> {
      if (k.equalsIgnoreCase("cookie")) {
        v.forEach(c -> {
          for (String one : c.split(";")) {
            if (!one.isBlank()) {
              cookies.add(one.trim());
            }
          }
        });
      } else {
        headers.put(k.toLowerCase(Locale.ROOT), String.join(",", v));
      }
    });
    if (!cookies.isEmpty()) {
      ArrayNode a = e.putArray("cookies");
      cookies.forEach(a::add);
    }
    e.set("headers", headers);

    Map<String, List<String>> query = queryParameters(in.rawQuery());
    if (!query.isEmpty()) {
      ObjectNode q = e.putObject("queryStringParameters");
      query.forEach((k, v) -> q.put(k, String.join(",", v)));
    }

    ObjectNode ctx = e.putObject("requestContext");
    ctx.put("accountId", api.accountId());
    ctx.put("apiId", api.apiId());
    ctx.put("domainName", in.domainName());
    ctx.put("domainPrefix", api.apiId());
    ObjectNode http = ctx.putObject("http");
    http.put("method", in.method());
    http.put("path", rawPath);
    http.put("protocol", in.protocol());
    http.put("sourceIp", in.sourceIp());
    putNullable(http, "userAgent", in.header("user-agent"));
    ctx.put("requestId", in.extendedRequestId());
    ctx.put("routeKey", match.route().routeKey());
    ctx.put("stage", in.stage());
    ctx.put("time", REQUEST_TIME_V1.format(in.time()));
    ctx.put("timeEpoch", in.time().toEpochMilli());

    if (!match.pathParameters().isEmpty()) {
      ObjectNode p = e.putObject("pathParameters");
      match.pathParameters().forEach((k, v) -> p.put(k, decode(v)));
    }
    putBody(e, in);
    return e;
  }

  /** An HTTP answer the gateway sends back. */
  record Response(int status, List<Map.Entry<String, String>> headers, byte[] body) {
  }

  /** Signals a proxy response API Gateway would reject ("Malformed Lambda proxy response"). */
  static final class MalformedResponse extends Exception {
    MalformedResponse(String message) {
      super(message);
    }
  }

  private static final List<String> V1_RESPONSE_KEYS =
      List.of("statusCode", "headers", "multiValueHeaders", "body", "isBase64Encoded");

  /** Reads a payload format 1.0 proxy response; anything API Gateway would reject throws. */
  static Response readV1(byte[] payload) throws MalformedResponse {
    JsonNode root = parse(payload);
    if (root == null || !root.isObject()) {
      throw new MalformedResponse("the function did not return a JSON object");
    }
    for (var it = root.fieldNames(); it.hasNext(); ) {
      String k = it.next();
      if (!V1_RESPONSE_KEYS.contains(k)) {
        throw new MalformedResponse("unexpected field " + k + " in the proxy response");
      }
    }
    return structured(root);
  }

  /**
   * Reads a payload format 2.0 response: an object with {@code statusCode} is the structured form;
   * anything else valid JSON is the body of a 200 {@code application/json} answer.
   */
  static Response readV2(byte[] payload) throws MalformedResponse {
    JsonNode root = parse(payload);
    if (root == null) {
      throw new MalformedResponse("the function did not return JSON");
    }
    if (root.isObject() && root.has("statusCode")) {
      Response r = structured(root);
      JsonNode cookies = root.get("cookies");
      if (cookies != null && cookies.isArray()) {
        List<Map.Entry<String, String>> headers = new ArrayList<>(r.headers());
        cookies.forEach(c -> headers.add(Map.entry("set-cookie", c.asText())));
        return new Response(r.status(), headers, r.body());
      }
      return r;
    }
    byte[] body = root.isTextual() ? root.asText().getBytes(StandardCharsets.UTF_8) : payload;
    return new Response(200, List.of(Map.entry("content-type", "application/json")), body);
  }

  private static Response structured(JsonNode root) throws MalformedResponse {
    JsonNode status = root.get("statusCode");
    int code;
    if (status != null && status.isInt()) {
      code = status.intValue();
    } else if (status != null && status.isTextual() && status.asText().matches("\\d{3}")) {
      code = Integer.parseInt(status.asText());
    } else {
      throw new MalformedResponse("statusCode missing or not a number: " + status);
    }
    if (code < 100 || code > 599) {
      throw new MalformedResponse("statusCode out of range: " + code);
    }
    List<Map.Entry<String, String>> headers = new ArrayList<>();
    JsonNode single = root.get("headers");
    if (single != null && !single.isNull()) {
      if (!single.isObject()) {
        throw new MalformedResponse("headers is not an object");
      }
      for (Map.Entry<String, JsonNode> h : iterable(single)) {
        if (!h.getValue().isValueNode()) {
          throw new MalformedResponse("header " + h.getKey() + " is not a scalar");
        }
        headers.add(Map.entry(h.getKey(), h.getValue().asText()));
      }
    }
    JsonNode multi = root.get("multiValueHeaders");
    if (multi != null && !multi.isNull()) {
      if (!multi.isObject()) {
        throw new MalformedResponse("multiValueHeaders is not an object");
      }
      for (Map.Entry<String, JsonNode> h : iterable(multi)) {
        if (!h.getValue().isArray()) {
          throw new MalformedResponse("multiValueHeaders." + h.getKey() + " is not a list");
        }
        // multiValueHeaders win over headers of the same name, as in API Gateway
        headers.removeIf(x -> x.getKey().equalsIgnoreCase(h.getKey()));
        h.getValue().forEach(v -> headers.add(Map.entry(h.getKey(), v.asText())));
      }
    }
    JsonNode body = root.get("body");
    byte[] bytes;
    if (body == null || body.isNull()) {
      bytes = new byte[0];
    } else if (!body.isTextual()) {
      throw new MalformedResponse("body is not a string");
    } else if (root.path("isBase64Encoded").asBoolean(false)) {
      try {
        bytes = Base64.getDecoder().decode(body.asText());
      } catch (IllegalArgumentException e) {
        throw new MalformedResponse("body is not valid base64");
      }
    } else {
      bytes = body.asText().getBytes(StandardCharsets.UTF_8);
    }
    return new Response(code, headers, bytes);
  }

  private static JsonNode parse(byte[] payload) {
    try {
      return JSON.readTree(payload);
    } catch (java.io.IOException e) {
      return null;
    }
  }

  private static Iterable<Map.Entry<String, JsonNode>> iterable(JsonNode object) {
    return object::fields;
  }

  private static void putPathParameters(ObjectNode e, RouteTable.Match match) {
    if (match.pathParameters().isEmpty()) {
      e.putNull("pathParameters");
    } else {
      ObjectNode p = e.putObject("pathParameters");
      match.pathParameters().forEach((k, v) -> p.put(k, decode(v)));
    }
  }

  private static void putBody(ObjectNode e, Incoming in) {
    if (in.body() == null || in.body().length == 0) {
      e.putNull("body");
      e.put("isBase64Encoded", false);
    } else if (isText(in.header("content-type"))) {
      e.put("body", new String(in.body(), StandardCharsets.UTF_8));
      e.put("isBase64Encoded", false);
    } else {
      e.put("body", Base64.getEncoder().encodeToString(in.body()));
      e.put("isBase64Encoded", true);
    }
  }

  /** Media types passed as text; everything else is treated as a binary media type. */
  static boolean isText(String contentType) {
    if (contentType == null || contentType.isBlank()) {
      return true;
    }
    String ct = contentType.toLowerCase(Locale.ROOT);
    return ct.startsWith("text/") || ct.contains("json") || ct.contains("xml") || ct.contains("javascript")
        || ct.startsWith("application/x-www-form-urlencoded") || ct.contains("yaml") || ct.contains("graphql");
  }

  private static Map<String, List<String>> multiMap(List<Map.Entry<String, String>> entries) {
    Map<String, List<String>> out = new LinkedHashMap<>();
    for (Map.Entry<String, String> h : entries) {
      String existing = out.keySet().stream().filter(k -> k.equalsIgnoreCase(h.getKey())).findFirst()
          .orElse(h.getKey());
      out.computeIfAbsent(existing, k -> new ArrayList<>()).add(h.getValue());
    }
    return out;
  }

  static Map<String, List<String>> queryParameters(String rawQuery) {
    Map<String, List<String>> out = new LinkedHashMap<>();
    if (rawQuery == null || rawQuery.isEmpty()) {
      return out;
    }
    for (String pair : rawQuery.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      String k = decodeQuery(eq < 0 ? pair : pair.substring(0, eq));
      String v = eq < 0 ? "" : decodeQuery(pair.substring(eq + 1));
      out.computeIfAbsent(k, x -> new ArrayList<>()).add(v);
    }
    return out;
  }

  private static String decodeQuery(String s) {
    try {
      return URLDecoder.decode(s, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return s;
    }
  }

  /** Percent-decodes a path; unlike query strings, '+' stays '+'. */
  static String decode(String path) {
    try {
      return URLDecoder.decode(path.replace("+", "%2B"), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return path;
    }
  }

  private static void putNullable(ObjectNode node, String key, String value) {
    if (value == null) {
      node.putNull(key);
    } else {
      node.put(key, value);
    }
  }
  /** A v1 event's pair of maps: the last value of each name, and all of them; null when empty, as AWS sends. */
  private static void putSingleAndMulti(ObjectNode e, String singleKey, String multiKey, Map<String, List<String>> values) {
    if (values.isEmpty()) {
      e.putNull(singleKey);
      e.putNull(multiKey);
      return;
    }
    ObjectNode single = e.putObject(singleKey);
    ObjectNode multi = e.putObject(multiKey);
    values.forEach((k, v) -> {
      single.put(k, v.get(v.size() - 1));
      ArrayNode a = multi.putArray(k);
      v.forEach(a::add);
    });
  }
}
