package io.traceharness.lambda;

import java.nio.file.Path;

/**
 * A function as the registry holds it: its current revision, its code and its lifecycle state.
 * Its execution environments are the {@link InstancePool}'s. Writers hold this object's monitor; the
 * fields are volatile, so readers see a consistent revision without it.
 */
final class LambdaFunction {

  private final String name;
  private final Path dir;
  private volatile Revision revision;
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

  Revision revision() {
    return revision;
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
    return revision.config().withState(state()).withLastUpdateStatus(lastUpdateStatus());
  }

  synchronized int nextGeneration() {
    return ++generations;
  }

  /** The first revision; the function stays {@code Pending} for {@code activation}. */
  synchronized void created(Revision d, byte[] zip, long activationNanos) {
    code = zip;
    revision = d;
    pendingUntilNanos = System.nanoTime() + activationNanos;
  }

  /** A later revision; the update stays {@code InProgress} for {@code activation}. */
  synchronized void updated(Revision d, byte[] zip, long activationNanos) {
    code = zip;
    revision = d;
    updatingUntilNanos = System.nanoTime() + activationNanos;
  }

  /** The same revision with another configuration (no new code, no new environments). */
  synchronized void reconfigured(FunctionConfig config) {
    Revision d = revision;
    revision = new Revision(config, d.generation(), d.taskRoot(), d.optDir());
  }

  void markDeleted() {
    deleted = true;
  }
}
