package io.traceharness.resilience;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.traceharness.stack.ComponentLog;
import io.traceharness.stack.FunctionSpec;
import io.traceharness.stack.TracingStack;
import io.traceharness.support.WorkDirs;
import java.time.Duration;
import software.amazon.awssdk.core.SdkBytes;

/**
 * The JVM {@link PrivateCheckoutIT} starts with its work directory inside a directory other users
 * cannot enter: starts the configured stack as a test JVM does, deploys and invokes a function,
 * prints {@value #DONE} and a JSON line (the function's answer, each component's log file and the
 * tail a failed test would print of it), closes the stack and exits.
 */
public final class PrivateCheckoutProbe {

  static final String DONE = "PRIVATE-CHECKOUT ";
  /** As many lines as the JUnit extension prints of each component's log for a failed test. */
  static final int TAIL_LINES = 40;

  private PrivateCheckoutProbe() {
  }

  public static void main(String[] args) throws Exception {
    ObjectMapper json = new ObjectMapper();
    ObjectNode out = json.createObjectNode();
    try (TracingStack stack = TracingStack.start()) {
      stack.deploy(FunctionSpec.builder("private-whoami").runtime(SecurityFunctions.RUNTIME)
          .handler(SecurityFunctions.WHOAMI).code(SecurityFunctions.write(WorkDirs.root().resolve("private-function")))
          .timeout(Duration.ofSeconds(10)).build());
      out.put("invoke", stack.lambdaClient().invoke(b -> b.functionName("private-whoami")
          .payload(SdkBytes.fromUtf8String("{}"))).payload().asUtf8String());
      out.put("elasticsearch", stack.endpoints().elasticsearch().toString());
      ArrayNode logs = out.putArray("logs");
      for (ComponentLog log : stack.logs()) {
        logs.addObject().put("component", log.component()).put("file", String.valueOf(log.file()))
            .put("tail", log.tail(TAIL_LINES));
      }
      System.out.println(DONE + json.writeValueAsString(out));
      System.out.flush();
    }
    System.exit(0);
  }
}
