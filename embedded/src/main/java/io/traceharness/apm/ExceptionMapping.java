package io.traceharness.apm;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An {@code exception} span event → {@code error.*} (elastic/apm-data v1.22.0
 * input/otlp/exceptions.go {@code convertOpenTelemetryExceptionSpanEvent},
 * {@code setJavaExceptionStacktrace}; traces.go {@code convertSpanEvent}), followed by the model
 * processors APM Server runs on errors: model/modelprocessor/errormessage.go (the document's
 * {@code message}) and groupingkey.go ({@code error.grouping_key}, an MD5 in APM Server 8.19:
 * APM Server internal/beater/groupingkey_nofips.go hashes with {@code md5.New}).
 */
final class ExceptionMapping {

  private static final Pattern AT = Pattern.compile("at (.*)\\(([^:]*)(?::([0-9]+))?\\)");
  private static final Pattern MORE = Pattern.compile("\\.\\.\\. ([0-9]+) more");

  private ExceptionMapping() {
  }

  /** One exception of the tree: its frames and its cause. */
  private static final class Exception {
    String message = "";
    String type = "";
    Boolean handled;
    final List<ObjectNode> frames = new ArrayList<>();
    Exception cause;
  }

  /**
   * Writes the error into {@code doc} and returns it, or returns null (after writing only the
   * labels) when the event has neither type nor message.
   */
  static ObjectNode translate(List<io.opentelemetry.proto.common.v1.KeyValue> attributes, ObjectNode doc,
      String language) {
    boolean escaped = false;
    String message = "";
    String stacktrace = "";
    String type = "";
    for (var kv : attributes) {
      var v = kv.getValue();
      switch (kv.getKey()) {
        case "exception.message" -> message = v.getStringValue();
        case "exception.stacktrace" -> stacktrace = v.getStringValue();
        case "exception.type" -> type = v.getStringValue();
        case "exception.escaped" -> escaped = v.getBoolValue();
        case "data_stream.dataset", "data_stream.namespace" -> DataStreams.override(doc, kv.getKey(), v.getStringValue());
        default -> Labels.set(doc, kv.getKey(), v);
      }
    }
    if (message.isEmpty() && type.isEmpty()) {
      return null;
    }
    Exception exception = new Exception();
    // OpenTelemetry requires a type or a message; apm-data always writes a message
    exception.message = message.isEmpty() ? "[EMPTY]" : message;
    exception.type = type;
    exception.handled = !escaped;
    if (!stacktrace.isEmpty()) {
      if (!"java".equals(language) || !parseJava(stacktrace, exception)) {
        exception.frames.clear();
        exception.cause = null;
        Docs.put(doc, "error.stack_trace", stacktrace);
      }
    }
    Docs.put(doc, "error.id", OtlpIds.random(16));
    ArrayNode array = Docs.obj(doc, "error").putArray("exception");
    int offset = 0;
    for (Exception e = exception; e != null; e = e.cause, offset++) {
      ObjectNode node = array.addObject();
      Docs.put(node, "message", e.message);
      Docs.put(node, "type", e.type);
      if (e.handled != null) {
        node.put("handled", e.handled);
      }
      if (!e.frames.isEmpty()) {
        node.putArray("stacktrace").addAll(e.frames);
      }
    }
    if (!doc.has("message")) {
      Docs.put(doc, "message", exception.message);
    }
    Docs.put(doc, "error.grouping_key", groupingKey(exception));
    return doc;
  }

  /**
   * Java's {@code printStackTrace} format: frames, "Caused by:" causes, "... N more" frames shared
   * with the enclosing exception; suppressed exceptions are dropped. False for anything else.
   */
  private static boolean parseJava(String s, Exception out) {
    record Level(Exception exception, Exception enclosing, int indent) { }
    Level current = new Level(out, null, 0);
    List<Level> stack = new ArrayList<>();
    String[] lines = s.split("\r?\n", -1);
    int count = s.endsWith("\n") ? lines.length - 1 : lines.length;
    for (int j = 1; j < count; j++) {
      String line = lines[j];
      int indent = 0;
      while (indent < line.length() && line.charAt(indent) == '\t') {
        indent++;
      }
      if (indent == line.length()) {
        indent = 0;
      } else {
        line = line.substring(indent);
      }
      while (indent < current.indent()) {
        current = stack.remove(stack.size() - 1);
      }
      if (line.startsWith("at ")) {
        Matcher m = AT.matcher(line);
        if (!m.find()) {
          return false;
        }
        current.exception().frames.add(frame(m));
      } else if (line.startsWith("...")) {
        Matcher m = MORE.matcher(line);
        if (current.enclosing() == null || !m.find()) {
          return false;
        }
        int n = Integer.parseInt(m.group(1));
        List<ObjectNode> enclosing = current.enclosing().frames;
        if (enclosing.size() < n) {
          return false;
        }
        for (ObjectNode f : enclosing.subList(enclosing.size() - n, enclosing.size())) {
          current.exception().frames.add(f.deepCopy());
        }
      } else if (line.startsWith("Caused by: ")) {
        Exception cause = new Exception();
        cause.handled = current.exception().handled;
        cause.message = line.substring("Caused by: ".length());
        current.exception().cause = cause;
        current = new Level(cause, current.exception(), current.indent());
      } else if (line.startsWith("Suppressed: ")) {
        stack.add(current);
        current = new Level(new Exception(), current.exception(), indent);
      } else {
        return false;
      }
    }
    return true;
  }

  /** {@code parseJavaStacktraceFrame}: [class_loader/][module/]class.method(file:line). */
  private static ObjectNode frame(Matcher m) {
    String module = "";
    String function = m.group(1);
    int slash = function.indexOf('/');
    if (slash >= 0) {
      module = function.substring(0, slash);
      function = function.substring(slash + 1);
      slash = function.indexOf('/');
      if (slash >= 0) {
        module = function.substring(0, slash);
        function = function.substring(slash + 1);
      }
    }
    String classname = "";
    int dot = function.lastIndexOf('.');
    if (dot > 0) {
      classname = function.substring(0, dot);
      function = function.substring(dot + 1);
    }
    ObjectNode frame = Docs.object();
    if (m.group(3) != null) {
      try {
        long line = Long.parseLong(m.group(3));
        if (line <= 0xffffffffL) {
          frame.putObject("line").put("number", line);
        }
      } catch (NumberFormatException e) {
        // beyond uint32: apm-data leaves the line number out
      }
    }
    Docs.put(frame, "filename", m.group(2));
    Docs.put(frame, "classname", classname);
    Docs.put(frame, "module", module);
    Docs.put(frame, "function", function);
    frame.put("exclude_from_grouping", false);
    return frame;
  }

  /**
   * groupingkey.go: the exception types, then the frames (module, else file name, else class
   * name, then function), else the messages, hashed in that order over the exception tree.
   */
  static String groupingKey(Exception exception) {
    MessageDigest md5;
    try {
      md5 = MessageDigest.getInstance("MD5");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has MD5", e);
    }
    boolean updated = false;
    for (Exception e = exception; e != null; e = e.cause) {
      updated |= write(md5, e.type);
    }
    boolean frames = false;
    for (Exception e = exception; e != null; e = e.cause) {
      for (ObjectNode f : e.frames) {
        String module = f.path("module").asText("");
        String file = f.path("filename").asText("");
        String classname = f.path("classname").asText("");
        frames |= write(md5, !module.isEmpty() ? module : !file.isEmpty() ? file : classname);
        frames |= write(md5, f.path("function").asText(""));
      }
    }
    updated |= frames;
    if (!updated) {
      for (Exception e = exception; e != null; e = e.cause) {
        write(md5, e.message);
      }
    }
    return HexFormat.of().formatHex(md5.digest());
  }

  private static boolean write(MessageDigest md5, String s) {
    if (s.isEmpty()) {
      return false;
    }
    md5.update(s.getBytes(StandardCharsets.UTF_8));
    return true;
  }
}
