package io.traceharness.viewer;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.traceharness.apigateway.EmbeddedApiGateway;
import io.traceharness.embedded.EmbeddedStack;
import io.traceharness.lambda.ExecutionEnvironment;
import io.traceharness.lambda.FunctionConfig;
import io.traceharness.lambda.Invocation;
import io.traceharness.lambda.LambdaEmulator;
import io.traceharness.stack.TracingStack;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The {@code /api/functions} document: the deployed functions with their routes, execution
 * environments, invocation counts and log tails. Only the embedded stack shows its Lambda service
 * this way; other backends answer that they do not.
 */
final class FunctionsView {

  /** How much of the end of a function's log the page shows. */
  static final int TAIL_BYTES = 8 * 1024;

  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
  private final EmbeddedStack stack;
  private final String backend;

  private FunctionsView(EmbeddedStack stack, String backend) {
    this.stack = stack;
    this.backend = backend;
  }

  static FunctionsView of(TracingStack stack) {
    // the Lambda service's environments and logs are the embedded emulator's own: no AWS API lists them
    return new FunctionsView(stack instanceof EmbeddedStack e ? e : null, stack.backend());
  }

  ObjectNode describe() {
    ObjectNode out = JSON.objectNode();
    out.put("backend", backend);
    if (stack == null) {
      out.put("available", false);
      out.put("reason", "the " + backend + " backend does not show its Lambda service's environments and logs;"
          + " the embedded backend does");
      out.putArray("functions");
      return out;
    }
    out.put("available", true);
    LambdaEmulator lambda = stack.lambda();
    List<Invocation> invocations = lambda.invocations();
    List<ExecutionEnvironment> environments = lambda.environments();
    List<EmbeddedApiGateway.Route> routes = stack.apiGateways().stream().flatMap(g -> g.routes().stream()).toList();
    ArrayNode fns = out.putArray("functions");
    for (FunctionConfig cfg : lambda.functions()) {
      ObjectNode f = fns.addObject();
      f.put("name", cfg.name());
      f.put("arn", cfg.arn());
      f.put("runtime", cfg.runtime());
      f.put("handler", cfg.handler());
      f.put("memoryMb", cfg.memoryMb());
      f.put("timeoutMs", cfg.timeout().toMillis());
      f.put("tracingMode", cfg.tracingMode());
      f.put("state", cfg.state());
      ArrayNode layers = f.putArray("layers");
      cfg.layers().forEach(layers::add);
      ArrayNode r = f.putArray("routes");
      routes.stream().filter(rt -> rt.function().equals(cfg.name())).forEach(rt -> r.addObject()
          .put("method", rt.method()).put("path", rt.path()).put("url", rt.url().toString()));
      List<Invocation> mine = invocations.stream().filter(i -> i.function().equals(cfg.name())).toList();
      f.put("invocations", mine.size());
      f.put("coldStarts", mine.stream().filter(Invocation::coldStart).count());
      f.put("errors", mine.stream().filter(i -> i.errorType() != null).count());
      ArrayNode envs = f.putArray("environments");
      environments.stream().filter(e -> e.function().equals(cfg.name())).forEach(e -> {
        ObjectNode n = envs.addObject();
        n.put("id", e.id());
        n.put("state", e.busy() ? "busy" : e.invocations() == 0 ? "starting" : "warm");
        n.put("invocations", e.invocations());
        if (e.initDuration() == null) {
          n.putNull("initMs");
        } else {
          n.put("initMs", e.initDuration().toNanos() / 1e6);
        }
        n.put("lastInvocation", e.lastInvocation() == null ? null : e.lastInvocation().toString());
      });
      f.put("logFile", lambda.logFile(cfg.name()).toString());
      f.put("logTail", tail(lambda.logFile(cfg.name())));
    }
    return out;
  }

  /** The last {@value #TAIL_BYTES} bytes of the file, from the first whole line; empty when there is none. */
  static String tail(Path file) {
    if (!Files.isRegularFile(file)) {
      return "";
    }
    try (RandomAccessFile in = new RandomAccessFile(file.toFile(), "r")) {
      long length = in.length();
      long from = Math.max(0, length - TAIL_BYTES);
      byte[] bytes = new byte[(int) (length - from)];
      in.seek(from);
      in.readFully(bytes);
      String text = new String(bytes, StandardCharsets.UTF_8);
      int firstLine = text.indexOf('\n');
      return from > 0 && firstLine >= 0 ? text.substring(firstLine + 1) : text;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }
}
