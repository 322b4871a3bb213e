package io.traceharness.bench.fn;

import com.amazonaws.services.lambda.runtime.Context;
import java.util.Map;

/** The Java function the Lambda benchmark deploys: echoes a field, nothing else. */
public final class BenchHandler {

  public Map<String, Object> handleRequest(Map<String, Object> event, Context context) {
    return Map.of("ok", true, "n", event.getOrDefault("n", 0));
  }
}
