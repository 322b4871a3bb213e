package io.traceharness.apm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The parts of an intake v2 event's {@code context} that several event types share, mapped as
 * elastic/apm-data v1.22.0 {@code input/elasticapm/internal/modeldecoder/v2/decoder.go} does
 * (mapToServiceModel, overwriteUserInMetadataModel, mapToRequestModel, mapToRequestURLModel,
 * mapToResponseModel, mapToClientModel, mapToUserAgentModel, mapToCloudModel, mapToFAASModel,
 * MergeLabels) and written as {@code model/modeljson} writes them.
 */
final class IntakeContext {

  private IntakeContext() {
  }

  static String text(JsonNode node, String field) {
    JsonNode v = node == null ? null : node.get(field);
    return v == null || v.isNull() || !v.isValueNode() ? null : v.asText();
  }

  /** {@code context.service} (and metadata {@code service}): only what is set overrides. */
  static void service(ObjectNode doc, JsonNode service) {
    if (service == null || !service.isObject()) {
      return;
    }
    if (text(service, "name") != null && doc.get("service") instanceof ObjectNode current) {
      // mapToServiceModel: a context that names the service brings its own version, even none
      current.remove("version");
    }
    Docs.put(doc, "service.name", text(service, "name"));
    Docs.put(doc, "service.version", text(service, "version"));
    Docs.put(doc, "service.environment", text(service, "environment"));
    JsonNode node = service.path("node");
    Docs.put(doc, "service.node.name", text(node, "configured_name"));
    Docs.put(doc, "service.language.name", text(service.path("language"), "name"));
    Docs.put(doc, "service.language.version", text(service.path("language"), "version"));
    Docs.put(doc, "service.runtime.name", text(service.path("runtime"), "name"));
    Docs.put(doc, "service.runtime.version", text(service.path("runtime"), "version"));
    Docs.put(doc, "service.framework.name", text(service.path("framework"), "name"));
    Docs.put(doc, "service.framework.version", text(service.path("framework"), "version"));
    JsonNode origin = service.path("origin");
    Docs.put(doc, "service.origin.id", text(origin, "id"));
    Docs.put(doc, "service.origin.name", text(origin, "name"));
    Docs.put(doc, "service.origin.version", text(origin, "version"));
    JsonNode agent = service.path("agent");
    Docs.put(doc, "agent.name", text(agent, "name"));
    Docs.put(doc, "agent.version", text(agent, "version"));
    Docs.put(doc, "agent.ephemeral_id", text(agent, "ephemeral_id"));
    Docs.put(doc, "agent.activation_method", text(agent, "activation_method"));
  }

  /** {@code context.user} replaces the metadata's user as a whole (overwriteUserInMetadataModel). */
  static void user(ObjectNode doc, JsonNode user) {
    if (user == null || !user.isObject() || user.isEmpty()) {
      return;
    }
    doc.remove("user");
    Docs.put(doc, "user.domain", text(user, "domain"));
    Docs.put(doc, "user.id", text(user, "id"));
    Docs.put(doc, "user.email", text(user, "email"));
    Docs.put(doc, "user.name", text(user, "username"));
  }

  /**
   * Labels: strings and booleans (as text) → {@code labels}, numbers → {@code numeric_labels},
   * null skipped; an event's tags override the metadata's labels of the same key, whatever the type
   * (modeldecoderutil GlobalLabelsFrom / MergeLabels). Keys as modeljson sanitizes them.
   */
  static void labels(ObjectNode doc, JsonNode labels) {
    if (labels == null || !labels.isObject()) {
      return;
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = labels.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      String key = labelKey(e.getKey());
      JsonNode v = e.getValue();
      if (v.isNumber()) {
        removeLabel(doc, "labels", key);
        Docs.obj(doc, "numeric_labels").put(key, v.asDouble());
      } else if (v.isTextual() || v.isBoolean()) {
        removeLabel(doc, "numeric_labels", key);
        Docs.obj(doc, "labels").put(key, Docs.truncate(v.asText()));
      }
    }
  }

  private static void removeLabel(ObjectNode doc, String field, String key) {
    if (doc.get(field) instanceof ObjectNode o) {
      o.remove(key);
      if (o.isEmpty()) {
        doc.remove(field);
      }
    }
  }

  /** modeljson's label key sanitizing: '.', '*' and '"' become '_'. */
  static String labelKey(String key) {
    return key.replace('.', '_').replace('*', '_').replace('"', '_');
  }

  /** {@code context.request}: method, env, body, cookies, headers, http version, URL, client and user agent. */
  static void request(ObjectNode doc, JsonNode request) {
    if (request == null || !request.isObject()) {
      return;
    }
    Docs.put(doc, "http.request.method", text(request, "method"));
    Docs.put(doc, "http.version", text(request, "http_version"));
    if (request.path("env").isObject() && !request.get("env").isEmpty()) {
      Docs.putNode(doc, "http.request.env", request.get("env").deepCopy());
    }
    if (IntakeValidation.isSet(request.get("body"))) {
      Docs.putNode(doc, "http.request.body.original", request.get("body").deepCopy());
    }
    if (request.path("cookies").isObject() && !request.get("cookies").isEmpty()) {
      Docs.putNode(doc, "http.request.cookies", request.get("cookies").deepCopy());
    }
    ObjectNode headers = headers(request.get("headers"));
    if (headers != null) {
      Docs.putNode(doc, "http.request.headers", headers);
      JsonNode ua = headers.get("User-Agent");
      if (ua != null) {
        List<String> values = new ArrayList<>();
        ua.forEach(v -> values.add(v.asText()));
        Docs.put(doc, "user_agent.original", String.join(", ", values));
      }
    }
    url(doc, request.path("url"));
    client(doc, request, headers);
  }

  /** mapToRequestURLModel: raw → original, search and hash kept with their '?' and '#'. */
  static void url(ObjectNode doc, JsonNode url) {
    if (!url.isObject()) {
      return;
    }
    Docs.put(doc, "url.original", text(url, "raw"));
    Docs.put(doc, "url.full", text(url, "full"));
    Docs.put(doc, "url.domain", text(url, "hostname"));
    Docs.put(doc, "url.path", text(url, "pathname"));
    Docs.put(doc, "url.query", text(url, "search"));
    Docs.put(doc, "url.fragment", text(url, "hash"));
    String protocol = text(url, "protocol");
    if (protocol != null) {
      Docs.put(doc, "url.scheme", protocol.endsWith(":") ? protocol.substring(0, protocol.length() - 1) : protocol);
    }
    String port = text(url, "port");
    if (port != null) {
      try {
        Docs.put(doc, "url.port", Long.parseLong(port.trim()));
      } catch (NumberFormatException e) {
        // the decoder accepts a string or an int; a string that is no number leaves the port unset
      }
    }
  }

  /** mapToResponseModel. */
  static void response(ObjectNode doc, JsonNode response) {
    if (response == null || !response.isObject()) {
      return;
    }
    if (response.has("finished") && response.get("finished").isBoolean()) {
      Docs.put(doc, "http.response.finished", response.get("finished").asBoolean());
    }
    ObjectNode headers = headers(response.get("headers"));
    if (headers != null) {
      Docs.putNode(doc, "http.response.headers", headers);
    }
    if (response.has("headers_sent") && response.get("headers_sent").isBoolean()) {
      Docs.put(doc, "http.response.headers_sent", response.get("headers_sent").asBoolean());
    }
    for (String f : List.of("status_code", "transfer_size", "encoded_body_size", "decoded_body_size")) {
      if (response.path(f).isNumber()) {
        Docs.put(doc, "http.response." + f, response.get(f).asLong());
      }
    }
  }

  /**
   * HTTP headers with canonical names (Go's CanonicalHeaderKey: "user-agent" → "User-Agent"), each
   * value a list (modeldecoderutil HTTPHeadersToModelpb); null when there are none.
   */
  static ObjectNode headers(JsonNode headers) {
    if (headers == null || !headers.isObject() || headers.isEmpty()) {
      return null;
    }
    ObjectNode out = Docs.object();
    for (Iterator<Map.Entry<String, JsonNode>> it = headers.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      ArrayNode values = Docs.NODES.arrayNode();
      if (e.getValue().isArray()) {
        e.getValue().forEach(v -> values.add(v.asText()));
      } else if (!e.getValue().isNull()) {
        values.add(e.getValue().asText());
      }
      out.set(canonicalHeader(e.getKey()), values);
    }
    return out;
  }

  static String canonicalHeader(String name) {
    StringBuilder b = new StringBuilder(name.length());
    boolean upper = true;
    for (char c : name.toCharArray()) {
      b.append(upper ? Character.toUpperCase(c) : Character.toLowerCase(c));
      upper = c == '-';
    }
    return b.toString();
  }

  /**
   * mapToClientModel: {@code source.ip}/{@code client.ip} from the socket's remote address; a
   * forwarding header (Forwarded, X-Real-Ip, X-Forwarded-For) makes the client that address and
   * the socket's address {@code source.nat.ip}.
   */
  static void client(ObjectNode doc, JsonNode request, ObjectNode headers) {
    String remote = text(request.path("socket"), "remote_address");
    String[] socket = remote == null ? null : splitAddrPort(remote);
    if (socket != null) {
      Docs.put(doc, "source.ip", socket[0]);
      if (socket[1] != null) {
        Docs.put(doc, "source.port", Long.parseLong(socket[1]));
      }
      Docs.put(doc, "client.ip", socket[0]);
    }
    String[] forwarded = headers == null ? null : forwardedClient(headers);
    if (forwarded != null) {
      if (socket != null) {
        Docs.put(doc, "source.nat.ip", socket[0]);
      }
      Docs.put(doc, "client.ip", forwarded[0]);
      Docs.put(doc, "source.ip", forwarded[0]);
      if (forwarded[1] != null) {
        Docs.put(doc, "client.port", Long.parseLong(forwarded[1]));
        Docs.put(doc, "source.port", Long.parseLong(forwarded[1]));
      }
    }
  }

  private static String[] forwardedClient(ObjectNode headers) {
    JsonNode forwarded = headers.path("Forwarded").path(0);
    if (forwarded.isTextual()) {
      for (String part : forwarded.asText().split("[;,]")) {
        String p = part.trim();
        if (p.toLowerCase(Locale.ROOT).startsWith("for=")) {
          return splitAddrPort(p.substring(4).replace("\"", ""));
        }
      }
    }
    JsonNode real = headers.path("X-Real-Ip").path(0);
    if (real.isTextual()) {
      return splitAddrPort(real.asText().trim());
    }
    JsonNode xff = headers.path("X-Forwarded-For").path(0);
    if (xff.isTextual()) {
      return splitAddrPort(xff.asText().split(",")[0].trim());
    }
    return null;
  }

  /** An IP with an optional port ("1.2.3.4", "1.2.3.4:80", "[::1]:80"); null when no IP. */
  static String[] splitAddrPort(String s) {
    String host = s;
    String port = null;
    if (s.startsWith("[")) {
      int close = s.indexOf(']');
      if (close < 0) {
        return null;
      }
      host = s.substring(1, close);
      if (s.length() > close + 2 && s.charAt(close + 1) == ':') {
        port = s.substring(close + 2);
      }
    } else if (s.indexOf(':') == s.lastIndexOf(':') && s.indexOf(':') > 0) {
      host = s.substring(0, s.indexOf(':'));
      port = s.substring(s.indexOf(':') + 1);
    }
    if (!isIp(host)) {
      return null;
    }
    return new String[] {host, port != null && port.matches("\\d{1,5}") ? port : null};
  }

  static boolean isIp(String s) {
    if (s.matches("\\d{1,3}(\\.\\d{1,3}){3}")) {
      for (String part : s.split("\\.")) {
        if (Integer.parseInt(part) > 255) {
          return false;
        }
      }
      return true;
    }
    return s.contains(":") && s.matches("[0-9a-fA-F:.]+");
  }

  /** mapToCloudModel: only {@code context.cloud.origin}. */
  static void cloudOrigin(ObjectNode doc, JsonNode cloud) {
    JsonNode origin = cloud.path("origin");
    if (!origin.isObject()) {
      return;
    }
    Docs.put(doc, "cloud.origin.account.id", text(origin.path("account"), "id"));
    Docs.put(doc, "cloud.origin.provider", text(origin, "provider"));
    Docs.put(doc, "cloud.origin.region", text(origin, "region"));
    Docs.put(doc, "cloud.origin.service.name", text(origin.path("service"), "name"));
  }

  /** mapToFAASModel: the Elastic agents' Lambda fields. */
  static void faas(ObjectNode doc, JsonNode faas) {
    if (faas == null || !faas.isObject()) {
      return;
    }
    Docs.put(doc, "faas.id", text(faas, "id"));
    if (faas.path("coldstart").isBoolean()) {
      Docs.put(doc, "faas.coldstart", faas.get("coldstart").asBoolean());
    }
    Docs.put(doc, "faas.execution", text(faas, "execution"));
    Docs.put(doc, "faas.trigger.type", text(faas.path("trigger"), "type"));
    Docs.put(doc, "faas.trigger.request_id", text(faas.path("trigger"), "request_id"));
    Docs.put(doc, "faas.name", text(faas, "name"));
    Docs.put(doc, "faas.version", text(faas, "version"));
  }

  /** {@code context.message} (transactions and spans): age, body, headers, queue, routing key. */
  static void message(ObjectNode doc, String event, JsonNode message) {
    if (message == null || !message.isObject()) {
      return;
    }
    if (message.path("age").path("ms").isNumber()) {
      Docs.put(doc, event + ".message.age.ms", message.get("age").get("ms").asLong());
    }
    Docs.put(doc, event + ".message.body", text(message, "body"));
    ObjectNode headers = headers(message.get("headers"));
    if (headers != null) {
      Docs.putNode(doc, event + ".message.headers", headers);
    }
    Docs.put(doc, event + ".message.queue.name", text(message.path("queue"), "name"));
    Docs.put(doc, event + ".message.routing_key", text(message, "routing_key"));
  }

  /** The page a browser agent was on: its URL unless the request has one, and the referer. */
  static void page(ObjectNode doc, JsonNode page, boolean requestUrl) {
    if (!page.isObject()) {
      return;
    }
    if (!requestUrl && text(page, "url") != null) {
      Docs.put(doc, "url.full", text(page, "url"));
      Docs.put(doc, "url.original", text(page, "url"));
    }
    if (doc.at("/http/request/referrer").isMissingNode()) {
      Docs.put(doc, "http.request.referrer", text(page, "referer"));
    }
  }
}
