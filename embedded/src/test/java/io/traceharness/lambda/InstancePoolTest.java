package io.traceharness.lambda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The pool's bookkeeping and limits, without starting any runtime process. */
class InstancePoolTest {

  @TempDir
  Path work;
  final Workers workers = new Workers();

  @AfterEach
  void stop() {
    workers.shutdown();
  }

  private InstancePool pool(int accountConcurrency) {
    return new InstancePool(accountConcurrency, Duration.ofMinutes(5), work, workers);
  }

  private LambdaFunction function(String name, Integer reserved) {
    LambdaFunction fn = new LambdaFunction(name, work.resolve(name));
    FunctionConfig config = FunctionConfig.requested(name, "arn:aws:lambda:us-east-1:000000000000:function:" + name,
        "nodejs20.x", "index.handler").withReservedConcurrency(reserved);
    fn.created(new Revision(config, fn.nextGeneration(), work.resolve("task"), work.resolve("opt")), new byte[0], 0);
    return fn;
  }

  @Test
  void eachConcurrentInvocationGetsItsOwnEnvironmentUpToTheAccountLimit() {
    InstancePool pool = pool(3);
    LambdaFunction a = function("a", null);
    LambdaFunction b = function("b", null);

    List<Instance> busy = new ArrayList<>(List.of(pool.acquire(a), pool.acquire(a), pool.acquire(b)));

    assertThat(busy).doesNotHaveDuplicates();
    assertThat(pool.counts()).containsEntry("a", 2).containsEntry("b", 1);
    assertThatThrownBy(() -> pool.acquire(a)).isInstanceOfSatisfying(ServiceException.class, e -> {
      assertThat(e.status()).isEqualTo(429);
      assertThat(e.type()).isEqualTo("TooManyRequestsException");
      assertThat(e.body().path("Reason").asText()).isEqualTo("ConcurrentInvocationLimitExceeded");
    });

    pool.release(b, busy.get(2), false);

    assertThat(pool.acquire(a)).as("a freed slot serves any function").isNotIn(busy);
    assertThat(pool.counts()).containsEntry("a", 3).containsEntry("b", 0);
  }

  @Test
  void reservedConcurrencyCapsOneFunction() {
    InstancePool pool = pool(10);
    LambdaFunction fn = function("reserved", 1);

    Instance first = pool.acquire(fn);

    assertThatThrownBy(() -> pool.acquire(fn)).isInstanceOfSatisfying(ServiceException.class, e ->
        assertThat(e.body().path("Reason").asText()).isEqualTo("ReservedFunctionConcurrentInvocationLimitExceeded"));
    pool.release(fn, first, false);
    assertThat(pool.acquire(fn)).isNotSameAs(first);
  }

  @Test
  void aStoppedPoolRefusesAndHandsBackEveryEnvironment() {
    InstancePool pool = pool(10);
    LambdaFunction fn = function("f", null);
    Instance busy = pool.acquire(fn);

    assertThat(pool.stop()).containsExactly(busy);
    assertThatThrownBy(() -> pool.acquire(fn)).isInstanceOfSatisfying(ServiceException.class,
        e -> assertThat(e.status()).isEqualTo(503));
  }
}
