package io.traceharness.apm;

import static io.traceharness.apm.IntakeContext.text;
import static io.traceharness.apm.IntakeValidation.isSet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.traceharness.apm.IntakeValidation.InvalidEvent;
import java.util.Iterator;
import java.util.Map;

/**
 * Intake v2 metadata and events → the document APM Server writes, as elastic/apm-data v1.22.0
 * {@code input/elasticapm/internal/modeldecoder/v2/decoder.go} maps them, after validating them as
 * its generated rules do ({@link IntakeValidation}). Here mapToMetadataModel and what the events
 * share (timestamps, bridged OpenTelemetry data, links); each event type in its own class:
 * {@link IntakeTransactions} (mapToTransactionModel), {@link IntakeSpans} (mapToSpanModel),
 * {@link IntakeErrors} (mapToErrorModel), {@link IntakeMetricsets} (mapToMetricsetModel),
 * {@link IntakeLogs} (mapToLogModel); the context sections in {@link IntakeContext}.
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
      case "transaction" -> IntakeTransactions.map(e, doc, receivedNanos);
      case "span" -> IntakeSpans.map(e, doc, receivedNanos);
      case "error" -> IntakeErrors.map(e, doc, receivedNanos);
      case "metricset" -> IntakeMetricsets.map(e, doc, receivedNanos);
      case "log" -> IntakeLogs.map(e, doc, receivedNanos);
      default -> throw new InvalidEvent("did not recognize object type: \"" + key + "\"");
    }
    return new ApmDocument(Docs.dataStreamName(doc), doc);
  }

  /** Timestamps are epoch microseconds; an event without one gets the time the request was received. */
  static void timestamp(ObjectNode doc, JsonNode e, long receivedNanos) {
    JsonNode ts = e.get("timestamp");
    Docs.timestamp(doc, ts != null && ts.isNumber() && ts.asLong() > 0 ? ts.asLong() * 1_000 : receivedNanos);
  }

  static long durationNanos(JsonNode e) {
    return (long) (e.path("duration").asDouble() * 1_000_000d);
  }

  static double representativeCount(JsonNode e) {
    JsonNode rate = e.get("sample_rate");
    if (!isSet(rate)) {
      return 1;
    }
    return rate.asDouble() > 0 ? 1 / rate.asDouble() : 0;
  }

  /**
   * Bridged OpenTelemetry data: {@code otel.span_kind} (defaulting to SERVER for transactions and
   * INTERNAL for spans when attributes are sent) and attributes as labels, except the profiler
   * stack trace ids which have their own field (mapOTelAttributesTransaction / …Span).
   */
  static void otel(ObjectNode doc, JsonNode otel, String event) {
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

  static void links(ObjectNode doc, JsonNode links) {
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
}
