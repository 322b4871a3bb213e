package io.traceharness.lambda.testfn;

import com.amazonaws.services.lambda.runtime.Context;
import java.util.Map;

/** A handler whose class cannot initialise: Lambda reports the init failure. */
public final class FailingInit {

  static {
    if (!Boolean.getBoolean("never.set")) {
      throw new IllegalStateException("init failed on purpose");
    }
  }

  public String handleRequest(Map<String, Object> event, Context context) {
    return "never";
  }
}
