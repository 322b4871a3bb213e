package io.traceharness.lambda;

import java.util.List;
import java.util.Map;

/**
 * Called before each runtime process (execution environment) starts; returns extra environment
 * entries for that process. They are applied after the function's own environment, so a hook
 * decides itself whether to keep a value the function set. {@link #afterStop} is called once that
 * environment has ended (reaped, timed out, retired by an update, crashed, or the emulator stopped;
 * after its Shutdown phase when it had one, so the extensions have had their {@code SHUTDOWN}): the
 * place to stop what {@code beforeStart} started for it.
 *
 * <pre>{@code
 * LambdaEmulator.builder()
 *     .environmentHook(ctx -> Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", collector.httpEndpoint()))
 *     .build().start();
 * }</pre>
 */
@FunctionalInterface
public interface EnvironmentHook {

  Map<String, String> beforeStart(EnvironmentContext ctx);

  /**
   * The external extensions the hook runs in this JVM for the environment {@code ctx} describes; asked before
   * {@link #beforeStart}, which starts them. The environment waits for each to register, as for the layers'
   * executables.
   */
  default List<HostedExtension> extensions(EnvironmentContext ctx) {
    return List.of();
  }

  /** The environment {@code ctx} describes has ended. */
  default void afterStop(EnvironmentContext ctx) {
  }

  /**
   * The environment was frozen: its invocation is over (the runtime and every extension wait for their
   * next event) and its processes are stopped. What the hook runs for it should pause too. Called on the
   * invocation's path: keep it short.
   */
  default void frozen(EnvironmentContext ctx) {
  }

  /** The environment is thawed for its next invocation (or for its shutdown). */
  default void thawed(EnvironmentContext ctx) {
  }
}
