package io.traceharness.lambda;

import java.nio.file.Path;

/**
 * A function as the registry holds it: its current deployment, its code and its lifecycle state.
 * Its execution environments are the {@link InstancePool}'s. Writers hold this object's monitor; the
 * fields are volatile, so readers see a consistent deployment without it.
 */
final class LambdaFunction {

  private final String name;
  private final Path dir;
  private volatile Deployment deployment;
  private volatile byte[] code;
  private volatile long pendingUntilNanos;
  private volatile long updatingUntilNanos;
  private volatile boolean deleted;
  private int generations;

  LambdaFunction(String name, Path dir) {
    this.name = name;
    this.dir = dir;
  }

  String name() {
    return name;
  }

  Path dir() {
    return dir;
  }

  Deployment deployment() {
    return deployment;
  }

  byte[] code() {
    return code;
  }

  boolean deleted() {
    return deleted;
  }

  String state() {
    return System.nanoTime() - pendingUntilNanos < 0 ? "Pending" : "Active";
  }

  String lastUpdateStatus() {
    return System.nanoTime() - updatingUntilNanos < 0 ? "InProgress" : "Successful";
  }

  /** How long until the function is {@code Active} and its last update {@code Successful}. */
  long nanosUntilSettled() {
    long now = System.nanoTime();
    return Math.max(0, Math.max(pendingUntilNanos - now, updatingUntilNanos - now));
  }

  /** The configuration with the state as of now. */
  FunctionConfig config() {
    return deployment.config().withState(state()).withLastUpdateStatus(lastUpdateStatus());
  }

  synchronized int nextGeneration() {
    return ++generations;
  }

  /** The first deployment; the function stays {@code Pending} for {@code activation}. */
  synchronized void created(Deployment d, byte[] zip, long activationNanos) {
    code = zip;
    deployment = d;
    pendingUntilNanos = System.nanoTime() + activationNanos;
  }

  /** A later deployment; the update stays {@code InProgress} for {@code activation}. */
  synchronized void updated(Deployment d, byte[] zip, long activationNanos) {
    code = zip;
    deployment = d;
    updatingUntilNanos = System.nanoTime() + activationNanos;
  }

  /** The same deployment with another configuration (no new code, no new environments). */
  synchronized void reconfigured(FunctionConfig config) {
    Deployment d = deployment;
    deployment = new Deployment(config, d.generation(), d.taskRoot(), d.optDir());
  }

  void markDeleted() {
    deleted = true;
  }
}
