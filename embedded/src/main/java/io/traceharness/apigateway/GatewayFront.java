package io.traceharness.apigateway;

import com.linecorp.armeria.common.AggregatedHttpResponse;
import com.linecorp.armeria.common.HttpData;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.RequestHeaders;
import com.linecorp.armeria.common.ResponseHeaders;
import com.linecorp.armeria.common.ResponseHeadersBuilder;
import com.linecorp.armeria.common.SessionProtocol;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.Server;
import com.linecorp.armeria.server.ServerBuilder;
import com.linecorp.armeria.server.ServerErrorHandler;
import com.linecorp.armeria.server.ServerPort;
import com.linecorp.armeria.server.ServiceConfig;
import com.linecorp.armeria.server.ServiceRequestContext;
import io.traceharness.support.LocalCertificateAuthority;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.UUID;

/**
 * The gateway's listening front: one loopback port speaking plaintext, and TLS too when given a
 * certificate, with the limits that let API Gateway's own answers (integration timeout, 413) come
 * before the server's, and API Gateway's no-route answer for methods the server does not know.
 */
final class GatewayFront {

  private GatewayFront() {
  }

  /**
   * Binds 127.0.0.1:{@code port} (0: a free one) and serves {@code service} under {@code /}.
   *
   * @throws java.util.concurrent.CompletionException when the port cannot be bound (the server is closed)
   */
  static Server start(int port, LocalCertificateAuthority.ServerCertificate tls, Duration integrationTimeout,
      boolean httpApi, HttpService service) {
    InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
    ServerBuilder sb = Server.builder();
    if (tls != null) {
      // one port for both, as EmbeddedApmServer does: Armeria tells a TLS ClientHello from plaintext
      sb.port(new ServerPort(address, SessionProtocol.HTTP, SessionProtocol.HTTPS)).tls(tls.privateKey(), tls.chain());
    } else {
      sb.http(address);
    }
    Server s = sb
        // API Gateway's own limit is the integration timeout; Armeria must not cut in earlier
        .requestTimeout(integrationTimeout.plusSeconds(30))
        // read a body somewhat past the gateway's 10 MB whole, so it gets the gateway's 413
        // rather than Armeria's
        .maxRequestLength(EmbeddedApiGateway.MAX_PAYLOAD_BYTES + 6L * 1024 * 1024)
        // headers past the gateway's 10,240-byte quota reach it, so it answers them itself; far past
        // it, Armeria's own 431 (HTTP/1) ends the request first
        .http1MaxHeaderSize(64 * 1024)
        .http2MaxHeaderListSize(64 * 1024)
        .gracefulShutdownTimeout(Duration.ZERO, Duration.ofSeconds(1))
        .serviceUnder("/", service)
        .errorHandler(new UnknownMethods(httpApi))
        .build();
    try {
      s.start().join();
    } catch (java.util.concurrent.CompletionException e) {
      s.closeAsync();
      throw e;
    }
    return s;
  }

  /**
   * Armeria refuses a method it does not know (PROPFIND, MKCOL, …) before any service runs, as a
   * protocol violation: over HTTP/1 "405 Unsupported method" with the request's headers
   * (Http1RequestDecoder), over cleartext HTTP/2 (h2c, which java.net.http upgrades to) "400 Invalid
   * method: PROPFIND" without them (Http2RequestDecoder); there is no option to route such methods
   * (docs/design-notes.md has what is left over h2c). The
   * real gateway has no route for them either, so it gives its no-route answer; this handler renders
   * that answer instead of Armeria's.
   */
  private static final class UnknownMethods implements ServerErrorHandler {
    private final boolean httpApi;

    UnknownMethods(boolean httpApi) {
      this.httpApi = httpApi;
    }

    @Override
    public HttpResponse onServiceException(ServiceRequestContext ctx, Throwable cause) {
      return null;
    }

    @Override
    public AggregatedHttpResponse onProtocolViolation(ServiceConfig config, RequestHeaders headers, HttpStatus status,
        String description, Throwable cause) {
      boolean unknownMethod = headers != null ? headers.method() == HttpMethod.UNKNOWN
          : description != null && description.startsWith("Invalid method: ");
      if (!unknownMethod) {
        return null;
      }
      ResponseHeadersBuilder h = ResponseHeaders.builder(httpApi ? HttpStatus.NOT_FOUND : HttpStatus.FORBIDDEN)
          .contentType(MediaType.JSON);
      if (httpApi) {
        h.set("apigw-requestid", UUID.randomUUID().toString());
        return AggregatedHttpResponse.of(h.build(), HttpData.ofUtf8("{\"message\":\"Not Found\"}"));
      }
      h.set("x-amzn-ErrorType", "MissingAuthenticationTokenException").set("x-amzn-RequestId", UUID.randomUUID().toString());
      return AggregatedHttpResponse.of(h.build(), HttpData.ofUtf8("{\"message\":\"Missing Authentication Token\"}"));
    }
  }
}
