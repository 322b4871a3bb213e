package io.traceharness.viewer;

import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.server.Server;
import com.linecorp.armeria.server.ServerBuilder;
import com.linecorp.armeria.server.file.FileService;
import io.traceharness.report.TraceReport;
import io.traceharness.stack.TracingStack;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A live trace viewer for a running stack, in the browser: the most recent traces (updating on
 * their own, filtered by service and status, searched by id), a trace's waterfall, service map,
 * diagnosis, errors, correlated logs and span documents, and, on the embedded stack, the deployed
 * functions with their routes, execution environments and log tails. Pages and scripts are served
 * by the viewer itself (no CDN); a JSON API is behind them: {@code /api/traces},
 * {@code /api/traces/{traceId}}, {@code /api/traces/{traceId}/spans/{spanId}}, {@code /api/functions}.
 *
 * <p>Traces are read through the stack's {@link TracingStack#traces()} (APM Server's documents and
 * OpenTelemetry-native ones alike) and diagnosed with {@link TracingStack#diagnose}.
 *
 * <pre>{@code
 * try (TraceViewer viewer = TraceViewer.builder().stack(stack).build().start()) {
 *   System.out.println("Traces: " + viewer.endpoint());
 *   ...
 * }
 * }</pre>
 */
public final class TraceViewer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(TraceViewer.class);
  private static final String STATIC = "io/traceharness/viewer/static";

  private final TracingStack stack;
  private final int port;
  private volatile Server server;

  private TraceViewer(Builder b) {
    this.stack = Objects.requireNonNull(b.stack, "stack: TraceViewer.builder().stack(stack)");
    this.port = b.port;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Binds 127.0.0.1 (a free port unless the builder named one) and serves; returns this viewer. */
  public synchronized TraceViewer start() {
    if (server != null) {
      return this;
    }
    long t0 = System.nanoTime();
    ViewerApi api = new ViewerApi(stack, FunctionsView.of(stack));
    FileService files = FileService.builder(TraceViewer.class.getClassLoader(), STATIC)
        .maxCacheEntries(0).build();
    ServerBuilder sb = Server.builder()
        .http(new InetSocketAddress("127.0.0.1", port))
        .requestTimeout(Duration.ofMinutes(2))
        .gracefulShutdownTimeout(Duration.ZERO, Duration.ofSeconds(1))
        .service("/", page("index.html"))
        .service("/traces/{traceId}", page("trace.html"))
        .service("/functions", page("functions.html"))
        .service("/report.js", (ctx, req) -> HttpResponse.of(HttpStatus.OK,
            MediaType.JAVASCRIPT_UTF_8, TraceReport.script()))
        .service("/report.css", (ctx, req) -> HttpResponse.of(HttpStatus.OK, MediaType.CSS_UTF_8, TraceReport.style()))
        .serviceUnder("/static/", files);
    api.addTo(sb);
    Server s = sb.build();
    s.start().join();
    server = s;
    LOG.info("Trace viewer ready at {} in {} ms", endpoint(), (System.nanoTime() - t0) / 1_000_000);
    return this;
  }

  private static com.linecorp.armeria.server.HttpService page(String name) {
    String html;
    try (java.io.InputStream in = TraceViewer.class.getClassLoader().getResourceAsStream(STATIC + "/" + name)) {
      html = new String(Objects.requireNonNull(in, name).readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("cannot read the viewer's page " + name, e);
    }
    return (ctx, req) -> HttpResponse.of(HttpStatus.OK, MediaType.HTML_UTF_8, html);
  }

  /** {@code http://127.0.0.1:PORT/}: the traces page. */
  public URI endpoint() {
    Server s = server;
    if (s == null) {
      throw new IllegalStateException("the trace viewer is not started");
    }
    return URI.create("http://127.0.0.1:" + s.activeLocalPort() + "/");
  }

  /** The page of one trace. */
  public URI traceUrl(String traceId) {
    return endpoint().resolve("traces/" + traceId);
  }

  /** Stops serving. Idempotent. */
  @Override
  public synchronized void close() {
    Server s = server;
    if (s != null) {
      s.stop().join();
      server = null;
    }
  }

  /** Options of a {@link TraceViewer}. */
  public static final class Builder {
    private TracingStack stack;
    private int port;

    private Builder() {
    }

    /** The stack whose traces (and, when embedded, functions) the viewer shows. Required. */
    public Builder stack(TracingStack stack) {
      this.stack = stack;
      return this;
    }

    /** The port on 127.0.0.1; default 0, a free one. */
    public Builder port(int port) {
      if (port < 0 || port > 65_535) {
        throw new IllegalArgumentException("port must be within 0..65535, was " + port);
      }
      this.port = port;
      return this;
    }

    public TraceViewer build() {
      return new TraceViewer(this);
    }
  }
}
