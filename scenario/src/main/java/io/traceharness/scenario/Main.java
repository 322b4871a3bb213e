package io.traceharness.scenario;

/** Entry point of the demo, sandbox and bench profiles. */
public final class Main {

  private Main() {
  }

  public static void main(String[] args) {
    String what = args.length > 0 ? args[0] : "demo";
    System.out.println("traceharness " + what);
  }
}
