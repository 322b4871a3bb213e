package io.traceharness.lambda;

import io.traceharness.trace.XRayTraceHeader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Each function's log as CloudWatch shows it: {@code INIT_START}, {@code START}, the runtime's output,
 * {@code END}, {@code REPORT} with durations and memory (and {@code XRAY} when sampled), one block per
 * invocation, in {@code <work dir>/<function>.log}. A subscriber, when there is one, gets every line
 * written as a {@link LogEvents} of the environment's log stream, as a CloudWatch Logs subscription
 * filter with an empty pattern delivers them.
 */
final class CloudWatchLog {

  private static final Logger LOG = LoggerFactory.getLogger(CloudWatchLog.class);
  private static final int TAIL_BYTES = 4096;

  private static final DateTimeFormatter STREAM_DATE = DateTimeFormatter.ofPattern("yyyy/MM/dd").withZone(ZoneOffset.UTC);

  private final Path dir;
  private final String region;
  private final String accountId;
  private final Consumer<LogEvents> subscriber;
  private final Map<String, Object> writeLocks = new ConcurrentHashMap<>();
  private final Map<String, String> streams = new ConcurrentHashMap<>();
  /** Functions this log has written for: a file left by an earlier run is replaced, not appended to. */
  private final java.util.Set<String> written = ConcurrentHashMap.newKeySet();
  private final AtomicLong sequence = new AtomicLong();

  CloudWatchLog(Path dir, String region, String accountId, Consumer<LogEvents> subscriber) {
    this.dir = dir;
    this.region = region;
    this.accountId = accountId;
    this.subscriber = subscriber;
  }

  Path logFile(String functionName) {
    return dir.resolve(FunctionRegistry.functionName(functionName) + ".log");
  }

  /** The function's log so far (empty when it has none). */
  String read(String functionName) {
    Path f = logFile(functionName);
    try {
      return written.contains(FunctionRegistry.functionName(functionName)) && Files.isRegularFile(f)
          ? Files.readString(f) : "";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Appends to the function's log; its first write in this service starts the file afresh. */
  private void appendOrStart(String functionName, Path file, String text) throws IOException {
    Files.createDirectories(file.getParent());
    if (written.add(FunctionRegistry.functionName(functionName))) {
      Files.writeString(file, text, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
          StandardOpenOption.WRITE);
    } else {
      Files.writeString(file, text, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }
  }

  /** Appends the attempt's block to its function's log and returns it. */
  String write(Attempt a, Attempt.Ending e) {
    String block = block(a, e);
    String name = a.function().name();
    Path file = logFile(name);
    synchronized (writeLocks.computeIfAbsent(name, k -> new Object())) {
      try {
        appendOrStart(name, file, block);
      } catch (IOException ex) {
        LOG.warn("Could not write {}", file, ex);
      }
      deliver(name, a.instance().id(), block, a.call().requestId);
    }
    return block;
  }

  /**
   * Appends what an environment wrote during its Shutdown phase (a runtime's SIGTERM handler, an
   * extension's answer to {@code SHUTDOWN}): in CloudWatch it follows the environment's last block.
   */
  void append(String functionName, String instanceId, String output) {
    Path file = logFile(functionName);
    String text = output.endsWith("\n") ? output : output + "\n";
    synchronized (writeLocks.computeIfAbsent(functionName, k -> new Object())) {
      try {
        appendOrStart(functionName, file, text);
      } catch (IOException ex) {
        LOG.warn("Could not write {}", file, ex);
      }
      deliver(functionName, instanceId, text, null);
    }
  }

  /**
   * Hands the lines to the subscriber, under the function's write lock so they arrive in log order.
   * A block's lines before its {@code START} are the init phase's and belong to no request.
   */
  private void deliver(String functionName, String instanceId, String text, String requestId) {
    if (subscriber == null) {
      return;
    }
    Instant now = Instant.now();
    String start = requestId == null ? null : "START RequestId: " + requestId + " ";
    boolean inRequest = false;
    List<LogEvents.LogEvent> events = new ArrayList<>();
    for (String line : text.split("\n")) {
      if (start != null && line.startsWith(start)) {
        inRequest = true;
      }
      if (!line.isEmpty()) {
        events.add(new LogEvents.LogEvent(eventId(now), now, line, inRequest ? requestId : null));
      }
    }
    if (events.isEmpty()) {
      return;
    }
    String stream = streams.computeIfAbsent(instanceId, id -> STREAM_DATE.format(now) + "/[$LATEST]" + id);
    try {
      subscriber.accept(new LogEvents(accountId, "/aws/lambda/" + functionName, stream, functionName, events));
    } catch (RuntimeException e) {
      LOG.warn("The log subscriber failed on {} lines of {}: {}", events.size(), functionName, e.toString());
    }
  }

  /** 56 digits, as CloudWatch's event ids: the time in milliseconds, then a sequence number. */
  private String eventId(Instant at) {
    return String.format(Locale.ROOT, "%020d%036d", at.toEpochMilli(), sequence.incrementAndGet());
  }

  /** The last 4 KB of a block ({@code LogType: Tail}). */
  static String tail(String block) {
    byte[] bytes = block.getBytes(StandardCharsets.UTF_8);
    int from = Math.max(0, bytes.length - TAIL_BYTES);
    return new String(bytes, from, bytes.length - from, StandardCharsets.UTF_8);
  }

  /** A tail as {@code X-Amz-Log-Result} carries it. */
  static String base64Tail(String tail) {
    byte[] bytes = tail.getBytes(StandardCharsets.UTF_8);
    int from = Math.max(0, bytes.length - TAIL_BYTES);
    return Base64.getEncoder().encodeToString(java.util.Arrays.copyOfRange(bytes, from, bytes.length));
  }

  private String block(Attempt a, Attempt.Ending e) {
    Instance inst = a.instance();
    Call call = a.call();
    FunctionConfig c = inst.revision().config();
    Outcome outcome = e.outcome();
    StringBuilder log = new StringBuilder();
    if (e.coldStart()) {
      log.append("INIT_START Runtime Version: ").append(c.runtime().replace(".x", "")).append(".v1\tRuntime Version ARN: ")
          .append("arn:aws:lambda:").append(region).append("::runtime:traceharness-").append(c.runtime()).append('\n');
      appendOutput(log, inst.initLog());
      inst.initPlatformLines().forEach(line -> log.append(line).append('\n'));
      if (e.initError() != null) {
        log.append("INIT_REPORT Init Duration: ").append(fmt(Duration.between(a.start(), Instant.now()).toNanos() / 1e6))
            .append(" ms\tPhase: init\tStatus: error\tError Type: ").append(e.initError()).append('\n');
      }
    }
    log.append("START RequestId: ").append(call.requestId).append(" Version: $LATEST\n");
    if (e.dispatched()) {
      appendOutput(log, inst.invocationLog(call));
    }
    if (outcome.platformLog() != null) {
      log.append(outcome.platformLog()).append('\n');
    }
    log.append("END RequestId: ").append(call.requestId).append('\n');
    double ms = durationNanos(a, e) / 1e6;
    double initMs = e.initDuration() != null ? e.initDuration().toNanos() / 1e6 : 0;
    long billed = (long) Math.ceil(ms + initMs);
    log.append("REPORT RequestId: ").append(call.requestId).append("\tDuration: ").append(fmt(ms))
        .append(" ms\tBilled Duration: ").append(Math.max(1, billed)).append(" ms\tMemory Size: ").append(c.memoryMb())
        .append(" MB\tMax Memory Used: ").append(inst.maxMemoryUsedMb()).append(" MB\t");
    if (e.initDuration() != null) {
      log.append("Init Duration: ").append(fmt(initMs)).append(" ms\t");
    }
    if (outcome.platformLog() != null || e.initError() != null) {
      log.append("Status: error\tError Type: ").append(outcome.errorType());
    }
    log.append('\n');
    XRayTraceHeader trace = XRayTraceHeader.parse(call.traceHeader);
    if (c.activeTracing() && trace.isSampled()) {
      log.append("XRAY TraceId: ").append(orEmpty(trace.root())).append("\tSegmentId: ")
          .append(orEmpty(trace.parent())).append("\tSampled: true\n");
    }
    return log.toString();
  }

  /**
   * How long the Invoke phase lasted (zero when the runtime never got the event): until the runtime's
   * result, or, when extensions got the event, until the last of them asked for its next event, as
   * Lambda counts an extension's work after the response in the invocation's duration.
   */
  static long durationNanos(Attempt a, Attempt.Ending e) {
    Call call = a.call();
    if (!e.dispatched() || call.endNanos == 0) {
      return 0;
    }
    long end = call.extensionsInvoked > 0 && call.phaseEndNanos > call.endNanos ? call.phaseEndNanos : call.endNanos;
    return end - call.startNanos;
  }

  private static String orEmpty(String s) {
    return s == null ? "" : s;
  }

  private static void appendOutput(StringBuilder log, String output) {
    if (!output.isEmpty()) {
      log.append(output);
      if (!output.endsWith("\n")) {
        log.append('\n');
      }
    }
  }

  private static String fmt(double ms) {
    return String.format(Locale.ROOT, "%.2f", ms);
  }
}
