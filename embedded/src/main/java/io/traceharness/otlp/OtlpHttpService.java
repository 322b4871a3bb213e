package io.traceharness.otlp;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.linecorp.armeria.common.AggregatedHttpRequest;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.RequestHeaders;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.ServiceRequestContext;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;
import java.util.zip.GZIPInputStream;
import java.util.zip.InflaterInputStream;

/**
 * OTLP/HTTP for one signal, answering as the collector's otlpreceiver does
 * (receiver/otlpreceiver/otlphttp.go): 405 for a method other than POST; 415 for a content type
 * other than protobuf or JSON; 400 with a google.rpc.Status (code InvalidArgument) for a body it
 * cannot decompress or decode; otherwise the handler's {@link OtlpHandler.Outcome}, in the
 * request's encoding.
 */
final class OtlpHttpService implements HttpService {

  static final MediaType PROTOBUF = MediaType.parse("application/x-protobuf");

  private final OtlpSignal signal;
  private final OtlpHandler handler;
  private final String serverName;
  private final Function<RequestHeaders, Optional<HttpResponse>> admission;
  private final boolean protobufOnly;

  OtlpHttpService(OtlpSignal signal, OtlpHandler handler, String serverName,
      Function<RequestHeaders, Optional<HttpResponse>> admission, boolean protobufOnly) {
    this.signal = signal;
    this.handler = handler;
    this.serverName = serverName;
    this.admission = admission;
    this.protobufOnly = protobufOnly;
  }

  @Override
  public HttpResponse serve(ServiceRequestContext ctx, HttpRequest req) {
    if (req.method() != HttpMethod.POST) {
      req.abort();
      return HttpResponse.of(HttpStatus.METHOD_NOT_ALLOWED, MediaType.PLAIN_TEXT,
          "405 method not allowed, supported: [POST]");
    }
    Optional<HttpResponse> refused = admission.apply(req.headers());
    if (refused.isPresent()) {
      return refused.get();
    }
    // protobuf only: the body is protobuf whatever the Content-Type says (see OtlpServices.Builder#protobufOnly)
    Boolean json = protobufOnly ? Boolean.FALSE : isJson(req.contentType());
    if (json == null) {
      return HttpResponse.of(HttpStatus.UNSUPPORTED_MEDIA_TYPE, MediaType.PLAIN_TEXT,
          "415 unsupported media type, supported: [application/json, application/x-protobuf]");
    }
    return HttpResponse.of(req.aggregate().thenApplyAsync(agg -> process(agg, json), ctx.blockingTaskExecutor()));
  }

  /** True for JSON, false for protobuf, null for anything else; compared without parameters (charset). */
  private static Boolean isJson(MediaType type) {
    if (type == null) {
      return null;
    }
    MediaType bare = type.withoutParameters();
    if (bare.is(MediaType.JSON.withoutParameters())) {
      return true;
    }
    // the embedded APM Server has always taken application/protobuf too; kept so no client that worked stops
    return bare.is(PROTOBUF) || bare.is(MediaType.PROTOBUF.withoutParameters()) ? false : null;
  }

  private HttpResponse process(AggregatedHttpRequest agg, boolean json) {
    byte[] body;
    String encoding = agg.headers().get("content-encoding", "").trim().toLowerCase(Locale.ROOT);
    try {
      body = decompress(agg.content().array(), encoding);
    } catch (IOException e) {
      return status(json, HttpStatus.BAD_REQUEST, e.getMessage());
    }
    Message request;
    try {
      if (json) {
        Message.Builder b = signal.newRequest();
        OtlpJson.merge(body, b);
        request = b.build();
      } else {
        request = signal.parse(body);
      }
      String undecodable = PdataRules.refusal(request);
      if (undecodable != null) {
        throw new InvalidProtocolBufferException(undecodable);
      }
    } catch (InvalidProtocolBufferException e) {
      handler.undecodable(signal, e.getMessage());
      return status(json, HttpStatus.BAD_REQUEST, protobufOnly ? "failed to unmarshal request body: proto: " + e.getMessage()
          : (json ? "json: " : "proto: ") + e.getMessage());
    }
    OtlpHandler.Outcome outcome = handler.export(signal, request);
    if (!outcome.ok()) {
      return status(json, HttpStatus.valueOf(outcome.httpStatus()), outcome.message());
    }
    Message response = signal.response(outcome.rejected(), outcome.message());
    return json ? HttpResponse.of(HttpStatus.OK, MediaType.JSON, OtlpJson.print(response))
        : HttpResponse.of(HttpStatus.OK, PROTOBUF, response.toByteArray());
  }

  private byte[] decompress(byte[] body, String encoding) throws IOException {
    InputStream in;
    switch (encoding) {
      case "", "identity" -> {
        return body;
      }
      case "gzip", "x-gzip" -> in = new GZIPInputStream(new ByteArrayInputStream(body));
      case "deflate", "zlib" -> in = new InflaterInputStream(new ByteArrayInputStream(body));
      default -> throw new IOException("unsupported Content-Encoding: " + encoding
          + " (the embedded " + serverName + " reads gzip, deflate and uncompressed bodies)");
    }
    try (InputStream s = in) {
      return s.readAllBytes();
    } catch (IOException e) {
      throw new IOException("cannot decompress " + encoding + " body: " + e.getMessage(), e);
    }
  }

  private static HttpResponse status(boolean json, HttpStatus http, String message) {
    int code = http == HttpStatus.SERVICE_UNAVAILABLE ? io.grpc.Status.Code.UNAVAILABLE.value()
        : io.grpc.Status.Code.INVALID_ARGUMENT.value();
    com.google.rpc.Status s = com.google.rpc.Status.newBuilder().setCode(code).setMessage(message).build();
    return json ? HttpResponse.of(http, MediaType.JSON, OtlpJson.printPlain(s))
        : HttpResponse.of(http, PROTOBUF, s.toByteArray());
  }
}
