package io.traceharness.apm;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * What a span's convention makes of it: {@code span.type/subtype/action}, the service it targets
 * and the destination service (elastic/apm-data v1.22.0 input/otlp/traces.go, the {@code switch}
 * on {@code isDatabase}, {@code isMessaging}, {@code isRPC}, {@code isHTTP}, {@code isGenAi} at the
 * end of {@code TranslateSpan}). It starts from the peer service, as apm-data does.
 */
final class SpanTarget {

  String type = "";
  String subtype = "";
  String action = "";
  String targetType = "";
  String targetName;
  String destinationName;
  String destinationResource;

  SpanTarget(String peerService, String peerAddress) {
    targetName = peerService;
    destinationName = peerService;
    destinationResource = peerAddress.isEmpty() ? peerService : peerAddress;
  }

  void writeTo(ObjectNode doc) {
    Docs.put(doc, "span.type", type);
    Docs.put(doc, "span.subtype", subtype);
    Docs.put(doc, "span.action", action);
    if (!destinationName.isEmpty() || !destinationResource.isEmpty()) {
      Docs.put(doc, "span.destination.service.name", destinationName);
      Docs.put(doc, "span.destination.service.resource", destinationResource);
      Docs.put(doc, "span.destination.service.type", type);
    }
    if (!targetType.isEmpty() || !targetName.isEmpty()) {
      Docs.put(doc, "service.target.type", targetType);
      Docs.put(doc, "service.target.name", targetName);
    }
  }
}
