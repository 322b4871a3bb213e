package io.traceharness.apm;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.Span;
import java.net.URI;
import java.util.Set;

/**
 * The span fields of a client, producer or internal child span (elastic/apm-data
 * input/otlp/traces.go {@code TranslateSpan}): each convention reads the attributes it knows, the
 * first that applies (database, messaging, RPC, HTTP) names the type, target and destination, and
 * every attribute none reads becomes a label.
 */
final class SpanMapping {

  private static final Set<String> OWN_STRINGS = Set.of("session.id", "code.stacktrace", "span.kind");

  private SpanMapping() {
  }

  /** Writes the span's fields into {@code doc} and returns the outcome they imply. */
  static String translate(Span span, ObjectNode doc, String statusOutcome) {
    SpanAttributes attributes = new SpanAttributes(span.getAttributesList());
    NetMapping.Peer peer = NetMapping.Peer.of(attributes);
    HttpMapping.Client http = HttpMapping.Client.of(attributes);
    DbMapping.Db db = DbMapping.Db.of(attributes);
    MessagingMapping.Message messaging = MessagingMapping.Message.of(attributes);
    RpcMapping.Call rpc = RpcMapping.Call.of(attributes);

    URI fullUrl = http.fullUrl(peer.destination());
    NetMapping.Destination destination = HttpMapping.Client.destination(fullUrl, peer.destination());
    http.writeTo(doc, fullUrl);
    Docs.put(doc, "session.id", attributes.field("session.id"));
    Docs.put(doc, "code.stacktrace", attributes.field("code.stacktrace"));
    for (KeyValue kv : attributes.list()) {
      if (!reads(kv)) {
        Labels.set(doc, kv.getKey(), kv.getValue());
      }
    }

    SpanTarget target;
    if (db.present()) {
      db.writeTo(doc);
      target = db.target(peer);
    } else if (messaging.present()) {
      messaging.writeTo(doc);
      target = messaging.target(peer, span.getKind());
    } else if (rpc.present()) {
      target = rpc.target(peer, destination);
    } else if (http.present()) {
      target = http.target(peer, fullUrl, destination);
    } else if (span.getKind() == Span.SpanKind.SPAN_KIND_INTERNAL) {
      target = SpanTarget.of("app", "internal", peer);
    } else {
      target = SpanTarget.of("unknown", null, peer);
    }
    target.writeTo(doc);
    destination.writeTo(doc);
    return http.outcome(statusOutcome);
  }

  /** {@code messaging.temp_destination} is read but, being a boolean, kept as a label as well. */
  private static boolean reads(KeyValue kv) {
    return HttpMapping.readsOnSpan(kv) || NetMapping.readsOnSpan(kv) || DbMapping.readsOnSpan(kv)
        || MessagingMapping.readsOnSpan(kv) || RpcMapping.readsOnSpan(kv)
        || SpanAttributes.isString(OWN_STRINGS).test(kv);
  }
}
