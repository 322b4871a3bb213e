package io.traceharness.containers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.traceharness.apigateway.FunctionInvoker;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Lets the harness's API Gateway invoke functions running in Lambda base images. The Runtime
 * Interface Emulator answers every invoke with 200 and, unlike Lambda, without
 * {@code X-Amz-Function-Error} (aws-lambda-runtime-interface-emulator #20): a function error is
 * recognised by its payload ({@code errorType} and {@code errorMessage}), a timeout by the
 * emulator's "Task timed out" text, a runtime that died by an empty answer.
 */
final class RuntimeEmulatorInvoker implements FunctionInvoker {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final Map<String, URI> invocationUrls = new ConcurrentHashMap<>();

  void register(String functionName, URI invocationsUrl) {
    invocationUrls.put(functionName, invocationsUrl);
  }

  boolean knows(String functionName) {
    return invocationUrls.containsKey(functionName);
  }

  @Override
  public FunctionResult invoke(String functionName, byte[] payload, String xrayTraceHeader) {
    return invoke(functionName, payload, xrayTraceHeader, null);
  }

  /** An invoke with the caller's client context (base64 JSON, as in {@code X-Amz-Client-Context}). */
  FunctionResult invoke(String functionName, byte[] payload, String xrayTraceHeader, String clientContext) {
    URI url = invocationUrls.get(functionName);
    if (url == null) {
      throw new IllegalArgumentException("Function not found: " + functionName);
    }
    HttpRequest.Builder request = HttpRequest.newBuilder(url).timeout(Duration.ofMinutes(15))
        .POST(HttpRequest.BodyPublishers.ofByteArray(payload));
    if (xrayTraceHeader != null) {
      request.header("X-Amzn-Trace-Id", xrayTraceHeader);
    }
    if (clientContext != null) {
      request.header("X-Amz-Client-Context", clientContext);
    }
    try {
      HttpResponse<byte[]> response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
      return result(response.headers().firstValue("X-Amz-Function-Error").orElse(null), response.body());
    } catch (IOException e) {
      throw new UncheckedIOException("invoke of " + functionName + " at " + url + " failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while invoking " + functionName, e);
    }
  }

  @Override
  public boolean activeTracing(String functionName) {
    // the emulator has no tracing configuration: functions behave as with PassThrough
    return false;
  }

  static FunctionResult result(String functionErrorHeader, byte[] body) {
    if (functionErrorHeader != null) {
      return FunctionResult.error(functionErrorHeader, body);
    }
    String text = new String(body, StandardCharsets.UTF_8).trim();
    if (text.isEmpty()) {
      return FunctionResult.error("Unhandled", errorPayload("Runtime.ExitError", "Runtime exited without answering"));
    }
    if (text.startsWith("Task timed out")) {
      return FunctionResult.error("Unhandled", errorPayload("Sandbox.Timedout", text));
    }
    if (text.startsWith("{")) {
      try {
        JsonNode node = JSON.readTree(text);
        if (node.has("errorType") && node.has("errorMessage") && !node.has("statusCode")) {
          return FunctionResult.error("Unhandled", body);
        }
      } catch (IOException notJson) {
        return FunctionResult.success(body);
      }
    }
    return FunctionResult.success(body);
  }

  private static byte[] errorPayload(String type, String message) {
    return JSON.createObjectNode().put("errorType", type).put("errorMessage", message).toString()
        .getBytes(StandardCharsets.UTF_8);
  }
}
