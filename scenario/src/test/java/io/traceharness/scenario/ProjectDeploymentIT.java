package io.traceharness.scenario;

import static io.traceharness.assertj.TraceAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import io.traceharness.diagnosis.Diagnosis;
import io.traceharness.diagnosis.Diagnosis.Kind;
import io.traceharness.embedded.EmbeddedStack;
import io.traceharness.fixtures.ClientRun;
import io.traceharness.fixtures.Clients;
import io.traceharness.fixtures.Projects;
import io.traceharness.junit.TracingStackTest;
import io.traceharness.stack.Project;
import io.traceharness.stack.ProjectDeployment;
import io.traceharness.stack.TracingStack;
import io.traceharness.trace.Trace;
import io.traceharness.trace.TraceConditions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Projects deployed from their own descriptors, unchanged, each called through API Gateway by the
 * instrumented client and its trace asserted: the post's {@code serverless.yml} as its repository has
 * it (Active tracing: the X-Ray header wins and the diagnosis says so) and with Active tracing off
 * (one tree), a {@code serverless.yml} on an HTTP API, and a SAM template with an ES module function
 * calling a Java function.
 */
@TracingStackTest
class ProjectDeploymentIT {

  private static final String POST_SERVICE = "serverless-aws-node-api-worker-otel";

  @Test
  void thePostsProjectAsPublishedSplitsTheTraceAtTheXrayHeader(TracingStack stack, @TempDir Path dir) {
    ProjectDeployment app = stack.deploy(Project.serverless(Projects.post(dir, stack.endpoints())).stage("xray"));
    String producer = POST_SERVICE + "-xray-producer";
    String consumer = POST_SERVICE + "-xray-consumer";

    ClientRun run = client(stack, app.url("producer").toString());

    assertThat(run.status()).as(run.describe()).isEqualTo(200);
    assertThat(app.function("producer").spec().activeTracing()).isTrue();
    Diagnosis d = stack.diagnose(run.traceId(), List.of("java-client", producer, consumer));
    assertThat(d.findings(Kind.XRAY_REPLACED_CONTEXT)).as(d.toString()).singleElement().satisfies(f -> {
      assertThat(f.service()).isEqualTo(producer);
      assertThat(f.message()).contains("Active tracing is on");
      assertThat(stack.traces().read(f.otherTraceId())).hasServicesExactly(producer, consumer);
    });
  }

  @Test
  void thePostsProjectWithActiveTracingOffIsOneTree(TracingStack stack, @TempDir Path dir) throws IOException {
    Path yml = Projects.post(dir, stack.endpoints());
    // what the post tells its readers to do: turn Active tracing off
    Files.writeString(yml, Files.readString(yml).replace("lambda: Active", "lambda: PassThrough"));
    ProjectDeployment app = stack.deploy(Project.serverless(yml).stage("w3c"));
    String producer = POST_SERVICE + "-w3c-producer";
    String consumer = POST_SERVICE + "-w3c-consumer";

    ClientRun run = client(stack, app.url("producer").toString());

    assertThat(run.status()).as(run.describe()).isEqualTo(200);
    Trace trace = stack.traces().atMost(Duration.ofSeconds(60))
        .await(run.traceId(), TraceConditions.hasServices("java-client", producer, consumer));
    assertThat(trace).hasSingleRoot().hasNoOrphans()
        .hasRootSatisfying(root -> root.hasService("java-client")
            .hasDescendantSatisfying(p -> p.isTransaction().hasService(producer)
                .hasDescendantSatisfying(c -> c.isTransaction().hasService(consumer))));
    // the post's handler calls CONSUMER_API with https.get: the execute-api URL stays https, on the local gateway
    String consumerApi = app.function("producer").spec().env().get("CONSUMER_API");
    assertThat(consumerApi).matches("https://[a-z0-9]+\\.execute-api\\.[a-z0-9-]+\\.amazonaws\\.com/w3c/ping");
    if (stack instanceof EmbeddedStack embedded) {
      assertThat(embedded.localUrl(consumerApi)).as("the URL the producer's environment gets")
          .startsWith("https://127.0.0.1:").endsWith("/w3c/ping");
      assertThat(embedded.gatewayRequests()).filteredOn(g -> g.path().equals("/w3c/ping")).isNotEmpty()
          .allSatisfy(g -> assertThat(g.scheme()).as("the producer's call to the consumer").isEqualTo("https"));
    }
  }

  @Test
  void aServerlessProjectOnAnHttpApiIsOneTree(TracingStack stack, @TempDir Path dir) {
    ProjectDeployment app = stack.deploy(Project.serverless(Projects.httpApi(dir)));
    assertThat(app.url("producer").toString()).doesNotContain("/dev/").endsWith("/produce");
    assertThat(app.warnings()).anySatisfy(w -> assertThat(w).contains("lambdaInsights"));

    ClientRun run = client(stack, app.url("producer").toString());

    assertThat(run.status()).as(run.describe()).isEqualTo(200);
    Trace trace = stack.traces().atMost(Duration.ofSeconds(60)).await(run.traceId(),
        TraceConditions.hasServices("java-client", "traced-httpapi-dev-producer", "traced-httpapi-dev-consumer"));
    assertThat(trace).hasSingleRoot().hasNoOrphans();
  }

  @Test
  void aSamProjectWithAnEsModuleCallingJavaIsOneTree(TracingStack stack, @TempDir Path dir) {
    ProjectDeployment app = stack.deploy(Project.sam(Projects.sam(dir)).parameter("Greeting", "Howdy"));
    assertThat(app.url("EsmFunction").toString()).contains("/Prod/produce");
    assertThat(app.warnings()).singleElement().satisfies(w -> assertThat(w).contains("Alarms"));

    ClientRun run = client(stack, app.url("EsmFunction").toString());

    assertThat(run.status()).as(run.describe()).isEqualTo(200);
    assertThat(run.body()).contains("Howdy, ESM");
    Trace trace = stack.traces().atMost(Duration.ofSeconds(90))
        .await(run.traceId(), TraceConditions.hasServices("java-client", "EsmFunction", "JavaFunction"));
    assertThat(trace).hasSingleRoot().hasNoOrphans()
        .hasRootSatisfying(root -> root.hasService("java-client")
            .hasDescendantSatisfying(esm -> esm.isTransaction().hasService("EsmFunction")
                .hasDescendantSatisfying(java -> java.isTransaction().hasService("JavaFunction"))));
  }

  private static ClientRun client(TracingStack stack, String url) {
    ClientRun run = Clients.java().apmServerUrl(stack.endpoints().apmServer().toString())
        .secretToken(stack.endpoints().apmSecretToken()).run(url);
    if (run.traceId() == null) {
      throw new AssertionError("the client printed no trace id: " + run.describe());
    }
    return run;
  }
}
