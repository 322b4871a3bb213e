package io.traceharness.apm;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** One document as APM Server writes it: the data stream it goes to and its source. */
record ApmDocument(String dataStream, ObjectNode source) {

  String processorEvent() {
    return source.path("processor").path("event").asText("");
  }
}
