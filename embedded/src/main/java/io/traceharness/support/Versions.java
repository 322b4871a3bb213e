package io.traceharness.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * Versions of the real components the stack runs, pinned once in the parent pom and filtered into
 * {@code versions.properties} by the build, so code and containers never disagree with the pom.
 *
 * <p>Public because the apm, elasticsearch, lambda and layers packages and the containers module read versions from it.
 */
public final class Versions {

  private static final Properties PROPS = load();

  private Versions() {
  }

  /** E.g. {@code Versions.of("elasticsearch")} → {@code 8.19.21}. */
  public static String of(String component) {
    String v = PROPS.getProperty(component);
    if (v == null || v.startsWith("${")) {
      throw new IllegalStateException("no version for " + component + " in versions.properties");
    }
    return v;
  }

  private static Properties load() {
    Properties p = new Properties();
    try (InputStream in = Versions.class.getResourceAsStream("versions.properties")) {
      if (in == null) {
        throw new IllegalStateException("versions.properties missing from the classpath");
      }
      p.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return p;
  }
}
