package io.traceharness.collector;

import io.traceharness.collector.CollectorConfig.InvalidConfigException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A map in the collector config together with its key path, for typed reads whose errors name the
 * key the way the real collector's decoder does ({@code exporters::otlp::timeout: ...}).
 */
record ConfigSection(String path, Map<String, Object> map) {

  private static final Pattern DURATION_PART = Pattern.compile("(\\d+(?:\\.\\d*)?|\\.\\d+)(ns|us|µs|ms|s|m|h)");

  static ConfigSection of(String path, Object node) {
    if (node == null) {
      return new ConfigSection(path, Map.of());
    }
    if (!(node instanceof Map<?, ?> m)) {
      throw new InvalidConfigException(path + ": expected a map, got " + typeName(node));
    }
    Map<String, Object> copy = new LinkedHashMap<>();
    m.forEach((k, v) -> copy.put(String.valueOf(k), v));
    return new ConfigSection(path, copy);
  }

  boolean has(String key) {
    return map.containsKey(key);
  }

  boolean isEmpty() {
    return map.isEmpty();
  }

  Object get(String key) {
    return map.get(key);
  }

  String sub(String key) {
    return path + "::" + key;
  }

  ConfigSection section(String key) {
    return of(sub(key), map.get(key));
  }

  String string(String key, String dflt) {
    Object v = map.get(key);
    if (v == null) {
      return dflt;
    }
    if (v instanceof Map<?, ?> || v instanceof List<?>) {
      throw new InvalidConfigException(sub(key) + ": expected a string, got " + typeName(v));
    }
    return String.valueOf(v);
  }

  boolean bool(String key, boolean dflt) {
    Object v = map.get(key);
    if (v == null) {
      return dflt;
    }
    if (v instanceof Boolean b) {
      return b;
    }
    String s = String.valueOf(v).trim().toLowerCase(Locale.ROOT);
    if (s.equals("true") || s.equals("false")) {
      return Boolean.parseBoolean(s);
    }
    throw new InvalidConfigException(sub(key) + ": cannot parse \"" + v + "\" as bool");
  }

  long number(String key, long dflt) {
    Object v = map.get(key);
    if (v == null) {
      return dflt;
    }
    if (v instanceof Number n) {
      return n.longValue();
    }
    try {
      return Long.parseLong(String.valueOf(v).trim());
    } catch (NumberFormatException e) {
      throw new InvalidConfigException(sub(key) + ": cannot parse \"" + v + "\" as a number");
    }
  }

  double decimal(String key, double dflt) {
    Object v = map.get(key);
    if (v == null) {
      return dflt;
    }
    try {
      return v instanceof Number n ? n.doubleValue() : Double.parseDouble(String.valueOf(v));
    } catch (NumberFormatException e) {
      throw new InvalidConfigException(sub(key) + ": cannot parse \"" + v + "\" as a number");
    }
  }

  Duration duration(String key, Duration dflt) {
    Object v = map.get(key);
    if (v == null) {
      return dflt;
    }
    return parseDuration(String.valueOf(v), sub(key));
  }

  List<String> strings(String key) {
    Object v = map.get(key);
    if (v == null) {
      return List.of();
    }
    if (!(v instanceof List<?> l)) {
      throw new InvalidConfigException(sub(key) + ": expected a list, got " + typeName(v));
    }
    return l.stream().map(String::valueOf).toList();
  }

  Map<String, String> stringMap(String key) {
    ConfigSection s = section(key);
    Map<String, String> out = new LinkedHashMap<>();
    s.map.forEach((k, v) -> out.put(k, v == null ? "" : String.valueOf(v)));
    return out;
  }

  /** The real collector's decoder rejects keys the component does not define. */
  void checkKeys(String kind, String id, Set<String> allowed) {
    Set<String> invalid = new TreeSet<>(map.keySet());
    invalid.removeAll(allowed);
    if (!invalid.isEmpty()) {
      String where = path.substring(path.indexOf(id) + id.length());
      where = where.startsWith("::") ? where.substring(2).replace("::", ".") : where;
      throw new InvalidConfigException("'" + kind + "' error reading configuration for \"" + id
          + "\": decoding failed: '" + where + "' has invalid keys: " + String.join(", ", invalid));
    }
  }

  /** Go's {@code time.ParseDuration} (a leading sign too), which the collector uses for every duration setting. */
  static Duration parseDuration(String text, String keyPath) {
    String s = text.trim();
    boolean negative = s.startsWith("-");
    if (negative || s.startsWith("+")) {
      s = s.substring(1);
    }
    if (s.equals("0")) {
      return Duration.ZERO;
    }
    Matcher m = DURATION_PART.matcher(s);
    int pos = 0;
    double nanos = 0;
    while (m.find() && m.start() == pos) {
      double n = Double.parseDouble(m.group(1));
      nanos += n * switch (m.group(2)) {
        case "ns" -> 1;
        case "us", "µs" -> 1e3;
        case "ms" -> 1e6;
        case "s" -> 1e9;
        case "m" -> 60e9;
        default -> 3600e9;
      };
      pos = m.end();
    }
    if (pos == 0 || pos != s.length()) {
      throw new InvalidConfigException(keyPath + ": time: invalid duration \"" + text + "\"");
    }
    return Duration.ofNanos(negative ? -(long) nanos : (long) nanos);
  }

  static String typeName(Object v) {
    if (v instanceof Map<?, ?>) {
      return "map";
    }
    if (v instanceof List<?>) {
      return "list";
    }
    return v.getClass().getSimpleName().toLowerCase(Locale.ROOT);
  }
}
