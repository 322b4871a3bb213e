package io.traceharness.support;

import java.nio.file.Path;

/**
 * Where components keep their logs, data and unpacked distributions during a run.
 *
 * <p>Public because every component package and the containers, fixtures and scenario modules place files under it.
 */
public final class WorkDirs {

  private WorkDirs() {
  }

  /**
   * {@code -Dtraceharness.workDir} (Maven sets it to {@code target/traceharness}), else
   * {@code target/traceharness} under the current directory.
   */
  public static Path root() {
    String configured = System.getProperty("traceharness.workDir");
    return (configured != null && !configured.isBlank() ? Path.of(configured)
        : Path.of("target", "traceharness")).toAbsolutePath();
  }

  /**
   * A cache shared by runs (unpacked distributions, npm-built layers), readable by other users:
   * {@code -Dtraceharness.cacheDir}, else {@code $XDG_CACHE_HOME/traceharness} or
   * {@code ~/.cache/traceharness}; as root {@code /var/tmp/traceharness-cache}, because root's
   * home is not readable by the unprivileged user Elasticsearch must run as.
   */
  public static Path cache() {
    String configured = System.getProperty("traceharness.cacheDir");
    if (configured != null && !configured.isBlank()) {
      return Path.of(configured).toAbsolutePath();
    }
    if (Users.isRoot()) {
      return Path.of("/var/tmp/traceharness-cache");
    }
    String xdg = System.getenv("XDG_CACHE_HOME");
    Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
    return base.resolve("traceharness");
  }
}
