package io.traceharness.containers;

import io.traceharness.stack.TracingStack;
import io.traceharness.stack.TracingStackProvider;

/** The {@code containers} backend: needs a Docker engine (GitHub Actions, docker compose). */
public final class ContainerStackProvider implements TracingStackProvider {

  @Override
  public String name() {
    return "containers";
  }

  @Override
  public String unavailableReason() {
    return ContainerStack.dockerAvailable() ? null : ContainerStack.SKIP_REASON;
  }

  @Override
  public TracingStack start() {
    return ContainerStack.builder().build().start();
  }
}
