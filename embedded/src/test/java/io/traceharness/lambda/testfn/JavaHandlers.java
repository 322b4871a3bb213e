package io.traceharness.lambda.testfn;

import com.amazonaws.services.lambda.runtime.Context;
import java.util.LinkedHashMap;
import java.util.Map;

/** Handlers the Lambda ITs package into a zip (classes at the zip's root, as Lambda expects). */
public final class JavaHandlers {

  private static int invocations;

  /** Echoes the event with what the runtime saw: environment, trace property, client context, request id. */
  public Map<String, Object> echo(Map<String, Object> event, Context context) {
    invocations++;
    System.out.println("echo handling " + event);
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("event", event);
    out.put("requestId", context.getAwsRequestId());
    out.put("functionName", context.getFunctionName());
    out.put("memoryLimitInMB", context.getMemoryLimitInMB());
    out.put("remainingTimeInMillis", context.getRemainingTimeInMillis());
    out.put("traceHeader", System.getProperty("com.amazonaws.xray.traceHeader"));
    out.put("clientContext", context.getClientContext() == null ? null : context.getClientContext().getCustom());
    out.put("invocationsInThisProcess", invocations);
    out.put("pid", ProcessHandle.current().pid());
    out.put("greeting", System.getenv("GREETING"));
    out.put("taskRoot", System.getenv("LAMBDA_TASK_ROOT"));
    out.put("cwd", System.getProperty("user.dir"));
    out.put("classpath", System.getProperty("java.class.path"));
    out.put("tz", System.getenv("TZ"));
    out.put("optDir", System.getenv("TRACEHARNESS_OPT_DIR"));
    out.put("layerFile", System.getenv("LAYER_FILE"));
    out.put("layerProperty", System.getProperty("layer.file"));
    return out;
  }

  /** Uses a class that only a layer's {@code java/lib} jar provides. */
  public String layered(Map<String, Object> event, Context context) {
    return io.traceharness.lambda.testlayer.LayerGreeting.greet(String.valueOf(event.get("name")));
  }

  public String fail(Map<String, Object> event, Context context) {
    throw new IllegalStateException("boom from " + context.getFunctionName());
  }

  public String sleep(Map<String, Object> event, Context context) throws InterruptedException {
    Thread.sleep(((Number) event.getOrDefault("ms", 5000)).longValue());
    return "slept";
  }

  public String exit(Map<String, Object> event, Context context) {
    System.out.println("exiting now");
    System.exit(3);
    return "unreachable";
  }
}
