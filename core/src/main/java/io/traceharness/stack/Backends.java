package io.traceharness.stack;

import java.util.Locale;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;
import java.util.function.UnaryOperator;

/**
 * The backends on the classpath, by name, and the one the user chose: {@code -Dtraceharness.stack},
 * else {@code $TRACEHARNESS_STACK}, else {@code embedded}.
 */
public final class Backends {

  static final String DEFAULT = "embedded";

  private final Map<String, TracingStackProvider> providers;

  private Backends(Map<String, TracingStackProvider> providers) {
    this.providers = providers;
  }

  /** The providers {@link ServiceLoader} finds with this class's loader. */
  public static Backends discovered() {
    Map<String, TracingStackProvider> found = new TreeMap<>();
    ServiceLoader.load(TracingStackProvider.class, Backends.class.getClassLoader())
        .forEach(p -> found.putIfAbsent(p.name(), p));
    return new Backends(found);
  }

  /** These providers only (tests). */
  public static Backends of(TracingStackProvider... providers) {
    Map<String, TracingStackProvider> found = new TreeMap<>();
    for (TracingStackProvider p : providers) {
      found.putIfAbsent(p.name(), p);
    }
    return new Backends(found);
  }

  /** The names of the backends found, sorted. */
  public java.util.Set<String> names() {
    return providers.keySet();
  }

  /** The chosen backend's name from this JVM's system properties and environment. */
  public static String configuredName() {
    return configuredName(System::getProperty, System::getenv);
  }

  /** The chosen backend's name from the given property and environment look-ups. */
  static String configuredName(UnaryOperator<String> property, UnaryOperator<String> environment) {
    String value = property.apply("traceharness.stack");
    if (value == null || value.isBlank()) {
      value = environment.apply("TRACEHARNESS_STACK");
    }
    return value == null || value.isBlank() ? DEFAULT : value.trim().toLowerCase(Locale.ROOT);
  }

  /**
   * The provider called {@code name}.
   *
   * @throws IllegalArgumentException naming the backends there are, and the module that brings
   *     the one asked for, when none has that name
   */
  public TracingStackProvider provider(String name) {
    TracingStackProvider p = providers.get(name);
    if (p == null) {
      throw new IllegalArgumentException("traceharness.stack=" + name + ": no such backend on the classpath (found: "
          + (providers.isEmpty() ? "none" : String.join(", ", providers.keySet()))
          + "); add the module io.traceharness:traceharness-" + name + " to the test dependencies");
    }
    return p;
  }
}
