package io.traceharness.lambda.testlayer;

/** A class shipped only in a layer's {@code java/lib} jar: the RIC must find it there. */
public final class LayerGreeting {

  private LayerGreeting() {
  }

  public static String greet(String name) {
    return "hello " + name + " from a layer jar";
  }
}
