package io.traceharness.apm;

import static io.traceharness.apm.IntakeContext.text;
import static io.traceharness.apm.IntakeValidation.isSet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.traceharness.apm.IntakeValidation.InvalidEvent;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Intake v2 metadata and events → the document APM Server writes, as elastic/apm-data v1.22.0
 * {@code input/elasticapm/internal/modeldecoder/v2/decoder.go} maps them (mapToMetadataModel,
 * mapToTransactionModel, mapToSpanModel, mapToErrorModel, mapToMetricsetModel, mapToLogModel),
 * after validating them as its generated rules do ({@link IntakeValidation}).
 */
final class IntakeEvents {

  private final ObjectNode observer;

  IntakeEvents(ObjectNode observer) {
    this.observer = observer;
  }

  // ---------------------------------------------------------------- metadata

  /**
   * The document every event of the stream starts from.
   *
   * @param clientIp the request's client address: APM Server's backend request metadata puts it
   *     in {@code host.ip} (apm-server internal/beater/api/mux.go backendRequestMetadataFunc)
   */
  ObjectNode metadata(JsonNode root, String clientIp) throws InvalidEvent {
    JsonNode m = root.get("metadata");
    // a struct is set when one of its fields is (generated IsSet): {"user": null} is no metadata
    if (!isSet(m) || !m.isObject() || !anySet(m)) {
      throw IntakeValidation.validation("", "'metadata' required");
    }
    JsonNode service = m.get("service");
    if (!isSet(service)) {
      throw IntakeValidation.validation("metadata", "'service' required");
    }
    IntakeValidation.strings(service, "metadataService", "name");
    IntakeValidation.required(service, "metadata: service", "agent");
    JsonNode agent = service.get("agent");
    IntakeValidation.required(agent, "metadata: service: agent", "name");
    IntakeValidation.required(agent, "metadata: service: agent", "version");
    IntakeValidation.required(service, "metadata: service", "name");
    if (service.get("name").asText().isEmpty()) {
      throw IntakeValidation.validation("metadata: service", "'name': validation rule 'minLength(1)' violated");
    }
    IntakeValidation.maxLength(service, "metadata: service", "name", "version", "environment");
    IntakeValidation.pattern(service, "metadata: service", "name");
    JsonNode process = m.path("process");
    if (process.isObject() && !process.isEmpty()) {
      IntakeValidation.required(process, "metadata: process", "pid");
    }

    ObjectNode doc = Docs.object();
    if (clientIp != null) {
      doc.putObject("host").putArray("ip").add(clientIp);
    }
    doc.set("observer", observer.deepCopy());
    cloud(doc, m.path("cloud"));
    IntakeContext.labels(doc, m.path("labels"));
    process(doc, process);
    IntakeContext.service(doc, service);
    system(doc, m.path("system"));
    JsonNode user = m.path("user");
    Docs.put(doc, "user.domain", text(user, "domain"));
    Docs.put(doc, "user.id", text(user, "id"));
    Docs.put(doc, "user.email", text(user, "email"));
    Docs.put(doc, "user.name", text(user, "username"));
    Docs.put(doc, "network.connection.type", text(m.path("network").path("connection"), "type"));
    return doc;
  }

  private static boolean anySet(JsonNode object) {
    for (JsonNode v : object) {
      if (isSet(v)) {
        return true;
      }
    }
    return false;
  }

  private static void cloud(ObjectNode doc, JsonNode cloud) {
    if (!cloud.isObject()) {
      return;
    }
    Docs.put(doc, "cloud.account.id", text(cloud.path("account"), "id"));
    Docs.put(doc, "cloud.account.name", text(cloud.path("account"), "name"));
    Docs.put(doc, "cloud.availability_zone", text(cloud, "availability_zone"));
    Docs.put(doc, "cloud.instance.id", text(cloud.path("instance"), "id"));
    Docs.put(doc, "cloud.instance.name", text(cloud.path("instance"), "name"));
    Docs.put(doc, "cloud.machine.type", text(cloud.path("machine"), "type"));
    Docs.put(doc, "cloud.project.id", text(cloud.path("project"), "id"));
    Docs.put(doc, "cloud.project.name", text(cloud.path("project"), "name"));
    Docs.put(doc, "cloud.provider", text(cloud, "provider"));
    Docs.put(doc, "cloud.region", text(cloud, "region"));
    Docs.put(doc, "cloud.service.name", text(cloud.path("service"), "name"));
  }

  private static void process(ObjectNode doc, JsonNode process) {
    if (!process.isObject()) {
      return;
    }
    if (process.path("argv").isArray() && !process.get("argv").isEmpty()) {
      ArrayNode args = Docs.obj(doc, "process").putArray("args");
      process.get("argv").forEach(a -> args.add(a.asText()));
    }
    if (process.path("pid").isNumber()) {
      Docs.put(doc, "process.pid", process.get("pid").asLong());
    }
    if (process.path("ppid").isNumber()) {
      // elasticsearch apm@pipeline.yaml renames process.ppid to process.parent.pid
      Docs.put(doc, "process.parent.pid", process.get("ppid").asLong());
    }
    Docs.put(doc, "process.title", text(process, "title"));
  }

  /** mapToMetadataModel's system section: the deprecated hostname only when neither new one is set. */
  private static void system(ObjectNode doc, JsonNode system) {
    if (!system.isObject()) {
      return;
    }
    Docs.put(doc, "host.architecture", text(system, "architecture"));
    Docs.put(doc, "host.name", text(system, "configured_hostname"));
    Docs.put(doc, "container.id", text(system.path("container"), "id"));
    Docs.put(doc, "host.hostname", text(system, "detected_hostname"));
    Docs.put(doc, "host.id", text(system, "host_id"));
    if (!isSet(system.get("configured_hostname")) && !isSet(system.get("detected_hostname"))) {
      Docs.put(doc, "host.hostname", text(system, "hostname"));
    }
    JsonNode k8s = system.path("kubernetes");
    Docs.put(doc, "kubernetes.namespace", text(k8s, "namespace"));
    Docs.put(doc, "kubernetes.node.name", text(k8s.path("node"), "name"));
    Docs.put(doc, "kubernetes.pod.name", text(k8s.path("pod"), "name"));
    Docs.put(doc, "kubernetes.pod.uid", text(k8s.path("pod"), "uid"));
    Docs.put(doc, "host.os.platform", text(system, "platform"));
  }

  // ---------------------------------------------------------------- events

  /** One event line (already parsed) on top of the metadata document. */
  ApmDocument event(String key, JsonNode e, ObjectNode base, long receivedNanos) throws InvalidEvent {
    if (!isSet(e) || !e.isObject()) {
      throw IntakeValidation.validation("", "'" + key + "' required");
    }
    ObjectNode doc = base.deepCopy();
    switch (key) {
      case "transaction" -> transaction(e, doc, receivedNanos);
      case "span" -> span(e, doc, receivedNanos);
      case "error" -> error(e, doc, receivedNanos);
      case "metricset" -> metricset(e, doc, receivedNanos);
      case "log" -> log(e, doc, receivedNanos);
      default -> throw new InvalidEvent("did not recognize object type: \"" + key + "\"");
    }
    return new ApmDocument(Docs.dataStreamName(doc), doc);
  }

  /** Timestamps are epoch microseconds; an event without one gets the time the request was received. */
  private static void timestamp(ObjectNode doc, JsonNode e, long receivedNanos) {
    JsonNode ts = e.get("timestamp");
    Docs.timestamp(doc, ts != null && ts.isNumber() && ts.asLong() > 0 ? ts.asLong() * 1_000 : receivedNanos);
  }

  private static long durationNanos(JsonNode e) {
    return (long) (e.path("duration").asDouble() * 1_000_000d);
  }

  private static double representativeCount(JsonNode e) {
    JsonNode rate = e.get("sample_rate");
    if (!isSet(rate)) {
      return 1;
    }
    return rate.asDouble() > 0 ? 1 / rate.asDouble() : 0;
  }

  private static void transaction(JsonNode t, ObjectNode doc, long receivedNanos) throws InvalidEvent {
    String path = "transaction";
    IntakeValidation.strings(t, "transaction", "trace_id", "id", "parent_id", "name", "type", "result", "outcome");
    IntakeValidation.numbers(t, "transaction", "duration", "timestamp", "sample_rate");
    IntakeValidation.maxLength(t, path, "trace_id");
    IntakeValidation.required(t, path, "trace_id");
    IntakeValidation.maxLength(t, path, "id");
    IntakeValidation.required(t, path, "id");
    IntakeValidation.maxLength(t, path, "parent_id", "name", "type");
    IntakeValidation.required(t, path, "type");
    IntakeValidation.maxLength(t, path, "result");
    IntakeValidation.outcome(t, path);
    IntakeValidation.required(t, path, "span_count");
    IntakeValidation.required(t.get("span_count"), path + ": span_count", "started");
    IntakeValidation.required(t, path, "duration");
    IntakeValidation.min(t, path, "duration", 0);

    JsonNode context = t.path("context");
    IntakeContext.service(doc, context.path("service"));
    IntakeContext.user(doc, context.path("user"));
    IntakeContext.faas(doc, t.get("faas"));
    IntakeContext.cloudOrigin(doc, context.path("cloud"));
    if (context.path("custom").isObject() && !context.get("custom").isEmpty()) {
      Docs.putNode(doc, "transaction.custom", context.get("custom").deepCopy());
    }
    IntakeContext.labels(doc, context.path("tags"));
    IntakeContext.message(doc, "transaction", context.get("message"));
    IntakeContext.request(doc, context.get("request"));
    IntakeContext.response(doc, context.get("response"));
    page(doc, context.path("page"), context.path("request").has("url"));
    Docs.duration(doc, "transaction", durationNanos(t));
    Docs.put(doc, "transaction.id", text(t, "id"));
    Docs.put(doc, "span.id", text(t, "id"));
    marks(doc, t.path("marks"));
    Docs.put(doc, "transaction.name", text(t, "name"));
    String outcome = text(t, "outcome");
    if (outcome == null) {
      JsonNode status = context.path("response").path("status_code");
      outcome = status.isNumber() ? (status.asInt() >= 500 ? "failure" : "success") : "unknown";
    }
    Docs.outcome(doc, outcome);
    Docs.put(doc, "parent.id", text(t, "parent_id"));
    Docs.put(doc, "transaction.result", text(t, "result"));
    Docs.put(doc, "transaction.sampled", !t.path("sampled").isBoolean() || t.get("sampled").asBoolean());
    Docs.put(doc, "transaction.representative_count", representativeCount(t));
    JsonNode session = t.path("session");
    if (isSet(session.get("id"))) {
      Docs.put(doc, "session.id", text(session, "id"));
      Docs.put(doc, "session.sequence", session.path("sequence").asLong());
    }
    JsonNode spanCount = t.path("span_count");
    if (spanCount.path("dropped").isNumber()) {
      Docs.put(doc, "transaction.span_count.dropped", spanCount.get("dropped").asLong());
    }
    Docs.put(doc, "transaction.span_count.started", spanCount.path("started").asLong());
    timestamp(doc, t, receivedNanos);
    Docs.put(doc, "trace.id", text(t, "trace_id"));
    Docs.put(doc, "transaction.type", text(t, "type"));
    experience(doc, t.path("experience"));
    otel(doc, t.path("otel"), "transaction");
    links(doc, t.path("links"));
    Docs.dataStream(doc, "traces", "apm");
  }

  private static void page(ObjectNode doc, JsonNode page, boolean requestUrl) {
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

  private static void marks(ObjectNode doc, JsonNode marks) {
    if (!marks.isObject()) {
      return;
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = marks.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> group = it.next();
      if (group.getValue().isObject() && !group.getValue().isEmpty()) {
        for (Iterator<Map.Entry<String, JsonNode>> m = group.getValue().fields(); m.hasNext(); ) {
          Map.Entry<String, JsonNode> mark = m.next();
          if (mark.getValue().isNumber()) {
            ObjectNode marksNode = Docs.obj(doc, "transaction.marks");
            ObjectNode groupNode = marksNode.get(group.getKey()) instanceof ObjectNode g ? g : marksNode.putObject(group.getKey());
            groupNode.put(mark.getKey(), mark.getValue().asDouble());
          }
        }
      }
    }
  }

  /** User experience: unset metrics are -1 in the model and left out of the document. */
  private static void experience(ObjectNode doc, JsonNode x) {
    if (!x.isObject()) {
      return;
    }
    for (String f : List.of("cls", "fid", "tbt")) {
      if (x.path(f).isNumber()) {
        Docs.put(doc, "transaction.experience." + f, x.get(f).asDouble());
      }
    }
    JsonNode longtask = x.path("longtask");
    if (longtask.isObject()) {
      Docs.put(doc, "transaction.experience.longtask.count", longtask.path("count").asLong());
      Docs.put(doc, "transaction.experience.longtask.sum", longtask.path("sum").asDouble());
      Docs.put(doc, "transaction.experience.longtask.max", longtask.path("max").asDouble());
    }
  }

  /**
   * Bridged OpenTelemetry data: {@code otel.span_kind} (defaulting to SERVER for transactions and
   * INTERNAL for spans when attributes are sent) and attributes as labels, except the profiler
   * stack trace ids which have their own field (mapOTelAttributesTransaction / …Span).
   */
  private static void otel(ObjectNode doc, JsonNode otel, String event) {
    if (!otel.isObject()) {
      return;
    }
    String kind = text(otel, "span_kind");
    if (kind == null) {
      kind = event.equals("transaction") ? "SERVER" : "INTERNAL";
    }
    Docs.put(doc, "span.kind", kind);
    JsonNode attributes = otel.path("attributes");
    ObjectNode rest = Docs.object();
    for (Iterator<Map.Entry<String, JsonNode>> it = attributes.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> a = it.next();
      if (a.getKey().equals("elastic.profiler_stack_trace_ids") && a.getValue().isArray()) {
        ArrayNode ids = Docs.obj(doc, event).putArray("profiler_stack_trace_ids");
        a.getValue().forEach(v -> ids.add(v.asText()));
      } else {
        rest.set(a.getKey(), a.getValue());
      }
    }
    IntakeContext.labels(doc, rest);
    if (event.equals("transaction")) {
      // apm-data translates bridged transactions as OTLP spans: an unset status is a success
      if ("unknown".equals(doc.at("/event/outcome").asText())) {
        Docs.outcome(doc, "success");
        if (doc.at("/transaction/result").isMissingNode()) {
          Docs.put(doc, "transaction.result", "Success");
        }
      }
    }
  }

  private static void links(ObjectNode doc, JsonNode links) {
    if (!links.isArray() || links.isEmpty()) {
      return;
    }
    ArrayNode out = Docs.obj(doc, "span").putArray("links");
    for (JsonNode l : links) {
      ObjectNode link = out.addObject();
      link.putObject("trace").put("id", l.path("trace_id").asText());
      link.putObject("span").put("id", l.path("span_id").asText());
    }
  }

  private static void span(JsonNode s, ObjectNode doc, long receivedNanos) throws InvalidEvent {
    String path = "span";
    IntakeValidation.requiredAnyOf(s, path, "start", "timestamp");
    IntakeValidation.strings(s, "span", "id", "trace_id", "action", "name", "outcome", "parent_id", "type", "subtype",
        "transaction_id");
    IntakeValidation.numbers(s, "span", "duration", "start", "timestamp", "sample_rate");
    IntakeValidation.maxLength(s, path, "id");
    IntakeValidation.required(s, path, "id");
    IntakeValidation.maxLength(s, path, "trace_id");
    IntakeValidation.required(s, path, "trace_id");
    IntakeValidation.maxLength(s, path, "action", "name");
    IntakeValidation.required(s, path, "name");
    IntakeValidation.outcome(s, path);
    IntakeValidation.maxLength(s, path, "parent_id");
    IntakeValidation.required(s, path, "parent_id");
    IntakeValidation.maxLength(s, path, "type");
    IntakeValidation.required(s, path, "type");
    IntakeValidation.maxLength(s, path, "subtype", "transaction_id");
    IntakeValidation.required(s, path, "duration");
    IntakeValidation.min(s, path, "duration", 0);

    JsonNode context = s.path("context");
    IntakeContext.service(doc, context.path("service"));
    IntakeContext.labels(doc, context.path("tags"));
    Docs.put(doc, "span.id", text(s, "id"));
    Docs.put(doc, "span.name", text(s, "name"));
    Docs.put(doc, "trace.id", text(s, "trace_id"));
    Docs.put(doc, "parent.id", text(s, "parent_id"));
    Docs.put(doc, "transaction.id", text(s, "transaction_id"));
    String type = text(s, "type");
    String subtype = text(s, "subtype");
    String action = text(s, "action");
    if (subtype == null && action == null) {
      // a dotted type without subtype or action carries both (mapToSpanModel)
      String[] parts = type.split("\\.", 3);
      type = parts[0];
      subtype = parts.length > 1 ? parts[1] : null;
      action = parts.length > 2 ? parts[2] : null;
    }
    Docs.put(doc, "span.type", type);
    Docs.put(doc, "span.subtype", subtype);
    Docs.put(doc, "span.action", action);
    if (s.path("sync").isBoolean()) {
      Docs.put(doc, "span.sync", s.get("sync").asBoolean());
    }
    if (s.path("child_ids").isArray() && !s.get("child_ids").isEmpty()) {
      ArrayNode ids = Docs.obj(doc, "child").putArray("id");
      s.get("child_ids").forEach(v -> ids.add(v.asText()));
    }
    Docs.put(doc, "span.representative_count", representativeCount(s));
    Docs.duration(doc, "span", durationNanos(s));
    long ts = s.path("timestamp").isNumber() && s.get("timestamp").asLong() > 0 ? s.get("timestamp").asLong() * 1_000
        : receivedNanos + (long) (s.path("start").asDouble() * 1_000_000d);
    Docs.timestamp(doc, ts);
    JsonNode db = context.path("db");
    if (db.isObject()) {
      Docs.put(doc, "span.db.instance", text(db, "instance"));
      Docs.put(doc, "span.db.statement", text(db, "statement"));
      Docs.put(doc, "span.db.type", text(db, "type"));
      Docs.put(doc, "span.db.user.name", text(db, "user"));
      Docs.put(doc, "span.db.link", text(db, "link"));
      if (db.path("rows_affected").isNumber()) {
        Docs.put(doc, "span.db.rows_affected", db.get("rows_affected").asLong());
      }
    }
    Integer status = spanHttp(doc, context.path("http"));
    destination(doc, context.path("destination"), context.path("service").path("target"));
    IntakeContext.message(doc, "span", context.get("message"));
    composite(doc, s.path("composite"));
    String outcome = text(s, "outcome");
    if (outcome == null) {
      outcome = status != null ? (status >= 400 ? "failure" : "success") : "unknown";
    }
    Docs.outcome(doc, outcome);
    otel(doc, s.path("otel"), "span");
    links(doc, s.path("links"));
    Docs.dataStream(doc, "traces", "apm");
  }

  private static Integer spanHttp(ObjectNode doc, JsonNode http) {
    if (!http.isObject()) {
      return null;
    }
    Docs.put(doc, "http.request.method", text(http, "method"));
    Docs.put(doc, "http.request.id", text(http.path("request"), "id"));
    Docs.put(doc, "url.original", text(http, "url"));
    JsonNode response = http.path("response");
    IntakeContext.response(doc, response);
    Integer status = null;
    if (http.path("status_code").isNumber()) {
      status = http.get("status_code").asInt();
    } else if (response.path("status_code").isNumber()) {
      status = response.get("status_code").asInt();
    }
    if (status != null) {
      Docs.put(doc, "http.response.status_code", status.longValue());
    }
    return status;
  }

  private static void destination(ObjectNode doc, JsonNode destination, JsonNode target) {
    String address = text(destination, "address");
    if (address != null) {
      Docs.put(doc, "destination.address", address);
      if (IntakeContext.isIp(address)) {
        Docs.put(doc, "destination.ip", IntakeContext.canonicalIp(address));
      }
    }
    if (destination.path("port").isNumber()) {
      Docs.put(doc, "destination.port", destination.get("port").asLong());
    }
    JsonNode service = destination.path("service");
    if (service.isObject()) {
      Docs.put(doc, "span.destination.service.name", text(service, "name"));
      Docs.put(doc, "span.destination.service.resource", text(service, "resource"));
      Docs.put(doc, "span.destination.service.type", text(service, "type"));
    }
    if (target.isObject() && (isSet(target.get("type")) || isSet(target.get("name")))) {
      Docs.put(doc, "service.target.type", text(target, "type"));
      Docs.put(doc, "service.target.name", text(target, "name"));
    } else if (text(service, "resource") != null) {
      // targetFromDestinationResource: "type/name", else the resource is the name
      String resource = text(service, "resource");
      int slash = resource.indexOf('/');
      if (slash > 0) {
        Docs.put(doc, "service.target.type", resource.substring(0, slash));
        Docs.put(doc, "service.target.name", resource.substring(slash + 1));
      } else {
        Docs.put(doc, "service.target.name", resource);
      }
    }
  }

  private static void composite(ObjectNode doc, JsonNode composite) {
    if (!composite.isObject()) {
      return;
    }
    Docs.put(doc, "span.composite.compression_strategy", text(composite, "compression_strategy"));
    Docs.put(doc, "span.composite.count", composite.path("count").asLong());
    Docs.put(doc, "span.composite.sum.us", (long) (composite.path("sum").asDouble() * 1_000));
  }

  private static void error(JsonNode e, ObjectNode doc, long receivedNanos) throws InvalidEvent {
    String path = "error";
    IntakeValidation.requiredAnyOf(e, path, "exception", "log");
    IntakeValidation.strings(e, "errorEvent", "culprit", "id", "parent_id", "trace_id", "transaction_id");
    IntakeValidation.maxLength(e, path, "culprit", "id");
    IntakeValidation.required(e, path, "id");
    requiredIf(e, path, "parent_id", "transaction_id", "trace_id");
    requiredIf(e, path, "trace_id", "transaction_id", "parent_id");
    JsonNode exception = e.get("exception");
    if (isSet(exception)) {
      IntakeValidation.requiredAnyOf(exception, path + ": exception", "message", "type");
    }
    JsonNode log = e.get("log");
    if (isSet(log)) {
      IntakeValidation.required(log, path + ": log", "message");
    }

    JsonNode context = e.path("context");
    IntakeContext.service(doc, context.path("service"));
    IntakeContext.user(doc, context.path("user"));
    IntakeContext.labels(doc, context.path("tags"));
    IntakeContext.request(doc, context.get("request"));
    IntakeContext.response(doc, context.get("response"));
    page(doc, context.path("page"), context.path("request").has("url"));
    if (context.path("custom").isObject() && !context.get("custom").isEmpty()) {
      Docs.putNode(doc, "error.custom", context.get("custom").deepCopy());
    }
    Docs.put(doc, "error.culprit", text(e, "culprit"));
    if (isSet(exception)) {
      ArrayNode exceptions = Docs.obj(doc, "error").putArray("exception");
      exception(exceptions, exception, -1);
    }
    Docs.put(doc, "error.id", text(e, "id"));
    if (isSet(log)) {
      Docs.put(doc, "error.log.level", text(log, "level") != null ? text(log, "level") : "error");
      Docs.put(doc, "error.log.logger_name", text(log, "logger_name"));
      Docs.put(doc, "error.log.message", text(log, "message"));
      Docs.put(doc, "error.log.param_message", text(log, "param_message"));
      if (log.path("stacktrace").isArray() && !log.get("stacktrace").isEmpty()) {
        Docs.putNode(doc, "error.log.stacktrace", log.get("stacktrace").deepCopy());
      }
    }
    Docs.put(doc, "parent.id", text(e, "parent_id"));
    timestamp(doc, e, receivedNanos);
    Docs.put(doc, "trace.id", text(e, "trace_id"));
    if (text(e, "transaction_id") != null) {
      Docs.put(doc, "transaction.id", text(e, "transaction_id"));
      Docs.put(doc, "span.id", text(e, "transaction_id"));
    }
    JsonNode transaction = e.path("transaction");
    if (transaction.isObject()) {
      if (transaction.path("sampled").isBoolean()) {
        Docs.put(doc, "transaction.sampled", transaction.get("sampled").asBoolean());
      }
      Docs.put(doc, "transaction.name", text(transaction, "name"));
      Docs.put(doc, "transaction.type", text(transaction, "type"));
    }
    Docs.dataStream(doc, "logs", "apm.error");
  }

  private static void requiredIf(JsonNode e, String path, String field, String... ifAny) throws InvalidEvent {
    if (isSet(e.get(field))) {
      return;
    }
    for (String other : ifAny) {
      if (isSet(e.get(other))) {
        throw IntakeValidation.validation(path, "'" + field + "' required when '" + other + "' is set");
      }
    }
  }

  /** An exception and its causes, flattened as modeljson writes them: causes name their parent's index. */
  private static void exception(ArrayNode out, JsonNode e, int parent) {
    int index = out.size();
    ObjectNode ex = out.addObject();
    if (isSet(e.get("code"))) {
      ex.put("code", e.get("code").isNumber() ? String.valueOf(e.get("code").asLong()) : e.get("code").asText());
    }
    if (e.path("handled").isBoolean()) {
      ex.put("handled", e.get("handled").asBoolean());
    }
    if (text(e, "message") != null) {
      ex.put("message", text(e, "message"));
    }
    if (text(e, "module") != null) {
      ex.put("module", text(e, "module"));
    }
    if (parent >= 0) {
      ex.put("parent", parent);
    }
    if (e.path("attributes").isObject() && !e.get("attributes").isEmpty()) {
      ex.set("attributes", e.get("attributes").deepCopy());
    }
    if (e.path("stacktrace").isArray() && !e.get("stacktrace").isEmpty()) {
      ex.set("stacktrace", e.get("stacktrace").deepCopy());
    }
    if (text(e, "type") != null) {
      ex.put("type", text(e, "type"));
    }
    for (JsonNode cause : e.path("cause")) {
      exception(out, cause, index);
    }
  }

  private static void metricset(JsonNode m, ObjectNode doc, long receivedNanos) throws InvalidEvent {
    IntakeValidation.required(m, "metricset", "samples");
    for (Iterator<Map.Entry<String, JsonNode>> it = m.get("samples").fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> sample = it.next();
      if (sample.getKey().contains("*") || sample.getKey().contains("\"")) {
        throw IntakeValidation.validation("metricset", "'samples': validation rule 'patternKeys(patternNoAsteriskQuote)' violated");
      }
      IntakeValidation.requiredAnyOf(sample.getValue(), "metricset: samples", "value", "values");
    }
    // modeljson writes timestamp.us for transactions, spans and errors only
    JsonNode ts = m.get("timestamp");
    doc.put("@timestamp", Docs.formatTimestamp(ts != null && ts.isNumber() && ts.asLong() > 0 ? ts.asLong() * 1_000 : receivedNanos));
    JsonNode faas = m.get("faas");
    IntakeContext.faas(doc, faas);
    IntakeContext.labels(doc, m.path("tags"));
    JsonNode transaction = m.path("transaction");
    Docs.put(doc, "transaction.name", text(transaction, "name"));
    Docs.put(doc, "transaction.type", text(transaction, "type"));
    JsonNode span = m.path("span");
    Docs.put(doc, "span.type", text(span, "type"));
    Docs.put(doc, "span.subtype", text(span, "subtype"));
    JsonNode service = m.path("service");
    Docs.put(doc, "service.name", text(service, "name"));
    Docs.put(doc, "service.version", text(service, "version"));
    List<String> names = new ArrayList<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = m.get("samples").fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> sample = it.next();
      names.add(sample.getKey());
      sample(doc, sample.getKey(), sample.getValue());
    }
    // mapToMetricsetModel: breakdown metrics (with transaction/span) are "span_breakdown", others "app"
    boolean breakdown = transaction.isObject() || span.isObject();
    Docs.put(doc, "metricset.name", text(m, "name") != null ? text(m, "name") : breakdown ? "span_breakdown" : "app");
    String serviceName = doc.path("service").path("name").asText();
    boolean internal = breakdown || serviceName.isEmpty() || InternalMetrics.allInternal(names);
    Docs.dataStream(doc, "metrics", internal ? "apm.internal" : "apm.app." + Docs.normalizeForDataset(serviceName));
  }

  /**
   * A sample as metrics-apm@pipeline.yaml stores it: {@code ctx.put(name, …)}, a top-level key that
   * keeps its dots, holding the value or a histogram's values and counts.
   */
  private static void sample(ObjectNode doc, String name, JsonNode sample) {
    if (sample.has("values")) {
      ObjectNode h = Docs.object();
      h.set("values", sample.get("values"));
      h.set("counts", sample.path("counts"));
      doc.set(name, h);
    } else if (sample.path("value").isNumber()) {
      doc.set(name, sample.get("value"));
    }
  }

  private static final DateTimeFormatter LOG_TIMESTAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss[.SSS]XX");

  private static void log(JsonNode l, ObjectNode doc, long receivedNanos) throws InvalidEvent {
    IntakeValidation.strings(l, "log", "message");
    JsonNode ts = l.get("@timestamp");
    long nanos = receivedNanos;
    if (ts != null && ts.isNumber() && ts.asLong() > 0) {
      nanos = ts.asLong() * 1_000;
    } else if (ts != null && ts.isTextual()) {
      try {
        OffsetDateTime t = OffsetDateTime.parse(ts.asText(), LOG_TIMESTAMP);
        nanos = t.toEpochSecond() * 1_000_000_000L + t.getNano();
      } catch (DateTimeParseException e) {
        nanos = receivedNanos;
      }
    }
    doc.put("@timestamp", Docs.formatTimestamp(nanos));
    Docs.put(doc, "message", text(l, "message"));
    Docs.put(doc, "event.kind", "event");
    Docs.put(doc, "log.level", flatOrNested(l, "log.level", "log", "level"));
    Docs.put(doc, "log.logger", flatOrNested(l, "log.logger", "log", "logger"));
    Docs.put(doc, "trace.id", flatOrNested(l, "trace.id", "trace", "id"));
    Docs.put(doc, "transaction.id", flatOrNested(l, "transaction.id", "transaction", "id"));
    Docs.put(doc, "span.id", flatOrNested(l, "span.id", "span", "id"));
    Docs.put(doc, "process.thread.name", text(l.path("process").path("thread"), "name") != null
        ? text(l.path("process").path("thread"), "name") : text(l, "process.thread.name"));
    Docs.put(doc, "service.name", flatOrNested(l, "service.name", "service", "name"));
    Docs.put(doc, "service.version", flatOrNested(l, "service.version", "service", "version"));
    Docs.put(doc, "service.environment", flatOrNested(l, "service.environment", "service", "environment"));
    Docs.put(doc, "event.dataset", text(l, "event.dataset"));
    IntakeContext.faas(doc, l.get("faas"));
    IntakeContext.labels(doc, l.path("labels"));
    Docs.dataStream(doc, "logs", "apm.app." + Docs.normalizeForDataset(doc.path("service").path("name").asText()));
  }

  /** ECS log fields, nested ({@code log: {level}}) winning over flat ({@code "log.level"}). */
  private static String flatOrNested(JsonNode l, String flat, String object, String field) {
    String nested = text(l.path(object), field);
    return nested != null ? nested : text(l, flat);
  }
}
