package io.traceharness.containers;

import io.traceharness.support.WorkDirs;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.utility.DockerImageName;
import org.testcontainers.utility.MountableFile;

/**
 * One Lambda function in an AWS Lambda base image ({@code public.ecr.aws/lambda/java:21},
 * {@code public.ecr.aws/lambda/nodejs:22}): the real managed runtime behind the Runtime Interface
 * Emulator, which answers Lambda's invoke API on port 8080 under the function name
 * {@code function}. The free way to run real Lambda runtimes in containers when LocalStack (which
 * needs an auth token) is not available.
 *
 * <pre>{@code
 * try (var consumer = new LambdaRuntimeContainer(ContainerImages.LAMBDA_NODEJS)
 *     .withNetwork(network).withNetworkAliases("consumer")
 *     .withFunctionName("consumer")
 *     .withHandler("handler.consumer")
 *     .withCode(Path.of("functions/target/node-functions.zip"))
 *     .withEnv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://otel-collector:4318")) {
 *   consumer.start();
 *   HttpRequest.newBuilder(consumer.getInvocationsUrl()).POST(BodyPublishers.ofString(event));
 * }
 * }</pre>
 *
 * <p>The function code lands in {@code /var/task}, as in Lambda; instrumentation travels in the
 * code, not in a layer.
 */
public class LambdaRuntimeContainer extends GenericContainer<LambdaRuntimeContainer> {

  public static final int PORT = 8080;

  /** Where Lambda puts the function code ({@code LAMBDA_TASK_ROOT}). */
  public static final String TASK_ROOT = "/var/task";

  /** The invoke path the emulator answers; the function is always called {@code function}. */
  public static final String INVOCATIONS_PATH = "/2015-03-31/functions/function/invocations";

  private static final DockerImageName JAVA_IMAGE = DockerImageName.parse("public.ecr.aws/lambda/java");
  private static final DockerImageName NODEJS_IMAGE = DockerImageName.parse("public.ecr.aws/lambda/nodejs");

  public LambdaRuntimeContainer(String dockerImageName) {
    this(DockerImageName.parse(dockerImageName));
  }

  public LambdaRuntimeContainer(DockerImageName dockerImageName) {
    super(dockerImageName);
    dockerImageName.assertCompatibleWith(JAVA_IMAGE, NODEJS_IMAGE);
    withExposedPorts(PORT);
    withEnv("AWS_REGION", ContainerStack.REGION);
    withEnv("AWS_DEFAULT_REGION", ContainerStack.REGION);
    // the emulator accepts any request; the AWS SDK inside the function still wants credentials
    withEnv("AWS_ACCESS_KEY_ID", "test");
    withEnv("AWS_SECRET_ACCESS_KEY", "test");
    waitingFor(Wait.forListeningPort().withStartupTimeout(Duration.ofMinutes(1)));
  }

  /** {@code module.function} for Node.js, {@code package.Class::method} for Java. */
  public LambdaRuntimeContainer withHandler(String handler) {
    setCommand(handler);
    return self();
  }

  /** {@code AWS_LAMBDA_FUNCTION_NAME}, which instrumentations take as the default service name. */
  public LambdaRuntimeContainer withFunctionName(String name) {
    return withEnv("AWS_LAMBDA_FUNCTION_NAME", name);
  }

  /** The invocation deadline the emulator enforces ({@code AWS_LAMBDA_FUNCTION_TIMEOUT}). */
  public LambdaRuntimeContainer withTimeout(Duration timeout) {
    return withEnv("AWS_LAMBDA_FUNCTION_TIMEOUT", Long.toString(timeout.toSeconds()));
  }

  /** {@code AWS_LAMBDA_FUNCTION_MEMORY_SIZE} in MB, as the context reports it. */
  public LambdaRuntimeContainer withMemorySize(int megabytes) {
    return withEnv("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", Integer.toString(megabytes));
  }

  /**
   * The function code: a directory laid out like {@code /var/task}, or a Lambda deployment zip
   * (unpacked under the work dir first, since the emulator runs from a directory).
   */
  public LambdaRuntimeContainer withCode(Path directoryOrZip) {
    Path dir = Files.isDirectory(directoryOrZip) ? directoryOrZip : unzip(directoryOrZip);
    return withCopyFileToContainer(MountableFile.forHostPath(dir), TASK_ROOT);
  }

  /** Base URL for {@code LambdaClient.endpointOverride} (invoke the function named {@code function}). */
  public URI getEndpoint() {
    return URI.create("http://" + getHost() + ":" + getMappedPort(PORT));
  }

  /** {@code POST} an event here to invoke the function; the body of the answer is its result. */
  public URI getInvocationsUrl() {
    return getEndpoint().resolve(INVOCATIONS_PATH);
  }

  static Path unzip(Path zip) {
    String name = zip.getFileName().toString().replaceFirst("\\.zip$", "");
    Path target = WorkDirs.root().resolve("lambda-code").resolve(name + "-" + Long.toHexString(System.nanoTime()));
    try (InputStream in = Files.newInputStream(zip); ZipInputStream entries = new ZipInputStream(in)) {
      Files.createDirectories(target);
      for (ZipEntry entry; (entry = entries.getNextEntry()) != null; ) {
        Path out = target.resolve(entry.getName()).normalize();
        if (!out.startsWith(target)) {
          throw new IOException("zip entry outside the task root: " + entry.getName());
        }
        if (entry.isDirectory()) {
          Files.createDirectories(out);
        } else {
          Files.createDirectories(out.getParent());
          Files.copy(entries, out);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot unpack function code " + zip, e);
    }
    return target;
  }
}
