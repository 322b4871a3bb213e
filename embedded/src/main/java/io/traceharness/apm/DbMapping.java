package io.traceharness.apm;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The database conventions ({@code db.*}, {@code sql.query}, stable {@code db.query.text} and
 * {@code db.namespace}) on a span: type db, the system as subtype, statement, instance and user
 * (elastic/apm-data v1.22.0 input/otlp/traces.go, the {@code db.*} cases and the
 * {@code isDatabase} branch of {@code TranslateSpan}).
 */
final class DbMapping {

  boolean present;
  String type = "";
  String statement = "";
  String instance = "";
  String user = "";

  /** {@code raw} is the untruncated value: the statement is kept whole. */
  boolean read(String key, String s, String raw) {
    switch (key) {
      case "sql.query" -> {
        if (type.isEmpty()) {
          type = "sql";
        }
        statement = raw;
      }
      case "db.statement", "db.query.text" -> statement = raw;
      case "db.name", "db.namespace", "db.instance", "db.elasticsearch.cluster.name" -> instance = s;
      case "db.system", "db.type" -> type = s;
      case "db.user" -> user = s;
      default -> {
        return false;
      }
    }
    present = true;
    return true;
  }

  void writeTo(ObjectNode doc) {
    Docs.put(doc, "span.db.statement", statement);
    Docs.put(doc, "span.db.user.name", user);
    Docs.put(doc, "span.db.instance", instance);
    Docs.put(doc, "span.db.type", type);
  }

  /** The system names the target type and, without a peer service, the destination; the instance the target. */
  void target(SpanTarget t) {
    t.type = "db";
    t.subtype = type;
    t.targetType = t.type;
    if (!type.isEmpty()) {
      t.targetType = type;
      if (t.destinationName.isEmpty()) {
        t.destinationName = type;
        t.destinationResource = type;
      }
    }
    if (!instance.isEmpty()) {
      t.targetName = instance;
    }
  }
}
