package io.traceharness.lambda;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.linecorp.armeria.common.AggregatedHttpRequest;
import com.linecorp.armeria.common.HttpData;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.ResponseHeaders;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

/**
 * The Extensions API of one execution environment ({@code /2020-01-01/extension/…} on the environment's
 * Runtime API endpoint): registration, {@code /event/next}, {@code /init/error}, {@code /exit/error}.
 * The answers and error types are those of AWS's Runtime Interface Emulator
 * ({@code lambda/rapi/handler/agentregister.go}, {@code agentnext.go}, {@code constants.go},
 * {@code lambda/rapi/model/agentevent.go}).
 *
 * <p>An extension is <em>busy</em> from its start (or from the event it was handed) until it asks for
 * its next event; the environment's phase (init, an invocation, shutdown) ends only when none is busy
 * ({@link #idle()}). An external extension is one whose name is a file of the layers'
 * {@code extensions/} directory; any other name registers an internal one (a thread of the runtime).
 */
final class Extensions {

  static final String PREFIX = "/2020-01-01/extension/";
  static final String ID_HEADER = "Lambda-Extension-Identifier";

  /** One registered extension. */
  static final class Agent {
    final String id = UUID.randomUUID().toString();
    final String name;
    final List<String> events;
    final boolean external;
    final Deque<byte[]> pending = new ArrayDeque<>();
    CompletableFuture<HttpResponse> waiting;
    boolean busy = true;
    boolean gone;
    String errorType;

    Agent(String name, List<String> events, boolean external) {
      this.name = name;
      this.events = events;
      this.external = external;
    }
  }

  private final String functionName;
  private final String handler;
  private final String accountId;
  private final Map<String, Agent> byId = new LinkedHashMap<>();
  private final Set<String> externalNames = new LinkedHashSet<>();
  private final Set<String> launching = new LinkedHashSet<>();
  private final CompletableFuture<Void> registered = new CompletableFuture<>();
  private CompletableFuture<Void> idle = CompletableFuture.completedFuture(null);
  private boolean registrationOpen = true;

  Extensions(String functionName, String handler, String accountId) {
    this.functionName = functionName;
    this.handler = handler;
    this.accountId = accountId;
  }

  /** The external extensions about to start (file names); {@link #registered()} waits for each. */
  synchronized void launching(List<String> names) {
    externalNames.addAll(names);
    launching.addAll(names);
    if (!names.isEmpty() && idle.isDone()) {
      idle = new CompletableFuture<>();
    }
    checkRegistered();
  }

  /** Completes once every external extension has registered; fails when one ended first. */
  CompletableFuture<Void> registered() {
    return registered;
  }

  /** Completes when no extension is busy (each waits at {@code /event/next} with nothing pending). */
  synchronized CompletableFuture<Void> idle() {
    return idle;
  }

  synchronized boolean any() {
    return !byId.isEmpty();
  }

  /** The registered extension with this identifier, or {@code null}. */
  synchronized Agent agent(String id) {
    return lookup(id);
  }

  /** The extensions that have not asked for their next event since they were handed one. */
  synchronized List<String> busy() {
    return byId.values().stream().filter(a -> a.busy && !a.gone).map(a -> a.name).toList();
  }

  synchronized List<Agent> agents() {
    return List.copyOf(byId.values());
  }

  /** Internal extensions may register until the runtime's first {@code /next}. */
  synchronized void closeRegistration() {
    registrationOpen = false;
  }

  /** Hands the event to every extension registered for its type; those become busy. Returns how many. */
  int deliver(String eventType, ObjectNode event) {
    return deliverNames(eventType, event).size();
  }

  /** As {@link #deliver}, returning the names of the extensions handed the event. */
  List<String> deliverNames(String eventType, ObjectNode event) {
    List<String> names = new ArrayList<>();
    byte[] body = event.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
    List<CompletableFuture<HttpResponse>> answers = new ArrayList<>();
    int n = 0;
    synchronized (this) {
      for (Agent a : byId.values()) {
        if (a.gone || !a.events.contains(eventType)) {
          continue;
        }
        n++;
        names.add(a.name);
        a.busy = true;
        if (a.waiting != null) {
          answers.add(a.waiting);
          a.waiting = null;
        } else {
          a.pending.add(body);
        }
      }
      if (n > 0 && idle.isDone()) {
        idle = new CompletableFuture<>();
      }
    }
    answers.forEach(w -> w.complete(eventResponse(body)));
    return names;
  }

  /** An external extension's process ended: it is no longer waited for. */
  void exited(String name, String exitStatus) {
    CompletableFuture<Void> done = null;
    boolean failRegistration = false;
    synchronized (this) {
      if (launching.remove(name)) {
        failRegistration = true;
      }
      for (Agent a : byId.values()) {
        if (a.name.equals(name)) {
          a.gone = true;
          a.busy = false;
        }
      }
      done = idleIfNoneBusy();
    }
    if (failRegistration) {
      registered.completeExceptionally(new InitFailure(Outcome.platformError("Extension.Crash",
          "Extension " + name + " exited before it registered: " + exitStatus, null), null));
    }
    if (done != null) {
      done.complete(null);
    }
  }

  /** The error type an extension reported ({@code /init/error}), or {@code null}. */
  synchronized String initError() {
    return byId.values().stream().map(a -> a.errorType).filter(t -> t != null).findFirst().orElse(null);
  }

  /** The platform's {@code EXTENSION} lines that end the init phase in the function's log. */
  synchronized List<String> logLines() {
    List<String> lines = new ArrayList<>();
    for (Agent a : byId.values()) {
      lines.add("EXTENSION\tName: " + a.name + "\tState: " + (a.errorType == null ? "Ready" : "InitError")
          + "\tEvents: [" + String.join(", ", a.events) + "]");
    }
    return lines;
  }

  HttpResponse serve(String path, HttpRequest req) {
    String op = path.substring(PREFIX.length());
    if (req.method() == HttpMethod.POST && op.equals("register")) {
      return HttpResponse.of(req.aggregate().thenApply(this::register));
    }
    if (req.method() == HttpMethod.GET && op.equals("event/next")) {
      return HttpResponse.of(next(req.headers().get(ID_HEADER)));
    }
    if (req.method() == HttpMethod.POST && (op.equals("init/error") || op.equals("exit/error"))) {
      return HttpResponse.of(req.aggregate().thenApply(agg -> reportError(agg, op.equals("init/error"))));
    }
    return error(HttpStatus.NOT_FOUND, "NotFound", "Not found");
  }

  private HttpResponse register(AggregatedHttpRequest req) {
    String name = req.headers().get("Lambda-Extension-Name");
    if (name == null || name.isEmpty()) {
      return error(HttpStatus.FORBIDDEN, "Extension.InvalidExtensionName", "Empty extension name");
    }
    List<String> events = new ArrayList<>();
    try {
      JsonNode body = Json.MAPPER.readTree(req.contentUtf8());
      if (body == null || !body.isObject()) {
        throw new IOException("cannot unmarshal " + (body == null ? "nothing" : body.getNodeType().name().toLowerCase())
            + " into Go value of type handler.RegisterRequest");
      }
      if (body.path("configurationKeys").size() > 0) {
        throw new IOException("configurationKeys are deprecated; use environment variables instead");
      }
      for (JsonNode e : body.path("events")) {
        events.add(e.asText());
      }
    } catch (IOException e) {
      return error(HttpStatus.FORBIDDEN, "InvalidRequestFormat", e.getMessage());
    }
    Agent agent;
    synchronized (this) {
      boolean external = externalNames.contains(name);
      for (String e : events) {
        if (!e.equals("INVOKE") && !(e.equals("SHUTDOWN") && external)) {
          return error(HttpStatus.FORBIDDEN, "Extension.InvalidEventType", e + ": "
              + (e.equals("SHUTDOWN") ? "internal extensions cannot register for the SHUTDOWN event" : "invalid event"));
        }
      }
      if (!external && !registrationOpen) {
        return error(HttpStatus.FORBIDDEN, "Extension.RegistrationClosed", "Extension registration closed already");
      }
      if (byId.values().stream().anyMatch(a -> a.name.equals(name))) {
        return error(HttpStatus.FORBIDDEN, "Extension.InvalidExtensionState", "Extension with this name already registered");
      }
      agent = new Agent(name, List.copyOf(events), external);
      byId.put(agent.id, agent);
      launching.remove(name);
      if (idle.isDone()) {
        idle = new CompletableFuture<>();
      }
      checkRegistered();
    }
    ObjectNode answer = Json.MAPPER.createObjectNode()
        .put("functionName", functionName)
        .put("functionVersion", "$LATEST")
        .put("handler", handler);
    if ("accountId".equals(req.headers().get("Lambda-Extension-Accept-Feature"))) {
      answer.put("accountId", accountId);
    }
    return HttpResponse.of(ResponseHeaders.builder(HttpStatus.OK).contentType(MediaType.JSON)
        .add(ID_HEADER, agent.id).build(), HttpData.ofUtf8(answer.toString()));
  }

  private CompletableFuture<HttpResponse> next(String id) {
    CompletableFuture<HttpResponse> answer;
    CompletableFuture<Void> done;
    byte[] event = null;
    synchronized (this) {
      Agent a = lookup(id);
      if (a == null) {
        return CompletableFuture.completedFuture(unknown(id));
      }
      if (a.waiting != null) {
        return CompletableFuture.completedFuture(error(HttpStatus.FORBIDDEN, "Extension.InvalidExtensionState",
            "State transition from Ready to Ready failed for extension " + a.id + ". Error: already waiting for an event"));
      }
      if (!a.pending.isEmpty()) {
        event = a.pending.poll();
        answer = null;
      } else {
        a.busy = false;
        a.waiting = new CompletableFuture<>();
        answer = a.waiting;
      }
      done = idleIfNoneBusy();
    }
    if (done != null) {
      done.complete(null);
    }
    return event != null ? CompletableFuture.completedFuture(eventResponse(event)) : answer;
  }

  private HttpResponse reportError(AggregatedHttpRequest req, boolean init) {
    String id = req.headers().get(ID_HEADER);
    String type = req.headers().get("Lambda-Extension-Function-Error-Type");
    synchronized (this) {
      Agent a = lookup(id);
      if (a == null) {
        return unknown(id);
      }
      if (type == null || type.isEmpty()) {
        return error(HttpStatus.FORBIDDEN, "Extension.MissingHeader", "Missing Lambda-Extension-Function-Error-Type header");
      }
      a.errorType = type;
    }
    return HttpResponse.of(HttpStatus.ACCEPTED, MediaType.JSON, "{\"status\":\"OK\"}");
  }

  private Agent lookup(String id) {
    if (id == null || id.isEmpty()) {
      return null;
    }
    return byId.get(id);
  }

  static HttpResponse unknown(String id) {
    if (id == null || id.isEmpty()) {
      return error(HttpStatus.FORBIDDEN, "Extension.MissingExtensionIdentifier", "Missing Lambda-Extension-Identifier header");
    }
    try {
      UUID.fromString(id);
    } catch (IllegalArgumentException e) {
      return error(HttpStatus.FORBIDDEN, "Extension.InvalidExtensionIdentifier", "Invalid Lambda-Extension-Identifier");
    }
    return error(HttpStatus.FORBIDDEN, "Extension.UnknownExtensionIdentifier", "Unknown extension " + id);
  }

  /** Under the lock: the idle future to complete (outside it) when no extension is busy any more. */
  private CompletableFuture<Void> idleIfNoneBusy() {
    boolean busy = byId.values().stream().anyMatch(a -> a.busy) || !launching.isEmpty();
    return busy || idle.isDone() ? null : idle;
  }

  private void checkRegistered() {
    if (launching.isEmpty() && !registered.isDone()) {
      registered.complete(null);
    }
  }

  private static HttpResponse eventResponse(byte[] body) {
    return HttpResponse.of(ResponseHeaders.builder(HttpStatus.OK).contentType(MediaType.JSON)
        .add("Lambda-Extension-Event-Identifier", UUID.randomUUID().toString()).build(), HttpData.wrap(body));
  }

  static HttpResponse error(HttpStatus status, String type, String message) {
    ObjectNode body = Json.MAPPER.createObjectNode().put("errorMessage", message).put("errorType", type);
    return HttpResponse.of(status, MediaType.JSON, body.toString());
  }
}
