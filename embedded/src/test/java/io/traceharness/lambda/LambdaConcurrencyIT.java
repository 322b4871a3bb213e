package io.traceharness.lambda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.traceharness.support.WorkDirs;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.InvokeResponse;
import software.amazon.awssdk.services.lambda.model.TooManyRequestsException;

/**
 * Scaling as Lambda does it: one invocation per execution environment, new environments up to the
 * concurrency limits, 429 {@code TooManyRequestsException} beyond them, idle ones reaped, none left
 * after stop. Invocations are held open by a {@link Gate} the test opens, so what runs at once is
 * decided by the test, not by timing. Each test has its own emulator.
 */
class LambdaConcurrencyIT {

  static final int LIMIT = 4;
  static final Duration STARTUP = Duration.ofSeconds(90);
  static Path nodeZip;

  private final Deque<AutoCloseable> closeAfter = new ArrayDeque<>();
  private final ExecutorService callers = Executors.newCachedThreadPool();

  @BeforeAll
  static void packageFunctions() {
    nodeZip = TestFunctions.write(WorkDirs.root().resolve("lambda-it"), "node.zip", TestFunctions.nodeZip());
  }

  @AfterEach
  void closeAll() throws Exception {
    callers.shutdownNow();
    for (AutoCloseable c : closeAfter) {
      c.close();
    }
  }

  @Test
  void exactlyTheAccountLimitRunsAtOnceAndTheNextCallIsThrottled(TestInfo test) throws Exception {
    LambdaEmulator lambda = emulator(test, LambdaEmulator.builder().accountConcurrency(LIMIT));
    lambda.deploy(FunctionDefinition.nodejs("held", "index.hold").code(nodeZip).timeout(Duration.ofSeconds(120)).build());
    Gate gate = gate();
    LambdaClient client = client(lambda);

    List<Future<InvokeResponse>> held = new ArrayList<>();
    for (int i = 0; i < LIMIT; i++) {
      held.add(callers.submit(() -> invoke(client, "held", gate.event())));
    }
    await("all " + LIMIT + " invocations inside their handler at once").atMost(STARTUP)
        .until(gate::waiting, n -> n == LIMIT);

    assertThat(lambda.instanceCounts()).containsEntry("held", LIMIT);
    assertThatThrownBy(() -> invoke(client, "held", gate.event()))
        .isInstanceOfSatisfying(TooManyRequestsException.class, e -> {
          assertThat(e.statusCode()).isEqualTo(429);
          assertThat(e.reason().toString()).isEqualTo("ConcurrentInvocationLimitExceeded");
          assertThat(e.awsErrorDetails().errorMessage()).isEqualTo("Rate Exceeded.");
        });
    assertThat(gate.waiting()).as("the throttled call never reached a handler").isEqualTo(LIMIT);

    gate.open();
    List<String> pids = new ArrayList<>();
    for (Future<InvokeResponse> f : held) {
      InvokeResponse r = f.get(60, TimeUnit.SECONDS);
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.functionError()).as("function error in %s", r.payload().asUtf8String()).isNull();
      pids.add(r.payload().asUtf8String());
    }
    assertThat(pids).as("one execution environment per concurrent invocation").doesNotHaveDuplicates();
    assertThat(lambda.invocations()).hasSize(LIMIT).extracting(Invocation::instanceId).doesNotHaveDuplicates();

    InvokeResponse after = invoke(client, "held", gate.event());
    assertThat(after.functionError()).isNull();
    assertThat(lambda.invocations().get(LIMIT).coldStart()).as("a freed environment is reused").isFalse();
    assertThat(lambda.instanceCounts()).containsEntry("held", LIMIT);
  }

  @Test
  void beyondReservedConcurrencyTheServiceThrottles(TestInfo test) throws Exception {
    LambdaEmulator lambda = emulator(test, LambdaEmulator.builder().accountConcurrency(LIMIT));
    lambda.deploy(FunctionDefinition.nodejs("reserved", "index.hold").code(nodeZip).reservedConcurrency(1)
        .timeout(Duration.ofSeconds(120)).build());
    Gate gate = gate();
    LambdaClient client = client(lambda);

    Future<InvokeResponse> holding = callers.submit(() -> invoke(client, "reserved", gate.event()));
    await("the first invocation inside its handler").atMost(STARTUP).until(gate::waiting, n -> n == 1);

    assertThatThrownBy(() -> invoke(client, "reserved", gate.event()))
        .isInstanceOfSatisfying(TooManyRequestsException.class, e -> {
          assertThat(e.statusCode()).isEqualTo(429);
          assertThat(e.reason().toString()).isEqualTo("ReservedFunctionConcurrentInvocationLimitExceeded");
          assertThat(e.awsErrorDetails().errorMessage()).isEqualTo("Rate Exceeded.");
        });
    gate.open();
    assertThat(holding.get(60, TimeUnit.SECONDS).functionError()).isNull();
    assertThat(invoke(client, "reserved", gate.event()).functionError()).as("the slot is free again").isNull();
  }

  @Test
  void idleEnvironmentsAreReapedAfterTheKeepAlive(TestInfo test) {
    LambdaEmulator lambda = emulator(test, LambdaEmulator.builder().keepAlive(Duration.ofSeconds(1)));
    lambda.deploy(FunctionDefinition.nodejs("idle", "index.echo").code(nodeZip).build());

    assertThat(lambda.invoke("idle", "{}".getBytes(), InvokeOptions.defaults()).functionError()).isNull();
    assertThat(lambda.instanceCounts()).containsEntry("idle", 1);

    await("idle environment reaped after the keep-alive").atMost(Duration.ofSeconds(20))
        .until(() -> lambda.instanceCounts().getOrDefault("idle", 0), n -> n == 0);
  }

  @Test
  void noRuntimeProcessIsLeftAfterStop(TestInfo test) {
    LambdaEmulator lambda = emulator(test, LambdaEmulator.builder());
    lambda.deploy(FunctionDefinition.nodejs("stopped", "index.echo").code(nodeZip).build());
    assertThat(lambda.invoke("stopped", "{}".getBytes(), InvokeOptions.defaults()).functionError()).isNull();
    List<ProcessHandle> runtimes = lambda.runtimePids().stream()
        .flatMap(pid -> ProcessHandle.of(pid).stream())
        .flatMap(p -> Stream.concat(Stream.of(p), p.descendants()))
        .toList();
    assertThat(runtimes).as("the runtime's processes").isNotEmpty().allMatch(ProcessHandle::isAlive);

    lambda.stop();

    await("no runtime process left after stop").atMost(Duration.ofSeconds(15))
        .untilAsserted(() -> assertThat(runtimes).noneMatch(ProcessHandle::isAlive));
  }

  private LambdaEmulator emulator(TestInfo test, LambdaEmulator.Builder builder) {
    Path work = WorkDirs.root().resolve("lambda-concurrency-it").resolve(test.getTestMethod().orElseThrow().getName());
    LambdaEmulator lambda = builder.workDir(work).build().start();
    closeAfter.push(lambda);
    return lambda;
  }

  private Gate gate() {
    Gate gate = new Gate();
    closeAfter.push(gate);
    return gate;
  }

  private LambdaClient client(LambdaEmulator lambda) {
    // no retries: a throttle must reach the test as Lambda answered it
    LambdaClient client = LambdaClient.builder()
        .endpointOverride(lambda.endpoint())
        .region(Region.of(lambda.region()))
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("key", "secret")))
        .httpClient(UrlConnectionHttpClient.builder().socketTimeout(Duration.ofMinutes(3)).build())
        .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()))
        .build();
    closeAfter.push(client);
    return client;
  }

  private static InvokeResponse invoke(LambdaClient client, String function, String event) {
    return client.invoke(r -> r.functionName(function).payload(SdkBytes.fromUtf8String(event)));
  }
}
