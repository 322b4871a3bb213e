package io.traceharness.collector;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The collector's confmap expansion of scalar values: {@code ${env:NAME}}, {@code ${NAME}} (the
 * default scheme is env), {@code ${env:NAME:-default}}, and {@code $$} for a literal {@code $}.
 * As in the real collector, keys are never expanded, a bare {@code $NAME} stays as it is, and an
 * unset variable expands to an empty string (noted, so the collector can warn once per name).
 */
final class ConfigExpander {

  private static final Pattern ENV_NAME = Pattern.compile("^[a-zA-Z_][a-zA-Z0-9_]*$");

  private final Map<String, String> environment;
  private final Set<String> unset = new TreeSet<>();

  ConfigExpander(Map<String, String> environment) {
    this.environment = environment;
  }

  /** Variables the config referenced that the environment does not define (and that had no default). */
  Set<String> unsetVariables() {
    return unset;
  }

  /** Expands every string scalar below {@code node}; keys stay untouched. */
  Object expandTree(Object node, String keyPath) {
    if (node instanceof Map<?, ?> map) {
      Map<String, Object> out = new LinkedHashMap<>();
      for (Map.Entry<?, ?> e : map.entrySet()) {
        String key = String.valueOf(e.getKey());
        out.put(key, expandTree(e.getValue(), keyPath.isEmpty() ? key : keyPath + "::" + key));
      }
      return out;
    }
    if (node instanceof List<?> list) {
      List<Object> out = new java.util.ArrayList<>(list.size());
      for (int i = 0; i < list.size(); i++) {
        out.add(expandTree(list.get(i), keyPath + "::" + i));
      }
      return out;
    }
    if (node instanceof String s) {
      return expand(s, keyPath);
    }
    return node;
  }

  String expand(String value, String keyPath) {
    if (value.indexOf('$') < 0) {
      return value;
    }
    StringBuilder out = new StringBuilder(value.length());
    int i = 0;
    while (i < value.length()) {
      char c = value.charAt(i);
      if (c != '$' || i + 1 >= value.length()) {
        out.append(c);
        i++;
        continue;
      }
      char next = value.charAt(i + 1);
      if (next == '$') {
        out.append('$');
        i += 2;
      } else if (next == '{') {
        int end = value.indexOf('}', i + 2);
        if (end < 0) {
          // an unterminated reference is left verbatim, like the real resolver does
          out.append(value, i, value.length());
          break;
        }
        out.append(resolve(value.substring(i + 2, end), keyPath));
        i = end + 1;
      } else {
        out.append(c);
        i++;
      }
    }
    return out.toString();
  }

  private String resolve(String reference, String keyPath) {
    String scheme = "env";
    String rest = reference;
    int colon = reference.indexOf(':');
    if (colon > 0 && !reference.startsWith(":-", colon)) {
      scheme = reference.substring(0, colon);
      rest = reference.substring(colon + 1);
    }
    if (!scheme.equals("env")) {
      throw new CollectorConfig.InvalidConfigException(keyPath + ": scheme \"" + scheme
          + "\" is not supported for uri \"" + reference + "\" (supported: env)");
    }
    String name = rest;
    String fallback = null;
    int dflt = rest.indexOf(":-");
    if (dflt >= 0) {
      name = rest.substring(0, dflt);
      fallback = rest.substring(dflt + 2);
    }
    if (!ENV_NAME.matcher(name).matches()) {
      throw new CollectorConfig.InvalidConfigException(keyPath + ": environment variable \"" + name
          + "\" has invalid name: must match regex " + ENV_NAME.pattern());
    }
    String v = environment.get(name);
    if (v == null) {
      // as the real env provider: the default applies only when the variable is unset, not empty
      if (fallback != null) {
        return fallback;
      }
      unset.add(name);
      return "";
    }
    return v;
  }
}
