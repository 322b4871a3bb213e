package io.traceharness.collector;

import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.RequestHeaders;
import com.linecorp.armeria.server.Server;
import com.linecorp.armeria.server.ServiceRequestContext;
import com.linecorp.armeria.server.grpc.GrpcService;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse;
import io.opentelemetry.proto.collector.metrics.v1.MetricsServiceGrpc;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.collector.trace.v1.TraceServiceGrpc;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import com.linecorp.armeria.common.SessionProtocol;
import com.linecorp.armeria.server.ServerPort;
import io.traceharness.support.LocalCertificateAuthority;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.GZIPInputStream;

/**
 * The downstream of collector tests: an OTLP endpoint (HTTP {@code /v1/traces}, {@code /v1/metrics}
 * and gRPC on one port, plaintext and TLS, like the stack's APM Server; {@link #TRUST} makes a
 * collector trust its certificate) that records what arrives, can answer the next N requests
 * with a failure, and can go down and come back on the same port.
 */
final class OtlpTestBackend implements AutoCloseable {

  record Received(String transport, RequestHeaders headers, ExportTraceServiceRequest traces) {
  }

  private static final LocalCertificateAuthority CA = LocalCertificateAuthority.shared();
  private static final LocalCertificateAuthority.ServerCertificate CERTIFICATE = CA.issueServer("otlp-test-backend");
  /** The environment entry that makes a collector's exporters trust this backend, as the Lambda environment has it. */
  static final Map<String, String> TRUST = Map.of("SSL_CERT_FILE", CA.bundlePem().toString());

  /** {@code env} plus {@link #TRUST}. */
  static Map<String, String> trusting(Map<String, String> env) {
    Map<String, String> out = new java.util.HashMap<>(env);
    out.putAll(TRUST);
    return out;
  }

  private final List<Received> traceRequests = new CopyOnWriteArrayList<>();
  private final List<ExportMetricsServiceRequest> metricRequests = new CopyOnWriteArrayList<>();
  private final ConcurrentLinkedQueue<Integer> httpFailures = new ConcurrentLinkedQueue<>();
  private final ConcurrentLinkedQueue<Status> grpcFailures = new ConcurrentLinkedQueue<>();
  private final AtomicInteger attempts = new AtomicInteger();
  private volatile String retryAfter;
  private final boolean tls;
  private Server server;
  private int port;

  /** Plaintext and TLS on one port. */
  OtlpTestBackend() {
    this(true);
  }

  /** {@code tls} false: plaintext only, as a receiver or APM Server without TLS. */
  OtlpTestBackend(boolean tls) {
    this.tls = tls;
  }

  OtlpTestBackend start() {
    server = build(port);
    server.start().join();
    port = server.activeLocalPort();
    return this;
  }

  /** Stops listening; {@link #start()} again comes back on the same port. */
  void stop() {
    server.stop();
    // the listening socket closes well before Armeria's stop future completes (boss loops go quiet ~2 s later)
    org.awaitility.Awaitility.await("backend on port " + port + " closed").atMost(java.time.Duration.ofSeconds(5))
        .pollInterval(java.time.Duration.ofMillis(10))
        .until(() -> !io.traceharness.support.Ports.isListening(port));
  }

  int port() {
    return port;
  }

  java.net.URI endpoint() {
    return java.net.URI.create("http://127.0.0.1:" + port);
  }

  /** The next {@code n} HTTP requests get {@code status}. */
  void failHttp(int n, int status) {
    for (int i = 0; i < n; i++) {
      httpFailures.add(status);
    }
  }

  void retryAfterSeconds(String value) {
    this.retryAfter = value;
  }

  /** The next {@code n} gRPC calls end with {@code status}. */
  void failGrpc(int n, Status status) {
    for (int i = 0; i < n; i++) {
      grpcFailures.add(status);
    }
  }

  int attempts() {
    return attempts.get();
  }

  List<Received> traceRequests() {
    return traceRequests;
  }

  List<ExportMetricsServiceRequest> metricRequests() {
    return metricRequests;
  }

  List<Span> spans() {
    List<Span> out = new ArrayList<>();
    for (Received r : traceRequests) {
      for (ResourceSpans rs : r.traces().getResourceSpansList()) {
        for (ScopeSpans ss : rs.getScopeSpansList()) {
          out.addAll(ss.getSpansList());
        }
      }
    }
    return out;
  }

  private Server build(int bindPort) {
    GrpcService grpc = GrpcService.builder()
        .addService(new TraceServiceGrpc.TraceServiceImplBase() {
          @Override
          public void export(ExportTraceServiceRequest request, StreamObserver<ExportTraceServiceResponse> out) {
            attempts.incrementAndGet();
            Status failure = grpcFailures.poll();
            if (failure != null) {
              out.onError(failure.asRuntimeException());
              return;
            }
            traceRequests.add(new Received("grpc", ServiceRequestContext.current().request().headers(), request));
            out.onNext(ExportTraceServiceResponse.getDefaultInstance());
            out.onCompleted();
          }
        })
        .addService(new MetricsServiceGrpc.MetricsServiceImplBase() {
          @Override
          public void export(ExportMetricsServiceRequest request, StreamObserver<ExportMetricsServiceResponse> out) {
            metricRequests.add(request);
            out.onNext(ExportMetricsServiceResponse.getDefaultInstance());
            out.onCompleted();
          }
        })
        .build();
    InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), bindPort);
    var sb = Server.builder();
    if (tls) {
      sb.port(new ServerPort(address, SessionProtocol.HTTP, SessionProtocol.HTTPS)).tls(CERTIFICATE.privateKey(),
          CERTIFICATE.chain());
    } else {
      sb.http(address);
    }
    return sb
        .gracefulShutdownTimeoutMillis(0, 500)
        .service(grpc)
        .service("/v1/traces", (ctx, req) -> HttpResponse.of(req.aggregate().thenApply(agg -> {
          attempts.incrementAndGet();
          Integer failure = httpFailures.poll();
          if (failure != null) {
            HttpResponse r = HttpResponse.of(HttpStatus.valueOf(failure), MediaType.PLAIN_TEXT, "backend says " + failure);
            if (retryAfter != null) {
              return HttpResponse.of(com.linecorp.armeria.common.ResponseHeaders.builder(failure)
                  .contentType(MediaType.PLAIN_TEXT).add("retry-after", retryAfter).build(),
                  com.linecorp.armeria.common.HttpData.ofUtf8("backend says " + failure));
            }
            return r;
          }
          byte[] body = agg.content().array();
          if ("gzip".equals(agg.headers().get("content-encoding"))) {
            try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(body))) {
              body = in.readAllBytes();
            } catch (IOException e) {
              throw new UncheckedIOException(e);
            }
          }
          try {
            traceRequests.add(new Received("http", agg.headers(), ExportTraceServiceRequest.parseFrom(body)));
          } catch (IOException e) {
            return HttpResponse.of(HttpStatus.BAD_REQUEST, MediaType.PLAIN_TEXT, e.getMessage());
          }
          return HttpResponse.of(HttpStatus.OK, MediaType.parse("application/x-protobuf"),
              ExportTraceServiceResponse.getDefaultInstance().toByteArray());
        })))
        .build();
  }

  @Override
  public void close() {
    if (server != null) {
      server.stop();
    }
  }
}
