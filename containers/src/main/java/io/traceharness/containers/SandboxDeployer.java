package io.traceharness.containers;

import io.traceharness.containers.ContainerFunction.Route;
import io.traceharness.layers.OtelLayers;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Deploys the post's two functions into the running sandbox's LocalStack, as {@code sandbox/up.sh}
 * does: {@code consumer} behind {@code GET /ping}, {@code producer} behind {@code POST /produce}
 * calling it, both with the OpenTelemetry Node.js layer bundled into their zip (layers are a paid
 * LocalStack feature) and exporting straight to the sandbox's collector. Prints
 * {@code PRODUCER_URL=<url>} for the client.
 *
 * <pre>{@code
 * ./mvnw -q -pl containers exec:java -Dexec.mainClass=io.traceharness.containers.SandboxDeployer \
 *     -Dexec.args=functions/target/traceharness-functions-0.1.0-SNAPSHOT-nodejs.zip
 * }</pre>
 */
public final class SandboxDeployer {

  private SandboxDeployer() {
  }

  public static void main(String[] args) {
    if (args.length != 1) {
      System.err.println("usage: SandboxDeployer <functions-nodejs.zip>");
      System.exit(2);
    }
    ContainerStack sandbox = ContainerStack.attach();
    if (!sandbox.usesLocalStack()) {
      System.err.println("LocalStack does not answer on localhost:4566: set LOCALSTACK_AUTH_TOKEN and run sandbox/up.sh");
      System.exit(1);
    }
    Path zip = Path.of(args[0]).toAbsolutePath();
    Path layer = OtelLayers.directory(OtelLayers.Kind.NODEJS);
    // the post's serverless.yml crosses the names: function "consumer" runs handler.producer and back
    RunningFunction consumer = sandbox.deploy(postFunction("consumer", "handler.producer", zip, layer,
        Map.of(), new Route("GET", "/ping")));
    RunningFunction producer = sandbox.deploy(postFunction("producer", "handler.consumer", zip, layer,
        Map.of("CONSUMER_API", consumer.internalUrl().toString()), new Route("POST", "/produce")));
    System.out.println("CONSUMER_URL=" + consumer.url());
    System.out.println("PRODUCER_URL=" + producer.url());
  }

  static ContainerFunction postFunction(String name, String handler, Path zip, Path layer, Map<String, String> env,
      Route route) {
    return new ContainerFunction(name, "nodejs22.x", handler, zip, env, Duration.ofSeconds(30), 512, List.of(route),
        layer);
  }
}
