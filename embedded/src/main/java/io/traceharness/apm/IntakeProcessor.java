package io.traceharness.apm;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Elastic APM intake v2 (ND-JSON) → documents, following elastic/apm-data
 * {@code input/elasticapm}: the first line must be {@code metadata}; every other line is one
 * event; invalid lines are reported (at most five errors kept) while valid ones are accepted.
 */
final class IntakeProcessor {

  static final int MAX_ERRORS = 5;
  /** APM Server's default {@code max_event_size}. */
  static final int DEFAULT_MAX_EVENT_SIZE = 300 * 1024;

  /** One entry of the {@code errors} array of the intake answer. */
  record IntakeError(String message, String document, boolean tooLarge) {
  }

  /**
   * What a request produced: accepted events, the kept errors, how many lines were invalid, and a
   * stream-level error that stopped reading (queue full, shutting down), null when none.
   */
  record Result(int accepted, List<IntakeError> errors, int invalid, String streamError) {
  }

  /** Takes one batch of documents; answers null when taken, else the stream error message. */
  interface Publisher {
    String publish(List<ApmDocument> batch);
  }

  /** APM Server decodes and publishes an intake stream ten events at a time. */
  static final int BATCH_SIZE = 10;

  private final ObjectNode observer;
  private final int maxEventSize;

  IntakeProcessor(ObjectNode observer, int maxEventSize) {
    this.observer = observer;
    this.maxEventSize = maxEventSize;
  }

  Result process(InputStream body, Publisher publisher) throws IOException {
    List<IntakeError> errors = new ArrayList<>();
    int[] invalid = {0};
    int accepted = 0;
    BufferedReader reader = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8));
    String first = nextNonEmpty(reader);
    if (first == null) {
      return new Result(0, errors, 0, null);
    }
    if (first.length() > maxEventSize) {
      addError(errors, invalid, new IntakeError("event exceeded the permitted size", first.substring(0, 10), true));
      return new Result(0, errors, invalid[0], null);
    }
    ObjectNode base;
    try {
      base = metadata(first);
    } catch (InvalidEvent e) {
      addError(errors, invalid, new IntakeError(e.getMessage(), first, false));
      return new Result(0, errors, invalid[0], null);
    }
    List<ApmDocument> batch = new ArrayList<>(BATCH_SIZE);
    String line;
    while ((line = reader.readLine()) != null) {
      if (line.isBlank()) {
        continue;
      }
      if (line.length() > maxEventSize) {
        addError(errors, invalid, new IntakeError("event exceeded the permitted size", line.substring(0, 10), true));
        continue;
      }
      try {
        batch.add(event(line, base));
      } catch (InvalidEvent e) {
        addError(errors, invalid, new IntakeError(e.getMessage(), line, false));
      }
      if (batch.size() == BATCH_SIZE) {
        String streamError = publisher.publish(batch);
        if (streamError != null) {
          return new Result(accepted, errors, invalid[0], streamError);
        }
        accepted += batch.size();
        batch = new ArrayList<>(BATCH_SIZE);
      }
    }
    if (!batch.isEmpty()) {
      String streamError = publisher.publish(batch);
      if (streamError != null) {
        return new Result(accepted, errors, invalid[0], streamError);
      }
      accepted += batch.size();
    }
    return new Result(accepted, errors, invalid[0], null);
  }

  private static void addError(List<IntakeError> errors, int[] invalid, IntakeError error) {
    invalid[0]++;
    if (errors.size() < MAX_ERRORS) {
      errors.add(error);
    }
  }

  private static String nextNonEmpty(BufferedReader reader) throws IOException {
    String line;
    while ((line = reader.readLine()) != null) {
      if (!line.isBlank()) {
        return line;
      }
    }
    return null;
  }

  static final class InvalidEvent extends Exception {
    InvalidEvent(String message) {
      super(message, null, false, false);
    }
  }

  private static JsonNode parse(String line) throws InvalidEvent {
    try {
      JsonNode node = Docs.JSON.readTree(line);
      if (node == null || !node.isObject()) {
        throw new InvalidEvent("data read error: invalid input: expected an object");
      }
      return node;
    } catch (JsonProcessingException e) {
      throw new InvalidEvent("data read error: " + e.getOriginalMessage());
    }
  }

  private static String rootKey(JsonNode node) {
    Iterator<String> names = node.fieldNames();
    return names.hasNext() ? names.next() : "";
  }

  // ---------------------------------------------------------------- metadata

  private ObjectNode metadata(String line) throws InvalidEvent {
    JsonNode root = parse(line);
    String key = rootKey(root);
    if (!key.equals("metadata")) {
      throw new InvalidEvent("\"metadata\" or \"m\" required");
    }
    JsonNode m = root.get("metadata");
    if (m == null || !m.isObject()) {
      throw new InvalidEvent("validation error: 'metadata' required");
    }
    JsonNode service = m.path("service");
    require(service, "metadata: service", "service");
    require(service.path("name"), "metadata: service", "name");
    JsonNode agent = service.path("agent");
    require(agent, "metadata: service", "agent");
    require(agent.path("name"), "metadata: service: agent", "name");
    require(agent.path("version"), "metadata: service: agent", "version");

    ObjectNode base = Docs.object();
    base.set("observer", observer.deepCopy());
    service(base, service);
    JsonNode system = m.path("system");
    Docs.put(base, "host.hostname", text(system, "detected_hostname", text(system, "hostname", null)));
    Docs.put(base, "host.name", text(system, "configured_hostname", null));
    Docs.put(base, "host.architecture", text(system, "architecture", null));
    Docs.put(base, "host.os.platform", text(system, "platform", null));
    Docs.put(base, "container.id", text(system.path("container"), "id", null));
    JsonNode process = m.path("process");
    if (process.has("pid")) {
      Docs.put(base, "process.pid", process.get("pid").asLong());
    }
    if (process.has("ppid")) {
      Docs.put(base, "process.parent.pid", process.get("ppid").asLong());
    }
    Docs.put(base, "process.title", text(process, "title", null));
    JsonNode cloud = m.path("cloud");
    Docs.put(base, "cloud.provider", text(cloud, "provider", null));
    Docs.put(base, "cloud.region", text(cloud, "region", null));
    Docs.put(base, "cloud.availability_zone", text(cloud, "availability_zone", null));
    Docs.put(base, "cloud.account.id", text(cloud.path("account"), "id", null));
    Docs.put(base, "cloud.service.name", text(cloud.path("service"), "name", null));
    JsonNode user = m.path("user");
    Docs.put(base, "user.id", text(user, "id", null));
    Docs.put(base, "user.name", text(user, "username", null));
    Docs.put(base, "user.email", text(user, "email", null));
    labels(base, m.path("labels"));
    return base;
  }

  private static void service(ObjectNode doc, JsonNode service) {
    if (service == null || !service.isObject()) {
      return;
    }
    Docs.put(doc, "service.name", text(service, "name", null));
    Docs.put(doc, "service.version", text(service, "version", null));
    Docs.put(doc, "service.environment", text(service, "environment", null));
    Docs.put(doc, "service.node.name", text(service.path("node"), "configured_name", null));
    Docs.put(doc, "service.language.name", text(service.path("language"), "name", null));
    Docs.put(doc, "service.language.version", text(service.path("language"), "version", null));
    Docs.put(doc, "service.runtime.name", text(service.path("runtime"), "name", null));
    Docs.put(doc, "service.runtime.version", text(service.path("runtime"), "version", null));
    Docs.put(doc, "service.framework.name", text(service.path("framework"), "name", null));
    Docs.put(doc, "service.framework.version", text(service.path("framework"), "version", null));
    JsonNode agent = service.path("agent");
    Docs.put(doc, "agent.name", text(agent, "name", null));
    Docs.put(doc, "agent.version", text(agent, "version", null));
    Docs.put(doc, "agent.ephemeral_id", text(agent, "ephemeral_id", null));
    Docs.put(doc, "agent.activation_method", text(agent, "activation_method", null));
  }

  /** Tags/labels: strings and booleans → labels, numbers → numeric_labels. */
  private static void labels(ObjectNode doc, JsonNode labels) {
    if (labels == null || !labels.isObject()) {
      return;
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = labels.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      JsonNode v = e.getValue();
      if (v.isNumber()) {
        Docs.numericLabel(doc, e.getKey(), v.asDouble());
      } else if (v.isTextual() || v.isBoolean()) {
        Docs.label(doc, e.getKey(), Docs.truncate(v.asText()));
      }
    }
  }

  // ---------------------------------------------------------------- events

  private ApmDocument event(String line, ObjectNode base) throws InvalidEvent {
    JsonNode root = parse(line);
    String key = rootKey(root);
    JsonNode e = root.get(key);
    ObjectNode doc = base.deepCopy();
    switch (key) {
      case "transaction" -> transaction(nested(e, key), doc);
      case "span" -> span(nested(e, key), doc);
      case "error" -> error(nested(e, key), doc);
      case "metricset" -> metricset(nested(e, key), doc);
      case "log" -> log(nested(e, key), doc);
      default -> throw new InvalidEvent("did not recognize object type: \"" + key + "\"");
    }
    return new ApmDocument(Docs.dataStreamName(doc), doc);
  }

  private static JsonNode nested(JsonNode e, String key) throws InvalidEvent {
    if (e == null || !e.isObject()) {
      throw new InvalidEvent("validation error: '" + key + "' required");
    }
    return e;
  }

  private static void require(JsonNode value, String path, String field) throws InvalidEvent {
    if (value == null || value.isMissingNode() || value.isNull()) {
      throw new InvalidEvent("validation error: " + path + ": '" + field + "' required");
    }
  }

  /**
   * apm-data's modeldecoder/v2 reads these fields with jsoniter's ReadString, which refuses any
   * other JSON type: the whole event is a decode error, not a value converted to text.
   */
  private static void strings(JsonNode event, String key, String... fields) throws InvalidEvent {
    for (String field : fields) {
      JsonNode v = event.get(field);
      if (v != null && !v.isTextual() && !v.isNull()) {
        throw new InvalidEvent("decode error: data read error: v2." + key + "Root." + key + ": v2." + key + "."
            + field + ": ReadString: expects \" or n, but found " + v.getNodeType().name().toLowerCase(java.util.Locale.ROOT));
      }
    }
  }

  private static String text(JsonNode node, String field, String fallback) {
    JsonNode v = node == null ? null : node.get(field);
    return v == null || v.isNull() || !v.isValueNode() ? fallback : v.asText();
  }

  private static long timestampNanos(JsonNode e) {
    JsonNode ts = e.get("timestamp");
    if (ts != null && ts.isNumber() && ts.asLong() > 0) {
      return ts.asLong() * 1_000;
    }
    // events without a timestamp are stamped with the time the request was received
    return System.currentTimeMillis() * 1_000_000;
  }

  private static long durationNanos(JsonNode e) {
    return (long) (e.path("duration").asDouble() * 1_000_000d);
  }

  private void transaction(JsonNode t, ObjectNode doc) throws InvalidEvent {
    strings(t, "transaction", "id", "trace_id", "parent_id", "type", "name", "result", "outcome");
    for (String f : List.of("trace_id", "id", "type", "span_count", "duration")) {
      require(t.get(f), "transaction", f);
    }
    require(t.path("span_count").get("started"), "transaction: span_count", "started");
    JsonNode context = t.path("context");
    service(doc, context.path("service"));
    Docs.timestamp(doc, timestampNanos(t));
    Docs.put(doc, "processor.event", "transaction");
    Docs.put(doc, "trace.id", text(t, "trace_id", null));
    Docs.put(doc, "transaction.id", text(t, "id", null));
    Docs.put(doc, "span.id", text(t, "id", null));
    Docs.put(doc, "parent.id", text(t, "parent_id", null));
    Docs.put(doc, "transaction.name", text(t, "name", null));
    Docs.put(doc, "transaction.type", text(t, "type", null));
    Docs.put(doc, "transaction.result", text(t, "result", null));
    Docs.put(doc, "transaction.sampled", t.path("sampled").asBoolean(true));
    double sampleRate = t.has("sample_rate") ? t.get("sample_rate").asDouble() : 1;
    if (sampleRate > 0) {
      Docs.put(doc, "transaction.representative_count", 1 / sampleRate);
    }
    Docs.put(doc, "transaction.span_count.started", t.path("span_count").path("started").asLong());
    if (t.path("span_count").has("dropped")) {
      Docs.put(doc, "transaction.span_count.dropped", t.path("span_count").path("dropped").asLong());
    }
    Docs.duration(doc, "transaction", durationNanos(t));
    JsonNode request = context.path("request");
    Docs.put(doc, "http.request.method", text(request, "method", null));
    Docs.put(doc, "http.version", text(request, "http_version", null));
    Docs.put(doc, "url.full", text(request.path("url"), "full", null));
    Docs.put(doc, "url.original", text(request.path("url"), "raw", null));
    Docs.put(doc, "url.path", text(request.path("url"), "pathname", null));
    Docs.put(doc, "url.domain", text(request.path("url"), "hostname", null));
    JsonNode response = context.path("response");
    if (response.has("status_code")) {
      Docs.put(doc, "http.response.status_code", response.get("status_code").asLong());
    }
    labels(doc, context.path("tags"));
    String outcome = text(t, "outcome", null);
    if (outcome == null) {
      outcome = response.has("status_code") ? (response.get("status_code").asInt() >= 500 ? "failure" : "success") : "unknown";
    }
    Docs.outcome(doc, outcome);
    otel(t, doc);
    Docs.dataStream(doc, "traces", "apm");
  }

  private void span(JsonNode s, ObjectNode doc) throws InvalidEvent {
    strings(s, "span", "id", "trace_id", "parent_id", "transaction_id", "type", "subtype", "action", "name", "outcome");
    for (String f : List.of("id", "trace_id", "parent_id", "name", "type", "duration")) {
      require(s.get(f), "span", f);
    }
    if (!s.has("start") && !s.has("timestamp")) {
      throw new InvalidEvent("validation error: span: requires at least one of the fields 'start;timestamp'");
    }
    JsonNode context = s.path("context");
    service(doc, context.path("service"));
    long ts = timestampNanos(s);
    if (!s.has("timestamp") && s.has("start")) {
      ts += (long) (s.get("start").asDouble() * 1_000_000d);
    }
    Docs.timestamp(doc, ts);
    Docs.put(doc, "processor.event", "span");
    Docs.put(doc, "trace.id", text(s, "trace_id", null));
    Docs.put(doc, "span.id", text(s, "id", null));
    Docs.put(doc, "parent.id", text(s, "parent_id", null));
    Docs.put(doc, "transaction.id", text(s, "transaction_id", null));
    Docs.put(doc, "span.name", text(s, "name", null));
    String type = text(s, "type", "");
    String subtype = text(s, "subtype", null);
    String action = text(s, "action", null);
    if (subtype == null && action == null) {
      String[] parts = type.split("\\.", 3);
      type = parts[0];
      subtype = parts.length > 1 ? parts[1] : null;
      action = parts.length > 2 ? parts[2] : null;
    }
    Docs.put(doc, "span.type", type.isEmpty() ? "unknown" : type);
    Docs.put(doc, "span.subtype", subtype);
    Docs.put(doc, "span.action", action);
    if (s.has("sync")) {
      Docs.put(doc, "span.sync", s.get("sync").asBoolean());
    }
    double sampleRate = s.has("sample_rate") ? s.get("sample_rate").asDouble() : 1;
    if (sampleRate > 0) {
      Docs.put(doc, "span.representative_count", 1 / sampleRate);
    }
    Docs.duration(doc, "span", durationNanos(s));
    JsonNode db = context.path("db");
    if (db.isObject()) {
      Docs.put(doc, "span.db.instance", text(db, "instance", null));
      Docs.put(doc, "span.db.statement", text(db, "statement", null));
      Docs.put(doc, "span.db.type", text(db, "type", null));
      Docs.put(doc, "span.db.user.name", text(db, "user", null));
    }
    JsonNode http = context.path("http");
    Docs.put(doc, "http.request.method", text(http, "method", null));
    Docs.put(doc, "url.original", text(http, "url", null));
    // Integer.valueOf on both branches: a bare int branch would unbox the null branch and throw
    Integer statusCode = http.has("status_code") ? Integer.valueOf(http.get("status_code").asInt())
        : http.path("response").has("status_code") ? Integer.valueOf(http.path("response").get("status_code").asInt())
        : null;
    if (statusCode != null) {
      Docs.put(doc, "http.response.status_code", statusCode.longValue());
    }
    JsonNode destination = context.path("destination");
    Docs.put(doc, "destination.address", text(destination, "address", null));
    if (destination.has("port")) {
      Docs.put(doc, "destination.port", destination.get("port").asLong());
    }
    JsonNode destService = destination.path("service");
    if (destService.isObject()) {
      Docs.put(doc, "span.destination.service.name", text(destService, "name", null));
      Docs.put(doc, "span.destination.service.resource", text(destService, "resource", null));
      Docs.put(doc, "span.destination.service.type", text(destService, "type", null));
    }
    JsonNode target = context.path("service").path("target");
    if (target.isObject() && (target.has("type") || target.has("name"))) {
      Docs.put(doc, "service.target.type", text(target, "type", null));
      Docs.put(doc, "service.target.name", text(target, "name", null));
    } else if (destService.has("resource")) {
      targetFromResource(doc, destService.get("resource").asText());
    }
    labels(doc, context.path("tags"));
    String outcome = text(s, "outcome", null);
    if (outcome == null) {
      outcome = statusCode != null ? (statusCode >= 400 ? "failure" : "success") : "unknown";
    }
    Docs.outcome(doc, outcome);
    otel(s, doc);
    Docs.dataStream(doc, "traces", "apm");
  }

  /** {@code service.target.*} from a legacy destination resource ("mysql", "kafka/orders", "host:port"). */
  private static void targetFromResource(ObjectNode doc, String resource) {
    int slash = resource.indexOf('/');
    if (slash > 0) {
      Docs.put(doc, "service.target.type", resource.substring(0, slash));
      Docs.put(doc, "service.target.name", resource.substring(slash + 1));
    } else {
      Docs.put(doc, "service.target.type", "");
      Docs.put(doc, "service.target.name", resource);
    }
  }

  /** Bridged OpenTelemetry data ({@code otel.span_kind}, {@code otel.attributes}) as APM Server keeps it. */
  private static void otel(JsonNode event, ObjectNode doc) {
    JsonNode otel = event.path("otel");
    if (!otel.isObject()) {
      return;
    }
    Docs.put(doc, "span.kind", text(otel, "span_kind", null));
    labels(doc, otel.path("attributes"));
  }

  private void error(JsonNode e, ObjectNode doc) throws InvalidEvent {
    strings(e, "error", "id", "trace_id", "parent_id", "transaction_id", "culprit");
    require(e.get("id"), "error", "id");
    if (!e.has("exception") && !e.has("log")) {
      throw new InvalidEvent("validation error: error: requires at least one of the fields 'exception;log'");
    }
    service(doc, e.path("context").path("service"));
    Docs.timestamp(doc, timestampNanos(e));
    Docs.put(doc, "processor.event", "error");
    Docs.put(doc, "error.id", text(e, "id", null));
    Docs.put(doc, "trace.id", text(e, "trace_id", null));
    Docs.put(doc, "transaction.id", text(e, "transaction_id", null));
    Docs.put(doc, "parent.id", text(e, "parent_id", null));
    Docs.put(doc, "error.culprit", text(e, "culprit", null));
    JsonNode transaction = e.path("transaction");
    Docs.put(doc, "transaction.type", text(transaction, "type", null));
    Docs.put(doc, "transaction.name", text(transaction, "name", null));
    if (transaction.has("sampled")) {
      Docs.put(doc, "transaction.sampled", transaction.get("sampled").asBoolean());
    }
    JsonNode exception = e.path("exception");
    if (exception.isObject()) {
      ObjectNode ex = Docs.obj(doc, "error").putArray("exception").addObject();
      if (exception.has("message")) {
        ex.put("message", exception.get("message").asText());
      }
      if (exception.has("type")) {
        ex.put("type", exception.get("type").asText());
      }
      if (exception.has("handled")) {
        ex.put("handled", exception.get("handled").asBoolean());
      }
    }
    JsonNode log = e.path("log");
    if (log.isObject()) {
      Docs.put(doc, "error.log.message", text(log, "message", null));
      Docs.put(doc, "error.log.level", text(log, "level", null));
      Docs.put(doc, "error.log.logger_name", text(log, "logger_name", null));
    }
    labels(doc, e.path("context").path("tags"));
    Docs.dataStream(doc, "logs", "apm.error");
  }

  private void metricset(JsonNode m, ObjectNode doc) throws InvalidEvent {
    require(m.get("samples"), "metricset", "samples");
    Docs.timestamp(doc, timestampNanos(m));
    Docs.put(doc, "processor.event", "metric");
    Docs.put(doc, "metricset.name", text(m, "name", "app"));
    boolean internal = m.has("transaction") || m.has("span");
    JsonNode transaction = m.path("transaction");
    Docs.put(doc, "transaction.name", text(transaction, "name", null));
    Docs.put(doc, "transaction.type", text(transaction, "type", null));
    JsonNode span = m.path("span");
    Docs.put(doc, "span.type", text(span, "type", null));
    Docs.put(doc, "span.subtype", text(span, "subtype", null));
    List<String> names = new ArrayList<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = m.get("samples").fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> sample = it.next();
      names.add(sample.getKey());
      JsonNode value = sample.getValue().get("value");
      if (value != null && value.isNumber()) {
        doc.put(sample.getKey(), value.asDouble());
      } else if (sample.getValue().has("values")) {
        ObjectNode h = doc.putObject(sample.getKey());
        h.set("values", sample.getValue().get("values"));
        h.set("counts", sample.getValue().path("counts"));
      }
    }
    labels(doc, m.path("tags"));
    String service = doc.path("service").path("name").asText();
    internal = internal || service.isEmpty() || InternalMetrics.allInternal(names);
    Docs.dataStream(doc, "metrics", internal ? "apm.internal" : "apm.app." + Docs.normalizeForDataset(service));
  }

  private void log(JsonNode l, ObjectNode doc) throws InvalidEvent {
    if (!l.has("message") && !l.has("error")) {
      throw new InvalidEvent("validation error: log: requires at least one of the fields 'message;error'");
    }
    Docs.timestamp(doc, timestampNanos(l));
    Docs.put(doc, "processor.event", "log");
    Docs.put(doc, "message", text(l, "message", null));
    Docs.put(doc, "log.level", text(l, "log.level", text(l.path("log"), "level", null)));
    Docs.put(doc, "log.logger", text(l, "log.logger", text(l.path("log"), "logger", null)));
    Docs.put(doc, "trace.id", text(l, "trace.id", text(l.path("trace"), "id", null)));
    Docs.put(doc, "transaction.id", text(l, "transaction.id", text(l.path("transaction"), "id", null)));
    Docs.put(doc, "span.id", text(l, "span.id", text(l.path("span"), "id", null)));
    labels(doc, l.path("labels"));
    Docs.dataStream(doc, "logs", "apm.app." + Docs.normalizeForDataset(doc.path("service").path("name").asText()));
  }
}
