package io.traceharness.lambda;

/**
 * Init failed: the runtime reported it ({@code /init/error}: {@code outcome}) or the process ended
 * first ({@code exitStatus}, e.g. {@code exit status 1}).
 */
final class InitFailure extends RuntimeException {
  final Outcome outcome;
  final String exitStatus;

  InitFailure(Outcome outcome, String exitStatus) {
    super(outcome != null ? outcome.errorType() : "Runtime.ExitError: " + exitStatus, null, false, false);
    this.outcome = outcome;
    this.exitStatus = exitStatus;
  }

  Outcome outcomeFor(String requestId) {
    if (outcome != null) {
      return outcome;
    }
    String msg = "RequestId: " + requestId + " Error: Runtime exited with error: " + exitStatus;
    return Outcome.platformError("Runtime.ExitError", msg, msg + "\nRuntime.ExitError");
  }
}
