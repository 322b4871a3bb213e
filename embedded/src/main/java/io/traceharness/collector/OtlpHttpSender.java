package io.traceharness.collector;

import com.google.protobuf.Message;
import io.traceharness.otlp.OtlpJson;
import com.linecorp.armeria.client.ClientFactory;
import com.linecorp.armeria.client.WebClient;
import com.linecorp.armeria.common.AggregatedHttpResponse;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.RequestHeaders;
import com.linecorp.armeria.common.RequestHeadersBuilder;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.zip.GZIPOutputStream;

/**
 * The {@code otlphttp} exporter's transport: POST to {@code <endpoint>/v1/<signal>} (or the
 * signal's own endpoint), protobuf or JSON, gzip by default. As in the real exporter, 429, 502,
 * 503 and 504 are retried (honouring Retry-After), connection errors are retried, and any other
 * status is a permanent error.
 */
final class OtlpHttpSender implements Sender {

  private final CollectorConfig.OtlpHttpSpec spec;
  private final ClientFactory factory;
  private final WebClient client;

  OtlpHttpSender(CollectorConfig.OtlpHttpSpec spec) {
    this.spec = spec;
    this.factory = Sender.clientFactory(spec.tlsSpec());
    var b = WebClient.builder().factory(factory)
        .responseTimeout(spec.timeout().isZero() ? Duration.ofDays(1) : spec.timeout())
        .maxResponseLength(0);
    this.client = b.build();
  }

  private URI url(Signal signal) {
    return switch (signal) {
      case TRACES -> spec.tracesUrl();
      case METRICS -> spec.metricsUrl();
      default -> spec.logsUrl();
    };
  }

  @Override
  public String destination(Signal signal) {
    URI u = url(signal);
    return u == null ? "(no " + signal.pipelineType() + " endpoint)" : u.toString();
  }

  @Override
  public void send(Signal signal, Message request) throws ExportException {
    URI url = url(signal);
    if (url == null) {
      throw new ExportException("no endpoint configured for " + signal.pipelineType(), false, null);
    }
    byte[] body = spec.json() ? OtlpJson.print(request).getBytes(StandardCharsets.UTF_8) : request.toByteArray();
    RequestHeadersBuilder headers = RequestHeaders.builder(HttpMethod.POST, url.toString())
        .contentType(spec.json() ? MediaType.JSON : MediaType.parse("application/x-protobuf"));
    if (spec.compression().equals("gzip")) {
      body = gzip(body);
      headers.add("content-encoding", "gzip");
    }
    spec.headers().forEach(headers::add);
    headers.set("user-agent", "traceharness-collector");
    AggregatedHttpResponse res;
    try {
      res = client.execute(headers.build(), body).aggregate().join();
    } catch (CompletionException e) {
      String hostPort = url.getHost() + ":" + (url.getPort() > 0 ? url.getPort() : url.getScheme().equals("https") ? 443 : 80);
      throw new ExportException("failed to make an HTTP request: Post \"" + url + "\": "
          + Sender.describeCause(e, hostPort), true, null);
    }
    int code = res.status().code();
    if (res.status().isSuccess()) {
      return;
    }
    String text = res.contentUtf8();
    String message = "error exporting items, request to " + url + " responded with HTTP Status Code " + code
        + (text.isBlank() ? "" : ", Message=" + abbreviate(text));
    boolean retryable = code == 429 || code == HttpStatus.BAD_GATEWAY.code()
        || code == HttpStatus.SERVICE_UNAVAILABLE.code() || code == HttpStatus.GATEWAY_TIMEOUT.code();
    throw new ExportException(message, retryable, retryable ? retryAfter(res.headers().get("retry-after")) : null);
  }

  private static Duration retryAfter(String value) {
    if (value == null) {
      return null;
    }
    try {
      return Duration.ofSeconds(Long.parseLong(value.trim()));
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private static String abbreviate(String s) {
    String oneLine = s.replace('\n', ' ').trim();
    return oneLine.length() > 500 ? oneLine.substring(0, 500) + "…" : oneLine;
  }

  static byte[] gzip(byte[] data) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(data.length / 2 + 64);
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(data);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  @Override
  public void close() {
    factory.closeAsync();
  }
}
