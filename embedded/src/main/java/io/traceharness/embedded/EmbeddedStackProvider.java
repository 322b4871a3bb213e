package io.traceharness.embedded;

import io.traceharness.stack.TracingStack;
import io.traceharness.stack.TracingStackProvider;

/** The {@code embedded} backend: runs anywhere with a JDK and Node.js. */
public final class EmbeddedStackProvider implements TracingStackProvider {

  @Override
  public String name() {
    return "embedded";
  }

  @Override
  public TracingStack start() {
    return EmbeddedStack.builder().build().start();
  }
}
