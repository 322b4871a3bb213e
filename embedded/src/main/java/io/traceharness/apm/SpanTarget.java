package io.traceharness.apm;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * What a span's convention makes of it: {@code span.type/subtype/action}, the service it targets
 * and the destination service (elastic/apm-data input/otlp/traces.go, the {@code switch} on
 * {@code isDatabase}, {@code isMessaging}, {@code isRPC}, {@code isHTTP} at the end of
 * {@code TranslateSpan}).
 */
record SpanTarget(String type, String subtype, String action, String targetType, String targetName,
    String destinationName, String destinationResource) {

  /** A span no convention claims: named after the peer service, if any. */
  static SpanTarget of(String type, String subtype, NetMapping.Peer peer) {
    return new SpanTarget(type, subtype, null, null, peer.service(), peer.service(), peer.resource());
  }

  void writeTo(ObjectNode doc) {
    Docs.put(doc, "span.type", type);
    Docs.put(doc, "span.subtype", subtype);
    Docs.put(doc, "span.action", action);
    if (destinationName != null || destinationResource != null) {
      Docs.put(doc, "span.destination.service.name", destinationName);
      Docs.put(doc, "span.destination.service.resource", destinationResource);
      Docs.put(doc, "span.destination.service.type", type);
    }
    if (targetType != null || targetName != null) {
      Docs.put(doc, "service.target.type", targetType);
      Docs.put(doc, "service.target.name", targetName);
    }
  }
}
