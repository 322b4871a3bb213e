package io.traceharness.apm;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.opentelemetry.proto.common.v1.KeyValue;
import java.util.Set;

/**
 * The database semantic conventions ({@code db.*}, {@code sql.query}) on a span: type db, the
 * system as subtype, statement, instance and user (elastic/apm-data input/otlp/traces.go, the
 * {@code db.*} cases and the {@code isDatabase} branch of {@code TranslateSpan}).
 */
final class DbMapping {

  private static final Set<String> SYSTEM = Set.of("db.system", "db.type");
  private static final Set<String> SQL_QUERY = Set.of("sql.query");
  private static final Set<String> STATEMENT = Set.of("sql.query", "db.statement");
  private static final Set<String> INSTANCE = Set.of("db.name", "db.instance", "db.elasticsearch.cluster.name");
  private static final Set<String> STRINGS = Set.of("sql.query", "db.statement", "db.name", "db.instance",
      "db.elasticsearch.cluster.name", "db.system", "db.type", "db.user");

  private DbMapping() {
  }

  static boolean readsOnSpan(KeyValue kv) {
    return SpanAttributes.isString(STRINGS).test(kv);
  }

  /** {@code present} when any attribute makes the span a database call. */
  record Db(boolean present, String system, String statement, String instance, String user) {

    /** A bare {@code sql.query} says the system is SQL; a {@code db.system} anywhere says which. */
    static Db of(SpanAttributes a) {
      String system = a.any(SpanAttributes.isString(SYSTEM)) ? a.string(SYSTEM)
          : a.any(SpanAttributes.isString(SQL_QUERY)) ? "sql" : null;
      // the statement is kept whole: APM Server does not truncate it to a keyword's length
      KeyValue statement = a.last(SpanAttributes.isString(STATEMENT).and(kv -> !kv.getValue().getStringValue().isEmpty()));
      return new Db(a.any(SpanAttributes.isString(STRINGS)), system,
          statement == null ? null : statement.getValue().getStringValue(), a.string(INSTANCE), a.field("db.user"));
    }

    void writeTo(ObjectNode doc) {
      Docs.put(doc, "span.db.statement", statement);
      Docs.put(doc, "span.db.user.name", user);
      Docs.put(doc, "span.db.instance", instance);
      Docs.put(doc, "span.db.type", system);
    }

    /** The instance is the target; the system names the destination unless a peer service does. */
    SpanTarget target(NetMapping.Peer peer) {
      boolean named = system != null && peer.service() == null;
      return new SpanTarget("db", system, null, system != null ? system : "db",
          instance != null ? instance : peer.service(),
          named ? system : peer.service(), named ? system : peer.resource());
    }
  }
}
