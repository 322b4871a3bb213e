package io.traceharness.collector;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.metric.NoopMeterRegistry;
import com.linecorp.armeria.server.Server;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Lambda layer's collector as the extension it is: what opentelemetry-lambda's
 * {@code collector/internal/lifecycle/manager.go} does around the collector, over the environment's own
 * HTTP APIs ({@code AWS_LAMBDA_RUNTIME_API}), as any external extension does.
 *
 * <ol>
 *   <li>registers as {@value #NAME} (the layer's {@code extensions/collector}) for {@code INVOKE} and
 *       {@code SHUTDOWN} ({@code SHUTDOWN} only under {@code AWS_LAMBDA_INITIALIZATION_TYPE=lambda-managed-instances}),
 *       accepting the {@code accountId} feature ({@code internal/extensionapi/client.go});</li>
 *   <li>starts a Telemetry API listener and subscribes it to {@code platform} events
 *       ({@code internal/telemetryapi/listener.go}, {@code client.go}), except under managed instances;</li>
 *   <li>starts the collector (its receivers that subscribe use the extension's id); when that fails it reports
 *       {@code /init/error} ("failed to start the collector: …") and ends;</li>
 *   <li>then loops on {@code /event/next}: on {@code INVOKE} it waits for the request's
 *       {@code platform.runtimeDone} before asking again, so the invocation (and the freeze) waits for it; on
 *       {@code SHUTDOWN} it closes the listener and shuts the collector down, exporters draining until the
 *       event's deadline, and ends.</li>
 * </ol>
 *
 * <pre>{@code
 * CollectorExtension ext = CollectorExtension.start(EmbeddedCollector.builder().config(config)
 *     .environment(env).freePorts(true), env);
 * env.put("OTEL_EXPORTER_OTLP_ENDPOINT", ext.collector().otlpHttpEndpoint().toString());
 * ext.ended().join();   // after SHUTDOWN
 * }</pre>
 */
public final class CollectorExtension implements AutoCloseable {

  /** The name it registers with: the real extension's file name ({@code filepath.Base(os.Args[0])}). */
  public static final String NAME = "collector";

  private static final Logger LOG = LoggerFactory.getLogger(CollectorExtension.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final String name;
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(2)).build();
  private final String runtimeApi;
  private final boolean managedInstances;
  private final BlockingQueue<JsonNode> platformEvents = new LinkedBlockingQueue<>();
  private final CompletableFuture<Void> ended = new CompletableFuture<>();
  private volatile String extensionId;
  private volatile EmbeddedCollector collector;
  private volatile Server listener;
  private volatile Thread loop;
  private volatile boolean closing;
  private volatile long invokes;
  private volatile String shutdownReason;

  private CollectorExtension(String name, Map<String, String> env) {
    this.name = name;
    this.runtimeApi = Objects.requireNonNull(env.get("AWS_LAMBDA_RUNTIME_API"),
        "AWS_LAMBDA_RUNTIME_API: the collector extension runs in a Lambda execution environment");
    this.managedInstances = "lambda-managed-instances".equals(env.get("AWS_LAMBDA_INITIALIZATION_TYPE"));
  }

  /**
   * Registers, subscribes and starts the collector {@code collector} describes, then waits for events on a
   * thread of its own. Throws when registering or subscribing fails (the real extension exits then); a
   * collector that does not start is reported through {@code /init/error} instead.
   *
   * @param env the extension's environment (the function's, with Lambda's variables)
   */
  public static CollectorExtension start(EmbeddedCollector.Builder collector, Map<String, String> env) {
    CollectorExtension ext = new CollectorExtension(NAME, env);
    try {
      ext.register();
      if (!ext.managedInstances) {
        ext.listen();
      }
      ext.run(collector);
    } catch (RuntimeException e) {
      ext.close();
      throw e;
    }
    return ext;
  }

  /** The collector, or {@code null} when it failed to start (the environment's init then fails). */
  public EmbeddedCollector collector() {
    return collector;
  }

  /** Completed when the extension is over (after {@code SHUTDOWN}, a failed start, or {@link #close()}). */
  public CompletableFuture<Void> ended() {
    return ended;
  }

  /** The identifier the Extensions API gave it. */
  public String extensionId() {
    return extensionId;
  }

  /** The {@code shutdownReason} of the {@code SHUTDOWN} event it got ({@code spindown}, …), or {@code null}. */
  public String shutdownReason() {
    return shutdownReason;
  }

  /** {@code INVOKE} events it has handled. */
  public long invokes() {
    return invokes;
  }

  private void register() {
    var body = JSON.createObjectNode();
    var events = body.putArray("events");
    if (!managedInstances) {
      events.add("INVOKE");
    }
    events.add("SHUTDOWN");
    java.net.http.HttpResponse<String> answer = send(HttpRequest.newBuilder(api("/2020-01-01/extension/register"))
        .header("Lambda-Extension-Name", name)
        .header("Lambda-Extension-Accept-Feature", "accountId")
        .POST(HttpRequest.BodyPublishers.ofString(body.toString())), "register");
    if (answer.statusCode() < 200 || answer.statusCode() > 299) {
      throw new IllegalStateException("Cannot register extension: request failed with status " + status(answer));
    }
    extensionId = answer.headers().firstValue("Lambda-Extension-Identifier").orElseThrow(() ->
        new IllegalStateException("Cannot register extension: no Lambda-Extension-Identifier in the answer"));
  }

  /** The manager's own listener: platform events only, to learn when each request's runtime is done. */
  private void listen() {
    Server s = Server.builder()
        .http(new InetSocketAddress("127.0.0.1", 0))
        .meterRegistry(NoopMeterRegistry.get())
        // as Go's http.Server.Shutdown (1 s context in listener.go): no quiet period, requests in flight finish
        .gracefulShutdownTimeout(Duration.ZERO, Duration.ofSeconds(1))
        .service("prefix:/", (ctx, req) -> HttpResponse.of(req.aggregate().thenApply(agg -> {
          try {
            JsonNode events = JSON.readTree(agg.contentUtf8());
            if (events != null && events.isArray()) {
              events.forEach(platformEvents::add);
            }
          } catch (IOException e) {
            // the real listener ignores what it cannot unmarshal
          }
          return HttpResponse.of(HttpStatus.OK);
        })))
        .build();
    s.start().join();
    listener = s;
    var body = JSON.createObjectNode().put("schemaVersion", "2022-12-13");
    body.putArray("types").add("platform");
    body.putObject("buffering").put("maxItems", 1000).put("maxBytes", 256 * 1024).put("timeoutMs", 25);
    body.putObject("destination").put("protocol", "HTTP")
        .put("URI", "http://sandbox.localdomain:" + s.activeLocalPort() + "/").put("method", "POST")
        .put("encoding", "JSON");
    java.net.http.HttpResponse<String> answer = send(HttpRequest.newBuilder(api("/2022-07-01/telemetry"))
        .header("Content-Type", "application/json").header("Lambda-Extension-Identifier", extensionId)
        .PUT(HttpRequest.BodyPublishers.ofString(body.toString())), "subscribe");
    if (answer.statusCode() != 200 && answer.statusCode() != 202) {
      throw new IllegalStateException("Cannot register Telemetry API client: request to " + api("/2022-07-01/telemetry")
          + " failed: " + answer.statusCode() + "[" + status(answer) + "] " + answer.body());
    }
  }

  /** {@code manager.Run}: the collector, then the event loop. */
  private void run(EmbeddedCollector.Builder builder) {
    try {
      collector = builder.extensionId(extensionId).build().start();
    } catch (RuntimeException e) {
      LOG.warn("Failed to start the extension {}", name, e);
      send(HttpRequest.newBuilder(api("/2020-01-01/extension/init/error"))
          .header("Lambda-Extension-Identifier", extensionId)
          .header("Lambda-Extension-Function-Error-Type", "failed to start the collector: " + oneLine(e.getMessage()))
          .POST(HttpRequest.BodyPublishers.noBody()), "init/error");
      end();
      return;
    }
    Thread t = new Thread(this::processEvents, "collector-extension-" + extensionId.substring(0, 8));
    t.setDaemon(true);
    loop = t;
    t.start();
  }

  private void processEvents() {
    try {
      while (!closing) {
        java.net.http.HttpResponse<String> answer = send(HttpRequest.newBuilder(api("/2020-01-01/extension/event/next"))
            .header("Lambda-Extension-Identifier", extensionId).GET(), "event/next");
        if (answer.statusCode() < 200 || answer.statusCode() > 299) {
          throw new IllegalStateException("request failed with status " + status(answer));
        }
        JsonNode event = JSON.readTree(answer.body());
        String type = event.path("eventType").asText();
        LOG.debug("{} received {}", name, event);
        if (type.equals("SHUTDOWN")) {
          shutdownReason = event.path("shutdownReason").asText();
          shutdown(event.path("deadlineMs").asLong(System.currentTimeMillis()));
          return;
        }
        if (type.equals("INVOKE") && listener != null) {
          invokes++;
          awaitRuntimeDone(event.path("requestId").asText());
          // here the decouple processor would stop forwarding (FunctionFinished); this one forwards
          // nothing itself, the exporters' queues do
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException | RuntimeException e) {
      if (!closing) {
        LOG.warn("error waiting for extension event ({}): {}", name, e.toString());
        try {
          send(HttpRequest.newBuilder(api("/2020-01-01/extension/exit/error"))
              .header("Lambda-Extension-Identifier", extensionId)
              .header("Lambda-Extension-Function-Error-Type", "error waiting for extension event: " + oneLine(e.getMessage()))
              .POST(HttpRequest.BodyPublishers.noBody()), "exit/error");
        } catch (RuntimeException ignored) {
          // the environment is gone
        }
      }
    } finally {
      end();
    }
  }

  /** {@code Listener.Wait}: takes platform events until the request's {@code platform.runtimeDone}. */
  private void awaitRuntimeDone(String requestId) throws InterruptedException {
    while (true) {
      JsonNode e = platformEvents.take();
      if ("platform.runtimeDone".equals(e.path("type").asText())
          && requestId.equals(e.path("record").path("requestId").asText())) {
        return;
      }
    }
  }

  private void shutdown(long deadlineMs) {
    LOG.info("Received SHUTDOWN event ({} {}, {} ms to its deadline)", name, extensionId,
        deadlineMs - System.currentTimeMillis());
    closeListener();
    EmbeddedCollector c = collector;
    if (c != null) {
      c.shutdownWithin(Duration.ofMillis(deadlineMs - System.currentTimeMillis()));
    }
  }

  private void end() {
    closeListener();
    ended.complete(null);
  }

  private void closeListener() {
    Server s = listener;
    listener = null;
    if (s != null) {
      // the port closes at once; Armeria's stop future also waits out its event loops' quiet period
      s.stop();
    }
  }

  /** Ends it now (the environment is gone): the loop stops, the listener and the collector close. */
  @Override
  public void close() {
    closing = true;
    Thread t = loop;
    if (t != null) {
      t.interrupt();
    }
    closeListener();
    EmbeddedCollector c = collector;
    if (c != null) {
      c.close();
    }
    ended.complete(null);
  }

  private URI api(String path) {
    return URI.create("http://" + runtimeApi + path);
  }

  private java.net.http.HttpResponse<String> send(HttpRequest.Builder request, String what) {
    try {
      return http.send(request.build(), BodyHandlers.ofString());
    } catch (IOException e) {
      throw new IllegalStateException(what + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted: " + what, e);
    }
  }

  private static String status(java.net.http.HttpResponse<?> answer) {
    return answer.statusCode() + " " + HttpStatus.valueOf(answer.statusCode()).reasonPhrase();
  }

  private static String oneLine(String s) {
    return s == null ? "" : s.replaceAll("[\\r\\n]+", " ");
  }

  @Override
  public String toString() {
    return "CollectorExtension[" + name + " " + extensionId + "]";
  }
}
