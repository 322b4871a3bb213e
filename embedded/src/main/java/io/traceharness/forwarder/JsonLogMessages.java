package io.traceharness.forwarder;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Elasticsearch's {@code logs@json-pipeline} (x-pack {@code template-resources/.../logs@json-pipeline.json},
 * "automatic parsing of JSON log messages") applied in this JVM, because the integ-test node runs
 * no ingest processors: a {@code message} that starts with <code>{</code> and ends with <code>}</code>
 * is parsed and its fields put at the document's root ({@code json} with {@code add_to_root},
 * conflict strategy {@code merge}, duplicate keys allowed: the last wins), then dotted root fields are
 * expanded ({@code dot_expander} on {@code *} with {@code override}); the original {@code message}
 * goes unless the JSON has one. A message that does not parse stays as it is (the pipeline's
 * {@code on_failure}). An ECS-JSON line ({@code "trace.id"}, {@code "log.level"} …) thus becomes the
 * fields Kibana links a trace's logs by.
 */
final class JsonLogMessages {

  private static final ObjectMapper JSON = new ObjectMapper();

  private JsonLogMessages() {
  }

  /** Applies the pipeline to {@code doc} in place. */
  static void apply(ObjectNode doc) {
    JsonNode message = doc.get("message");
    if (message == null || !message.isTextual()) {
      return;
    }
    String text = message.asText();
    if (!text.startsWith("{") || !text.endsWith("}")) {
      return;
    }
    JsonNode parsed;
    try {
      parsed = JSON.readTree(text);
    } catch (JsonProcessingException e) {
      return;
    }
    if (!(parsed instanceof ObjectNode object)) {
      return;
    }
    doc.remove("message");
    merge(doc, object);
    expandDots(doc);
  }

  /** The json processor's {@code merge}: objects merge key by key, anything else replaces. */
  private static void merge(ObjectNode target, ObjectNode source) {
    Iterator<Map.Entry<String, JsonNode>> fields = source.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> f = fields.next();
      JsonNode existing = target.get(f.getKey());
      if (existing instanceof ObjectNode e && f.getValue() instanceof ObjectNode v) {
        merge(e, v);
      } else {
        target.set(f.getKey(), f.getValue());
      }
    }
  }

  /** {@code dot_expander} on {@code *} with {@code override: true}: root fields only. */
  private static void expandDots(ObjectNode doc) {
    List<String> dotted = new ArrayList<>();
    doc.fieldNames().forEachRemaining(name -> {
      if (name.indexOf('.') > 0 && !name.endsWith(".")) {
        dotted.add(name);
      }
    });
    for (String name : dotted) {
      JsonNode value = doc.remove(name);
      String[] path = name.split("\\.");
      ObjectNode parent = doc;
      for (int i = 0; i < path.length - 1; i++) {
        JsonNode child = parent.get(path[i]);
        if (!(child instanceof ObjectNode)) {
          child = parent.putObject(path[i]);
        }
        parent = (ObjectNode) child;
      }
      parent.set(path[path.length - 1], value);
    }
  }
}
