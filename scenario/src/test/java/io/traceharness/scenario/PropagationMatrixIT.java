package io.traceharness.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import io.traceharness.diagnosis.Diagnosis;
import io.traceharness.fixtures.ClientRun;
import io.traceharness.fixtures.Clients;
import io.traceharness.fixtures.SampleFunctions;
import io.traceharness.junit.TracingStackTest;
import io.traceharness.scenario.BlogScenario.Language;
import io.traceharness.scenario.PropagationExpectation.Gateway;
import io.traceharness.scenario.PropagationExpectation.Row;
import io.traceharness.scenario.PropagationExpectation.Tracing;
import io.traceharness.stack.Deployment;
import io.traceharness.stack.FunctionSpec;
import io.traceharness.stack.TracingStack;
import io.traceharness.trace.Anomaly;
import io.traceharness.trace.Trace;
import io.traceharness.trace.TraceConditions;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.assertj.core.api.SoftAssertions;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.lambda.model.InvokeResponse;

/**
 * The propagation matrix: Active and PassThrough tracing × four {@code OTEL_PROPAGATORS} lists × REST
 * and HTTP API, for the Node.js and the Java functions with their OpenTelemetry layers (32 cells).
 * Each cell runs the post's scenario once (the Node client with a W3C {@code traceparent} → API
 * Gateway → producer → API Gateway → consumer) and asserts that the client's trace is connected or
 * broken as {@link PropagationExpectation} derives from the layers' sources and, when broken, that the
 * diagnosis names the cause. The matrix is printed as a table, one line per cell, with counts and
 * timing.
 *
 * <p>Deployments are reused: per runtime × tracing × propagators one consumer, routed on both gateway
 * kinds, and one producer per gateway kind (its downstream URL is in its environment, so a cell's two
 * hops go through one kind only with a producer of its own). The Java functions are warmed right
 * before their cells ({@link #warm(TracingStack, Combination)}). Cells run one after the other, so each reads only the spans
 * that started after its own client did; frozen or not between invocations, the environments stay
 * warm for the next cell.
 */
@TracingStackTest
class PropagationMatrixIT {

  static final List<String> PROPAGATORS = List.of("tracecontext", "tracecontext,baggage,xray", "xray,tracecontext",
      "tracecontext,baggage,xray-lambda");
  private static final Duration SPANS_TIMEOUT = Duration.ofSeconds(45);

  /** What one cell saw. */
  record Cell(Language language, Tracing tracing, String propagators, Gateway gateway, Row expected,
      boolean connected, String cause, Diagnosis diagnosis, Trace trace, ClientRun client, Duration took) {

    String line() {
      return String.format("%-6s | %-11s | %-32s | %-4s | %-9s | %s", language == Language.NODEJS ? "nodejs" : "java",
          tracing.mode, propagators, gateway, connected ? "connected" : "broken", cause);
    }
  }

  @Test
  void everyCellIsConnectedOrBrokenAsTheLayersSay(TracingStack stack) {
    long t0 = System.nanoTime();
    List<Cell> cells = new ArrayList<>();
    Duration deploying = Duration.ZERO;
    for (Language language : Language.values()) {
      long d0 = System.nanoTime();
      List<Combination> combinations = new ArrayList<>();
      for (Tracing tracing : Tracing.values()) {
        for (String propagators : PROPAGATORS) {
          combinations.add(deploy(stack, language, tracing, propagators));
        }
      }
      deploying = deploying.plus(Duration.ofNanos(System.nanoTime() - d0));
      for (Combination c : combinations) {
        if (language == Language.JAVA) {
          long w0 = System.nanoTime();
          warm(stack, c);
          deploying = deploying.plus(Duration.ofNanos(System.nanoTime() - w0));
        }
        for (Gateway gateway : Gateway.values()) {
          Cell cell = run(stack, c, gateway);
          System.out.println("cell " + (cells.size() + 1) + ": " + cell.line() + " (" + cell.took().toMillis() + " ms)");
          cells.add(cell);
        }
      }
    }
    Duration total = Duration.ofNanos(System.nanoTime() - t0);

    System.out.println(table(cells, total, deploying));
    SoftAssertions softly = new SoftAssertions();
    for (Cell cell : cells) {
      check(softly, cell);
    }
    softly.assertAll();
  }

  /** The functions of one runtime × tracing × propagators. */
  private record Combination(Language language, Tracing tracing, String propagators, Deployment consumer,
      Map<Gateway, Deployment> producers) {
  }

  private static Combination deploy(TracingStack stack, Language language, Tracing tracing, String propagators) {
    String suffix = "-pm-" + (language == Language.NODEJS ? "node" : "java") + "-"
        + (tracing.active() ? "active" : "pass") + "-" + slug(propagators);
    BlogScenario scenario = BlogScenario.builder(stack).language(language).activeTracing(tracing.active())
        .propagators(propagators).build();
    Path zip = language.zip();
    String ping = SampleFunctions.PING_PATH + suffix;
    Deployment consumer = stack.deploy(scenario.spec(SampleFunctions.CONSUMER + suffix, language.consumerHandler, zip)
        .http(SampleFunctions.PING_METHOD, ping).httpApi(SampleFunctions.PING_METHOD, ping).build());
    Map<Gateway, Deployment> producers = new EnumMap<>(Gateway.class);
    for (Gateway gateway : Gateway.values()) {
      URI downstream = consumer.urls().get(new FunctionSpec.HttpRoute(SampleFunctions.PING_METHOD, ping, gateway.api,
          null));
      FunctionSpec.Builder producer = scenario.spec(SampleFunctions.PRODUCER + suffix + "-" + gateway.name()
              .toLowerCase(java.util.Locale.ROOT), language.producerHandler, zip)
          .env(SampleFunctions.CONSUMER_API_ENV, downstream.toString());
      String produce = SampleFunctions.PRODUCE_PATH + suffix;
      producers.put(gateway, stack.deploy((gateway == Gateway.REST
          ? producer.http(SampleFunctions.PRODUCE_METHOD, produce)
          : producer.httpApi(SampleFunctions.PRODUCE_METHOD, produce)).build()));
    }
    return new Combination(language, tracing, propagators, consumer, producers);
  }

  /**
   * One direct invocation of each Java function right before its cells: the agent's cold start,
   * tens of seconds on a busy machine, would otherwise add up along producer → consumer beyond API
   * Gateway's 29 s integration timeout and answer 504, which says nothing about propagation; an idle
   * environment lives 5 minutes, so warming them all up front would not last. Consumer first, so a
   * producer's call finds it warm; a cold start that outlasts the init phase's limit is tried again,
   * up to three times. The warm-up's traces hold the same services as the cells' own; the diagnosis
   * tells them apart by the X-Ray header of the cell's request.
   */
  private static void warm(TracingStack stack, Combination c) {
    warm(stack, c.consumer().name());
    c.producers().values().forEach(p -> warm(stack, p.name()));
  }

  /** A warm-up that still fails is printed, not thrown: the cell then shows what its own run met. */
  private static void warm(TracingStack stack, String function) {
    String failure = null;
    for (int attempt = 1; attempt <= 3; attempt++) {
      InvokeResponse r = stack.lambdaClient().invoke(b -> b.functionName(function)
          .payload(SdkBytes.fromUtf8String("{\"httpMethod\":\"GET\",\"path\":\"/warm-up\",\"headers\":{}}")));
      if (r.functionError() == null) {
        return;
      }
      failure = r.payload().asUtf8String();
    }
    System.out.println(function + " failed its warm-up 3 times, last: " + failure);
  }

  /** {@code tracecontext,baggage,xray-lambda} → {@code tc-b-xl}: function names stay short and readable. */
  private static String slug(String propagators) {
    return java.util.Arrays.stream(propagators.split(",")).map(p -> switch (p) {
      case "tracecontext" -> "tc";
      case "baggage" -> "b";
      case "xray" -> "x";
      case "xray-lambda" -> "xl";
      default -> throw new IllegalArgumentException(p);
    }).collect(Collectors.joining("-"));
  }

  private static Cell run(TracingStack stack, Combination c, Gateway gateway) {
    Deployment producer = c.producers().get(gateway);
    List<String> services = List.of(BlogScenario.Client.NODE.service, producer.name(), c.consumer().name());
    Row expected = PropagationExpectation.rowFor(c.propagators(), c.tracing(), gateway);
    long t0 = System.nanoTime();
    Instant from = Instant.now();
    ClientRun client = Clients.node().apmServerUrl(stack.endpoints().apmServer().toString())
        .secretToken(stack.endpoints().apmSecretToken()).run(producer.url().toString());
    if (client.traceId() == null || client.status() != 200) {
      return new Cell(c.language(), c.tracing(), c.propagators(), gateway, expected, false,
          "client failed: " + client.describe(), null, null, client, Duration.ofNanos(System.nanoTime() - t0));
    }
    // both functions' transactions, wherever they landed, then the client's trace once it is quiet:
    // the outcome is read from what arrived, never from how long a connected trace might take
    awaitTransactionsOf(stack, List.of(producer.name(), c.consumer().name()), from);
    Trace trace = stack.traces().await(client.traceId(), TraceConditions.hasAtLeastSpans(1));
    Diagnosis diagnosis = stack.diagnose(client.traceId(), services);
    boolean connected = trace.services().containsAll(services) && diagnosis.isClean()
        && trace.anomalies().stream().noneMatch(a -> a instanceof Anomaly.Orphan || a instanceof Anomaly.MultipleRoots);
    String cause = connected ? "-" : diagnosis.findings().stream().filter(f -> f.kind() != Diagnosis.Kind.CLOCK_SKEW
            && f.kind() != Diagnosis.Kind.COMPONENT_DOWN)
        .map(f -> f.kind() + (f.service() != null ? " " + f.service() : "")).collect(Collectors.joining(", "));
    return new Cell(c.language(), c.tracing(), c.propagators(), gateway, expected, connected,
        cause.isEmpty() ? "no finding" : cause, diagnosis, trace, client, Duration.ofNanos(System.nanoTime() - t0));
  }

  /** Waits for both functions' transactions; when one never comes, the diagnosis says why, so the wait only ends. */
  private static void awaitTransactionsOf(TracingStack stack, List<String> services, Instant from) {
    try {
      Awaitility.await("transactions of " + services + " since " + from).atMost(SPANS_TIMEOUT)
          .pollInterval(Duration.ofMillis(200))
          .until(() -> services.stream().allMatch(s ->
              !stack.traces().traceIdsOf(List.of(s), from, from.plus(Duration.ofMinutes(5))).isEmpty()));
    } catch (ConditionTimeoutException missing) {
      System.out.println(missing.getMessage());
    }
  }

  private static void check(SoftAssertions softly, Cell cell) {
    String where = cell.line() + "\n  expected " + (cell.expected().connected() ? "connected" : "broken") + ": "
        + cell.expected().reason + (cell.diagnosis() == null ? "" : "\n" + cell.diagnosis())
        + (cell.trace() == null ? "" : "\n" + cell.trace().waterfall());
    softly.assertThat(cell.connected()).as(where).isEqualTo(cell.expected().connected());
    if (cell.expected().connected() || cell.diagnosis() == null) {
      return;
    }
    // the producer's own finding; the consumer, behind a REST stage with Active tracing too, is reported either
    // as having followed the producer (CONTEXT_LOST) or with the same cause: both describe it
    softly.assertThat(cell.diagnosis().findings(cell.expected().cause)).as(where).anySatisfy(f -> {
      assertThat(f.service()).startsWith(SampleFunctions.PRODUCER);
      assertThat(f.message()).contains("Active tracing is on").contains("OTEL_PROPAGATORS=" + cell.propagators());
    });
  }

  private static String table(List<Cell> cells, Duration total, Duration deploying) {
    StringBuilder out = new StringBuilder("\nPropagation matrix (" + cells.size() + " cells)\n");
    out.append(String.format("%-6s | %-11s | %-32s | %-4s | %-9s | %s%n", "lang", "tracing", "OTEL_PROPAGATORS",
        "api", "result", "cause"));
    cells.forEach(c -> out.append(c.line()).append(c.connected() == c.expected().connected() ? "" : "   <-- expected "
        + (c.expected().connected() ? "connected" : "broken")).append('\n'));
    long connected = cells.stream().filter(Cell::connected).count();
    long agree = cells.stream().filter(c -> c.connected() == c.expected().connected()).count();
    out.append(String.format("%d connected, %d broken; %d of %d as expected; %d s in all (%d s deploying and warming, cells"
            + " %d ms median, %d ms slowest)%n", connected, cells.size() - connected, agree, cells.size(),
        total.toSeconds(), deploying.toSeconds(), median(cells), cells.stream().mapToLong(c -> c.took().toMillis())
            .max().orElse(0)));
    out.append("Why:\n");
    for (Row row : Row.values()) {
      long n = cells.stream().filter(c -> c.expected() == row).count();
      out.append(String.format("  %-27s %2d cells, %s: %s%n", row, n, row.connected() ? "connected" : "broken ("
          + row.cause + ")", row.reason));
    }
    return out.toString();
  }

  private static long median(List<Cell> cells) {
    long[] ms = cells.stream().mapToLong(c -> c.took().toMillis()).sorted().toArray();
    return ms.length == 0 ? 0 : ms[ms.length / 2];
  }
}
