package io.traceharness.lambda;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The events one execution environment's phases send: the Telemetry API's platform events
 * ({@code platform.initStart}, {@code initRuntimeDone}, {@code initReport}, {@code start},
 * {@code runtimeDone}, {@code report}) and the Extensions API's {@code INVOKE} event.
 */
final class PlatformEvents {

  private final Telemetry telemetry;
  private final Extensions extensions;

  PlatformEvents(Telemetry telemetry, Extensions extensions) {
    this.telemetry = telemetry;
    this.extensions = extensions;
  }

  void initStart(FunctionConfig c) {
    String[] arn = c.arn().split(":");
    ObjectNode initStart = Json.MAPPER.createObjectNode()
        .put("initializationType", "on-demand")
        .put("phase", "init")
        .put("runtimeVersion", c.runtime().replace(".x", "") + ".v1")
        .put("runtimeVersionArn", "arn:aws:lambda:" + (arn.length > 3 ? arn[3] : "") + "::runtime:traceharness-" + c.runtime())
        .put("functionName", c.name())
        .put("functionVersion", "$LATEST");
    telemetry.platform("platform.initStart", initStart);
  }

  /** Init is over ({@code status} {@code success} or {@code error}); what was buffered during init may go out. */
  void initDone(String status, double initMs) {
    telemetry.platform("platform.initRuntimeDone", Json.MAPPER.createObjectNode()
        .put("initializationType", "on-demand").put("phase", "init").put("status", status));
    ObjectNode initReport = Json.MAPPER.createObjectNode()
        .put("initializationType", "on-demand").put("phase", "init").put("status", status);
    initReport.putObject("metrics").put("durationMs", Math.round(initMs * 100) / 100.0);
    telemetry.platform("platform.initReport", initReport);
    telemetry.initOver();
  }

  void start(Call call) {
    ObjectNode start = Json.MAPPER.createObjectNode().put("requestId", call.requestId).put("version", "$LATEST");
    if (call.traceHeader != null) {
      start.putObject("tracing").put("type", "X-Amzn-Trace-Id").put("value", call.traceHeader);
    }
    telemetry.platform("platform.start", start);
  }

  /**
   * Every extension registered for {@code INVOKE} gets the event as the runtime does (Extensions API,
   * "Invoke phase").
   *
   * @return how many got it
   */
  int invoke(Call call) {
    ObjectNode invoke = Json.MAPPER.createObjectNode()
        .put("eventType", "INVOKE")
        .put("deadlineMs", call.deadlineMs)
        .put("requestId", call.requestId)
        .put("invokedFunctionArn", call.functionArn);
    invoke.putObject("tracing").put("type", "X-Amzn-Trace-Id").put("value", call.traceHeader);
    return extensions.deliver("INVOKE", invoke);
  }

  /** The runtime is done with {@code call}: its telemetry status follows from the outcome. */
  void runtimeDone(Call call, Outcome outcome) {
    call.telemetryStatus = outcome.errorType() == null ? "success"
        : outcome.errorType().equals("Sandbox.Timedout") ? "timeout"
        : outcome.errorType().equals("Runtime.ExitError") ? "failure" : "error";
    ObjectNode done = Json.MAPPER.createObjectNode().put("requestId", call.requestId).put("status", call.telemetryStatus);
    done.putObject("metrics").put("durationMs", Math.round((call.endNanos - call.startNanos) / 1e4) / 100.0)
        .put("producedBytes", outcome.payload() == null ? 0 : outcome.payload().length);
    telemetry.platform("platform.runtimeDone", done);
  }

  /** The invocation's phase is over, the extensions' part included. */
  void report(Call call, int memorySizeMb, long maxMemoryUsedMb) {
    long end = call.extensionsInvoked > 0 && call.phaseEndNanos > call.endNanos ? call.phaseEndNanos : call.endNanos;
    double ms = call.endNanos == 0 ? 0 : (end - call.startNanos) / 1e6;
    ObjectNode r = Json.MAPPER.createObjectNode().put("requestId", call.requestId).put("status", call.telemetryStatus);
    r.putObject("metrics")
        .put("durationMs", Math.round(ms * 100) / 100.0)
        .put("billedDurationMs", Math.max(1, (long) Math.ceil(ms)))
        .put("memorySizeMB", memorySizeMb)
        .put("maxMemoryUsedMB", maxMemoryUsedMb);
    telemetry.platform("platform.report", r);
  }
}
