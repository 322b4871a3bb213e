package io.traceharness.apm;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * Resource attributes → the fields every document of that resource shares (elastic/apm-data
 * input/otlp/metadata.go {@code translateResourceMetadata}): service, agent, cloud, host, process,
 * container, kubernetes; anything else becomes a label.
 */
final class ResourceMapping {

  /** Resource attributes copied as they are (strings only) to a document field. */
  private static final Map<String, String> FIELDS = Map.ofEntries(
      Map.entry("service.version", "service.version"),
      Map.entry("service.instance.id", "service.node.name"),
      Map.entry("deployment.environment", "service.environment"),
      Map.entry("deployment.environment.name", "service.environment"),
      Map.entry("cloud.provider", "cloud.provider"),
      Map.entry("cloud.region", "cloud.region"),
      Map.entry("cloud.availability_zone", "cloud.availability_zone"),
      Map.entry("cloud.account.id", "cloud.account.id"),
      Map.entry("cloud.platform", "cloud.service.name"),
      Map.entry("host.name", "host.hostname"),
      Map.entry("host.id", "host.id"),
      Map.entry("host.type", "host.type"),
      Map.entry("host.arch", "host.architecture"),
      Map.entry("os.type", "host.os.platform"),
      Map.entry("os.description", "host.os.full"),
      Map.entry("container.id", "container.id"),
      Map.entry("process.executable.name", "process.title"),
      Map.entry("process.command_line", "process.command_line"),
      Map.entry("process.runtime.name", "service.runtime.name"),
      Map.entry("process.runtime.version", "service.runtime.version"),
      Map.entry("k8s.namespace.name", "kubernetes.namespace"),
      Map.entry("k8s.node.name", "kubernetes.node.name"),
      Map.entry("k8s.pod.name", "kubernetes.pod.name"),
      Map.entry("k8s.pod.uid", "kubernetes.pod.uid"));

  /** Attributes that together name the service and the agent, read once all are known. */
  private static final Set<String> IDENTITY = Set.of("service.name", "telemetry.sdk.name", "telemetry.sdk.language",
      "telemetry.sdk.version", "telemetry.distro.name");

  /** Attributes APM Server reads for nothing it writes, and does not keep as labels either. */
  private static final Set<String> DROPPED = Set.of("telemetry.distro.version", "telemetry.auto.version");

  private ResourceMapping() {
  }

  /** A new document with the observer and the resource's fields, to copy for each event. */
  static ObjectNode base(ObjectNode observer, Resource resource) {
    ObjectNode doc = Docs.object();
    doc.set("observer", observer.deepCopy());
    // the last attribute with a key wins, as in apm-data's loop; a non-string value clears it
    Map<String, String> identity = new HashMap<>();
    for (KeyValue kv : resource.getAttributesList()) {
      String k = kv.getKey();
      AnyValue v = kv.getValue();
      String s = v.hasStringValue() ? Docs.truncate(v.getStringValue()) : null;
      if (FIELDS.containsKey(k)) {
        Docs.put(doc, FIELDS.get(k), s);
      } else if (IDENTITY.contains(k)) {
        identity.put(k, s);
      } else if (k.equals("process.pid")) {
        Docs.put(doc, "process.pid", v.getIntValue());
      } else if (!DROPPED.contains(k)) {
        Labels.set(doc, k, v);
      }
    }
    Docs.put(doc, "service.name", Docs.cleanServiceName(identity.get("service.name")));
    agent(doc, identity);
    return doc;
  }

  /** {@code agent.name} is {@code sdk/language[/distro]}, as apm-data names OpenTelemetry agents. */
  private static void agent(ObjectNode doc, Map<String, String> identity) {
    String sdkName = identity.get("telemetry.sdk.name");
    String language = identity.get("telemetry.sdk.language");
    String version = identity.get("telemetry.sdk.version");
    String distro = identity.get("telemetry.distro.name");
    String agentName = orDefault(sdkName, "otlp") + "/" + orDefault(language, "unknown")
        + (isEmpty(distro) ? "" : "/" + distro);
    Docs.put(doc, "agent.name", agentName);
    Docs.put(doc, "agent.version", orDefault(version, "unknown"));
    if (!isEmpty(language)) {
      Docs.put(doc, "service.language.name", language);
    }
  }

  private static boolean isEmpty(String s) {
    return s == null || s.isEmpty();
  }

  private static String orDefault(String s, String absent) {
    return isEmpty(s) ? absent : s;
  }
}
