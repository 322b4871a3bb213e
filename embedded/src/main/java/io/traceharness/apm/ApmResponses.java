package io.traceharness.apm;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.linecorp.armeria.common.HttpData;
import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.ResponseHeaders;
import com.linecorp.armeria.server.ServiceRequestContext;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * How APM Server words its HTTP answers: request/context.go WriteResult (JSON or text, nosniff,
 * {@code Connection: Close} on intake errors), the auth middleware's 401, and intake/handler.go
 * writeStreamResult.
 */
final class ApmResponses {

  private ApmResponses() {
  }

  static HttpResponse json(HttpStatus status, Object body) {
    try {
      return HttpResponse.of(status, MediaType.JSON_UTF_8, Docs.JSON.writeValueAsString(body));
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The 401 of APM Server's auth middleware: {@code {"error": …}}, JSON when the client accepts it,
   * else the same JSON as text/plain (request/context.go WriteResult, writePlain).
   */
  static HttpResponse unauthorized(String message, String accept) {
    return result(HttpStatus.UNAUTHORIZED, Docs.object().put("error", message), accept, false);
  }

  /**
   * request/context.go WriteResult: {@code X-Content-Type-Options: nosniff}; JSON (indented) when
   * {@code Accept} names application/json or *&#47;*, else text/plain with compact JSON; the intake
   * handler adds {@code Connection: Close} to every answer of 400 or more (intake/handler.go writeResult).
   */
  static HttpResponse result(HttpStatus status, ObjectNode body, String accept, boolean closeOnError) {
    // Connection is an HTTP/1 header: over HTTP/2 Go's server drops it, and a GOAWAY would cut the answer
    ServiceRequestContext current = ServiceRequestContext.currentOrNull();
    closeOnError = closeOnError && (current == null || !current.sessionProtocol().isMultiplex());
    boolean json = accept != null && (accept.contains("application/json") || accept.contains("*/*"));
    com.linecorp.armeria.common.ResponseHeadersBuilder headers = ResponseHeaders.builder(status)
        .set("x-content-type-options", "nosniff")
        .contentType(json ? MediaType.JSON : MediaType.PLAIN_TEXT_UTF_8);
    if (closeOnError && status.code() >= 400) {
      headers.set(HttpHeaderNames.CONNECTION, "close");
    }
    try {
      String text = json ? Docs.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(body) : Docs.JSON.writeValueAsString(body);
      return HttpResponse.of(headers.build(), HttpData.ofUtf8(text + "\n"));
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** intake/handler.go writeStreamResult: {@code {"accepted": n, "errors": [...]}} on errors or with ?verbose. */
  static HttpResponse intakeAnswer(HttpStatus status, int accepted, List<IntakeProcessor.IntakeError> errors,
      String streamError, boolean verbose, String accept) {
    if (status.code() < 400 && !verbose) {
      return HttpResponse.of(ResponseHeaders.builder(status).set("x-content-type-options", "nosniff").build());
    }
    ObjectNode body = Docs.object().put("accepted", accepted);
    if (!errors.isEmpty() || streamError != null) {
      ArrayNode array = body.putArray("errors");
      for (IntakeProcessor.IntakeError e : errors) {
        ObjectNode o = array.addObject().put("message", e.message());
        if (e.document() != null && !e.document().isEmpty()) {
          o.put("document", e.document());
        }
      }
      if (streamError != null) {
        array.addObject().put("message", streamError);
      }
    }
    return result(status, body, accept, true);
  }
}
