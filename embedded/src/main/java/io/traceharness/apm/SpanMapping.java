package io.traceharness.apm;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.Span;

/**
 * The span fields of a client, producer or internal child span (elastic/apm-data v1.22.0
 * input/otlp/traces.go {@code TranslateSpan}): one pass over the attributes in order, the last
 * attribute that sets a value winning; the first convention that applies (database, messaging,
 * RPC, HTTP, GenAI) then names the type, target and destination. An outcome no rule decided becomes
 * {@code success}.
 */
final class SpanMapping {

  private SpanMapping() {
  }

  /** Writes the span's fields into {@code doc} and returns its outcome. */
  static String translate(Span span, ObjectNode doc, String statusOutcome) {
    NetMapping.Peer peer = new NetMapping.Peer();
    HttpMapping.Called http = new HttpMapping.Called();
    DbMapping db = new DbMapping();
    MessagingMapping messaging = new MessagingMapping();
    RpcMapping rpc = new RpcMapping();
    String[] genAiSystem = {null};
    for (KeyValue kv : span.getAttributesList()) {
      String key = kv.getKey();
      AnyValue v = kv.getValue();
      switch (v.getValueCase()) {
        case BOOL_VALUE -> {
          if (key.equals("messaging.temp_destination") || key.equals("messaging.destination.temporary")) {
            messaging.temporaryQueue = v.getBoolValue();
          }
          Labels.set(doc, key, v);
        }
        case INT_VALUE -> {
          switch (key) {
            case "http.status_code", "http.response.status_code" -> http.statusCode(v.getIntValue() & 0xffffffffL);
            case "net.peer.port", "server.port", "peer.port" -> peer.port = v.getIntValue();
            case "rpc.grpc.status_code" -> rpc.grpcStatusCode();
            default -> Labels.set(doc, key, v);
          }
        }
        case STRING_VALUE -> {
          String s = Docs.truncate(v.getStringValue());
          boolean read = http.read(key, s) || db.read(key, s, v.getStringValue()) || peer.read(key, s)
              || NetMapping.readNetwork(key, s, doc) || messaging.read(key, s, doc) || rpc.read(key, s);
          if (!read) {
            switch (key) {
              case "session.id" -> Docs.replace(doc, "session.id", s);
              // a stack trace is long by nature: kept whole
              case "code.stacktrace" -> Docs.replace(doc, "code.stacktrace", v.getStringValue());
              case "gen_ai.system" -> genAiSystem[0] = s;
              case "span.kind" -> { }
              case "data_stream.dataset", "data_stream.namespace" -> DataStreams.override(doc, key, v.getStringValue());
              default -> Labels.set(doc, key, v);
            }
          }
        }
        default -> Labels.set(doc, key, v);
      }
    }

    long destPort = peer.port;
    String destAddress = peer.destinationAddress();
    GoUrl fullUrl = http.fullUrl(destAddress, destPort);
    if (fullUrl != null) {
      String portString = fullUrl.port();
      long port = portString.isEmpty() ? HttpMapping.defaultPort(fullUrl.scheme) : atoi(portString);
      destAddress = Docs.truncate(fullUrl.hostname());
      if (port > 0) {
        destPort = port;
      }
    }
    SpanTarget target = new SpanTarget(peer.service, peer.address);
    String outcome = statusOutcome;
    if (http.present) {
      outcome = http.outcome(statusOutcome);
      http.writeTo(doc);
    }
    if (db.present) {
      db.writeTo(doc);
    }
    if (messaging.present) {
      messaging.writeTo(doc);
    }
    if (db.present) {
      db.target(target);
    } else if (messaging.present) {
      messaging.target(target, span.getKind());
    } else if (rpc.present) {
      rpc.target(target, destAddress, destPort);
    } else if (http.present) {
      httpTarget(target, fullUrl, destAddress, destPort);
    } else if (genAiSystem[0] != null) {
      target.type = "genai";
      target.subtype = genAiSystem[0];
      target.targetType = target.type;
    } else {
      target.type = span.getKind() == Span.SpanKind.SPAN_KIND_INTERNAL ? "app" : "unknown";
      target.subtype = span.getKind() == Span.SpanKind.SPAN_KIND_INTERNAL ? "internal" : "";
    }
    if (!destAddress.isEmpty()) {
      Docs.put(doc, "destination.address", destAddress);
      // model/modeljson/destination.pb.json.go: an address netip.ParseAddr accepts is also the IP, as given
      if (Ips.parse(destAddress) != null) {
        Docs.put(doc, "destination.ip", destAddress);
      }
      // modeljson's Destination.Port is omitempty
      if ((destPort & 0xffffffffL) != 0) {
        Docs.put(doc, "destination.port", destPort & 0xffffffffL);
      }
    }
    target.writeTo(doc);
    return "unknown".equals(outcome) ? "success" : outcome;
  }

  /** Named after the URL's authority, with the port added when the URL leaves it to the scheme. */
  private static void httpTarget(SpanTarget t, GoUrl fullUrl, String destAddress, long destPort) {
    t.type = "external";
    t.subtype = "http";
    t.targetType = "http";
    if (fullUrl == null) {
      return;
    }
    String host = fullUrl.host;
    String resource = host;
    if (destPort == HttpMapping.defaultPort(fullUrl.scheme)) {
      if (!fullUrl.port().isEmpty()) {
        host = destAddress;
      } else {
        resource = resource + ":" + destPort;
      }
    }
    t.targetName = resource;
    if (t.destinationName.isEmpty()) {
      // url.URL{Scheme, Host}.String(): "scheme:" only with a scheme, "//host" only with a host
      t.destinationName = (fullUrl.scheme.isEmpty() ? "" : fullUrl.scheme + ":") + (host.isEmpty() ? "" : "//" + host);
      t.destinationResource = resource;
    }
  }

  /** strconv.Atoi with the error ignored: 0 for what does not parse. */
  private static long atoi(String s) {
    try {
      return Long.parseLong(s);
    } catch (NumberFormatException e) {
      return 0;
    }
  }
}
