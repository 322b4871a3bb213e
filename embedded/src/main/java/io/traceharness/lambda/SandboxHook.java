package io.traceharness.lambda;

import java.util.Map;

/**
 * Called before each runtime process (execution environment) starts; returns extra environment
 * entries for that process. They are applied after the function's own environment, so a hook
 * decides itself whether to keep a value the function set. {@link #afterStop} is called once that
 * environment's process has ended (reaped, timed out, retired by an update, crashed, or the
 * emulator stopped), as Lambda sends its extensions {@code SHUTDOWN}: the place to stop what
 * {@code beforeStart} started for it.
 *
 * <pre>{@code
 * LambdaEmulator.builder()
 *     .sandboxHook(ctx -> Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", collector.httpEndpoint()))
 *     .build().start();
 * }</pre>
 */
@FunctionalInterface
public interface SandboxHook {

  Map<String, String> beforeStart(SandboxContext ctx);

  /** The environment {@code ctx} describes has ended. */
  default void afterStop(SandboxContext ctx) {
  }

  /**
   * The environment was frozen: its invocation is over (the runtime and every extension wait for their
   * next event) and its processes are stopped. What the hook runs for it should pause too. Called on the
   * invocation's path: keep it short.
   */
  default void frozen(SandboxContext ctx) {
  }

  /** The environment is thawed for its next invocation (or for its shutdown). */
  default void thawed(SandboxContext ctx) {
  }
}
