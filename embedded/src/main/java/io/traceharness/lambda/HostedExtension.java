package io.traceharness.lambda;

import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * An external extension a {@link EnvironmentHook} runs for an execution environment in this JVM instead of as an
 * executable of the layers' {@code extensions/} directory (the layer collector is one). The environment treats
 * it as it treats those: it waits for it to register through the Extensions API at {@code AWS_LAMBDA_RUNTIME_API}
 * before the runtime starts, hands it its events over HTTP, and at Shutdown waits (within the phase's limit)
 * for {@code ended}, which the hook completes when the extension is over, as a process exits.
 *
 * <pre>{@code
 * public List<HostedExtension> extensions(EnvironmentContext ctx) {
 *   return List.of(new HostedExtension("collector", endedOf(ctx.instanceId())));
 * }
 * }</pre>
 *
 * @param name  the extension's name, as it registers ({@code Lambda-Extension-Name}: its file name in AWS)
 * @param ended completed by the hook when the extension has ended
 */
public record HostedExtension(String name, CompletableFuture<Void> ended) {

  public HostedExtension {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(ended, "ended");
  }
}
