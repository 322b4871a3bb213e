package io.traceharness.lambda;

import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.Set;

/** A function's mutable state in the service: its current deployment and its execution environments. */
final class LambdaFunction {

  final String name;
  final Path logFile;
  final Path dir;
  volatile Deployment deployment;
  volatile byte[] code;
  volatile long pendingUntilNanos;
  volatile long updatingUntilNanos;
  volatile boolean deleted;
  /** Guarded by the emulator's lock. */
  final Deque<Instance> idle = new ArrayDeque<>();
  final Set<Instance> instances = new LinkedHashSet<>();
  int inFlight;
  int generations;

  LambdaFunction(String name, Path dir, Path logFile) {
    this.name = name;
    this.dir = dir;
    this.logFile = logFile;
  }

  String state() {
    return System.nanoTime() - pendingUntilNanos < 0 ? "Pending" : "Active";
  }

  String lastUpdateStatus() {
    return System.nanoTime() - updatingUntilNanos < 0 ? "InProgress" : "Successful";
  }

  /** The configuration with the state as of now. */
  FunctionConfig config() {
    FunctionConfig c = deployment.config();
    return new FunctionConfig(c.name(), c.arn(), c.runtime(), c.handler(), c.memoryMb(), c.timeout(), c.environment(),
        c.tracingMode(), c.layers(), state(), lastUpdateStatus(), c.codeSha256(), c.codeSize(),
        c.reservedConcurrency(), c.lastModified(), c.revisionId(), c.role(), c.description());
  }
}
