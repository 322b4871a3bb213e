package io.traceharness.project;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A node of a descriptor with where it sits: its key path ({@code functions.producer.handler}) and
 * line, so a bad value can be reported as the user sees it in the file. Values are {@code String}
 * (every scalar, as written), {@code Map<String, YNode>} or {@code List<YNode>}; {@code tag} is a
 * local tag such as {@code !Ref}, or {@code null}.
 */
record YNode(Object value, String tag, int line, String path) {

  boolean isMap() {
    return value instanceof Map;
  }

  boolean isList() {
    return value instanceof List;
  }

  boolean isScalar() {
    return value instanceof String;
  }

  boolean isNull() {
    return value == null;
  }

  @SuppressWarnings("unchecked")
  Map<String, YNode> map() {
    return isMap() ? (Map<String, YNode>) value : Map.of();
  }

  @SuppressWarnings("unchecked")
  List<YNode> list() {
    return isList() ? (List<YNode>) value : List.of();
  }

  String text() {
    return isScalar() ? (String) value : null;
  }

  /** The child at {@code key}, or {@code null}. */
  YNode get(String key) {
    return map().get(key);
  }

  /** The scalar at {@code key}, or {@code null}. */
  String text(String key) {
    YNode n = get(key);
    return n == null ? null : n.text();
  }

  /** The same place with another value (a resolved one). */
  YNode with(Object newValue) {
    return new YNode(newValue, null, line, path);
  }

  static YNode map(Map<String, YNode> entries, int line, String path) {
    return new YNode(new LinkedHashMap<>(entries), null, line, path);
  }

  String child(String key) {
    return path.isEmpty() ? key : path + "." + key;
  }
}
