package io.traceharness.stack;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The core module's runtime classpath (which this test runs on, with only JUnit's engine added)
 * holds none of the backends' libraries: a user who depends on core and one backend gets that
 * backend's libraries only. The enforcer's {@code bannedDependencies} rule in core's pom says the
 * same at build time.
 */
class CoreClasspathTest {

  private static final List<String> BACKEND_CLASSES = List.of(
      "org.testcontainers.containers.GenericContainer",
      "com.linecorp.armeria.server.Server",
      "io.netty.channel.Channel",
      "io.grpc.ManagedChannel",
      "com.amazonaws.services.lambda.runtime.api.client.AWSLambda",
      "com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent",
      "org.yaml.snakeyaml.Yaml",
      "io.opentelemetry.proto.trace.v1.Span",
      "io.traceharness.embedded.EmbeddedStack",
      "io.traceharness.containers.ContainerStack");

  @Test
  void noBackendLibraryIsOnTheCoreClasspath() {
    assertThat(BACKEND_CLASSES).filteredOn(CoreClasspathTest::loadable).isEmpty();
  }

  private static boolean loadable(String className) {
    try {
      Class.forName(className, false, CoreClasspathTest.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
  }
}
