package io.traceharness.lambda;

import io.traceharness.stack.FunctionSpec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.traceharness.support.WorkDirs;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.retries.StandardRetryStrategy;
import software.amazon.awssdk.retries.api.BackoffStrategy;
import software.amazon.awssdk.retries.api.RetryStrategy;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.InvokeResponse;
import software.amazon.awssdk.services.lambda.model.TooManyRequestsException;

/**
 * Scaling as Lambda does it: one invocation per execution environment, new environments up to the
 * concurrency limits, 429 beyond them, idle ones reaped, none left after stop.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LambdaConcurrencyIT {

  static final int LIMIT = 10;
  static LambdaEmulator lambda;
  static Path nodeZip;

  @BeforeAll
  static void start() {
    lambda = LambdaEmulator.builder().accountConcurrency(LIMIT).keepAlive(Duration.ofSeconds(3)).start();
    nodeZip = TestFunctions.write(WorkDirs.root().resolve("lambda-it"), "node.zip", TestFunctions.nodeZip());
  }

  @AfterAll
  static void stop() {
    lambda.stop();
  }

  @Test
  @Order(2)
  void fiftyConcurrentInvocationsAllSucceedWithinTheLimitAndLeaveNoProcessBehind() throws Exception {
    lambda.deploy(FunctionSpec.nodejs("busy", "index.busy").code(nodeZip).timeout(Duration.ofSeconds(30)).build());
    // Throttled calls are retried by the SDK as against real Lambda; allow enough attempts for a burst of 50.
    RetryStrategy patient = ((StandardRetryStrategy.Builder) AwsRetryStrategy.standardRetryStrategy().toBuilder())
        .maxAttempts(60)
        .circuitBreakerEnabled(false)
        .throttlingBackoffStrategy(BackoffStrategy.exponentialDelay(Duration.ofMillis(50), Duration.ofMillis(500)))
        .build();
    AtomicInteger maxInstances = new AtomicInteger();
    AtomicBoolean sampling = new AtomicBoolean(true);
    Thread sampler = new Thread(() -> {
      while (sampling.get()) {
        maxInstances.accumulateAndGet(lambda.instanceCounts().getOrDefault("busy", 0), Math::max);
        try {
          Thread.sleep(5);
        } catch (InterruptedException e) {
          return;
        }
      }
    });
    sampler.start();
    List<InvokeResponse> responses = new ArrayList<>();
    try (LambdaClient client = client(patient)) {
      ExecutorService pool = Executors.newFixedThreadPool(50);
      CountDownLatch go = new CountDownLatch(1);
      List<Future<InvokeResponse>> futures = new ArrayList<>();
      for (int i = 0; i < 50; i++) {
        futures.add(pool.submit(() -> {
          go.await();
          return client.invoke(r -> r.functionName("busy").payload(SdkBytes.fromUtf8String("{\"ms\":200}")));
        }));
      }
      go.countDown();
      for (Future<InvokeResponse> f : futures) {
        responses.add(f.get(120, TimeUnit.SECONDS));
      }
      pool.shutdown();
    } finally {
      sampling.set(false);
      sampler.join();
    }

    assertThat(responses).hasSize(50).allSatisfy(r -> {
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.functionError()).as("function error in %s", r.payload().asUtf8String()).isNull();
    });
    assertThat(maxInstances.get()).as("execution environments alive at once").isBetween(1, LIMIT);
    List<Invocation> busy = lambda.invocations().stream().filter(i -> i.function().equals("busy")).toList();
    assertThat(busy).hasSize(50);
    Map<String, List<Invocation>> byInstance = busy.stream().collect(Collectors.groupingBy(Invocation::instanceId));
    byInstance.forEach((instance, calls) -> {
      List<Invocation> sorted = calls.stream().sorted(Comparator.comparing(Invocation::start)).toList();
      for (int i = 1; i < sorted.size(); i++) {
        assertThat(sorted.get(i).start()).as("environment %s started %s before finishing %s", instance,
            sorted.get(i).requestId(), sorted.get(i - 1).requestId()).isAfterOrEqualTo(sorted.get(i - 1).end());
      }
    });

    await("idle environments reaped after the keep-alive").atMost(Duration.ofSeconds(20))
        .until(() -> lambda.instanceCounts().getOrDefault("busy", 0) == 0);

    lambda.invoke("busy", "{\"ms\":1}".getBytes(), InvokeOptions.defaults());
    assertThat(runtimeProcesses()).isNotEmpty();
    lambda.stop();
    await("no runtime process left after stop").atMost(Duration.ofSeconds(15))
        .untilAsserted(() -> assertThat(runtimeProcesses()).isEmpty());
  }

  @Test
  @Order(1)
  void beyondReservedConcurrencyTheServiceThrottles() throws Exception {
    lambda.deploy(FunctionSpec.nodejs("reserved", "index.busy").code(nodeZip).reservedConcurrency(1).build());
    try (LambdaClient client = client(AwsRetryStrategy.doNotRetry())) {
      ExecutorService pool = Executors.newFixedThreadPool(2);
      Future<InvokeResponse> slow = pool.submit(() ->
          client.invoke(r -> r.functionName("reserved").payload(SdkBytes.fromUtf8String("{\"ms\":1500}"))));
      Thread.sleep(300);
      Future<Throwable> throttled = pool.submit(() -> {
        try {
          client.invoke(r -> r.functionName("reserved").payload(SdkBytes.fromUtf8String("{\"ms\":1}")));
          return null;
        } catch (TooManyRequestsException e) {
          return e;
        }
      });
      assertThat(throttled.get(30, TimeUnit.SECONDS)).isInstanceOfSatisfying(TooManyRequestsException.class, e -> {
        assertThat(e.statusCode()).isEqualTo(429);
        assertThat(e.reason().toString()).isEqualTo("ReservedFunctionConcurrentInvocationLimitExceeded");
        assertThat(e.awsErrorDetails().errorMessage()).isEqualTo("Rate Exceeded.");
      });
      assertThat(slow.get(30, TimeUnit.SECONDS).functionError()).isNull();
      pool.shutdown();
    }
  }

  private static List<String> runtimeProcesses() {
    return ProcessHandle.current().descendants()
        .filter(ProcessHandle::isAlive)
        .map(p -> p.info().commandLine().orElse(""))
        .filter(cmd -> cmd.contains("lambda/runtime/"))
        .toList();
  }

  private static LambdaClient client(RetryStrategy retry) {
    return LambdaClient.builder()
        .endpointOverride(lambda.endpoint())
        .region(Region.of(lambda.region()))
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("key", "secret")))
        .httpClient(UrlConnectionHttpClient.create())
        .overrideConfiguration(o -> o.retryStrategy(retry))
        .build();
  }
}
