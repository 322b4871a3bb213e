package io.traceharness.lambda;

import com.fasterxml.jackson.databind.JsonNode;
import com.linecorp.armeria.common.HttpData;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.ResponseHeaders;
import com.linecorp.armeria.common.ResponseHeadersBuilder;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

/**
 * The answers of Lambda's REST API, in one place: a JSON body with its {@code x-amzn-RequestId}, an
 * empty answer, and an error as {@code x-amzn-ErrorType} plus the {@link ServiceException}'s body.
 */
final class ApiResponses {

  /** Timestamps of the API's shapes ({@code LastModified}, {@code CreatedDate}). */
  static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSZ")
      .withZone(ZoneOffset.UTC);

  private ApiResponses() {
  }

  static String requestId() {
    return UUID.randomUUID().toString();
  }

  static CompletableFuture<HttpResponse> done(int status, JsonNode body) {
    return CompletableFuture.completedFuture(HttpResponse.of(ResponseHeaders.builder(HttpStatus.valueOf(status))
        .contentType(MediaType.JSON)
        .add("x-amzn-RequestId", UUID.randomUUID().toString())
        .build(), HttpData.ofUtf8(body.toString())));
  }

  static CompletableFuture<HttpResponse> noContent(ResponseHeadersBuilder headers) {
    return CompletableFuture.completedFuture(HttpResponse.of(headers.build()));
  }

  static HttpResponse error(ServiceException e) {
    return HttpResponse.of(ResponseHeaders.builder(HttpStatus.valueOf(e.status()))
        .contentType(MediaType.JSON)
        .add("x-amzn-ErrorType", e.type())
        .add("x-amzn-RequestId", UUID.randomUUID().toString())
        .build(), HttpData.ofUtf8(e.body().toString()));
  }
}
