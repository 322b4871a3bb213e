package io.traceharness.scenario;

import io.traceharness.diagnosis.Diagnosis;
import io.traceharness.fixtures.ClientRun;
import io.traceharness.fixtures.Clients;
import io.traceharness.fixtures.ElasticApmJavaClient;
import io.traceharness.fixtures.SampleFunctions;
import io.traceharness.stack.FunctionSpec;
import io.traceharness.stack.Deployment;
import io.traceharness.stack.TelemetryPath;
import io.traceharness.stack.TracingStack;
import io.traceharness.trace.Trace;
import io.traceharness.trace.TraceConditions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The post's scenario on a {@link TracingStack}: the two functions deployed with the OpenTelemetry
 * layer and the post's environment, the instrumented client calling the first one through API
 * Gateway, and the resulting trace read back from Elasticsearch.
 *
 * <pre>{@code
 * BlogScenario.Result r = BlogScenario.builder(stack).language(Language.NODEJS).build().run();
 * TraceAssertions.assertThat(r.trace()).hasPath("java-client", r.producer().name(), r.consumer().name());
 * }</pre>
 *
 * <p>Function names follow the post's sample: "producer" (POST /produce, handler {@code handler.consumer})
 * calls "consumer" (GET /ping, handler {@code handler.producer}); a suffix keeps scenarios that share
 * a stack apart.
 */
public final class BlogScenario {

  /** The runtime of the two functions. */
  public enum Language {
    NODEJS("nodejs20.x", SampleFunctions.PRODUCER_NODE_HANDLER, SampleFunctions.CONSUMER_NODE_HANDLER),
    JAVA("java21", SampleFunctions.PRODUCER_JAVA_HANDLER, SampleFunctions.CONSUMER_JAVA_HANDLER);

    final String runtime;
    final String producerHandler;
    final String consumerHandler;

    Language(String runtime, String producerHandler, String consumerHandler) {
      this.runtime = runtime;
      this.producerHandler = producerHandler;
      this.consumerHandler = consumerHandler;
    }

    /** The function package the functions module built. */
    Path zip() {
      return this == NODEJS ? SampleFunctions.nodejsZip() : SampleFunctions.javaZip();
    }
  }

  /** The instrumented client: the Java one with the Elastic APM Java agent, or the post's Node client.js. */
  public enum Client {
    JAVA("java-client"), NODE("node-client");

    final String service;

    Client(String service) {
      this.service = service;
    }
  }

  /**
   * What one run produced.
   *
   * @param expectedServices client, producer, consumer: the services a connected trace holds
   */
  public record Result(String traceId, ClientRun client, Trace trace, Deployment producer, Deployment consumer,
      List<String> expectedServices, Duration deploy, Duration clientRun, Duration traceWait) {

    /** Why the trace is broken, from what the stack saw. */
    public Diagnosis diagnose(TracingStack stack) {
      return stack.diagnose(traceId, expectedServices);
    }
  }

  /** The two functions once deployed. */
  public record Functions(Deployment producer, Deployment consumer, Duration took) {
  }

  private final TracingStack stack;
  private final Language language;
  private final Client client;
  private final String suffix;
  private final boolean activeTracing;
  private final String propagators;
  private final String apmServerUrl;
  private final boolean clientSendsTraceparent;
  private final Map<String, String> extraEnv;
  private final Duration awaitTimeout;
  private final boolean consumerApiAsOnAws;
  private Functions functions;

  private BlogScenario(Builder b) {
    this.stack = b.stack;
    this.language = b.language;
    this.client = b.client;
    this.suffix = b.suffix;
    this.activeTracing = b.activeTracing;
    this.propagators = b.propagators;
    this.apmServerUrl = b.apmServerUrl;
    this.clientSendsTraceparent = b.clientSendsTraceparent;
    this.extraEnv = Map.copyOf(b.extraEnv);
    this.awaitTimeout = b.awaitTimeout;
    this.consumerApiAsOnAws = b.consumerApiAsOnAws;
  }

  public static Builder builder(TracingStack stack) {
    return new Builder(stack);
  }

  public String producerName() {
    return SampleFunctions.PRODUCER + suffix;
  }

  public String consumerName() {
    return SampleFunctions.CONSUMER + suffix;
  }

  public List<String> expectedServices() {
    return List.of(client.service, producerName(), consumerName());
  }

  /** Deploys both functions (once); the consumer first, since the producer needs its URL. */
  public synchronized Functions deploy() {
    if (functions != null) {
      return functions;
    }
    long t0 = System.nanoTime();
    Path zip = language.zip();
    Deployment consumer = stack.deploy(spec(consumerName(), language.consumerHandler, zip)
        .http(SampleFunctions.PING_METHOD, SampleFunctions.PING_PATH + suffix).build());
    Deployment producer = stack.deploy(spec(producerName(), language.producerHandler, zip)
        .env(SampleFunctions.CONSUMER_API_ENV, consumerApiAsOnAws ? awsUrlOf(consumer.url()) : consumer.url().toString())
        .http(SampleFunctions.PRODUCE_METHOD, SampleFunctions.PRODUCE_PATH + suffix).build());
    functions = new Functions(producer, consumer, Duration.ofNanos(System.nanoTime() - t0));
    return functions;
  }

  /**
   * The URL the consumer's route has on AWS, {@code https://ID.execute-api.REGION.amazonaws.com/STAGE/PATH},
   * as a serverless.yml builds it from {@code #{ApiGatewayRestApi}}; the stack points it at its gateway.
   */
  private String awsUrlOf(java.net.URI local) {
    String apiId = stack instanceof io.traceharness.embedded.EmbeddedStack e ? e.apiGateway().apiId() : "a1b2c3d4e5";
    return "https://" + apiId + ".execute-api." + stack.endpoints().region() + ".amazonaws.com" + local.getRawPath();
  }

  /** Runs the client once against the producer and waits for the trace to settle. */
  public Result run() {
    Functions f = deploy();
    long t0 = System.nanoTime();
    Clients.Builder c = client == Client.JAVA ? Clients.java() : Clients.node();
    c.apmServerUrl(stack.endpoints().apmServer().toString()).secretToken(stack.endpoints().apmSecretToken());
    if (!clientSendsTraceparent) {
      c.env(ElasticApmJavaClient.TRACEPARENT_ENV, "off");
    }
    ClientRun run = c.run(f.producer().url().toString());
    Duration clientTook = Duration.ofNanos(System.nanoTime() - t0);
    if (run.traceId() == null) {
      throw new AssertionError("the client printed no trace id: " + run.describe());
    }
    long t1 = System.nanoTime();
    Trace trace;
    try {
      trace = stack.traces().atMost(awaitTimeout).await(run.traceId(), TraceConditions.hasServices(expectedServices().toArray(String[]::new)));
    } catch (AssertionError incomplete) {
      // a broken trace never gets all its services: settle for what arrived, the diagnosis says why
      trace = stack.traces().read(run.traceId());
    }
    return new Result(run.traceId(), run, trace, f.producer(), f.consumer(), expectedServices(), f.took(), clientTook,
        Duration.ofNanos(System.nanoTime() - t1));
  }

  /** A function of the scenario as the post deploys it: its environment, tracing and the layer; no route yet. */
  FunctionSpec.Builder spec(String name, String handler, Path zip) {
    Map<String, String> env = new LinkedHashMap<>();
    // the post's environment
    env.put("AWS_LAMBDA_EXEC_WRAPPER", "/opt/otel-handler");
    if (stack.path() == TelemetryPath.EDOT && stack instanceof io.traceharness.embedded.EmbeddedStack e) {
      // today's path: the layer's collector runs Elastic's gateway configuration unchanged
      env.put("OPENTELEMETRY_COLLECTOR_CONFIG_URI", e.edotCollectorConfig().toUri().toString());
      env.putAll(e.edotEnvironment());
      if (apmServerUrl != null) {
        env.put("ELASTIC_ENDPOINT", apmServerUrl);
      }
    } else {
      env.put("OPENTELEMETRY_COLLECTOR_CONFIG_FILE", SampleFunctions.COLLECTOR_CONFIG_FILE);
      env.put("APM_SERVER_URL", apmServerUrl != null ? apmServerUrl : stack.endpoints().apmServer().toString());
      env.put("APM_SERVER_TOKEN", Objects.requireNonNullElse(stack.endpoints().apmSecretToken(), ""));
    }
    if (propagators != null) {
      env.put("OTEL_PROPAGATORS", propagators);
    }
    env.putAll(extraEnv);
    return FunctionSpec.builder(name).runtime(language.runtime).handler(handler).code(zip).env(env)
        .timeout(Duration.ofSeconds(30)).memoryMb(512).activeTracing(activeTracing).otelLayer();
  }

  public static final class Builder {
    private final TracingStack stack;
    private Language language = Language.NODEJS;
    private Client client = Client.JAVA;
    private String suffix = "";
    private boolean activeTracing;
    private String propagators = "tracecontext";
    private String apmServerUrl;
    private boolean clientSendsTraceparent = true;
    private final Map<String, String> extraEnv = new LinkedHashMap<>();
    private Duration awaitTimeout = Duration.ofSeconds(60);
    private boolean consumerApiAsOnAws;

    private Builder(TracingStack stack) {
      this.stack = Objects.requireNonNull(stack, "stack");
    }

    public Builder language(Language language) {
      this.language = language;
      return this;
    }

    public Builder client(Client client) {
      this.client = client;
      return this;
    }

    /** Appended to function names and routes, so several scenarios can share one stack. */
    public Builder suffix(String suffix) {
      this.suffix = suffix;
      return this;
    }

    /** Lambda's Active tracing (X-Ray); the post turns it off. */
    public Builder activeTracing(boolean active) {
      this.activeTracing = active;
      return this;
    }

    /** {@code OTEL_PROPAGATORS} for both functions; the post sets {@code tracecontext}; null keeps the layer's default. */
    public Builder propagators(String propagators) {
      this.propagators = propagators;
      return this;
    }

    /**
     * Where the functions' collectors export: {@code APM_SERVER_URL} (default the stack's APM Server);
     * on the {@link TelemetryPath#EDOT} path {@code ELASTIC_ENDPOINT} (default the stack's Elasticsearch).
     */
    public Builder apmServerUrl(String url) {
      this.apmServerUrl = url;
      return this;
    }

    /** False makes the client send its request without {@code traceparent}. */
    public Builder clientSendsTraceparent(boolean send) {
      this.clientSendsTraceparent = send;
      return this;
    }

    public Builder env(String key, String value) {
      extraEnv.put(key, value);
      return this;
    }

    /**
     * True gives the producer the consumer's URL as AWS has it ({@code https://…execute-api…}), as the
     * post's serverless.yml does, rather than the local gateway's {@code http://} URL.
     */
    public Builder consumerApiAsOnAws(boolean asOnAws) {
      this.consumerApiAsOnAws = asOnAws;
      return this;
    }

    public Builder awaitTimeout(Duration timeout) {
      this.awaitTimeout = timeout;
      return this;
    }

    public BlogScenario build() {
      return new BlogScenario(this);
    }
  }
}
