package io.traceharness.stack;

/**
 * A backend of {@link TracingStack}, found by name through {@link java.util.ServiceLoader}: a
 * module that offers a backend lists its provider in
 * {@code META-INF/services/io.traceharness.stack.TracingStackProvider}, so the core names none.
 *
 * <pre>{@code
 * public final class EmbeddedStackProvider implements TracingStackProvider {
 *   public String name() { return "embedded"; }
 *   public TracingStack start() { return EmbeddedStack.builder().build().start(); }
 * }
 * }</pre>
 */
public interface TracingStackProvider {

  /** The name users choose it by ({@code -Dtraceharness.stack=NAME}), lower case. */
  String name();

  /** Why this backend cannot run on this machine (with how to run it), or {@code null} when it can. */
  default String unavailableReason() {
    return null;
  }

  /** Starts a stack with this backend's defaults. */
  TracingStack start();
}
