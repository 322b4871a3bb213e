package io.traceharness.lambda;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.traceharness.trace.XRayTraceHeader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code Invoke}: checks a request as Lambda does up front, takes an environment from the pool
 * (starting it when new), hands the event to the runtime, writes the log block, records the
 * invocation and gives the environment back.
 */
final class Invoker {

  private static final Logger LOG = LoggerFactory.getLogger(Invoker.class);
  static final int MAX_PAYLOAD_BYTES = 6_291_456;

  private final FunctionRegistry registry;
  private final InstancePool pool;
  private final RuntimeEnvironment runtime;
  private final CloudWatchLog log;
  private final Workers workers;
  private final List<Invocation> invocations = Collections.synchronizedList(new ArrayList<>());

  Invoker(FunctionRegistry registry, InstancePool pool, RuntimeEnvironment runtime, CloudWatchLog log, Workers workers) {
    this.registry = registry;
    this.pool = pool;
    this.runtime = runtime;
    this.log = log;
    this.workers = workers;
  }

  /**
   * The X-Ray header Lambda hands an invocation ({@code Lambda-Runtime-Trace-Id}, {@code _X_AMZN_TRACE_ID}).
   * Lambda always sets one, with a new parent; it is sampled only with Active tracing, unless an
   * upstream header carries its own decision.
   */
  static String traceHeaderFor(String upstream, boolean active) {
    XRayTraceHeader up = XRayTraceHeader.parse(upstream);
    Boolean upstreamDecision = up.root() == null ? null : up.sampled();
    boolean sampled = active ? !Boolean.FALSE.equals(upstreamDecision) : Boolean.TRUE.equals(upstreamDecision);
    String root = up.root() != null ? up.root() : XRayTraceHeader.newRoot(System.currentTimeMillis() / 1000);
    return new XRayTraceHeader(root, XRayTraceHeader.newParent(), sampled, up.lineage()).toString();
  }

  List<Invocation> invocations() {
    synchronized (invocations) {
      return List.copyOf(invocations);
    }
  }

  /** Validates an invoke request before anything runs (what AWS checks up front). */
  LambdaFunction checkInvocable(String nameOrArn, byte[] payload) {
    LambdaFunction fn = registry.require(nameOrArn);
    if ("Pending".equals(fn.state())) {
      throw ServiceException.conflict("The operation cannot be performed at this time. The function is currently in "
          + "the following state: Pending");
    }
    if (payload.length > MAX_PAYLOAD_BYTES) {
      throw ServiceException.tooLarge("Request must be smaller than " + MAX_PAYLOAD_BYTES
          + " bytes for the InvokeFunction operation");
    }
    if (payload.length > 0) {
      try {
        Json.MAPPER.readTree(payload);
      } catch (IOException e) {
        throw new ServiceException(400, "InvalidRequestContentException", "Could not parse request body into json: "
            + "Could not parse payload into json: " + (e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage()));
      }
    }
    return fn;
  }

  /** A {@code RequestResponse} invoke; completes exceptionally with {@link ServiceException} for refusals. */
  CompletableFuture<InvokeResult> invoke(String nameOrArn, byte[] payload, InvokeOptions options) {
    LambdaFunction fn = checkInvocable(nameOrArn, payload);
    return run(fn, orEmptyEvent(payload), options);
  }

  /** An {@code Event} invoke: accepted at once, run in the background (waiting out throttles). */
  void invokeEvent(String nameOrArn, byte[] payload, InvokeOptions options) {
    LambdaFunction fn = checkInvocable(nameOrArn, payload);
    byte[] body = orEmptyEvent(payload);
    long giveUp = System.nanoTime() + TimeUnit.MINUTES.toNanos(6);
    workers.blocking().execute(() -> invokeAsync(fn, body, options, giveUp));
  }

  /** One attempt of an asynchronous invocation; a throttled one is tried again, as Lambda's event queue does. */
  private void invokeAsync(LambdaFunction fn, byte[] body, InvokeOptions options, long giveUp) {
    if (pool.stopped() || fn.deleted() || System.nanoTime() >= giveUp) {
      return;
    }
    try {
      run(fn, body, options).join();
    } catch (ServiceException | CompletionException e) {
      ServiceException se = e instanceof ServiceException s ? s
          : e.getCause() instanceof ServiceException s2 ? s2 : null;
      if (se == null || se.status() != 429) {
        LOG.warn("Asynchronous invocation of {} failed", fn.name(), e);
        return;
      }
      // Lambda's own retry of a throttled event, at a fixed short pace
      CompletableFuture.delayedExecutor(100, TimeUnit.MILLISECONDS, workers.blocking())
          .execute(() -> invokeAsync(fn, body, options, giveUp));
    }
  }

  private static byte[] orEmptyEvent(byte[] payload) {
    return payload.length == 0 ? "{}".getBytes(StandardCharsets.UTF_8) : payload;
  }

  private CompletableFuture<InvokeResult> run(LambdaFunction fn, byte[] payload, InvokeOptions options) {
    Instance inst = pool.acquire(fn);
    FunctionConfig config = inst.revision().config();
    String requestId = UUID.randomUUID().toString();
    Call call = new Call(requestId, payload, traceHeaderFor(options.traceHeader(), config.activeTracing()),
        options.clientContext(), config.arn(), config.timeout());
    Attempt attempt = new Attempt(fn, inst, call, Instant.now(), options);
    if (!inst.started()) {
      inst.onShutdownOutput(output -> log.append(fn.name(), inst.id(), output));
    }
    CompletableFuture<Duration> init = inst.started() ? CompletableFuture.completedFuture(null)
        : CompletableFuture.supplyAsync(() -> runtime.launch(inst), workers.blocking()).thenCompose(ready -> ready);
    CompletableFuture<InvokeResult> result = new CompletableFuture<>();
    init.whenComplete((initDuration, failure) -> {
      if (failure == null) {
        inst.dispatch(call);
        call.outcome.thenCombine(call.settled, (o, s) -> o).whenComplete((outcome, f) ->
            complete(result, attempt, Attempt.Ending.warm(outcome, initDuration)));
        return;
      }
      Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
      Outcome outcome = initFailure(cause, requestId);
      if (outcome == null) {
        LOG.warn("Could not start an execution environment for {}", fn.name(), cause);
        workers.background(inst::kill);
        pool.release(fn, inst, false);
        result.completeExceptionally(new ServiceException(500, "ServiceException",
            "Could not start the execution environment: " + cause));
        return;
      }
      workers.background(inst::kill);
      inst.exited().copy().orTimeout(5, TimeUnit.SECONDS).whenComplete((x, y) ->
          complete(result, attempt, Attempt.Ending.initFailed(outcome, outcome.errorType())));
    });
    return result;
  }

  /** The outcome of an init phase that failed ({@code null}: not the function's fault, the service's). */
  private Outcome initFailure(Throwable cause, String requestId) {
    if (cause instanceof InitFailure f) {
      return f.outcomeFor(requestId);
    }
    if (cause instanceof TimeoutException) {
      String seconds = String.format(Locale.ROOT, "%.2f", runtime.initTimeout().toMillis() / 1000.0);
      return Outcome.platformError("Sandbox.Timedout", "RequestId: " + requestId
          + " Error: Task timed out after " + seconds + " seconds", Instant.now() + " " + requestId
          + " Task timed out after " + seconds + " seconds");
    }
    return null;
  }

  private void complete(CompletableFuture<InvokeResult> result, Attempt a, Attempt.Ending e) {
    try {
      result.complete(finish(a, e));
    } catch (RuntimeException ex) {
      result.completeExceptionally(ex);
    }
  }

  /** Writes the invocation's log block, records it, gives the environment back and answers. */
  private InvokeResult finish(Attempt a, Attempt.Ending e) {
    String block = log.write(a, e);
    Call call = a.call();
    Outcome outcome = e.outcome();
    invocations.add(new Invocation(a.function().name(), call.requestId, a.instance().id(), a.start(), Instant.now(),
        Duration.ofNanos(CloudWatchLog.durationNanos(a, e)), call.traceHeader, call.clientContext,
        outcome.errorType(), e.initDuration()));
    pool.release(a.function(), a.instance(), e.reusable());
    String tail = a.options().tailLog() ? CloudWatchLog.tail(block) : null;
    return new InvokeResult(200, outcome.payload(), outcome.failed() ? "Unhandled" : null, tail, call.requestId,
        "$LATEST", null);
  }
}
