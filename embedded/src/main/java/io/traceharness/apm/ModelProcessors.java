package io.traceharness.apm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

/**
 * The batch processors APM Server 8.19 runs on every decoded event before publishing
 * (apm-server {@code internal/beater/beater.go}: SetHostHostname, SetServiceNodeName,
 * SetGroupingKey with md5, SetErrorMessage, then NewDropUnsampled in the final chain), as
 * elastic/apm-data v1.22.0 {@code model/modelprocessor} implements them.
 */
final class ModelProcessors {

  /** {@code modelprocessor/datastream.go} isRUMAgentName: their unsampled transactions are kept. */
  private static final Set<String> RUM_AGENTS = Set.of("rum-js", "js-base", "iOS/swift");

  private ModelProcessors() {
  }

  /** Applies every processor; answers the documents to publish (unsampled non-RUM transactions dropped). */
  static List<ApmDocument> process(List<ApmDocument> documents) {
    for (ApmDocument d : documents) {
      setHostHostname(d.source());
      setServiceNodeName(d.source());
      if (isError(d.source())) {
        setGroupingKey(d.source());
        setErrorMessage(d.source());
      }
    }
    return documents.stream().filter(d -> !dropUnsampled(d.source())).toList();
  }

  /** hostname.go: a Kubernetes node name is the host name; other Kubernetes fields clear it. */
  static void setHostHostname(ObjectNode doc) {
    JsonNode k8s = doc.path("kubernetes");
    String nodeName = k8s.path("node").path("name").asText("");
    if (!nodeName.isEmpty()) {
      Docs.put(doc, "host.hostname", nodeName);
    } else if (!k8s.path("pod").path("name").asText("").isEmpty() || !k8s.path("pod").path("uid").asText("").isEmpty()
        || !k8s.path("namespace").asText("").isEmpty()) {
      if (doc.get("host") instanceof ObjectNode host) {
        host.remove("hostname");
      }
    }
    String hostname = doc.path("host").path("hostname").asText("");
    if (doc.path("host").path("name").asText("").isEmpty() && !hostname.isEmpty()) {
      Docs.put(doc, "host.name", hostname);
    }
  }

  /** nodename.go: service.node.name defaults to the container id, else the host name. */
  static void setServiceNodeName(ObjectNode doc) {
    if (!doc.path("service").path("node").path("name").asText("").isEmpty()) {
      return;
    }
    String name = doc.path("container").path("id").asText("");
    if (name.isEmpty()) {
      name = doc.path("host").path("name").asText("");
    }
    if (!name.isEmpty()) {
      Docs.put(doc, "service.node.name", name);
    }
  }

  private static boolean isError(ObjectNode doc) {
    return doc.path("data_stream").path("dataset").asText("").equals("apm.error") && doc.has("error");
  }

  /**
   * groupingkey.go: md5 over the exception types and the log's param message; then the exception
   * stack frames (module, else filename, else classname; then function), else the log's frames;
   * when none of that exists, the exception messages, else the log message.
   */
  static void setGroupingKey(ObjectNode doc) {
    MessageDigest md5;
    try {
      md5 = MessageDigest.getInstance("MD5");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    JsonNode error = doc.path("error");
    JsonNode exceptions = error.path("exception");
    JsonNode log = error.path("log");
    boolean updated = false;
    for (JsonNode ex : exceptions) {
      updated |= write(md5, ex.path("type").asText(""));
    }
    updated |= write(md5, log.path("param_message").asText(""));
    boolean exceptionFrames = false;
    for (JsonNode ex : exceptions) {
      exceptionFrames |= frames(md5, ex.path("stacktrace"));
    }
    updated |= exceptionFrames;
    if (!exceptionFrames) {
      updated |= frames(md5, log.path("stacktrace"));
    }
    if (!updated) {
      boolean messages = false;
      for (JsonNode ex : exceptions) {
        messages |= write(md5, ex.path("message").asText(""));
      }
      if (!messages) {
        write(md5, log.path("message").asText(""));
      }
    }
    Docs.put(doc, "error.grouping_key", HexFormat.of().formatHex(md5.digest()));
  }

  private static boolean frames(MessageDigest md5, JsonNode stacktrace) {
    boolean updated = false;
    for (JsonNode frame : stacktrace) {
      if (frame.path("exclude_from_grouping").asBoolean(false)) {
        continue;
      }
      for (String f : List.of("module", "filename", "classname")) {
        if (write(md5, frame.path(f).asText(""))) {
          updated = true;
          break;
        }
      }
      updated |= write(md5, frame.path("function").asText(""));
    }
    return updated;
  }

  private static boolean write(MessageDigest md5, String s) {
    if (s.isEmpty()) {
      return false;
    }
    md5.update(s.getBytes(StandardCharsets.UTF_8));
    return true;
  }

  /** errormessage.go: {@code message} is the log message, else the exception's, when not set. */
  static void setErrorMessage(ObjectNode doc) {
    if (!doc.path("message").asText("").isEmpty()) {
      return;
    }
    String message = doc.path("error").path("log").path("message").asText("");
    if (message.isEmpty()) {
      message = doc.path("error").path("exception").path(0).path("message").asText("");
    }
    Docs.put(doc, "message", message);
  }

  /** dropunsampled.go: unsampled transactions go, unless a RUM agent sent them. */
  static boolean dropUnsampled(ObjectNode doc) {
    boolean transaction = doc.path("data_stream").path("type").asText("").equals("traces")
        && !doc.path("transaction").path("type").isMissingNode();
    return transaction && !doc.path("transaction").path("sampled").asBoolean(true)
        && !RUM_AGENTS.contains(doc.path("agent").path("name").asText(""));
  }
}
