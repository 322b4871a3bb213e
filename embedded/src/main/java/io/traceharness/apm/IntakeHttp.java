package io.traceharness.apm;

import com.linecorp.armeria.common.HttpData;
import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.server.ServiceRequestContext;
import java.io.IOException;
import java.io.InputStream;
import java.io.PushbackInputStream;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.zip.GZIPInputStream;
import java.util.zip.InflaterInputStream;

/**
 * {@code POST /intake/v2/events} as APM Server's intake handler answers it (intake/handler.go):
 * authentication first, method and content type, the body decoded as request/context.go decodes it
 * (gzip, zlib, or sniffed), the stream read by {@link IntakeProcessor} and each batch published.
 */
final class IntakeHttp {

  /** Hands a batch of documents on; null when taken, else the stream error to answer with. */
  interface Publisher {
    IntakeProcessor.StreamError publish(List<ApmDocument> documents, Auth.Granted granted);
  }

  private final Auth auth;
  private final IntakeProcessor intake;
  private final ApmLog log;
  private final Publisher publisher;

  IntakeHttp(Auth auth, IntakeProcessor intake, ApmLog log, Publisher publisher) {
    this.auth = auth;
    this.intake = intake;
    this.log = log;
    this.publisher = publisher;
  }

  HttpResponse serve(ServiceRequestContext ctx, HttpRequest req) {
    String accept = req.headers().get(HttpHeaderNames.ACCEPT);
    // authentication runs before the intake handler, as APM Server's middleware does
    Object authenticated = auth.authenticate(req.headers().get(HttpHeaderNames.AUTHORIZATION));
    if (authenticated instanceof String error) {
      return ApmResponses.unauthorized(error, accept);
    }
    Auth.Granted granted = (Auth.Granted) authenticated;
    if (req.method() != HttpMethod.POST) {
      // APM Server answers 400 here, not 405 (intake/handler.go errStatusCode)
      return ApmResponses.intakeAnswer(HttpStatus.BAD_REQUEST, 0, List.of(), "only POST requests are supported", false, accept);
    }
    String contentType = req.headers().get(HttpHeaderNames.CONTENT_TYPE);
    if (contentType != null && !contentType.isEmpty() && !contentType.contains("application/x-ndjson")) {
      return ApmResponses.intakeAnswer(HttpStatus.BAD_REQUEST, 0, List.of(), "invalid content type: '" + contentType + "'", false,
          accept);
    }
    boolean verbose = ctx.queryParams().contains("verbose");
    String encoding = req.headers().get(HttpHeaderNames.CONTENT_ENCODING);
    String clientIp = clientIp(ctx, req);
    InputStream raw = req.toInputStream(o -> o instanceof HttpData d ? d : HttpData.empty());
    CompletableFuture<HttpResponse> answer = CompletableFuture.supplyAsync(() -> {
      IntakeProcessor.Result result;
      InputStream body;
      try {
        body = decode(raw, encoding);
      } catch (IOException e) {
        // request/context.go decodeRequestBody: IDResponseErrorsDecode wraps the reader's error
        return ApmResponses.intakeAnswer(HttpStatus.BAD_REQUEST, 0, List.of(), "data decoding error: " + goReaderError(e, encoding),
            false, accept);
      }
      try (InputStream in = body) {
        result = intake.process(in, clientIp, batch -> publisher.publish(batch, granted));
      } catch (IOException e) {
        return ApmResponses.intakeAnswer(HttpStatus.BAD_REQUEST, 0, List.of(), "data decoding error: " + goReaderError(e, encoding),
            false, accept);
      }
      HttpStatus status = HttpStatus.ACCEPTED;
      if (!result.errors().isEmpty()) {
        status = HttpStatus.BAD_REQUEST;
      }
      if (result.streamError() != null && result.streamError().status() > status.code()) {
        status = HttpStatus.valueOf(result.streamError().status());
      }
      if (result.invalid() > 0) {
        log.info("intake request: " + result.accepted() + " accepted, " + result.invalid() + " invalid: "
            + result.errors().get(0).message());
      }
      return ApmResponses.intakeAnswer(status, result.accepted(), result.errors(),
          result.streamError() == null ? null : result.streamError().message(), verbose, accept);
    }, ctx.blockingTaskExecutor());
    return HttpResponse.of(answer);
  }

  /** The client address as APM Server takes it: a forwarding header first, else the peer (netutil). */
  private static String clientIp(ServiceRequestContext ctx, HttpRequest req) {
    String forwarded = req.headers().get("x-forwarded-for");
    if (forwarded != null && !forwarded.isBlank()) {
      String first = forwarded.split(",")[0].trim();
      if (IntakeContext.isIp(first)) {
        return first;
      }
    }
    String real = req.headers().get("x-real-ip");
    if (real != null && IntakeContext.isIp(real.trim())) {
      return real.trim();
    }
    InetSocketAddress remote = ctx.remoteAddress();
    return remote.getAddress() == null ? null : remote.getAddress().getHostAddress();
  }

  /** Go's compress/gzip and compress/zlib words for a body that is not what its encoding says. */
  private static String goReaderError(IOException e, String encoding) {
    String m = String.valueOf(e.getMessage());
    if (m.contains("Not in GZIP format")) {
      return "gzip: invalid header";
    }
    if (m.contains("incorrect header check") || m.contains("unknown compression method")) {
      return "zlib: invalid header";
    }
    if (e instanceof java.io.EOFException || m.contains("Unexpected end")) {
      return "unexpected EOF";
    }
    return m;
  }

  private static InputStream decode(InputStream raw, String encoding) throws IOException {
    if (encoding == null) {
      return sniff(raw);
    }
    if (encoding.equalsIgnoreCase("gzip")) {
      return new GZIPInputStream(raw);
    }
    if (encoding.equalsIgnoreCase("deflate")) {
      return new InflaterInputStream(raw);
    }
    return sniff(raw);
  }

  /**
   * Any other Content-Encoding is not refused: APM Server looks at the first two bytes and reads
   * gzip or zlib when their magic is there, else the body as it is (internal/beater/request/context.go).
   */
  private static InputStream sniff(InputStream raw) throws IOException {
    PushbackInputStream in = new PushbackInputStream(raw, 2);
    byte[] magic = in.readNBytes(2);
    in.unread(magic);
    if (magic.length == 2 && (magic[0] & 0xff) == 0x1f && (magic[1] & 0xff) == 0x8b) {
      return new GZIPInputStream(in);
    }
    if (magic.length >= 1 && (magic[0] & 0x0f) == 8) {
      return new InflaterInputStream(in);
    }
    return in;
  }
}
