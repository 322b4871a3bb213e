package io.traceharness.lambda;

import com.linecorp.armeria.common.AggregatedHttpRequest;
import com.linecorp.armeria.common.HttpData;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.ResponseHeaders;
import com.linecorp.armeria.common.ResponseHeadersBuilder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

/**
 * Lambda's {@code Invoke} operation: the invocation type ({@code RequestResponse}, {@code Event},
 * {@code DryRun}), the client context, trace and log-type headers in, the function's answer and its
 * {@code X-Amz-Function-Error}, {@code X-Amz-Log-Result} headers out, through the {@link Invoker}.
 */
final class InvokeOperation {

  private final Invoker invoker;

  InvokeOperation(Invoker invoker) {
    this.invoker = invoker;
  }

  CompletableFuture<HttpResponse> invoke(String name, AggregatedHttpRequest req) {
    String type = req.headers().get("X-Amz-Invocation-Type", "RequestResponse");
    byte[] payload = req.content().array();
    String clientContext = null;
    String encoded = req.headers().get("X-Amz-Client-Context");
    if (encoded != null && !encoded.isBlank()) {
      try {
        clientContext = new String(Base64.getDecoder().decode(encoded.trim()), StandardCharsets.UTF_8);
        if (!Json.MAPPER.readTree(clientContext).isObject()) {
          throw new IOException("not an object");
        }
      } catch (IllegalArgumentException | IOException e) {
        throw ServiceException.invalid("Client context must be a valid Base64-encoded JSON object.");
      }
    }
    InvokeOptions options = new InvokeOptions(clientContext, req.headers().get("X-Amzn-Trace-Id"),
        "Tail".equals(req.headers().get("X-Amz-Log-Type")));
    String requestId = UUID.randomUUID().toString();
    switch (type) {
      case "DryRun" -> {
        invoker.checkInvocable(name, payload);
        return CompletableFuture.completedFuture(HttpResponse.of(ResponseHeaders.builder(HttpStatus.NO_CONTENT)
            .add("x-amzn-RequestId", requestId).build()));
      }
      case "Event" -> {
        invoker.invokeEvent(name, payload, options);
        return CompletableFuture.completedFuture(HttpResponse.of(ResponseHeaders.builder(HttpStatus.ACCEPTED)
            .add("x-amzn-RequestId", requestId)
            .add("x-amzn-Remapped-Content-Length", "0")
            .add("X-Amzn-Trace-Id", Invoker.traceHeaderFor(options.traceHeader(), false))
            .build()));
      }
      case "RequestResponse" -> {
        return invoker.invoke(name, payload, options).thenApply(r -> {
          ResponseHeadersBuilder h = ResponseHeaders.builder(HttpStatus.OK)
              .contentType(MediaType.JSON)
              .add("x-amzn-RequestId", r.requestId())
              .add("x-amzn-Remapped-Content-Length", "0")
              .add("X-Amz-Executed-Version", r.executedVersion());
          if (r.functionError() != null) {
            h.add("X-Amz-Function-Error", r.functionError());
          }
          if (r.logTail() != null) {
            h.add("X-Amz-Log-Result", CloudWatchLog.base64Tail(r.logTail()));
          }
          return HttpResponse.of(h.build(), HttpData.wrap(r.payload()));
        });
      }
      default -> throw ServiceException.invalid("1 validation error detected: Value '" + type
          + "' at 'invocationType' failed to satisfy constraint: Member must satisfy enum value set: "
          + "[Event, RequestResponse, DryRun]");
    }
  }
}
