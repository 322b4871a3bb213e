package io.traceharness.resilience;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.traceharness.stack.Endpoints;
import io.traceharness.stack.FunctionSpec;
import io.traceharness.stack.TracingStack;
import io.traceharness.support.WorkDirs;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import software.amazon.awssdk.core.SdkBytes;

/**
 * The processes {@link LeftBehindIT} kills, each run in a JVM of its own.
 *
 * <ul>
 *   <li>{@code stack}: a test JVM as a user writes one: starts the configured stack with
 *   {@link TracingStack#start()}, deploys two functions and invokes them so their runtime processes
 *   exist, prints {@value #READY} and a JSON line with its pid and endpoints, then waits to be killed.
 *   It neither closes the stack nor watches its parent: only the stack's own safeguards act.</li>
 *   <li>{@code maven <command…>}: stands in for Maven running {@code exec:exec}: starts the command
 *   as a child of this JVM, copies its output to this JVM's output as the exec plugin's stream pumps
 *   do, prints {@value #CHILD} and the child's pid, and waits for it.</li>
 * </ul>
 */
public final class LeftBehindProbe {

  static final String READY = "LEFTBEHIND-READY ";
  static final String CHILD = "LEFTBEHIND-CHILD ";

  private LeftBehindProbe() {
  }

  public static void main(String[] args) throws Exception {
    switch (args.length == 0 ? "" : args[0]) {
      case "stack" -> stack();
      case "maven" -> maven(Arrays.asList(args).subList(1, args.length));
      default -> {
        System.err.println("usage: LeftBehindProbe stack | maven <command…>");
        System.exit(2);
      }
    }
  }

  private static void stack() throws Exception {
    TracingStack stack = TracingStack.start();
    var code = SecurityFunctions.write(WorkDirs.root().resolve("probe-function"));
    ObjectMapper json = new ObjectMapper();
    ObjectNode ready = json.createObjectNode();
    ready.put("pid", ProcessHandle.current().pid());
    ready.put("workDir", WorkDirs.root().toString());
    Endpoints e = stack.endpoints();
    ObjectNode endpoints = ready.putObject("endpoints");
    endpoints.put("elasticsearch", e.elasticsearch().toString());
    endpoints.put("apmServer", e.apmServer().toString());
    endpoints.put("otlpHttp", e.otlpHttp().toString());
    endpoints.put("otlpGrpc", e.otlpGrpc().toString());
    endpoints.put("lambda", e.lambda().toString());
    endpoints.put("apiGateway", e.apiGateway().toString());
    ObjectNode runtimes = ready.putObject("runtimeApis");
    for (String name : List.of("probe-whoami", "probe-sleep")) {
      stack.deploy(FunctionSpec.builder(name).runtime(SecurityFunctions.RUNTIME)
          .handler(name.endsWith("whoami") ? SecurityFunctions.WHOAMI : SecurityFunctions.SLEEP)
          .code(code).timeout(Duration.ofSeconds(10)).build());
      String payload = stack.lambdaClient().invoke(b -> b.functionName(name)
          .payload(SdkBytes.fromUtf8String("{\"ms\":1}"))).payload().asUtf8String();
      runtimes.put(name, json.readTree(payload).path("runtimeApi").asText());
    }
    System.out.println(READY + json.writeValueAsString(ready));
    System.out.flush();
    new CountDownLatch(1).await();
  }

  private static void maven(List<String> command) throws Exception {
    Process child = new ProcessBuilder(command).start();
    pump(child.getInputStream(), System.out);
    pump(child.getErrorStream(), System.err);
    System.out.println(CHILD + child.pid());
    System.out.flush();
    System.exit(child.waitFor());
  }

  /** exec:exec copies the child's output with threads of Maven's JVM, so it dies with Maven. */
  private static void pump(InputStream in, OutputStream out) {
    Thread t = new Thread(() -> {
      byte[] buf = new byte[8192];
      try {
        for (int n; (n = in.read(buf)) >= 0; ) {
          synchronized (out) {
            out.write(buf, 0, n);
            out.flush();
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }, "pump");
    t.setDaemon(true);
    t.start();
  }
}
