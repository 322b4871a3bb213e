package io.traceharness.apm;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Resource attributes → the fields every document of that resource shares (elastic/apm-data
 * v1.22.0 input/otlp/metadata.go {@code translateResourceMetadata}): service, agent, cloud,
 * container, kubernetes, host, os, process, user, device; anything else becomes a label. Then the
 * model processors APM Server runs on every event: model/modelprocessor/hostname.go
 * ({@code host.name}) and nodename.go ({@code service.node.name}).
 */
final class ResourceMapping {

  /** Resource attributes whose string value (truncated; "" for another type) is a document field. */
  private static final Map<String, String> FIELDS = Map.ofEntries(
      Map.entry("service.version", "service.version"),
      Map.entry("service.instance.id", "service.node.name"),
      Map.entry("deployment.environment", "service.environment"),
      Map.entry("deployment.environment.name", "service.environment"),
      Map.entry("telemetry.sdk.name", "agent.name"),
      Map.entry("telemetry.sdk.version", "agent.version"),
      Map.entry("telemetry.sdk.language", "service.language.name"),
      Map.entry("cloud.provider", "cloud.provider"),
      Map.entry("cloud.account.id", "cloud.account.id"),
      Map.entry("cloud.region", "cloud.region"),
      Map.entry("cloud.availability_zone", "cloud.availability_zone"),
      Map.entry("cloud.platform", "cloud.service.name"),
      Map.entry("container.name", "container.name"),
      Map.entry("container.id", "container.id"),
      Map.entry("container.image.name", "container.image.name"),
      Map.entry("container.image.tag", "container.image.tag"),
      Map.entry("container.runtime", "container.runtime"),
      Map.entry("k8s.namespace.name", "kubernetes.namespace"),
      Map.entry("k8s.node.name", "kubernetes.node.name"),
      Map.entry("k8s.pod.name", "kubernetes.pod.name"),
      Map.entry("k8s.pod.uid", "kubernetes.pod.uid"),
      Map.entry("host.name", "host.hostname"),
      Map.entry("host.id", "host.id"),
      Map.entry("host.type", "host.type"),
      Map.entry("host.arch", "host.architecture"),
      Map.entry("process.command_line", "process.command_line"),
      Map.entry("process.executable.path", "process.executable"),
      Map.entry("process.runtime.name", "service.runtime.name"),
      Map.entry("process.runtime.version", "service.runtime.version"),
      Map.entry("process.owner", "user.name"),
      Map.entry("os.description", "host.os.full"),
      Map.entry("os.name", "host.os.name"),
      Map.entry("os.version", "host.os.version"),
      Map.entry("device.id", "device.id"),
      Map.entry("device.model.identifier", "device.model.identifier"),
      Map.entry("device.model.name", "device.model.name"),
      Map.entry("device.manufacturer", "device.manufacturer"));

  /**
   * Read for something else, or for nothing: the distro (below), the mobile export timestamp, the
   * OpenCensus exporter version (used by apm-data only for Jaeger, which this harness never sees).
   */
  private static final Set<String> NOT_LABELS = Set.of("telemetry.distro.name", "telemetry.distro.version",
      "telemetry.sdk.elastic_export_timestamp", "opencensus.exporterversion");

  private ResourceMapping() {
  }

  /** A new document with the observer and the resource's fields, to copy for each event. */
  static ObjectNode base(ObjectNode observer, Resource resource) {
    ObjectNode doc = Docs.object();
    doc.set("observer", observer.deepCopy());
    String serviceName = "";
    for (KeyValue kv : resource.getAttributesList()) {
      String k = kv.getKey();
      AnyValue v = kv.getValue();
      String s = Docs.truncate(v.getStringValue());
      if (FIELDS.containsKey(k)) {
        Docs.replace(doc, FIELDS.get(k), s);
      } else if (k.equals("service.name")) {
        serviceName = Docs.cleanServiceName(s);
      } else if (k.equals("os.type")) {
        Docs.replace(doc, "host.os.platform", s.toLowerCase(Locale.ROOT));
      } else if (k.equals("host.ip")) {
        hostIp(doc, v);
      } else if (k.equals("process.pid")) {
        long pid = v.getIntValue() & 0xffffffffL;
        if (pid != 0) {
          Docs.put(doc, "process.pid", pid);
        } else {
          Docs.replace(doc, "process.pid", null);
        }
      } else if (DataStreams.isAttribute(k)) {
        DataStreams.override(doc, k, v.getStringValue());
      } else if (!NOT_LABELS.contains(k)) {
        Labels.set(doc, k, v);
      }
    }
    osType(doc);
    Docs.put(doc, "service.name", serviceName.isEmpty() ? "unknown" : serviceName);
    agent(doc, resource);
    hostName(doc);
    nodeName(doc);
    return doc;
  }

  /** Only an array of IP literals; anything else leaves {@code host.ip} out. */
  private static void hostIp(ObjectNode doc, AnyValue v) {
    Docs.replace(doc, "host.ip", null);
    if (!v.hasArrayValue()) {
      return;
    }
    ArrayNode ips = Docs.NODES.arrayNode();
    for (AnyValue e : v.getArrayValue().getValuesList()) {
      String ip = Ips.parse(e.getStringValue());
      if (ip != null) {
        ips.add(ip);
      }
    }
    if (!ips.isEmpty()) {
      Docs.obj(doc, "host").set("ip", ips);
    }
  }

  /** ECS {@code os.type}: linux, macos, unix, windows, android, ios, or nothing. */
  private static void osType(ObjectNode doc) {
    String platform = doc.path("host").path("os").path("platform").asText("");
    String type = switch (platform) {
      case "windows", "linux" -> platform;
      case "darwin" -> "macos";
      case "aix", "hpux", "solaris" -> "unix";
      default -> null;
    };
    String name = doc.path("host").path("os").path("name").asText("");
    if (name.equals("Android")) {
      type = "android";
    } else if (name.equals("iOS")) {
      type = "ios";
    }
    Docs.put(doc, "host.os.type", type);
  }

  /**
   * {@code agent.name} is {@code sdk/language[/distro]} ({@code otlp} without an SDK name); with a
   * distro, {@code agent.version} is the distro's version, never the SDK's. The language defaults to
   * {@code unknown}.
   */
  private static void agent(ObjectNode doc, Resource resource) {
    String agentName = doc.path("agent").path("name").asText("");
    String version = doc.path("agent").path("version").asText("");
    String language = doc.path("service").path("language").path("name").asText("");
    if (agentName.isEmpty()) {
      agentName = "otlp";
    }
    if (version.isEmpty()) {
      version = "unknown";
    }
    String distroName = first(resource, "telemetry.distro.name");
    String distroVersion = first(resource, "telemetry.distro.version");
    if (distroName != null && !distroName.isEmpty()) {
      agentName = agentName + "/" + (language.isEmpty() ? "unknown" : language) + "/" + distroName;
      version = distroVersion == null || distroVersion.isEmpty() ? "unknown" : distroVersion;
    } else if (!language.isEmpty()) {
      agentName = agentName + "/" + language;
    }
    Docs.put(doc, "agent.name", agentName);
    Docs.put(doc, "agent.version", version);
    Docs.put(doc, "service.language.name", language.isEmpty() ? "unknown" : language);
  }

  /** pcommon.Map.Get: the first attribute with the key, its string value ("" for another type). */
  private static String first(Resource resource, String key) {
    return resource.getAttributesList().stream().filter(kv -> kv.getKey().equals(key)).findFirst()
        .map(kv -> kv.getValue().getStringValue()).orElse(null);
  }

  /**
   * hostname.go: in Kubernetes the node name is the host name, and a pod without one has none;
   * {@code host.name} defaults to {@code host.hostname}.
   */
  private static void hostName(ObjectNode doc) {
    var k8s = doc.path("kubernetes");
    String node = k8s.path("node").path("name").asText("");
    if (!node.isEmpty()) {
      Docs.put(doc, "host.hostname", node);
    } else if (k8s.has("pod") || k8s.has("namespace")) {
      Docs.replace(doc, "host.hostname", null);
    }
    String hostname = doc.path("host").path("hostname").asText("");
    if (doc.path("host").path("name").asText("").isEmpty() && !hostname.isEmpty()) {
      Docs.put(doc, "host.name", hostname);
    }
  }

  /** nodename.go: without {@code service.instance.id}, the container id, else the host name. */
  private static void nodeName(ObjectNode doc) {
    if (!doc.path("service").path("node").path("name").asText("").isEmpty()) {
      return;
    }
    String node = doc.path("container").path("id").asText("");
    if (node.isEmpty()) {
      node = doc.path("host").path("name").asText("");
    }
    Docs.put(doc, "service.node.name", node);
  }
}
