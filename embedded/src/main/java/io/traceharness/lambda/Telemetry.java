package io.traceharness.lambda;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.linecorp.armeria.common.AggregatedHttpRequest;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Telemetry API of one execution environment ({@code PUT /2022-07-01/telemetry} on its Runtime API
 * endpoint; AWS Lambda Developer Guide, "Lambda Telemetry API reference"): an extension subscribes a
 * listener of its own to the {@code platform}, {@code function} and {@code extension} streams, and the
 * environment POSTs JSON arrays of events to it, buffered by {@code maxItems}, {@code maxBytes} and
 * {@code timeoutMs}. Platform events have the shapes of "Lambda Telemetry API Event schema reference";
 * {@code function} and {@code extension} records are the lines the runtime and the extensions write.
 *
 * <p>Delivery stops while the environment is frozen, as everything in it does, so the events that end
 * an invocation ({@code platform.runtimeDone} after the freeze, {@code platform.report}) reach the
 * listener once the next event thaws it.
 */
final class Telemetry {

  static final String PATH = "/2022-07-01/telemetry";
  private static final Logger LOG = LoggerFactory.getLogger(Telemetry.class);
  private static final Set<String> SCHEMA_VERSIONS = Set.of("2022-07-01", "2022-12-13", "2025-01-29");
  private static final Set<String> TYPES = Set.of("platform", "function", "extension");
  /** {@code buffering.maxItems}: default 1,000, at least 1,000, at most 10,000 (the reference's Subscribe). */
  static final int MAX_ITEMS_DEFAULT = 1_000;
  static final int MAX_ITEMS_MIN = 1_000;
  static final int MAX_ITEMS_MAX = 10_000;
  static final int MAX_BYTES_DEFAULT = 256 * 1024;
  static final long TIMEOUT_MS_DEFAULT = 1_000;
  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(2)).build();

  private final Extensions extensions;
  private final ScheduledExecutorService scheduler;
  private final Path functionLog;
  private final Path extensionLog;
  private final List<Subscription> subscriptions = new CopyOnWriteArrayList<>();
  private final List<ObjectNode> initEvents = new ArrayList<>();
  private boolean initOver;
  private volatile boolean paused;
  private volatile boolean closed;

  /** One listener and its buffer. */
  private final class Subscription {
    final String extension;
    final URI uri;
    final Set<String> types;
    final int maxItems;
    final int maxBytes;
    final long timeoutMs;
    final Deque<ObjectNode> buffer = new ArrayDeque<>();
    long functionOffset;
    long extensionOffset;
    boolean sending;
    ScheduledFuture<?> tick;

    Subscription(String extension, URI uri, Set<String> types, int maxItems, int maxBytes, long timeoutMs) {
      this.extension = extension;
      this.uri = uri;
      this.types = types;
      this.maxItems = maxItems;
      this.maxBytes = maxBytes;
      this.timeoutMs = timeoutMs;
    }

    synchronized void add(ObjectNode event) {
      buffer.add(event);
      if (buffer.size() >= maxItems) {
        scheduler.execute(() -> flush(this));
      }
    }
  }

  Telemetry(Extensions extensions, ScheduledExecutorService scheduler, Path functionLog, Path extensionLog) {
    this.extensions = extensions;
    this.scheduler = scheduler;
    this.functionLog = functionLog;
    this.extensionLog = extensionLog;
  }

  /** A platform event: to every subscription to {@code platform}, and kept for those made during Init. */
  void platform(String type, ObjectNode record) {
    ObjectNode event = Json.MAPPER.createObjectNode().put("time", Instant.now().toString()).put("type", type);
    event.set("record", record);
    synchronized (this) {
      if (!initOver) {
        initEvents.add(event);
      }
    }
    for (Subscription s : subscriptions) {
      if (s.types.contains("platform")) {
        synchronized (s) {
          // the stream is in order: lines written before the event (a handler's output before its
          // platform.runtimeDone) come before it
          readLines(s);
          s.add(event);
        }
      }
    }
  }

  /** Under {@code s}'s lock: the runtime's and extensions' new complete lines into its buffer. */
  private void readLines(Subscription s) {
    if (s.types.contains("function")) {
      s.functionOffset = lines(functionLog, s.functionOffset, "function", s.buffer);
    }
    if (s.types.contains("extension")) {
      s.extensionOffset = lines(extensionLog, s.extensionOffset, "extension", s.buffer);
    }
  }

  /** Init is over: later subscriptions no longer get its events. */
  synchronized void initOver() {
    initOver = true;
    initEvents.clear();
  }

  /** The environment is frozen: nothing is delivered until {@link #resume()}. */
  void pause() {
    paused = true;
  }

  void resume() {
    paused = false;
    subscriptions.forEach(s -> scheduler.execute(() -> flush(s)));
  }

  /** Delivers what is buffered (bounded wait) and stops; the environment is ending. */
  void close(Duration wait) {
    resume();
    long end = System.nanoTime() + wait.toNanos();
    for (Subscription s : subscriptions) {
      // batch after batch (maxItems, maxBytes), until nothing is left to send or the time is up
      synchronized (s) {
        while (System.nanoTime() < end) {
          if (!s.sending) {
            flush(s);
            if (!s.sending) {
              break;
            }
          }
          try {
            s.wait(Math.max(1, (end - System.nanoTime()) / 1_000_000));
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            break;
          }
        }
      }
    }
    closed = true;
    subscriptions.forEach(s -> {
      if (s.tick != null) {
        s.tick.cancel(false);
      }
    });
  }

  HttpResponse serve(HttpRequest req) {
    if (req.method() != HttpMethod.PUT) {
      return Extensions.error(HttpStatus.NOT_FOUND, "NotFound", "Not found");
    }
    return HttpResponse.of(req.aggregate().thenApply(this::subscribe));
  }

  private HttpResponse subscribe(AggregatedHttpRequest req) {
    Extensions.Agent agent = extensions.agent(req.headers().get(Extensions.ID_HEADER));
    if (agent == null) {
      return Extensions.unknown(req.headers().get(Extensions.ID_HEADER));
    }
    JsonNode body;
    try {
      body = Json.MAPPER.readTree(req.contentUtf8());
    } catch (IOException e) {
      return invalid("Invalid request body: " + e.getMessage());
    }
    if (body == null || !body.isObject()) {
      return invalid("Invalid request body: an object is expected");
    }
    String schema = body.path("schemaVersion").asText("");
    if (!SCHEMA_VERSIONS.contains(schema)) {
      return invalid("schemaVersion: must be one of 2022-07-01, 2022-12-13, 2025-01-29");
    }
    JsonNode destination = body.path("destination");
    if (!"HTTP".equals(destination.path("protocol").asText())) {
      return invalid("destination.protocol: only HTTP is served here");
    }
    URI uri;
    try {
      uri = new URI(destination.path("URI").asText(""));
      if (!"http".equals(uri.getScheme()) || uri.getHost() == null || uri.getPort() < 0) {
        return invalid("destination.URI: http://sandbox.localdomain:PORT/… is expected");
      }
      if ("sandbox.localdomain".equals(uri.getHost())) {
        // the sandbox's own name for itself; here the environment's processes share the loopback
        uri = new URI("http", null, "127.0.0.1", uri.getPort(), uri.getPath(), uri.getQuery(), null);
      }
    } catch (URISyntaxException e) {
      return invalid("destination.URI: " + e.getMessage());
    }
    Set<String> types = new LinkedHashSet<>();
    for (JsonNode t : body.path("types")) {
      if (!TYPES.contains(t.asText())) {
        return invalid("types: " + t.asText() + " is not one of platform, function, extension");
      }
      types.add(t.asText());
    }
    if (types.isEmpty()) {
      return invalid("types: at least one of platform, function, extension");
    }
    JsonNode buffering = body.path("buffering");
    int maxItems = buffering.path("maxItems").asInt(MAX_ITEMS_DEFAULT);
    if (maxItems < MAX_ITEMS_MIN || maxItems > MAX_ITEMS_MAX) {
      return invalid("buffering.maxItems: must be between " + MAX_ITEMS_MIN + " and " + MAX_ITEMS_MAX);
    }
    int maxBytes = buffering.path("maxBytes").asInt(MAX_BYTES_DEFAULT);
    long timeoutMs = buffering.path("timeoutMs").asLong(TIMEOUT_MS_DEFAULT);
    if (maxBytes <= 0 || timeoutMs <= 0) {
      return invalid("buffering.maxBytes and buffering.timeoutMs: must be positive");
    }
    Subscription s = new Subscription(agent.name, uri, types, maxItems, maxBytes, timeoutMs);
    synchronized (this) {
      if (types.contains("platform")) {
        initEvents.forEach(s.buffer::add);
      }
      subscriptions.add(s);
    }
    s.tick = scheduler.scheduleWithFixedDelay(() -> flush(s), timeoutMs, timeoutMs, TimeUnit.MILLISECONDS);
    LOG.debug("{} subscribed {} to {}", agent.name, uri, types);
    return HttpResponse.of(HttpStatus.OK, MediaType.PLAIN_TEXT_UTF_8, "OK");
  }

  /** Takes the new log lines, then POSTs one batch (one at a time per listener). */
  private void flush(Subscription s) {
    List<ObjectNode> batch = new ArrayList<>();
    synchronized (s) {
      if (paused || closed || s.sending) {
        return;
      }
      readLines(s);
      int bytes = 2;
      while (!s.buffer.isEmpty() && batch.size() < s.maxItems) {
        int size = s.buffer.peek().toString().length() + 1;
        if (!batch.isEmpty() && bytes + size > s.maxBytes) {
          break;
        }
        bytes += size;
        batch.add(s.buffer.poll());
      }
      if (batch.isEmpty()) {
        return;
      }
      s.sending = true;
    }
    ArrayNode array = Json.MAPPER.createArrayNode().addAll(batch);
    java.net.http.HttpRequest post = java.net.http.HttpRequest.newBuilder(s.uri)
        .timeout(Duration.ofSeconds(10))
        .header("Content-Type", "application/json")
        .POST(java.net.http.HttpRequest.BodyPublishers.ofString(array.toString()))
        .build();
    HTTP.sendAsync(post, java.net.http.HttpResponse.BodyHandlers.discarding()).whenComplete((r, failure) -> {
      boolean more;
      synchronized (s) {
        if (failure != null && paused) {
          // the listener was frozen mid-request: the batch waits for the thaw, in its place
          for (int i = batch.size() - 1; i >= 0; i--) {
            s.buffer.addFirst(batch.get(i));
          }
        } else if (failure != null) {
          LOG.debug("Telemetry to {} of {} failed: {}", s.uri, s.extension, failure.toString());
        }
        s.sending = false;
        more = !s.buffer.isEmpty();
        s.notifyAll();
      }
      if (more) {
        scheduler.execute(() -> flush(s));
      }
    });
  }

  /** Appends the complete lines written since {@code from} as records of {@code type}; the new offset. */
  private static long lines(Path log, long from, String type, Deque<ObjectNode> into) {
    long size = ProcessReadings.size(log);
    if (size <= from) {
      return from;
    }
    byte[] bytes;
    try (RandomAccessFile raf = new RandomAccessFile(log.toFile(), "r")) {
      bytes = new byte[(int) Math.min(size - from, 1024 * 1024)];
      raf.seek(from);
      raf.readFully(bytes);
    } catch (IOException e) {
      return from;
    }
    int end = bytes.length;
    while (end > 0 && bytes[end - 1] != '\n') {
      end--;
    }
    if (end == 0) {
      return from;
    }
    String time = Instant.now().toString();
    for (String line : new String(bytes, 0, end - 1, StandardCharsets.UTF_8).split("\n", -1)) {
      into.add(Json.MAPPER.createObjectNode().put("time", time).put("type", type).put("record", line));
    }
    return from + end;
  }

  private static HttpResponse invalid(String message) {
    return Extensions.error(HttpStatus.BAD_REQUEST, "ValidationError", message);
  }
}
