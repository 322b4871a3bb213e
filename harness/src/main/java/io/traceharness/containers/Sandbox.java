package io.traceharness.containers;

import io.traceharness.containers.ContainerStack.DeployedFunction;
import io.traceharness.containers.ContainerStack.LambdaFunction;
import io.traceharness.support.WorkDirs;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/**
 * Deploys the post's two functions into the running sandbox's LocalStack, as {@code sandbox/up.sh}
 * does: {@code consumer} behind {@code GET /ping}, {@code producer} behind {@code POST /produce}
 * calling it, and prints {@code PRODUCER_URL=<url>} for the client.
 *
 * <pre>{@code
 * ./mvnw -q -pl harness compile exec:java -Dexec.mainClass=io.traceharness.containers.Sandbox \
 *     -Dexec.args="functions/target/traceharness-functions-0.1.0-SNAPSHOT-nodejs.zip target/sandbox/otel"
 * }</pre>
 *
 * <p>The second argument, optional, is a directory holding a {@code node_modules} with the
 * OpenTelemetry Node.js auto-instrumentation: it is bundled into the zip (layers are a paid
 * LocalStack feature) and loaded with {@code NODE_OPTIONS=--require …/register}. The functions
 * export OTLP straight to the sandbox's collector.
 */
public final class Sandbox {

  private Sandbox() {
  }

  public static void main(String[] args) {
    if (args.length < 1 || args.length > 2) {
      System.err.println("usage: Sandbox <functions-nodejs.zip> [directory with node_modules of the OTel instrumentation]");
      System.exit(2);
    }
    Path zip = Path.of(args[0]).toAbsolutePath();
    Map<String, String> env = new LinkedHashMap<>();
    if (args.length == 2) {
      zip = bundle(zip, Path.of(args[1]).toAbsolutePath());
      env.putAll(nodeInstrumentationEnvironment());
    } else {
      System.err.println("no instrumentation given: the functions run uninstrumented, only the client shows in Kibana");
    }
    ContainerStack sandbox = ContainerStack.attach();
    if (!sandbox.usesLocalStack()) {
      System.err.println("LocalStack does not answer on localhost:4566: set LOCALSTACK_AUTH_TOKEN and run sandbox/up.sh");
      System.exit(1);
    }
    // the post's serverless.yml crosses the names: function "consumer" runs handler.producer and back
    DeployedFunction consumer = sandbox.deploy(new LambdaFunction("consumer", "nodejs22.x", "handler.producer", zip,
        env, "GET", "/ping"));
    Map<String, String> producerEnv = new LinkedHashMap<>(env);
    producerEnv.put("CONSUMER_API", consumer.internalUrl().toString());
    DeployedFunction producer = sandbox.deploy(new LambdaFunction("producer", "nodejs22.x", "handler.consumer", zip,
        producerEnv, "POST", "/produce"));
    System.out.println("CONSUMER_URL=" + consumer.url());
    System.out.println("PRODUCER_URL=" + producer.url());
  }

  /**
   * What the OpenTelemetry Lambda layer's wrapper sets up, done by environment for a bundled SDK
   * (Lambda starts Node in /var/task, where {@code --require} resolves the bundled package).
   */
  static Map<String, String> nodeInstrumentationEnvironment() {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("NODE_OPTIONS", "--require @opentelemetry/auto-instrumentations-node/register");
    env.put("OTEL_TRACES_EXPORTER", "otlp");
    env.put("OTEL_METRICS_EXPORTER", "none");
    env.put("OTEL_LOGS_EXPORTER", "none");
    env.put("OTEL_PROPAGATORS", "tracecontext,baggage");
    env.put("OTEL_NODE_ENABLED_INSTRUMENTATIONS", "aws-lambda,http");
    return env;
  }

  /** The function zip with {@code instrumentation}'s files added at its root, as Lambda unpacks it in /var/task. */
  static Path bundle(Path functionZip, Path instrumentation) {
    Path out = WorkDirs.root().resolve("sandbox").resolve(functionZip.getFileName().toString()
        .replaceFirst("\\.zip$", "-instrumented.zip"));
    try {
      Files.createDirectories(out.getParent());
      try (OutputStream file = Files.newOutputStream(out); ZipOutputStream zip = new ZipOutputStream(file)) {
        try (InputStream in = Files.newInputStream(functionZip); ZipInputStream entries = new ZipInputStream(in)) {
          for (ZipEntry entry; (entry = entries.getNextEntry()) != null; ) {
            zip.putNextEntry(new ZipEntry(entry.getName()));
            entries.transferTo(zip);
            zip.closeEntry();
          }
        }
        try (Stream<Path> files = Files.walk(instrumentation)) {
          for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile).sorted()::iterator) {
            zip.putNextEntry(new ZipEntry(instrumentation.relativize(f).toString().replace('\\', '/')));
            Files.copy(f, zip);
            zip.closeEntry();
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot bundle " + instrumentation + " into " + functionZip, e);
    }
    return out;
  }
}
